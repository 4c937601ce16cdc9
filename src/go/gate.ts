/**
 * What a Go rule may look at before the file is parsed: its text, its imports
 * read with a regex, and facts of its directory and of the module packages it
 * imports, also read as text. Parsing is most of a scan's cost and most files
 * give no rule anything to say, so each rule's `mayReport` answers "could I
 * report anything here?" from these, conservatively: false must mean that
 * `check` would report nothing. A file no rule wants is never parsed.
 */
import * as path from "node:path";
import { detached, detachedDeep } from "../core/detach";
import { escapeRegExp } from "../core/regexp";
import { TextImport, importsOfSources, textImports } from "./source-dirs";
import { RESOURCE_RESULT } from "./resources";
import { signatureOf } from "./skeleton";
import type { GoWorkspace } from "./workspace";

export class GoGate {
  readonly dir: string;
  readonly isTestFile: boolean;
  private importList?: TextImport[];

  constructor(
    readonly file: string,
    readonly text: string,
    readonly workspace: GoWorkspace,
  ) {
    this.dir = path.dirname(path.resolve(file));
    this.isTestFile = file.endsWith("_test.go");
  }

  private readonly memos = new Map<string, unknown>();

  /** A value several rules (or a rule's gate and its `mayReportIn`) compute from this gate: computed once. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  /** The file's imports with the names it uses for them. */
  get imports(): TextImport[] {
    this.importList ??= textImports(this.text);
    return this.importList;
  }

  importsPath(test: (importPath: string) => boolean): boolean {
    return this.imports.some((i) => test(i.path));
  }

  /** Import paths of every file of the directory, tests included: what the package's code can reach. */
  dirImportsPath(test: (importPath: string) => boolean): boolean {
    return this.workspace.dirFacts(this.dir).imports.some(test);
  }

  /** The file's imports of packages of its own module, which the summaries can see into. */
  moduleImports(): TextImport[] {
    return this.imports.filter((i) => this.workspace.isModuleImport(i.path, this.dir));
  }

  /** A fact derived from the texts of the file's directory. */
  dirDerived<P, T>(derivation: DirDerivation<P, T>): T {
    return this.workspace.dirFacts(this.dir).derived(derivation);
  }

  /**
   * Whether a call in this file could reach a cache or client constructor through
   * a function of its package or of a module package it imports (the summaries'
   * `constructs` need a constructor package imported somewhere on the way).
   */
  mayCallConstructors(): boolean {
    const ws = this.workspace;
    return ws.dirMayConstruct(this.dir) || this.moduleImports().some((i) => ws.packageMayConstruct(i.path, this.dir));
  }

  /** `alias.Name(` calls of an import (or generic `alias.Name[T](`), by function name. */
  calledThrough(alias: string): string[] {
    const out: string[] = [];
    for (const m of this.text.matchAll(new RegExp(`\\b${escapeRegExp(alias)}\\s*\\.\\s*(\\w+)\\s*[([]`, "g"))) out.push(m[1]);
    return out;
  }
}

/**
 * What a rule reads from a directory's texts: a part per file, which must
 * depend on that file's text alone (an edit recomputes the directory's facts
 * only when the edited file's part changes), combined into one value.
 */
export interface DirDerivation<P, T> {
  key: string;
  ofFile(text: string, file: string): P;
  combine(parts: P[]): T;
}

/**
 * Adds to `names`, until nothing more is added, each caller that calls one of
 * them: what a derivation's closure over the calls in a directory's text needs.
 */
export function addCallers(names: Set<string>, callers: [name: string, calls: string[]][]): Set<string> {
  for (let grew = names.size > 0; grew; ) {
    grew = false;
    for (const [name, calls] of callers) {
      if (!names.has(name) && calls.some((c) => names.has(c))) {
        names.add(name);
        grew = true;
      }
    }
  }
  return names;
}

export interface SourceText {
  file: string;
  text: string;
}

/**
 * A directory's files read as text (tests included: a test file reaches the
 * package and its test helpers): their imports, the functions and methods whose
 * declarations say they may return a resource, and what rules derive from them.
 */
export class DirFacts {
  readonly imports: string[];
  /** Names of functions and methods whose declared results name a resource type. */
  readonly resourceNames = new Set<string>();

  /**
   * `noResourceTypes`: packages whose types no acquisition the rules know
   * returns, so a function declared to return `*ast.File` or `ast.Stmt` is no
   * resource function (Go's types rule it out).
   */
  constructor(
    private readonly read: () => SourceText[],
    private readonly noResourceTypes: (importPath: string) => boolean = () => false,
  ) {
    const texts = read().map((s) => s.text);
    this.imports = importsOfSources(texts).map(detached);
    for (const text of texts) for (const name of resourceNamesOf(text, noResourceTypes)) this.resourceNames.add(detached(name));
  }

  private resourceCallPattern?: RegExp | null;

  /** Whether `text` calls one of `resourceNames` (`name(`, `x.name(`, `name[T](`). */
  callsResourceName(text: string): boolean {
    this.resourceCallPattern ??= this.resourceNames.size > 0 ? new RegExp(`\\b(${[...this.resourceNames].join("|")})\\s*[([]`) : null;
    return !!this.resourceCallPattern?.test(text);
  }

  private readonly derivations = new Map<string, { derivation: DirDerivation<unknown, unknown>; value: unknown }>();

  /** A rule's fact about the directory (read again on first use, remembered per derivation). */
  derived<P, T>(derivation: DirDerivation<P, T>): T {
    let entry = this.derivations.get(derivation.key);
    if (!entry) {
      const value = derivation.combine(this.read().map((s) => detachedDeep(derivation.ofFile(s.text, s.file))));
      entry = { derivation: derivation as DirDerivation<unknown, unknown>, value };
      this.derivations.set(derivation.key, entry);
    }
    return entry.value as T;
  }

  /** The last text of each edited file with what it adds to these facts. */
  private readonly contributions = new Map<string, { text: string; value: string }>();

  /** Whether an edit of `file` from `before` to `after` changes these facts (a keystroke inside a body rarely does). */
  changedBy(file: string, before: string, after: string): boolean {
    const last = this.contributions.get(file);
    const old = last?.text === before ? last.value : this.contribution(file, before);
    const value = this.contribution(file, after);
    this.contributions.set(file, { text: after, value });
    return old !== value;
  }

  private contribution(file: string, text: string): string {
    return JSON.stringify([
      importsOfSources([text]),
      resourceNamesOf(text, this.noResourceTypes),
      [...this.derivations.values()].map((e) => e.derivation.ofFile(text, file)),
    ]);
  }
}

/** Functions and methods whose declarations name a resource type among their results. */
function resourceNamesOf(text: string, noResourceTypes: (importPath: string) => boolean): string[] {
  const out: string[] = [];
  let aliases: Map<string, string> | undefined;
  const isResource = (type: string) => {
    for (const m of type.matchAll(QUALIFIED_RESOURCE)) {
      if (!m[1]) return true;
      aliases ??= new Map(textImports(text).map((i) => [i.name, i.path]));
      const importPath = aliases.get(m[1]);
      if (!importPath || !noResourceTypes(importPath)) return true;
    }
    return false;
  };
  // gofmt starts declarations at the line start; the signature runs to the `{` that ends a line.
  for (const m of text.matchAll(/^func\s*(?:\([^)]*\)\s*)?(\w+)((?:(?!^func\b)[\s\S])*?)\{[ \t]*$/gm)) {
    if (RESOURCE_RESULT.test(m[2]) && signatureOf(`func ${m[1]}${m[2]}`).results.some(isResource)) out.push(m[1]);
  }
  return out;
}

/** A resource type name with the package it is qualified by, if any. */
const QUALIFIED_RESOURCE = new RegExp(`(?:\\b(\\w+)\\s*\\.\\s*)?${RESOURCE_RESULT.source}`, "g");
