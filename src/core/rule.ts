/**
 * What a rule is, independent of language: metadata plus a check that receives
 * the language front end's per-file facts and reports through the context.
 */
import { Finding, Fix, Range, RelatedLocation, RuleMeta, Severity } from "./types";

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

export interface Rule<Facts> {
  meta: RuleMeta;
  check(context: RuleContext<Facts>): void;
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
