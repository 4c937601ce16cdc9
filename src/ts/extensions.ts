/**
 * Which files the TS front end takes, by name only: kept apart from the
 * parser so a thread can answer without loading the TypeScript compiler.
 */
/** Each extension with the name of its `ts.ScriptKind` (the parser maps the name). */
export const SCRIPT_KIND_NAMES: Record<string, "TS" | "TSX" | "JS" | "JSX"> = {
  ".ts": "TS",
  ".mts": "TS",
  ".cts": "TS",
  ".tsx": "TSX",
  ".js": "JS",
  ".mjs": "JS",
  ".cjs": "JS",
  ".jsx": "JSX",
};

const DECLARATION_FILE = /\.d\.[cm]?ts$|\.d\.[^./]+\.ts$/;

export function extensionOf(file: string): string {
  const m = /\.[^./\\]+$/.exec(file);
  return m ? m[0].toLowerCase() : "";
}

/** Any TypeScript or JavaScript file, declaration files included. */
export function isTsFile(file: string): boolean {
  return extensionOf(file) in SCRIPT_KIND_NAMES;
}

export function isDeclarationFile(file: string): boolean {
  return DECLARATION_FILE.test(file);
}

/** True for the files the TS front end analyses: sources, not declaration files. */
export function isTsSource(file: string): boolean {
  return isTsFile(file) && !isDeclarationFile(file);
}
