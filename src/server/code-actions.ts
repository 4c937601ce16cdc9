/**
 * Code actions for one analysed document, in the order vscode-eslint shows
 * them: each fix and suggestion of a finding (the safe fix preferred), fix all
 * safe fixes in the file, suppress the rule on this line, show the rule's docs.
 * `source.fixAll.leaklint` is the fix-all alone, for `editor.codeActionsOnSave`.
 */
import { CodeAction, CodeActionKind, Command, Diagnostic, Range, WorkspaceEdit } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { Finding } from "../core/types";
import { toTextEdits } from "./convert";

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.leaklint`;
export const SHOW_DOCUMENTATION_COMMAND = "leaklint.server.showDocumentation";

export interface AnalysedDocument {
  /** The text the findings' offsets refer to, with its URI and version. */
  snapshot: TextDocument;
  findings: Finding[];
  diagnostics: Diagnostic[];
}

/** The edit of "fix all" for the document, or undefined when no safe fix applies. */
export type FixAllEdit = () => Promise<WorkspaceEdit | undefined>;

export async function quickFixes(doc: AnalysedDocument, range: Range, fixAll: FixAllEdit | undefined): Promise<CodeAction[]> {
  const actions: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  const docs: CodeAction[] = [];
  const seenRules = new Set<string>();
  doc.findings.forEach((finding, i) => {
    const diagnostic = doc.diagnostics[i];
    if (!diagnostic || !overlaps(diagnostic.range, range)) return;
    let preferred = false;
    for (const fix of finding.fixes) {
      const isPreferred: boolean = fix.kind === "fix" && !preferred;
      preferred ||= isPreferred;
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred,
        edit: documentEdit(doc.snapshot, toTextEdits(doc.snapshot, fix.edits)),
      });
    }
    const line = doc.snapshot.positionAt(finding.range.start.offset).line;
    const key = `${finding.ruleId}\0${line}`;
    if (!seenRules.has(key)) {
      seenRules.add(key);
      suppressions.push({
        title: `Suppress ${finding.ruleId} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: documentEdit(doc.snapshot, [suppressLineEdit(doc.snapshot, line, finding.ruleId)]),
      });
    }
    if (!docs.some((d) => d.command?.arguments?.[0] === finding.ruleId)) {
      docs.push({
        title: `Show documentation for ${finding.ruleId}`,
        kind: CodeActionKind.QuickFix,
        command: Command.create(`Show documentation for ${finding.ruleId}`, SHOW_DOCUMENTATION_COMMAND, finding.ruleId),
      });
    }
  });
  if (actions.length > 0 && fixAll) {
    const edit = await fixAll();
    if (edit) actions.push({ title: "Fix all leaklint problems", kind: CodeActionKind.QuickFix, edit });
  }
  return [...actions, ...suppressions, ...docs];
}

/** Versioned, so a client refuses the edit when the document moved on since the analysis. */
export function documentEdit(snapshot: TextDocument, edits: ReturnType<typeof toTextEdits>): WorkspaceEdit {
  return { documentChanges: [{ textDocument: { uri: snapshot.uri, version: snapshot.version }, edits }] };
}

/**
 * `// leaklint:ignore <rule>` alone on the line above, indented like the
 * reported line; a directive already there gets the rule added to its list.
 */
export function suppressLineEdit(snapshot: TextDocument, line: number, ruleId: string) {
  const text = snapshot.getText();
  const lineText = (n: number) => {
    const start = snapshot.offsetAt({ line: n, character: 0 });
    const end = snapshot.offsetAt({ line: n + 1, character: 0 });
    return text.slice(start, end).replace(/\r?\n$/, "");
  };
  if (line > 0) {
    const above = lineText(line - 1);
    const m = /^(\s*\/\/\s*leaklint:ignore\s+)([\w,-]+)/.exec(above);
    if (m) {
      const at = { line: line - 1, character: m[1].length + m[2].length };
      return { range: { start: at, end: at }, newText: `,${ruleId}` };
    }
  }
  const indent = /^\s*/.exec(lineText(line))![0];
  const at = { line, character: 0 };
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return { range: { start: at, end: at }, newText: `${indent}// leaklint:ignore ${ruleId}${eol}` };
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range["start"], q: Range["start"]) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
