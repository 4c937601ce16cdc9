/**
 * What a scan produced, in the shape every formatter reads, and the exit code
 * it earns.
 */
import * as path from "node:path";
import { Finding, RuleMeta, Severity, ToolNotice } from "../core/types";
import { AnalyzedFile } from "./analyze";

export interface ScanReport {
  /** Paths in every output are relative to this directory (the working directory). */
  root: string;
  rules: RuleMeta[];
  /** Every analysed file, sorted by path. */
  files: AnalyzedFile[];
  /** Discovery notices first, then each file's, in file order. */
  notices: ToolNotice[];
}

export type Counts = Record<Severity, number>;

export function countFindings(report: ScanReport): Counts {
  const counts: Counts = { error: 0, warning: 0, info: 0 };
  for (const file of report.files) for (const finding of file.findings) counts[finding.severity]++;
  return counts;
}

export function exitCode(report: ScanReport, maxWarnings: number | undefined): number {
  if (report.notices.some((n) => n.kind === "internal")) return 3;
  const counts = countFindings(report);
  if (counts.error > 0) return 1;
  if (maxWarnings !== undefined && counts.warning > maxWarnings) return 1;
  return 0;
}

/** Forward slashes on every platform, so reports compare equal across machines. */
export function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}

/** 1-based, as every output shows positions. */
export function oneBased(finding: Pick<Finding, "range">) {
  const { start, end } = finding.range;
  return { line: start.line + 1, column: start.column + 1, endLine: end.line + 1, endColumn: end.column + 1 };
}
