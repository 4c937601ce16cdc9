/**
 * Packages and modules as the Go rules need them: all .go files of a directory
 * with the same package clause form a package; go.mod's module path maps import
 * paths inside the module to directories.
 *
 * Loading a package is cheap and computes no summary: each file is parsed
 * without its function declarations, const blocks and comments (skeleton.ts;
 * the functions' keys are read from their headers), which is enough for the
 * package's facts (imports, struct fields, package variables, which functions
 * and methods it declares), and the tree is deleted at once. A function's summary is
 * computed the first time a rule asks for it, from a parse of that function
 * with its file's skeleton (a second function asked of the same file gets a
 * parse of the whole file); those trees wait in a small byte-bounded cache,
 * where the scan also finds a whole file's tree when its own turn comes. So a
 * scan needs no first pass, parses only the files a rule wants (without the
 * functions no rule could report in) and the functions they call, and holds a
 * bounded set of trees whatever the size of the workspace. Each worker thread has its own workspace, and a scan hands a
 * directory's files to one worker together.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GoKnowledge } from "../core/config";
import { detached, detachedDeep } from "../core/detach";
import { GoFile, functionKey, nameOfKey, parseFunctionOf, parseGoFile } from "./facts";
import { parseGo } from "./parser";
import { PACKAGE_FACTORIES, RESOURCE_RESULT, ResourceKind, TYPED_METHOD_FACTORIES } from "./resources";
import { GoContext } from "./context";
import type { Construction } from "./constructions";
import { ConfiguredUse, configuredUses, mentionsConfiguration } from "./configured";
import { goFilesOfDir, importsOfSources, parseGoMod, textImports } from "./source-dirs";
import { DirDerivation, DirFacts, addCallers } from "./gate";
import { CLIENT_IMPORTS, isClientConstructor } from "./client-constructors";
import { isCacheConstructor } from "./cache-constructors";
import { declarationSkeleton, declarationsOf } from "./skeleton";

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

/** What a package takes from one of its files: facts outside the function bodies. */
export interface FileDeclarations {
  /** Resolved. */
  path: string;
  packageName: string;
  imports: string[];
  fieldTypes: [string, string][];
  packageVars: string[];
  packageVarTypes: [string, string][];
  functionKeys: string[];
  /** Applies pool lifetimes or server timeouts (see configured.ts). */
  configuring: boolean;
}

/** `facts` from a full parse of `text`, or from a parse of its `declarationSkeleton` with the keys of the functions it dropped. */
function declarationsOfFile(facts: GoFile, text: string, droppedKeys: string[] = []): FileDeclarations {
  return detachedDeep({
    path: path.resolve(facts.path),
    packageName: facts.packageName,
    imports: facts.imports.map((i) => i.path),
    fieldTypes: [...facts.fieldTypes],
    packageVars: [...facts.packageVars],
    packageVarTypes: [...facts.packageVarTypes],
    functionKeys: [...facts.functions.map(functionKey), ...droppedKeys],
    configuring: mentionsConfiguration(text),
  });
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
  /** Summaries computed so far; "F" for functions, "Recv.M" for methods. */
  readonly functions = new Map<string, FunctionSummary>();
  /** Function key to the files that declare it (several: one per platform). */
  private readonly declared = new Map<string, string[]>();
  /** Files that apply pool lifetimes or server timeouts (see configured.ts). */
  private readonly configuringFiles: string[] = [];
  private configuredUses?: ConfiguredUse[];

  constructor(
    readonly dir: string,
    readonly name: string,
    readonly module: GoModule | undefined,
    private readonly workspace: GoWorkspace,
    /** Made of the directory's `_test.go` files. */
    readonly tests: boolean,
    /** For a package's test files: the package they extend. */
    readonly base?: GoPackage,
  ) {
    if (base) {
      for (const i of base.imports) this.imports.add(i);
      for (const [k, v] of base.fieldTypes) this.fieldTypes.set(k, v);
      for (const v of base.packageVars) this.packageVars.add(v);
      for (const [k, v] of base.packageVarTypes) this.packageVarTypes.set(k, v);
    }
  }

  addFile(file: FileDeclarations): void {
    for (const i of file.imports) this.imports.add(i);
    for (const [k, v] of file.fieldTypes) this.fieldTypes.set(k, v);
    for (const v of file.packageVars) this.packageVars.add(v);
    for (const [k, v] of file.packageVarTypes) this.packageVarTypes.set(k, v);
    for (const key of file.functionKeys) this.declare(key, file.path);
    if (file.configuring) this.configuringFiles.push(file.path);
  }

  /** `file` is a resolved path, shared by all the file's declarations rather than copied for each. */
  declare(key: string, file: string): void {
    const files = this.declared.get(key) ?? [];
    if (!files.includes(file)) files.push(file);
    this.declared.set(key, files);
    const dot = key.indexOf(".");
    if (dot >= 0) this.addMethodKey(key.slice(dot + 1), key);
  }

  /** The summary of a function of this package (or of the package its tests extend), computed on first use. */
  summary(key: string): FunctionSummary | undefined {
    const known = this.functions.get(key);
    if (known) return known;
    const files = this.declared.get(key);
    if (files) return this.workspace.summarize(this, key, files);
    return this.base?.summary(key);
  }

  /** A summary of a function this package itself declares (not its base). */
  ownSummary(key: string): FunctionSummary | undefined {
    return this.declared.has(key) ? this.summary(key) : undefined;
  }

  /** Bumped when an edited file's text is recorded, so what was derived from the sources is derived again. */
  version = 0;

  /** Keys of the functions and methods this package declares (not its base's). */
  functionKeys(): string[] {
    return [...this.declared.keys()];
  }

  /**
   * Summaries of the functions that build a cache or client. A package that
   * imports no constructor package, directly or through the module, has none,
   * and nothing is parsed to learn it.
   */
  constructingSummaries(): [string, FunctionSummary][] {
    if (!this.workspace.dirMayConstruct(this.dir)) return [];
    const candidates = this.workspace.constructionCandidates(this);
    const out: [string, FunctionSummary][] = [];
    for (const key of this.declared.keys()) {
      if (!candidates.has(nameOfKey(key))) continue;
      const s = this.summary(key);
      if (s && s.constructs.length > 0) out.push([key, s]);
    }
    return out;
  }

  /** Pool lifetimes and server timeouts set anywhere in the package (see configured.ts). */
  get configured(): ConfiguredUse[] {
    if (!this.configuredUses) {
      const uses = [...(this.base?.configured ?? [])];
      for (const file of this.configuringFiles) uses.push(...(this.workspace.withTree(file, configuredUses) ?? []));
      this.configuredUses = uses;
    }
    return this.configuredUses;
  }

  /** The text each file had when it was last analysed, kept only for edited documents. */
  private readonly sources = new Map<string, string>();

  recordSource(file: string, text: string): void {
    this.sources.set(path.resolve(file), text);
    this.version++;
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

  /** Method name to its keys ("Recv.Name") in the package. */
  private readonly methods = new Map<string, string[]>();

  private addMethodKey(name: string, key: string): void {
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

/** Larger files (generated tables) are left out of packages: their trees would not fit the budget below. */
const MAX_FILE_BYTES = 2_000_000;

/** Parsed source bytes of the trees kept for summaries and for their own file's analysis. */
const TREE_BUDGET = 2_000_000;

export class GoWorkspace {
  private readonly modules = new Map<string, GoModule | null>();
  private readonly packages = new Map<string, GoPackage>();

  /**
   * `keepSources`: remember each file's text, so an edited document's changed
   * functions can be found and summarized again (editors); scans need not.
   */
  constructor(
    readonly knowledge: GoKnowledge,
    private readonly options: { keepSources: boolean } = { keepSources: false },
  ) {
    this.resourcePackages = new Set([
      ...Object.keys(PACKAGE_FACTORIES),
      ...Object.keys(TYPED_METHOD_FACTORIES).map((t) => t.slice(0, t.lastIndexOf("."))),
      "database/sql",
      "database/sql/driver",
      ...knowledge.resourceFactories.map((f) => f.function.slice(0, f.function.lastIndexOf("."))),
    ]);
  }

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

  /** The file being analysed: summaries of its functions come from its tree, which stands in for the copy on disk. */
  private current?: GoFile;

  /**
   * The package of an analysed file. A `_test.go` file gets the package's test
   * files on top of the package itself. Until `release`, the file's tree
   * answers for its functions.
   */
  packageOf(file: GoFile): GoPackage {
    this.current = file;
    const dir = path.dirname(path.resolve(file.path));
    if (!isTestFile(file.path)) return this.load(dir, file.packageName, "library", undefined, file);
    const base = file.packageName.endsWith("_test") ? undefined : this.load(dir, file.packageName, "library");
    return this.load(dir, file.packageName, "tests", base, file);
  }

  /** The analysed file is done; its tree is about to be deleted. */
  release(file: GoFile): void {
    if (this.current === file) this.current = undefined;
  }

  /**
   * Keeps a cached package's summaries current while its file is edited: the
   * summaries of the edited file's changed functions are dropped, to be
   * computed again from the new text when asked for. Other files' summaries
   * cannot have changed.
   */
  refreshSummaries(file: GoFile, pkg: GoPackage): void {
    const before = pkg.sourceOf(file.path);
    if (before === file.text) return;
    const resolved = path.resolve(file.path);
    const dir = path.dirname(resolved);
    const facts = this.dirs.get(dir);
    // A keystroke inside a body rarely changes what the gates read from the directory.
    const factsChanged = !!facts && (before === undefined || facts.changedBy(resolved, before, file.text));
    if (factsChanged) {
      this.dirs.delete(dir);
      // What other packages read from this one's text (its imports, its functions' declaration lines).
      this.mayConstruct.clear();
      this.signatures.delete(dir);
    }
    let changed = false;
    for (const fn of file.functions) {
      const key = detached(functionKey(fn));
      pkg.declare(key, resolved);
      // A keystroke changes one function; the others keep their summaries.
      const text = fn.node.text;
      if (pkg.functionText(key) === text) continue;
      pkg.functions.delete(key);
      pkg.recordFunctionText(key, text);
      changed = true;
    }
    if (changed || factsChanged) this.forgetSummariesUsing(dir, pkg, factsChanged);
    pkg.recordSource(file.path, file.text);
    this.edited.set(resolved, file.text);
    this.dropTree(resolved);
    this.declarations.set(resolved, declarationsOfFile(file, file.text));
  }

  /**
   * A function of `pkg` (in `dir`) changed: the summaries of the directory's
   * other packages, and of the packages that import it directly or through
   * others, may have been computed from its old summary, and are computed
   * again; so are those packages' directory facts when the directory's own
   * changed (which of their functions could build a client follows from it).
   */
  private forgetSummariesUsing(dir: string, pkg: GoPackage, factsChanged: boolean): void {
    const importPathOf = (d: string) => {
      const mod = this.moduleFor(d);
      return mod && path.posix.join(mod.path, path.relative(mod.dir, d).split(path.sep).join("/"));
    };
    const changed = new Set([dir]);
    const affected = new Set<GoPackage>([pkg]);
    for (let grew = true; grew; ) {
      grew = false;
      const paths = [...changed].flatMap((d) => importPathOf(d) ?? []);
      for (const p of this.packages.values()) {
        if (affected.has(p)) continue;
        if (!changed.has(p.dir) && !paths.some((i) => p.imports.has(i))) continue;
        affected.add(p);
        p.functions.clear();
        if (factsChanged) this.dirs.delete(p.dir);
        if (!changed.has(p.dir)) {
          changed.add(p.dir);
          grew = true;
        }
      }
    }
  }

  /** Edited documents' texts, which the directory facts read instead of the files on disk. */
  private readonly edited = new Map<string, string>();

  /**
   * The summary of a function declared in `files`. Files for different
   * platforms may each declare it (build tags); their summaries merge, each
   * effect taking the strongest variant, so no platform's hand-off is lost.
   */
  summarize(pkg: GoPackage, key: string, files: string[]): FunctionSummary | undefined {
    pkg.functions.set(key, IN_PROGRESS);
    const summaries: FunctionSummary[] = [];
    for (const file of files) {
      this.withTree(
        file,
        (goFile) => {
          const ctx = new GoContext(goFile, pkg, this);
          for (const fn of goFile.functions) {
            if (functionKey(fn) === key) summaries.push(ctx.summarizeNode(fn.node));
          }
        },
        key,
      );
    }
    if (summaries.length === 0) {
      pkg.functions.delete(key);
      return undefined;
    }
    const rank: Record<ParamEffect, number> = { none: 0, handoff: 1, release: 2 };
    const merged: FunctionSummary = {
      returns: summaries.flatMap((s) => s.returns),
      params: [],
      constructs: summaries.flatMap((s) => s.constructs),
    };
    const extras = summaries.flatMap((s) => (s.extra ? [s.extra] : []));
    if (extras.length > 0) merged.extra = Object.assign({}, ...extras);
    const arity = Math.max(...summaries.map((s) => s.params.length));
    for (let i = 0; i < arity; i++) {
      merged.params.push(summaries.map((s) => s.params[i] ?? "none").reduce((a, b) => (rank[b] > rank[a] ? b : a), "none" as ParamEffect));
    }
    const kept = detachedDeep(merged);
    pkg.functions.set(key, kept);
    return kept;
  }

  /**
   * Parses kept for summaries, oldest first, within TREE_BUDGET parsed source
   * bytes, one per file: the whole file, or one of its functions
   * (`parseFunctionOf`). A tree in use (its function's summary asks for
   * another's) is never evicted; a scan takes a whole file's tree from here
   * for its own analysis.
   */
  private readonly trees = new Map<string, GoFile>();
  private treeBytes = 0;
  private readonly inUse = new Map<GoFile, number>();

  /**
   * Runs `use` on a parse of `file` that holds the function `key`, or all of
   * the file when no key is given: the analysed file's own tree when it does.
   * The first function asked of a file is parsed alone (with the file's
   * declaration skeleton); a second one gets the whole file.
   */
  withTree<T>(file: string, use: (goFile: GoFile) => T, key?: string): T | undefined {
    const resolved = path.resolve(file);
    const holds = (g: GoFile) => (key === undefined ? g.omitted.length === 0 : !g.omits(key));
    const current = this.current && path.resolve(this.current.path) === resolved ? this.current : undefined;
    const kept = this.trees.get(resolved);
    let goFile = current && holds(current) ? current : kept && holds(kept) ? kept : undefined;
    if (goFile && goFile === kept) {
      this.trees.delete(resolved);
      this.trees.set(resolved, goFile);
    }
    if (!goFile) {
      // An open document's summaries come from its text in the editor, not from the copy on disk.
      const text = this.textOf(resolved);
      if (text === undefined || text.length > MAX_FILE_BYTES) return undefined;
      goFile = key === undefined || kept ? parseGoFile(resolved, text) : parseFunctionOf(resolved, text, key);
      if (kept) this.removeTree(resolved, kept);
      this.trees.set(resolved, goFile);
      this.treeBytes += goFile.parsedLength;
      if (kept && !this.inUse.has(kept)) kept.tree.delete();
    }
    this.inUse.set(goFile, (this.inUse.get(goFile) ?? 0) + 1);
    try {
      return use(goFile);
    } finally {
      const n = this.inUse.get(goFile)! - 1;
      if (n > 0) this.inUse.set(goFile, n);
      else {
        this.inUse.delete(goFile);
        // Replaced by a whole parse of its file while it was in use.
        if (goFile !== current && this.trees.get(resolved) !== goFile) goFile.tree.delete();
      }
      this.evict();
    }
  }

  /** A kept parse of an older text of the file is of no use any more. */
  private dropTree(key: string): void {
    const goFile = this.trees.get(key);
    if (goFile && !this.inUse.has(goFile)) this.removeTree(key, goFile).tree.delete();
  }

  private evict(): void {
    for (const [key, goFile] of this.trees) {
      if (this.treeBytes <= TREE_BUDGET) return;
      if (!this.inUse.has(goFile)) this.removeTree(key, goFile).tree.delete();
    }
  }

  private removeTree(key: string, goFile: GoFile): GoFile {
    this.trees.delete(key);
    this.treeBytes -= goFile.parsedLength;
    return goFile;
  }

  /** A kept whole parse of `file` when its text is still `text`; the caller owns (and deletes) its tree. */
  takeParsed(file: string, text: string): GoFile | undefined {
    const key = path.resolve(file);
    const parsed = this.trees.get(key);
    if (!parsed || parsed.omitted.length > 0 || this.inUse.has(parsed)) return undefined;
    this.removeTree(key, parsed);
    if (parsed.text === text) return parsed;
    parsed.tree.delete();
    return undefined;
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
    const dir = this.dirOfImport(importPath, fromDir);
    if (!dir) return false;
    const cached = this.mayConstruct.get(dir);
    if (cached !== undefined) return cached;
    this.mayConstruct.set(dir, false);
    let result = false;
    for (const imported of importsOfSources(this.sourcesOf(dir))) {
      if (this.isConstructorImport(imported) || this.packageMayConstruct(imported, dir)) {
        result = true;
        break;
      }
    }
    this.mayConstruct.set(dir, result);
    return result;
  }

  /**
   * Whether functions of the package in `dir` could build a cache or client:
   * one of its files imports a constructor package or a module package that could.
   */
  dirMayConstruct(dir: string): boolean {
    return this.dirFacts(dir).imports.some((p) => this.isConstructorImport(p) || this.packageMayConstruct(p, dir));
  }

  /**
   * Names of the functions and methods in `dir` whose bodies could build a
   * cache or client, judged from the text (see CONSTRUCTION_TEXT): the others'
   * summaries need not be computed to learn they build nothing.
   */
  constructionCandidates(pkg: GoPackage): Set<string> {
    return this.candidatesIn(pkg.dir, pkg.name, pkg.tests);
  }

  /** `packageName` undefined: the directory's library package. */
  private candidatesIn(dir: string, packageName: string | undefined, tests: boolean): Set<string> {
    // A module package's function counts only if it is a candidate there (imports form no cycle).
    const viaModule = (importPath: string, member: string) => {
      const target = this.dirOfImport(importPath, dir);
      return !!target && target !== dir && this.candidatesIn(target, undefined, false).has(member);
    };
    return this.dirFacts(dir)
      .derived(CONSTRUCTION_TEXT)
      .names(packageName, tests, (importPath, member) => this.isConstructor(importPath, member) || viaModule(importPath, member));
  }

  /** A function or type the construction detectors recognize (built in or configured). */
  private isConstructor(importPath: string, member: string): boolean {
    const qualified = `${importPath}.${member}`;
    return isClientConstructor(importPath, member) || isCacheConstructor(importPath, member) || this.knowledge.clientConstructors.includes(qualified) || this.knowledge.cacheConstructors.includes(qualified);
  }

  /** Per module directory: whether each function's declaration line names a resource type. */
  private readonly signatures = new Map<string, Map<string, boolean>>();

  /**
   * Whether a module package's function `name` could return a resource, judged
   * from its declaration line: gofmt puts `func Name(...) (results) {` on one line.
   */
  mayReturnResource(importPath: string, name: string, fromDir: string): boolean {
    const dir = this.dirOfImport(importPath, fromDir);
    if (!dir) return false;
    let table = this.signatures.get(dir);
    if (!table) {
      table = new Map();
      for (const text of this.sourcesOf(dir)) {
        for (const m of text.matchAll(/^func\s+(\w+)\s*(?:\[[^\]]*\])?\((.*)$/gm)) table.set(detached(m[1]), !!table.get(m[1]) || RESOURCE_RESULT.test(m[2]));
      }
      this.signatures.set(dir, table);
    }
    return table.get(name) ?? true;
  }

  /** The directory of a package of the module `fromDir` belongs to; undefined outside it. */
  dirOfImport(importPath: string, fromDir: string): string | undefined {
    const mod = this.moduleFor(fromDir);
    if (!mod || (importPath !== mod.path && !importPath.startsWith(mod.path + "/"))) return undefined;
    return path.join(mod.dir, importPath.slice(mod.path.length));
  }

  isModuleImport(importPath: string, fromDir: string): boolean {
    return this.dirOfImport(importPath, fromDir) !== undefined;
  }

  private readonly dirs = new Map<string, DirFacts>();

  /** Packages whose functions or methods the rules (or the configuration) know to return resources. */
  private readonly resourcePackages: Set<string>;

  /** Standard library: no dot in the first path element, and not a package of the module (whose path may have none). */
  private isStandardLibrary(importPath: string, fromDir: string): boolean {
    return !importPath.split("/")[0].includes(".") && !this.isModuleImport(importPath, fromDir);
  }

  /** What gates read from a directory's files as text (see gate.ts). */
  dirFacts(dir: string): DirFacts {
    let facts = this.dirs.get(dir);
    if (!facts) {
      facts = new DirFacts(
        () => this.filesOf(dir, true).map((file) => ({ file, text: this.textOf(file) ?? "" })),
        (importPath) => this.isStandardLibrary(importPath, dir) && !this.resourcePackages.has(importPath),
      );
      this.dirs.set(dir, facts);
    }
    return facts;
  }

  private readonly dirFiles = new Map<string, string[]>();

  /** A directory's Go files (sorted), listed once per scan; editors list afresh, as files come and go. */
  private filesOf(dir: string, withTests: boolean): string[] {
    if (this.options.keepSources) return goFilesOfDir(dir, withTests);
    let all = this.dirFiles.get(dir);
    if (!all) {
      all = goFilesOfDir(dir, true);
      this.dirFiles.set(dir, all);
    }
    return withTests ? all : all.filter((f) => !isTestFile(f));
  }

  /** The texts of a directory's non-test Go files. */
  sourcesOf(dir: string): string[] {
    return this.filesOf(dir, false).map((file) => this.textOf(file) ?? "");
  }

  /** A file's text: the editor's for an open document, else the copy on disk. */
  private textOf(file: string): string | undefined {
    return this.edited.get(file) ?? safeRead(file);
  }

  /** A package of the file's module by import path, or undefined when it is outside the module. */
  packageByImportPath(importPath: string, fromDir: string): GoPackage | undefined {
    const mod = this.moduleFor(fromDir);
    if (!mod) return undefined;
    if (importPath !== mod.path && !importPath.startsWith(mod.path + "/")) return undefined;
    const dir = path.join(mod.dir, importPath.slice(mod.path.length));
    return this.load(dir, undefined, "library");
  }

  private load(dir: string, packageName: string | undefined, variant: "library" | "tests", base?: GoPackage, given?: GoFile): GoPackage {
    const key = `${dir}\0${packageName ?? ""}\0${variant}`;
    const cached = this.packages.get(key);
    if (cached) return cached;
    if (given) this.declarations.set(path.resolve(given.path), declarationsOfFile(given, given.text, given.omitted.map((fn) => fn.key)));
    const files = this.packageFiles(dir, packageName, variant);
    const pkg = new GoPackage(dir, packageName ?? files[0]?.packageName ?? "", this.moduleFor(dir), this, variant === "tests", base);
    for (const file of files) {
      pkg.addFile(file);
      if (this.options.keepSources) {
        // The text the caches were built from, not the analysed file's new one: `refreshSummaries` compares the two.
        const text = this.textOf(file.path);
        if (text !== undefined) pkg.recordSource(file.path, text);
      }
    }
    this.packages.set(key, pkg);
    return pkg;
  }

  /**
   * Each file's declarations, read once from a skeleton parse: a
   * directory is loaded as several packages (the library, its tests, an
   * external test package, and by import path), all from these.
   */
  private readonly declarations = new Map<string, FileDeclarations | null>();

  private packageFiles(dir: string, packageName: string | undefined, variant: "library" | "tests"): FileDeclarations[] {
    const out: FileDeclarations[] = [];
    for (const file of this.filesOf(dir, variant === "tests")) {
      if (file.endsWith("_test.go") !== (variant === "tests")) continue;
      const decls = this.declarationsOf(file);
      if (!decls) continue;
      const matches = packageName === undefined ? !decls.packageName.endsWith("_test") : decls.packageName === packageName;
      if (!matches) continue;
      out.push(decls);
      packageName ??= decls.packageName;
    }
    return out;
  }

  private declarationsOf(file: string): FileDeclarations | undefined {
    let decls = this.declarations.get(file);
    if (decls === undefined) {
      decls = null;
      const text = this.textOf(file);
      if (text !== undefined && text.length <= MAX_FILE_BYTES) {
        const skeleton = declarationSkeleton(text);
        const tree = parseGo(skeleton.text);
        try {
          decls = declarationsOfFile(new GoFile(file, skeleton.text, tree), text, skeleton.functionKeys);
        } finally {
          tree.delete();
        }
      }
      this.declarations.set(file, decls);
    }
    return decls ?? undefined;
  }
}

/**
 * Each declaration of a directory with the package members its body names
 * (`alias.Member`, as "path\0Member"; a dot import's members by the names
 * called; `x.Clone(` where net/http is imported as the Transport it clones)
 * and the names it calls (`name(`, `x.name(`, `T{`).
 */
const CONSTRUCTION_TEXT: DirDerivation<ConstructionText, ConstructionCandidates> = {
  key: "construction-candidates",
  ofFile(text, file) {
    const imports = textImports(text);
    const byName = new Map(imports.map((i) => [i.name, i.path]));
    const dotted = imports.filter((i) => i.name === ".").map((i) => i.path);
    const http = imports.some((i) => i.path === "net/http");
    const named = [...byName.keys()].filter((n) => /^\w+$/.test(n));
    const members = named.length > 0 ? new RegExp(`\\b(${named.join("|")})\\s*\\.\\s*(\\w+)`, "g") : undefined;
    const declarations = declarationsOf(text).map((d): [string, string[], string[]] => {
      const calls = [...new Set(Array.from(d.body.matchAll(/\b(\w+)\s*[([{]/g), (m) => m[1]))];
      const refs = new Set(dotted.flatMap((p) => calls.map((c) => `${p}\0${c}`)));
      for (const m of members ? d.body.matchAll(members) : []) refs.add(`${byName.get(m[1])}\0${m[2]}`);
      if (http && /\.\s*Clone\s*\(/.test(d.body)) refs.add("net/http\0Transport");
      return [d.name, [...refs], calls];
    });
    return { packageName: /^package\s+(\w+)/m.exec(text)?.[1] ?? "", test: isTestFile(file), declarations };
  },
  combine: (parts) => new ConstructionCandidates(parts),
};

interface ConstructionText {
  packageName: string;
  test: boolean;
  declarations: [string, string[], string[]][];
}

/** Per package of a directory (its name, with or without its test files): the names that could construct. */
class ConstructionCandidates {
  private readonly found = new Map<string, Set<string>>();

  constructor(private readonly files: ConstructionText[]) {}

  /**
   * The declarations that name a member `constructs` holds for, and those that
   * call them, transitively, among the files of the package `packageName`
   * (undefined: the library package; with its test files when `tests`). The
   * test is the same for every call.
   */
  names(packageName: string | undefined, tests: boolean, constructs: (importPath: string, member: string) => boolean): Set<string> {
    const key = `${packageName ?? ""}\0${tests}`;
    let found = this.found.get(key);
    if (found) return found;
    const inPackage = (f: ConstructionText) => (packageName === undefined ? !f.packageName.endsWith("_test") : f.packageName === packageName);
    const declarations = this.files.filter((f) => inPackage(f) && (tests || !f.test)).flatMap((f) => f.declarations);
    found = new Set<string>();
    // Asked again while computing (an import cycle, which only broken code has): nothing.
    this.found.set(key, found);
    for (const [name, refs] of declarations) {
      if (refs.some((r) => constructs(r.slice(0, r.indexOf("\0")), r.slice(r.indexOf("\0") + 1)))) found.add(name);
    }
    return addCallers(found, declarations.map(([name, , calls]) => [name, calls]));
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
