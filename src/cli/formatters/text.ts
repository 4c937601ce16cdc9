/**
 * The terminal report: one line per finding, `path:line:col severity message
 * rule-id`, so editors and terminals turn the location into a link; files
 * separated by a blank line; a summary last.
 */
import { RuleMeta, Severity } from "../../core/types";
import { countFindings, oneBased, relativePath, ScanReport } from "../report";

export interface TextOptions {
  color: boolean;
}

const SEVERITY_COLORS: Record<Severity, number> = { error: 31, warning: 33, info: 36 };

export function formatText(report: ScanReport, options: TextOptions): string {
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const blocks: string[] = [];
  for (const file of report.files) {
    if (file.findings.length === 0) continue;
    const rel = relativePath(report.root, file.file);
    blocks.push(
      file.findings
        .map((f) => {
          const { line, column } = oneBased(f);
          return `${rel}:${line}:${column}  ${paint(SEVERITY_COLORS[f.severity], f.severity.padEnd(7))}  ${f.message}  ${paint(2, f.ruleId)}`;
        })
        .join("\n"),
    );
  }
  const fixes = report.files.reduce((sum, f) => sum + f.fixesApplied, 0);
  if (fixes > 0) {
    const fixedFiles = report.files.filter((f) => f.fixesApplied > 0).length;
    blocks.push(`fixed ${plural(fixes, "problem")} in ${plural(fixedFiles, "file")}`);
  }
  blocks.push(paint(1, summary(report)));
  return blocks.join("\n\n") + "\n";
}

function summary(report: ScanReport): string {
  const counts = countFindings(report);
  const total = counts.error + counts.warning + counts.info;
  const files = plural(report.files.length, "file");
  if (total === 0) return `no problems in ${files}`;
  const parts = [plural(counts.error, "error"), plural(counts.warning, "warning")];
  if (counts.info > 0) parts.push(`${counts.info} info`);
  return `${plural(total, "problem")} (${parts.join(", ")}) in ${files}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** `leaklint rules`: a table a person scans by eye. */
export function formatRulesTable(rules: RuleMeta[]): string {
  const rows = [
    ["RULE", "LANGUAGES", "DEFAULT", "FIX"],
    ...rules.map((r) => [r.id, r.languages.join(","), r.defaultSeverity, r.fixable]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n") + "\n";
}
