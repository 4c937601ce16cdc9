/**
 * `leaklint.config.json`: found by walking up from each analysed file, plain
 * JSON (never executed, so it is safe in an untrusted workspace).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Severity } from "./types";

export const CONFIG_FILE_NAME = "leaklint.config.json";

export type RuleSetting = "off" | Severity | [Severity | "off", Record<string, unknown>];

/** Extra knowledge for the Go rules; every entry is a qualified function `importpath.Name`. */
export interface GoKnowledge {
  /** Functions whose first result must be closed: `{ "function": "example.com/db.OpenCursor", "kind": "rows" }`. */
  resourceFactories: { function: string; kind: string }[];
  /** Functions that close the resource passed as their first argument. */
  closers: string[];
  cacheConstructors: string[];
  clientConstructors: string[];
}

/**
 * Extra knowledge for the TypeScript/JavaScript rules. A function is named
 * `module#export` (`@acme/db#openCursor`, `./lib/http#get`, `default` for a
 * default export), or `*.method` for a method on any receiver.
 */
export interface TsKnowledge {
  /** Calls whose (awaited) result must be released: `{ "function": "@acme/db#openCursor", "kind": "cursor" }`. */
  resourceFactories: { function: string; kind: string }[];
  /** Functions that release the resource passed as their first argument. */
  closers: string[];
  cacheConstructors: string[];
  clientConstructors: string[];
}

export interface LeaklintConfig {
  rules: Record<string, RuleSetting>;
  ignore: string[];
  go: GoKnowledge;
  ts: TsKnowledge;
  /** Where the config came from, for error messages and relative ignore globs. */
  source?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export function emptyConfig(): LeaklintConfig {
  return {
    rules: {},
    ignore: [],
    go: { resourceFactories: [], closers: [], cacheConstructors: [], clientConstructors: [] },
    ts: { resourceFactories: [], closers: [], cacheConstructors: [], clientConstructors: [] },
  };
}

/** The kinds of Go resources the must-release rules track; src/go/resources.ts describes each. */
export const GO_RESOURCE_KINDS = ["rows", "stmt", "body", "conn", "poolconn", "tx", "handle"] as const;

/** The kinds of TS/JS resources `ts.resourceFactories` may name; src/ts/resources.ts describes each. */
export const TS_RESOURCE_KINDS = ["response", "body", "connection", "handle", "fd", "socket", "cursor", "stream"] as const;

/** `module#export` or `*.method`. */
const TS_FUNCTION = /^(\*\.[\w$]+|[^#\s]+#[\w$]+(\.[\w$]+)*)$/;

const SEVERITIES = new Set(["off", "error", "warning", "info"]);

function fail(file: string, message: string): never {
  throw new ConfigError(file, message);
}

function stringList(file: string, where: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    fail(file, `"${where}" must be an array of strings`);
  }
  return value as string[];
}

export function parseConfig(file: string, text: string): LeaklintConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail(file, `invalid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(file, "the top level must be an object");
  const obj = raw as Record<string, unknown>;
  const config = emptyConfig();
  config.source = file;
  for (const key of Object.keys(obj)) {
    if (!["$schema", "rules", "ignore", "go", "ts"].includes(key)) fail(file, `unknown key "${key}"`);
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== "object" || obj.rules === null || Array.isArray(obj.rules)) fail(file, `"rules" must be an object`);
    for (const [id, setting] of Object.entries(obj.rules as Record<string, unknown>)) {
      config.rules[id] = parseRuleSetting(file, id, setting);
    }
  }
  config.ignore = stringList(file, "ignore", obj.ignore);
  if (obj.go !== undefined) {
    if (typeof obj.go !== "object" || obj.go === null) fail(file, `"go" must be an object`);
    const go = obj.go as Record<string, unknown>;
    for (const key of Object.keys(go)) {
      if (!["resourceFactories", "closers", "cacheConstructors", "clientConstructors"].includes(key)) fail(file, `unknown key "go.${key}"`);
    }
    config.go.closers = stringList(file, "go.closers", go.closers);
    config.go.cacheConstructors = stringList(file, "go.cacheConstructors", go.cacheConstructors);
    config.go.clientConstructors = stringList(file, "go.clientConstructors", go.clientConstructors);
    if (go.resourceFactories !== undefined) {
      if (!Array.isArray(go.resourceFactories)) fail(file, `"go.resourceFactories" must be an array`);
      for (const f of go.resourceFactories) {
        if (typeof f !== "object" || f === null || typeof f.function !== "string" || typeof f.kind !== "string") {
          fail(file, `"go.resourceFactories" entries must be { "function": string, "kind": string }`);
        }
        if (!(GO_RESOURCE_KINDS as readonly string[]).includes(f.kind)) {
          fail(file, `"go.resourceFactories": unknown kind "${f.kind}" (one of ${GO_RESOURCE_KINDS.join(", ")})`);
        }
        config.go.resourceFactories.push({ function: f.function, kind: f.kind });
      }
    }
  }
  if (obj.ts !== undefined) {
    if (typeof obj.ts !== "object" || obj.ts === null || Array.isArray(obj.ts)) fail(file, `"ts" must be an object`);
    const tsk = obj.ts as Record<string, unknown>;
    for (const key of Object.keys(tsk)) {
      if (!["resourceFactories", "closers", "cacheConstructors", "clientConstructors"].includes(key)) fail(file, `unknown key "ts.${key}"`);
    }
    const functions = (key: "closers" | "cacheConstructors" | "clientConstructors") => {
      const list = stringList(file, `ts.${key}`, tsk[key]);
      const bad = list.find((f) => !TS_FUNCTION.test(f));
      if (bad !== undefined) fail(file, `"ts.${key}": "${bad}" is not a function name (module#export or *.method)`);
      return list;
    };
    config.ts.closers = functions("closers");
    config.ts.cacheConstructors = functions("cacheConstructors");
    config.ts.clientConstructors = functions("clientConstructors");
    if (tsk.resourceFactories !== undefined) {
      if (!Array.isArray(tsk.resourceFactories)) fail(file, `"ts.resourceFactories" must be an array`);
      for (const f of tsk.resourceFactories) {
        if (typeof f !== "object" || f === null || typeof f.function !== "string" || typeof f.kind !== "string") {
          fail(file, `"ts.resourceFactories" entries must be { "function": string, "kind": string }`);
        }
        for (const key of Object.keys(f)) if (key !== "function" && key !== "kind") fail(file, `"ts.resourceFactories": unknown key "${key}"`);
        if (!TS_FUNCTION.test(f.function)) fail(file, `"ts.resourceFactories": "${f.function}" is not a function name (module#export or *.method)`);
        if (!(TS_RESOURCE_KINDS as readonly string[]).includes(f.kind)) {
          fail(file, `"ts.resourceFactories": unknown kind "${f.kind}" (one of ${TS_RESOURCE_KINDS.join(", ")})`);
        }
        config.ts.resourceFactories.push({ function: f.function, kind: f.kind });
      }
    }
  }
  return config;
}

export function parseRuleSetting(where: string, id: string, setting: unknown): RuleSetting {
  if (typeof setting === "string" && SEVERITIES.has(setting)) return setting as RuleSetting;
  if (
    Array.isArray(setting) &&
    setting.length === 2 &&
    typeof setting[0] === "string" &&
    SEVERITIES.has(setting[0]) &&
    typeof setting[1] === "object" &&
    setting[1] !== null
  ) {
    return setting as RuleSetting;
  }
  fail(where, `rule "${id}" must be "off", "info", "warning", "error" or [severity, options]`);
}

export function loadConfigFile(file: string): LeaklintConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    fail(file, `cannot read config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseConfig(file, text);
}

/** Finds the nearest config above a file; caches per directory because a scan asks once per file. */
export class ConfigResolver {
  private readonly byDir = new Map<string, LeaklintConfig>();

  constructor(private readonly explicitFile?: string) {}

  forFile(file: string): LeaklintConfig {
    if (this.explicitFile) return this.cached(path.dirname(path.resolve(this.explicitFile)), () => loadConfigFile(this.explicitFile!));
    return this.forDir(path.dirname(path.resolve(file)));
  }

  private cached(key: string, load: () => LeaklintConfig): LeaklintConfig {
    let config = this.byDir.get(key);
    if (!config) {
      config = load();
      this.byDir.set(key, config);
    }
    return config;
  }

  private forDir(dir: string): LeaklintConfig {
    return this.cached(dir, () => {
      const candidate = path.join(dir, CONFIG_FILE_NAME);
      if (fs.existsSync(candidate)) return loadConfigFile(candidate);
      const parent = path.dirname(dir);
      return parent === dir ? emptyConfig() : this.forDir(parent);
    });
  }
}
