/**
 * The TypeScript/JavaScript front end: parses a file once (syntax only),
 * builds its facts, runs the TS rules over them. `analyzeSourceFile` is the
 * seam for hosts that already hold a parsed file and maybe a type checker
 * (the ESLint adapter with parserServices, `leaklint scan --typed`): the rules
 * run unchanged on it, and consult the `TypeOracle` where they ask what a
 * name's type is.
 */
import ts = require("typescript");
import { LeaklintConfig, TsKnowledge } from "../core/config";
import { ActiveRule, FrontEnd, FrontEndResult } from "../core/engine";
import { Rule, RuleRun, runRules, unlessTooDeep } from "../core/rule";
import { ToolNotice } from "../core/types";
import { TsContext } from "./context";
import { TsFile } from "./facts";
import { MustReleaseFinding, findMustReleaseLeaks } from "./must-release";
import { isTsFile, isTsSource, parseTs } from "./parser";
import { TypedPrograms } from "./programs";
import { TS_RULES } from "./rules";
import { TypeOracle } from "./types";
import { TsWorkspace } from "./workspace";

/** What TS rules receive: the file, its ownership context, and shared analyses computed on first use. */
export class TsFacts {
  private mustRelease?: MustReleaseFinding[];
  /** Problems of shared analyses, reported once per file rather than once per rule. */
  readonly notices: ToolNotice[] = [];

  constructor(
    readonly file: TsFile,
    readonly ctx: TsContext,
  ) {}

  get sourceFile(): ts.SourceFile {
    return this.file.sourceFile;
  }

  /** The type checker's view when the host has one (ESLint with type information, `--typed`); undefined for syntax-only runs. */
  get oracle(): TypeOracle | undefined {
    return this.ctx.oracle;
  }

  mustReleaseLeaks(): MustReleaseFinding[] {
    this.mustRelease ??= unlessTooDeep(this.file.path, this.notices, () => findMustReleaseLeaks(this.ctx), []);
    return this.mustRelease;
  }
}

export class TsFrontEnd implements FrontEnd {
  readonly language = "ts" as const;
  readonly rules = TS_RULES as Rule<unknown>[];
  private readonly workspaces = new Map<TsKnowledge, TsWorkspace>();
  /** With `--typed`: the programs of the workspace's tsconfig.json files. */
  private readonly programs?: TypedPrograms;

  constructor(options: { typed?: boolean } = {}) {
    if (options.typed) this.programs = new TypedPrograms();
  }

  /**
   * Every TS/JS file, declaration files included: the CLI's discovery skips
   * those by default with a notice of its own, and analysing one finds nothing.
   */
  handles(file: string): boolean {
    return isTsFile(file);
  }

  analyze(file: string, text: string, rules: ActiveRule[], config: LeaklintConfig): FrontEndResult {
    if (!isTsSource(file)) return { findings: [], notices: [], comments: [] };
    const typed = this.programs?.lookup(file, text);
    if (typed) return this.analyzeSourceFile(file, typed.sourceFile, rules, config, typed.oracle);
    let sourceFile: ts.SourceFile;
    try {
      sourceFile = parseTs(file, text);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return { findings: [], notices: [{ file, kind: "input", message: "skipped: code nested too deeply to parse" }], comments: [] };
    }
    return this.analyzeSourceFile(file, sourceFile, rules, config);
  }

  /** Runs the rules on an already parsed file, with a type oracle when the host has a checker. */
  analyzeSourceFile(file: string, sourceFile: ts.SourceFile, rules: ActiveRule[], config: LeaklintConfig, oracle?: TypeOracle): FrontEndResult {
    let tsFile: TsFile;
    try {
      tsFile = new TsFile(file, sourceFile);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return { findings: [], notices: [{ file, kind: "input", message: "skipped: code nested too deeply to analyse" }], comments: [] };
    }
    const facts = new TsFacts(tsFile, new TsContext(tsFile, this.workspaceFor(config.ts), config.ts, oracle));
    const { findings, notices } = runRules(file, sourceFile.text, facts, rules as RuleRun<TsFacts>[]);
    // Comments matter only to suppress findings: a file without any is not scanned for them.
    return { findings, notices: [...facts.notices, ...notices], comments: findings.length > 0 ? tsFile.comments : [] };
  }

  /**
   * A file changed on disk (or in an editor): cross-module summaries built from it are dropped.
   * `structural` when files were created or deleted, so relative imports resolve anew.
   */
  invalidate(file: string, structural = false): void {
    for (const ws of this.workspaces.values()) ws.forget(file, structural);
  }

  /** Summaries depend on the TS knowledge in the config, so each config gets its own workspace. */
  private workspaceFor(knowledge: TsKnowledge): TsWorkspace {
    let ws = this.workspaces.get(knowledge);
    if (!ws) {
      ws = new TsWorkspace(knowledge);
      this.workspaces.set(knowledge, ws);
    }
    return ws;
  }
}
