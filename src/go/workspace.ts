/**
 * Packages and modules as the Go rules need them: all .go files of a directory
 * with the same package clause form a package; go.mod's module path maps import
 * paths inside the module to directories.
 *
 * A package is loaded once per workspace: its files are parsed, every function's
 * summary is computed, then the trees are deleted. Only the summaries (small
 * plain objects) and a few merged facts stay in memory, so a scan never holds
 * more than one package's trees per level of cross-package recursion. Summaries
 * need no first pass over the workspace: a package is loaded when a file of it
 * is analysed (its trees then wait, "parked", for their own files' analysis, so
 * a scan parses each file once), and a module package it imports only when a
 * call into it can matter (its sources, read as text, say it can return a
 * resource or build a cache or client). Each worker thread has its own
 * workspace, and a scan hands a directory's files to one worker together.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GoKnowledge } from "../core/config";
import { GoFile } from "./facts";
import { parseGo } from "./parser";
import { RESOURCE_RESULT, ResourceKind } from "./resources";
import { GoContext, summarizePending } from "./context";
import type { Node } from "./parser";
import type { Construction } from "./constructions";
import { ConfiguredUse, configuredUses } from "./configured";
import { importsOfDir, parseGoMod, sourcesOfDir } from "./source-dirs";
import { CLIENT_IMPORTS } from "./client-constructors";

export type ParamEffect = "release" | "handoff" | "none";

export interface FunctionSummary {
  /** Results that are fresh resources the caller must release. */
  returns: { index: number; kind: ResourceKind }[];
  /** What the function does with each parameter (receiver excluded). */
  params: ParamEffect[];
  /** Caches and clients the function builds, itself or through module functions it calls. */
  constructs: Construction[];
  /** Facts rules add through `SUMMARY_EXTENSIONS` (context.ts), keyed by rule id. */
  extra?: Record<string, unknown>;
}

export interface GoModule {
  dir: string;
  path: string;
  /** The `go` directive, e.g. "1.21"; undefined when absent. */
  goVersion?: string;
}

export class GoPackage {
  readonly imports = new Set<string>();
  readonly fieldTypes = new Map<string, string>();
  readonly packageVars = new Set<string>();
  readonly packageVarTypes = new Map<string, string>();
  /** Pool lifetimes and server timeouts set anywhere in the package (see configured.ts). */
  readonly configured: ConfiguredUse[] = [];
  /**
   * While the package loads: the functions not summarized yet, so that functions
   * calling each other across files get each other's summaries whatever the order.
   */
  readonly pending = new Map<string, { ctx: GoContext; node: Node }[]>();
  /** "F" for functions, "Recv.M" for methods. */
  readonly functions = new Map<string, FunctionSummary>();

  constructor(
    readonly dir: string,
    readonly name: string,
    readonly module: GoModule | undefined,
    /** For a package's test files: the package they extend. */
    readonly base?: GoPackage,
  ) {
    if (base) {
      for (const i of base.imports) this.imports.add(i);
      for (const [k, v] of base.fieldTypes) this.fieldTypes.set(k, v);
      for (const v of base.packageVars) this.packageVars.add(v);
      for (const [k, v] of base.packageVarTypes) this.packageVarTypes.set(k, v);
      this.configured.push(...base.configured);
    }
  }

  /** The text each file had when its functions were summarized. */
  private readonly sources = new Map<string, string>();

  recordSource(file: string, text: string): void {
    this.sources.set(path.resolve(file), text);
  }

  sourceOf(file: string): string | undefined {
    return this.sources.get(path.resolve(file));
  }

  /** The text of each function when it was summarized, kept only for edited documents. */
  private readonly functionTexts = new Map<string, string>();

  recordFunctionText(key: string, text: string): void {
    this.functionTexts.set(key, text);
  }

  functionText(key: string): string | undefined {
    return this.functionTexts.get(key);
  }

  summary(name: string): FunctionSummary | undefined {
    return this.functions.get(name) ?? this.base?.summary(name);
  }

  /** Method name to its keys ("Recv.Name") in the package, filled as functions register. */
  private readonly methods = new Map<string, string[]>();

  addMethodKey(name: string, key: string): void {
    const keys = this.methods.get(name) ?? [];
    if (!keys.includes(key)) keys.push(key);
    this.methods.set(name, keys);
  }

  methodKeys(name: string): string[] {
    return [...(this.methods.get(name) ?? []), ...(this.base?.methodKeys(name) ?? [])];
  }

  hasMethod(name: string): boolean {
    return this.methods.has(name) || (this.base?.hasMethod(name) ?? false);
  }
}

/** Functions whose summary is being computed, so recursion (direct or mutual) terminates. */
export const IN_PROGRESS: FunctionSummary = { returns: [], params: [], constructs: [] };

export class GoWorkspace {
  private readonly modules = new Map<string, GoModule | null>();
  private readonly packages = new Map<string, GoPackage>();
  private readonly loading = new Set<string>();

  /**
   * `parkTrees`: keep the trees of a package's other files for their own
   * analysis (scans walk a directory's files together). Editors analyse one
   * document at a time and would only hold the trees in memory.
   */
  constructor(
    readonly knowledge: GoKnowledge,
    private readonly options: { parkTrees: boolean } = { parkTrees: true },
  ) {}

  moduleFor(dir: string): GoModule | undefined {
    const cached = this.modules.get(dir);
    if (cached !== undefined) return cached ?? undefined;
    let found: GoModule | null = null;
    const gomod = path.join(dir, "go.mod");
    if (fs.existsSync(gomod)) {
      found = parseGoMod(dir, safeRead(gomod) ?? "") ?? null;
    } else {
      const parent = path.dirname(dir);
      if (parent !== dir) found = this.moduleFor(parent) ?? null;
    }
    this.modules.set(dir, found);
    return found ?? undefined;
  }

  /**
   * The package of an analysed file, which stands in for its copy on disk. A
   * `_test.go` file gets the package's test files on top of the package itself.
   */
  packageOf(file: GoFile): GoPackage {
    const dir = path.dirname(path.resolve(file.path));
    if (this.parkedDir !== dir) this.dropParked();
    this.parkedDir = dir;
    const park = this.options.parkTrees;
    if (!isTestFile(file.path)) return this.load(dir, file.packageName, "library", undefined, file, park);
    const base = file.packageName.endsWith("_test") ? undefined : this.load(dir, file.packageName, "library", undefined, undefined, park);
    return this.load(dir, file.packageName, "tests", base, file, park);
  }

  /**
   * Keeps a cached package's summaries current while its file is edited: the
   * edited file's functions are summarized again from the new text. Other files'
   * summaries cannot have changed, so nothing else is recomputed.
   */
  refreshSummaries(file: GoFile, pkg: GoPackage): void {
    if (pkg.sourceOf(file.path) === file.text) return;
    const ctx = new GoContext(file, pkg, this);
    for (const fn of file.functions) {
      const key = fn.receiver ? `${fn.receiver}.${fn.name}` : fn.name;
      // A keystroke changes one function; the others keep their summaries.
      const text = fn.node.text;
      if (pkg.functionText(key) === text) continue;
      pkg.functions.set(key, ctx.summarizeNode(fn.node));
      pkg.recordFunctionText(key, text);
    }
    pkg.recordSource(file.path, file.text);
  }

  /**
   * Files of the analysed file's package, parsed to summarize the package, wait
   * here for their own analysis instead of being parsed a second time. A scan
   * walks a directory's files together, so only one directory's trees wait.
   */
  private readonly parked = new Map<string, GoFile>();
  private parkedDir?: string;

  /** The parked parse of `file` when its text is still `text`; the caller owns (and deletes) its tree. */
  takeParsed(file: string, text: string): GoFile | undefined {
    const key = path.resolve(file);
    const parsed = this.parked.get(key);
    if (!parsed) return undefined;
    this.parked.delete(key);
    if (parsed.text === text) return parsed;
    parsed.tree.delete();
    return undefined;
  }

  private dropParked(): void {
    for (const f of this.parked.values()) f.tree.delete();
    this.parked.clear();
  }

  private readonly mayConstruct = new Map<string, boolean>();

  /** Packages whose functions can build a cache or a client directly (their detectors look for them). */
  isConstructorImport(importPath: string): boolean {
    return (
      CONSTRUCTOR_IMPORT.test(importPath) ||
      CLIENT_IMPORTS.has(importPath) ||
      [...this.knowledge.cacheConstructors, ...this.knowledge.clientConstructors].some((q) => q.slice(0, q.lastIndexOf(".")) === importPath)
    );
  }

  /**
   * Whether a module package could build a cache or client, judged from its
   * sources' imports without parsing them: it imports a constructor package, or
   * a module package that could. Packages outside the module never do (their
   * constructors are the detectors' business).
   */
  packageMayConstruct(importPath: string, fromDir: string): boolean {
    const dir = this.dirOf(importPath, fromDir);
    if (!dir) return false;
    const cached = this.mayConstruct.get(dir);
    if (cached !== undefined) return cached;
    this.mayConstruct.set(dir, false);
    let result = false;
    for (const imported of importsOfDir(dir)) {
      if (this.isConstructorImport(imported) || this.packageMayConstruct(imported, dir)) {
        result = true;
        break;
      }
    }
    this.mayConstruct.set(dir, result);
    return result;
  }

  private readonly signatures = new Map<string, Map<string, string>>();

  /**
   * Whether a module package's function `name` could return a resource, judged
   * from its declaration line: gofmt puts `func Name(...) (results) {` on one line.
   */
  mayReturnResource(importPath: string, name: string, fromDir: string): boolean {
    const dir = this.dirOf(importPath, fromDir);
    if (!dir) return false;
    let table = this.signatures.get(dir);
    if (!table) {
      table = new Map();
      for (const text of sourcesOfDir(dir)) {
        for (const m of text.matchAll(/^func\s+(\w+)\s*(?:\[[^\]]*\])?\((.*)$/gm)) table.set(m[1], (table.get(m[1]) ?? "") + m[2]);
      }
      this.signatures.set(dir, table);
    }
    const signature = table.get(name);
    return signature === undefined || RESOURCE_RESULT.test(signature);
  }

  private dirOf(importPath: string, fromDir: string): string | undefined {
    const mod = this.moduleFor(fromDir);
    if (!mod || (importPath !== mod.path && !importPath.startsWith(mod.path + "/"))) return undefined;
    return path.join(mod.dir, importPath.slice(mod.path.length));
  }

  /** A package of the file's module by import path, or undefined when it is outside the module. */
  packageByImportPath(importPath: string, fromDir: string): GoPackage | undefined {
    const mod = this.moduleFor(fromDir);
    if (!mod) return undefined;
    if (importPath !== mod.path && !importPath.startsWith(mod.path + "/")) return undefined;
    const dir = path.join(mod.dir, importPath.slice(mod.path.length));
    return this.load(dir, undefined, "library");
  }

  private load(dir: string, packageName: string | undefined, variant: "library" | "tests", base?: GoPackage, given?: GoFile, park = false): GoPackage {
    const key = `${dir}\0${packageName ?? ""}\0${variant}`;
    const cached = this.packages.get(key);
    if (cached) return cached;
    const files = this.parsePackageFiles(dir, packageName, variant, given, park);
    const pkg = new GoPackage(dir, packageName ?? files[0]?.packageName ?? "", this.moduleFor(dir), base);
    if (this.loading.has(key)) return pkg;
    this.loading.add(key);
    try {
      for (const f of files) {
        for (const i of f.imports) pkg.imports.add(i.path);
        for (const [k, v] of f.fieldTypes) pkg.fieldTypes.set(k, v);
        for (const v of f.packageVars) pkg.packageVars.add(v);
        for (const [k, v] of f.packageVarTypes) pkg.packageVarTypes.set(k, v);
        pkg.configured.push(...configuredUses(f));
      }
      for (const f of files) pkg.recordSource(f.path, f.text);
      const contexts = files.map((f) => new GoContext(f, pkg, this));
      for (const ctx of contexts) ctx.registerFunctions();
      for (const key of [...pkg.pending.keys()]) summarizePending(pkg, key);
    } finally {
      for (const f of files) {
        const key = path.resolve(f.path);
        if (f === given || this.parked.get(key) === f) continue;
        if (park) this.parked.set(key, f);
        else f.tree.delete();
      }
      pkg.pending.clear();
      this.loading.delete(key);
    }
    this.packages.set(key, pkg);
    return pkg;
  }

  private parsePackageFiles(dir: string, packageName: string | undefined, variant: "library" | "tests", given?: GoFile, park = false): GoFile[] {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir).filter((n) => n.endsWith(".go") && n.endsWith("_test.go") === (variant === "tests"));
    } catch {
      return [];
    }
    const out: GoFile[] = [];
    for (const name of entries.sort()) {
      const file = path.join(dir, name);
      if (given && path.resolve(given.path) === file) {
        out.push(given);
        continue;
      }
      let goFile = this.parked.get(file);
      if (!goFile) {
        const text = safeRead(file);
        if (text === undefined || text.length > 2_000_000) continue;
        goFile = new GoFile(file, text, parseGo(text));
      }
      const matches = packageName === undefined ? !goFile.packageName.endsWith("_test") : goFile.packageName === packageName;
      if (matches) {
        out.push(goFile);
        packageName ??= goFile.packageName;
      } else if (this.parked.get(file) !== goFile) {
        // Another package in the same directory (`x_test`, a `//go:build ignore` main): its turn comes.
        if (park) this.parked.set(file, goFile);
        else goFile.tree.delete();
      }
    }
    return out;
  }
}

const CONSTRUCTOR_IMPORT =
  /^(net\/http|database\/sql|google\.golang\.org\/grpc|github\.com\/(allegro\/bigcache|coocood\/freecache|dgraph-io\/ristretto|patrickmn\/go-cache|hashicorp\/golang-lru|jellydator\/ttlcache|ReneKroon\/ttlcache|VictoriaMetrics\/fastcache|redis\/go-redis|go-redis\/redis|jmoiron\/sqlx)|gopkg\.in\/redis)/;

function isTestFile(file: string): boolean {
  return file.endsWith("_test.go");
}

function safeRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
