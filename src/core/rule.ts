/**
 * What a rule is, independent of language: metadata plus a check that receives
 * the language front end's per-file facts and reports through the context.
 */
import { Finding, Fix, Range, RelatedLocation, RuleMeta, Severity, ToolNotice } from "./types";

export interface Report {
  range: Range;
  message: string;
  related?: RelatedLocation[];
  fixes?: Fix[];
}

export interface RuleContext<Facts> {
  file: string;
  text: string;
  facts: Facts;
  severity: Severity;
  options: Record<string, unknown>;
  report(report: Report): void;
}

export interface Rule<Facts, Gate = never> {
  meta: RuleMeta;
  check(context: RuleContext<Facts>): void;
  /**
   * A cheap test before the file is parsed, from what the front end's `Gate`
   * offers (its text, imports): false promises that `check` would report
   * nothing, so a file no rule wants is never parsed.
   */
  mayReport?(gate: Gate): boolean;
  /**
   * For a file `mayReport` wants, a test of each top-level function's text
   * (header and body): false promises that `check` reports nothing inside it
   * and needs no more of it than its summary. When every rule the file wants
   * has one, the front end leaves the functions none of them wants out of the
   * parse.
   */
  mayReportIn?(gate: Gate): (declaration: string) => boolean;
}

export function toFinding(meta: RuleMeta, file: string, severity: Severity, r: Report): Finding {
  return {
    ruleId: meta.id,
    severity,
    message: r.message,
    file,
    range: r.range,
    related: r.related ?? [],
    fixes: r.fixes ?? [],
  };
}

/** What a front end runs: a rule with the severity and options the config gives it. */
export interface RuleRun<Facts, Gate = never> {
  rule: Rule<Facts, Gate>;
  severity: Severity;
  options: Record<string, unknown>;
}

/**
 * Runs rules over one file's facts. A rule that throws loses only its own
 * findings; the failure becomes an "internal" notice naming the rule and where
 * it threw, on one line.
 */
export function runRules<Facts, Gate>(file: string, text: string, facts: Facts, rules: RuleRun<Facts, Gate>[]): { findings: Finding[]; notices: ToolNotice[] } {
  const findings: Finding[] = [];
  const notices: ToolNotice[] = [];
  for (const { rule, severity, options } of rules) {
    const mine: Finding[] = [];
    try {
      rule.check({ file, text, facts, severity, options, report: (r) => mine.push(toFinding(rule.meta, file, severity, r)) });
      findings.push(...mine);
    } catch (e) {
      notices.push({ file, kind: "internal", message: `rule ${rule.meta.id} failed: ${oneLine(e)}` });
    }
  }
  return { findings, notices };
}

/** Code nested deeper than the JS stack is skipped with an "input" notice, not counted as a crash. */
export function unlessTooDeep<T>(file: string, notices: ToolNotice[], analysis: () => T, fallback: T): T {
  try {
    return analysis();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    notices.push({ file, kind: "input", message: "skipped: code nested too deeply to analyse" });
    return fallback;
  }
}

/** The error and where it was thrown, on one line. */
export function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const frame = e.stack?.split("\n").find((l) => l.trim().startsWith("at "))?.trim();
  return frame ? `${e.message} (${frame})` : e.message;
}
