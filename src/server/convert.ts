/**
 * Findings as LSP diagnostics. Positions come from the findings' offsets
 * (UTF-16 code units, which is also LSP's default position encoding) through a
 * snapshot of the analysed text, so a diagnostic always points into the text
 * it was computed from.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Range, TextEdit } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { docsUrl } from "../cli/package-info";
import { Finding, RuleMeta, Severity, TextEdit as FixEdit } from "../core/types";

export const SOURCE = "leaklint";

/** What a diagnostic carries so a code action can find its finding again. */
export interface DiagnosticData {
  ruleId: string;
  /** Index of the finding in the analysis the diagnostic came from. */
  index: number;
  version: number | null;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/**
 * The rule's docs page: the copy shipped with this build when there is one
 * (it matches the running version and opens offline), else the published page.
 */
export function docsLink(meta: Pick<RuleMeta, "docs">): string {
  for (const root of [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..")]) {
    const local = path.join(root, meta.docs);
    if (fs.existsSync(local)) return pathToFileURL(local).toString();
  }
  return docsUrl(meta.docs);
}

export function toDiagnostic(
  finding: Finding,
  index: number,
  snapshot: TextDocument,
  meta: RuleMeta | undefined,
  fileUri: (file: string) => string,
): Diagnostic {
  const sameFile = (file: string) => path.resolve(file) === path.resolve(finding.file);
  const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({
    location: {
      uri: sameFile(r.file) ? snapshot.uri : fileUri(r.file),
      range: sameFile(r.file) ? rangeOf(snapshot, r.range.start.offset, r.range.end.offset) : lineColumnRange(r.range),
    },
    message: r.message,
  }));
  const data: DiagnosticData = { ruleId: finding.ruleId, index, version: snapshot.version };
  return {
    range: rangeOf(snapshot, finding.range.start.offset, finding.range.end.offset),
    severity: SEVERITY[finding.severity],
    source: SOURCE,
    code: finding.ruleId,
    ...(meta ? { codeDescription: { href: docsLink(meta) } } : {}),
    message: finding.message,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
    data,
  };
}

export function rangeOf(snapshot: TextDocument, start: number, end: number): Range {
  return { start: snapshot.positionAt(start), end: snapshot.positionAt(end) };
}

function lineColumnRange(r: Finding["range"]): Range {
  return { start: { line: r.start.line, character: r.start.column }, end: { line: r.end.line, character: r.end.column } };
}

export function toTextEdits(snapshot: TextDocument, edits: FixEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: rangeOf(snapshot, e.start, e.end), newText: e.newText }));
}

/**
 * One edit that turns `before` into `after`: the span between their common
 * prefix and suffix. Keeps the cursor and folding where the text did not change.
 */
export function minimalEdit(snapshot: TextDocument, before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { range: rangeOf(snapshot, start, endBefore), newText: after.slice(start, endAfter) };
}
