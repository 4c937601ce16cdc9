/**
 * Parsing TypeScript and JavaScript with the compiler API, syntax only: one
 * `ts.SourceFile` per file, with parent pointers, in the script kind its
 * extension implies. Declaration files are never analysed.
 */
import ts = require("typescript");

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

const DECLARATION_FILE = /\.d\.[cm]?ts$|\.d\.[^./]+\.ts$/;

function extensionOf(file: string): string {
  const m = /\.[^./\\]+$/.exec(file);
  return m ? m[0].toLowerCase() : "";
}

/** True for the files the TS front end analyses: sources, not declaration files. */
export function isTsSource(file: string): boolean {
  return isTsFile(file) && !isDeclarationFile(file);
}

/** Any TypeScript or JavaScript file, declaration files included. */
export function isTsFile(file: string): boolean {
  return extensionOf(file) in SCRIPT_KINDS;
}

export function isDeclarationFile(file: string): boolean {
  return DECLARATION_FILE.test(file);
}

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
