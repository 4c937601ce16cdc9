/**
 * The Go front end: parses a file once, builds its facts and package summaries,
 * runs the Go rules over them and releases the tree.
 */
import { LeaklintConfig } from "../core/config";
import { ActiveRule, FrontEnd, FrontEndResult } from "../core/engine";
import { Rule, RuleRun, runRules, unlessTooDeep } from "../core/rule";
import { ToolNotice } from "../core/types";
import { GoContext } from "./context";
import { GoFile, parseGoFile } from "./facts";
import { MustReleaseFinding, findMustReleaseLeaks } from "./must-release";
import type { DeclarationText } from "./skeleton";
import { GO_RULES } from "./rules";
import { GoDocuments } from "./documents";
import { GoDependencyIndex } from "./source-dirs";
import { GoWorkspace } from "./workspace";
import { GoGate } from "./gate";

/**
 * Hand-written Go never nests this deep; generated code that does would cost
 * time quadratic in the depth (tree-sitter finds a node's parent from the root).
 */
const MAX_NESTING = 1000;

/** Whether `{` nests deeper than `limit` anywhere in `text`, strings, runes and comments aside. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  // No deeper than there are braces: most files have fewer than the limit, counted far faster than scanned.
  let braces = 0;
  for (let i = text.indexOf("{"); i >= 0 && braces <= limit; i = text.indexOf("{", i + 1)) braces++;
  if (braces <= limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") {
      if (++depth > limit) return true;
    } else if (c === "}") depth--;
    else if (c === "/" && text[i + 1] === "/") i = end(text.indexOf("\n", i));
    else if (c === "/" && text[i + 1] === "*") i = end(text.indexOf("*/", i + 2)) + 1;
    else if (c === "`") i = end(text.indexOf("`", i + 1));
    else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
    }
  }
  return false;

  function end(index: number): number {
    return index < 0 ? text.length : index;
  }
}

/**
 * Which top-level functions the wanted rules could report in, when each of
 * them can tell from a function's text: the others are left out of the parse
 * (their summaries, if asked for, come from a parse of their own).
 */
function functionsWanted(gate: GoGate, wanted: RuleRun<GoFacts, GoGate>[]): ((fn: DeclarationText) => boolean) | undefined {
  const tests: ((declaration: string) => boolean)[] = [];
  for (const r of wanted) {
    const test = r.rule.mayReportIn?.(gate);
    if (!test) return undefined;
    tests.push(test);
  }
  return (fn) => {
    const declaration = gate.text.slice(fn.start, fn.end);
    return tests.some((test) => test(declaration));
  };
}

/** What Go rules receive: the file, its ownership context, and shared analyses computed on first use. */
export class GoFacts {
  private mustRelease?: MustReleaseFinding[];
  /** Problems of shared analyses, reported once per file rather than once per rule. */
  readonly notices: ToolNotice[] = [];

  constructor(
    readonly file: GoFile,
    readonly ctx: GoContext,
  ) {}

  private readonly memo = new Map<string, unknown>();

  /** An analysis two rules share (computed by the first that asks, once per file). */
  shared<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  mustReleaseLeaks(): MustReleaseFinding[] {
    this.mustRelease ??= unlessTooDeep(this.file.path, this.notices, () => findMustReleaseLeaks(this.ctx), []);
    return this.mustRelease;
  }
}

export class GoFrontEnd implements FrontEnd {
  readonly language = "go" as const;
  readonly rules = GO_RULES as Rule<unknown, unknown>[];
  private readonly workspaces = new Map<LeaklintConfig, GoWorkspace>();
  /** Set for editors: documents are re-parsed incrementally and their summaries kept current. */
  private readonly documents?: GoDocuments;

  constructor(options: { incremental?: boolean } = {}) {
    if (options.incremental) this.documents = new GoDocuments();
  }

  forget(file: string): void {
    this.documents?.forget(file);
  }

  handles(file: string): boolean {
    return file.endsWith(".go");
  }

  private readonly dependencyIndex = new GoDependencyIndex();

  dependencies(file: string): readonly string[] {
    return this.dependencyIndex.dependenciesOf(file);
  }

  analyze(file: string, text: string, rules: ActiveRule[], config: LeaklintConfig): FrontEndResult {
    const workspace = this.workspaceFor(config);
    const gate = new GoGate(file, text, workspace);
    const wanted = (rules as RuleRun<GoFacts, GoGate>[]).filter((r) => !r.rule.mayReport || r.rule.mayReport(gate));
    if (wanted.length === 0) return { findings: [], notices: [], comments: [] };
    // Only a tree costs time quadratic in the nesting: a file no rule parses needs no limit.
    if (nestsDeeperThan(text, MAX_NESTING)) {
      return { findings: [], notices: [{ file, kind: "input", message: `skipped: blocks nested deeper than ${MAX_NESTING} levels` }], comments: [] };
    }
    const goFile = this.documents
      ? new GoFile(file, text, this.documents.parse(file, text))
      : (workspace.takeParsed(file, text) ?? parseGoFile(file, text, functionsWanted(gate, wanted)));
    try {
      if (goFile.generated) return { findings: [], notices: [], comments: [] };
      const pkg = workspace.packageOf(goFile);
      if (this.documents) workspace.refreshSummaries(goFile, pkg);
      const facts = new GoFacts(goFile, new GoContext(goFile, pkg, workspace));
      const { findings, notices } = runRules(file, text, facts, wanted);
      // Comments only matter for suppressing findings; reading them from the tree is not free.
      return { findings, notices: [...facts.notices, ...notices], comments: findings.length > 0 ? goFile.comments : [] };
    } finally {
      workspace.release(goFile);
      if (!this.documents) goFile.tree.delete();
    }
  }

  /** Summaries depend on the Go knowledge in the config, so each config gets its own workspace. */
  private workspaceFor(config: LeaklintConfig): GoWorkspace {
    let ws = this.workspaces.get(config);
    if (!ws) {
      ws = new GoWorkspace(config.go, { keepSources: !!this.documents });
      this.workspaces.set(config, ws);
    }
    return ws;
  }
}
