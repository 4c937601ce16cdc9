/**
 * Parsing TypeScript and JavaScript with the compiler API, syntax only: one
 * `ts.SourceFile` per file, with parent pointers, in the script kind its
 * extension implies. Declaration files are never analysed.
 */
import ts = require("typescript");
import { SCRIPT_KIND_NAMES, extensionOf } from "./extensions";

export { isDeclarationFile, isTsFile, isTsSource } from "./extensions";


export function scriptKindOf(file: string): ts.ScriptKind {
  return ts.ScriptKind[SCRIPT_KIND_NAMES[extensionOf(file)] ?? "TS"];
}

/** Parses without binding or type checking; `parent` pointers are set for the rules' upward walks. */
export function parseTs(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, scriptKindOf(file));
}

/** The syntax errors of a parse (the fixture harness re-parses fixed text with this). */
export function syntaxErrors(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (sourceFile as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}
