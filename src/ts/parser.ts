/**
 * Parsing TypeScript and JavaScript with the compiler API, syntax only: one
 * `ts.SourceFile` per file, with parent pointers, in the script kind its
 * extension implies. Declaration files are never analysed.
 */
import ts = require("typescript");
import { extensionOf } from "./extensions";

export { isDeclarationFile, isTsFile, isTsSource } from "./extensions";

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  ".ts": ts.ScriptKind.TS,
  ".mts": ts.ScriptKind.TS,
  ".cts": ts.ScriptKind.TS,
  ".tsx": ts.ScriptKind.TSX,
  ".js": ts.ScriptKind.JS,
  ".mjs": ts.ScriptKind.JS,
  ".cjs": ts.ScriptKind.JS,
  ".jsx": ts.ScriptKind.JSX,
};

export function scriptKindOf(file: string): ts.ScriptKind {
  return SCRIPT_KINDS[extensionOf(file)] ?? ts.ScriptKind.TS;
}

/** Parses without binding or type checking; `parent` pointers are set for the rules' upward walks. */
export function parseTs(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, scriptKindOf(file));
}

/** The syntax errors of a parse (the fixture harness re-parses fixed text with this). */
export function syntaxErrors(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (sourceFile as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}
