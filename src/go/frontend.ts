/**
 * The Go front end: parses a file once, builds its facts and package summaries,
 * runs the Go rules over them and releases the tree.
 */
import { LeaklintConfig } from "../core/config";
import { ActiveRule, FrontEnd, FrontEndResult } from "../core/engine";
import { Rule, toFinding } from "../core/rule";
import { Finding, ToolNotice } from "../core/types";
import { GoContext } from "./context";
import { GoFile } from "./facts";
import { MustReleaseFinding, findMustReleaseLeaks } from "./must-release";
import { parseGo } from "./parser";
import { GO_RULES } from "./rules";
import { GoWorkspace } from "./workspace";

/** What Go rules receive: the file, its ownership context, and shared analyses computed on first use. */
export class GoFacts {
  private mustRelease?: MustReleaseFinding[];

  constructor(
    readonly file: GoFile,
    readonly ctx: GoContext,
  ) {}

  mustReleaseLeaks(): MustReleaseFinding[] {
    this.mustRelease ??= findMustReleaseLeaks(this.ctx);
    return this.mustRelease;
  }
}

export class GoFrontEnd implements FrontEnd {
  readonly language = "go" as const;
  readonly rules = GO_RULES as Rule<unknown>[];
  private readonly workspaces = new Map<LeaklintConfig, GoWorkspace>();

  handles(file: string): boolean {
    return file.endsWith(".go");
  }

  analyze(file: string, text: string, rules: ActiveRule[], config: LeaklintConfig): FrontEndResult {
    const tree = parseGo(text);
    try {
      const goFile = new GoFile(file, text, tree);
      if (goFile.generated) return { findings: [], notices: [], comments: goFile.comments };
      const workspace = this.workspaceFor(config);
      const pkg = workspace.packageOf(goFile);
      const facts = new GoFacts(goFile, new GoContext(goFile, pkg, workspace));
      const findings: Finding[] = [];
      const notices: ToolNotice[] = [];
      for (const { rule, severity, options } of rules) {
        const mine: Finding[] = [];
        try {
          rule.check({ file, text, facts, severity, options, report: (r) => mine.push(toFinding(rule.meta, file, severity, r)) });
          findings.push(...mine);
        } catch (e) {
          notices.push({ file, kind: "internal", message: `rule ${rule.meta.id} failed: ${(e as Error).stack ?? e}` });
        }
      }
      return { findings, notices, comments: goFile.comments };
    } finally {
      tree.delete();
    }
  }

  /** Summaries depend on the Go knowledge in the config, so each config gets its own workspace. */
  private workspaceFor(config: LeaklintConfig): GoWorkspace {
    let ws = this.workspaces.get(config);
    if (!ws) {
      ws = new GoWorkspace(config.go);
      this.workspaces.set(config, ws);
    }
    return ws;
  }
}
