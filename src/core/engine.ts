/**
 * The engine: picks the language front end for a file, resolves the config,
 * runs the enabled rules, drops suppressed findings. Every front end (CLI,
 * language server, ESLint) goes through here, so a rule behaves the same
 * everywhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigResolver, LeaklintConfig, RuleSetting } from "./config";
import { Comment, Suppressions } from "./suppression";
import { Rule } from "./rule";
import { FileResult, Finding, Language, RuleMeta, Severity, ToolNotice } from "./types";

const NO_DEPENDENCIES: readonly string[] = [];

export interface ActiveRule {
  rule: Rule<unknown>;
  severity: Severity;
  options: Record<string, unknown>;
}

/** What the engine needs from a language: parse once, run the given rules over the facts. */
export interface FrontEnd {
  language: Language;
  handles(file: string): boolean;
  rules: Rule<unknown>[];
  analyze(file: string, text: string, rules: ActiveRule[], config: LeaklintConfig): FrontEndResult;
  /**
   * Files whose content the analysis of `file` may depend on besides `file`
   * itself (package siblings, imported module packages); the same array for
   * files with the same dependencies.
   */
  dependencies?(file: string): readonly string[];
  /** Drops what an incremental front end keeps for `file`. */
  forget?(file: string): void;
}

export interface FrontEndResult {
  findings: Finding[];
  notices: ToolNotice[];
  comments: Comment[];
}

export interface EngineOptions {
  /** `--config FILE`: used for every file instead of the nearest config. */
  configFile?: string;
  /** `--rule id=severity`: applied over whatever the config says. */
  ruleOverrides?: Record<string, RuleSetting>;
  /**
   * For editors: keep each analysed document's tree and re-parse the next
   * version of it incrementally; `forget(file)` when the document closes.
   */
  incremental?: boolean;
  /** `--typed`: TypeScript files covered by a tsconfig.json are analysed with its type checker. */
  typed?: boolean;
}

/** Files above this size are skipped with a notice: they are generated or data, never hand-written code. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export class Engine {
  private readonly configs: ConfigResolver;

  constructor(
    private readonly frontEnds: FrontEnd[],
    private readonly options: EngineOptions = {},
  ) {
    this.configs = new ConfigResolver(options.configFile);
  }

  /**
   * One entry per rule id: a rule that exists for several languages (one
   * implementation per front end) is listed once, with the languages merged.
   */
  get rules(): RuleMeta[] {
    const byId = new Map<string, RuleMeta>();
    for (const meta of this.frontEnds.flatMap((f) => f.rules.map((r) => r.meta))) {
      const seen = byId.get(meta.id);
      byId.set(meta.id, seen ? { ...seen, languages: [...new Set([...seen.languages, ...meta.languages])] } : meta);
    }
    return [...byId.values()];
  }

  /** Throws ConfigError when the config that applies to `file` is broken. */
  configFor(file: string): LeaklintConfig {
    return this.configs.forFile(file);
  }

  handles(file: string): boolean {
    return this.frontEnds.some((f) => f.handles(file));
  }

  /** The editor closed `file`: release what incremental analysis kept for it. */
  forget(file: string): void {
    for (const f of this.frontEnds) f.forget?.(file);
  }

  /**
   * What a result cache must watch for `file` besides the file itself: the
   * files its front end reads for it. Files with the same dependencies get the
   * same array, so a cache can digest it once.
   */
  dependencies(file: string): readonly string[] {
    return this.frontEnds.find((f) => f.handles(file))?.dependencies?.(file) ?? NO_DEPENDENCIES;
  }

  analyzeFile(file: string): FileResult {
    let buffer: Buffer;
    try {
      buffer = fs.readFileSync(file);
    } catch (e) {
      return noticeOnly(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (buffer.length > MAX_FILE_BYTES) return noticeOnly(file, `skipped: larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    if (buffer.subarray(0, 8000).includes(0)) return noticeOnly(file, "skipped: binary file");
    return this.analyzeText(file, buffer.toString("utf8"));
  }

  analyzeText(file: string, text: string): FileResult {
    const frontEnd = this.frontEnds.find((f) => f.handles(file));
    if (!frontEnd) return { file, findings: [], notices: [], text };
    const config = this.configFor(file);
    const active = this.activeRules(frontEnd, config);
    if (active.length === 0) return { file, findings: [], notices: [], text };
    const result = frontEnd.analyze(file, text, active, config);
    const suppressions = new Suppressions(result.comments);
    const metaById = new Map(active.map((a) => [a.rule.meta.id, a.rule.meta]));
    const findings = result.findings
      .filter((f) => !suppressions.isSuppressed(metaById.get(f.ruleId)!, f.range.start.line))
      .sort(compareFindings);
    return { file, findings, notices: result.notices, text };
  }

  private activeRules(frontEnd: FrontEnd, config: LeaklintConfig): ActiveRule[] {
    const out: ActiveRule[] = [];
    for (const rule of frontEnd.rules) {
      const setting = this.options.ruleOverrides?.[rule.meta.id] ?? config.rules[rule.meta.id];
      const [level, options] = Array.isArray(setting) ? setting : [setting ?? rule.meta.defaultSeverity, {}];
      if (level === "off") continue;
      out.push({ rule, severity: level, options });
    }
    return out;
  }
}

function noticeOnly(file: string, message: string): FileResult {
  return { file, findings: [], notices: [{ file, message, kind: "input" }] };
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.range.start.offset - b.range.start.offset || a.ruleId.localeCompare(b.ruleId);
}

export function relativeTo(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}
