/** The machine-readable report: 1-based positions, paths relative to the working directory. */
import { oneBased, relativePath, ScanReport } from "../report";
import { version } from "../package-info";

export function formatJson(report: ScanReport): string {
  const rel = (file: string) => relativePath(report.root, file);
  const findings = report.files.flatMap((file) =>
    file.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      file: rel(f.file),
      ...oneBased(f),
      related: f.related.map((r) => ({ file: rel(r.file), ...oneBased(r), message: r.message })),
      fixes: f.fixes.map((fix) => ({ title: fix.title, kind: fix.kind, edits: fix.edits.map(({ start, end, newText }) => ({ start, end, newText })) })),
    })),
  );
  const notices = report.notices.map((n) => ({ file: rel(n.file), message: n.message, kind: n.kind }));
  return JSON.stringify({ version, files: report.files.length, findings, notices }, null, 2) + "\n";
}
