/**
 * Which files the TS front end takes, by name only: kept apart from the
 * parser so a thread can answer without loading the TypeScript compiler.
 */
export const TS_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"];

const DECLARATION_FILE = /\.d\.[cm]?ts$|\.d\.[^./]+\.ts$/;

export function extensionOf(file: string): string {
  const m = /\.[^./\\]+$/.exec(file);
  return m ? m[0].toLowerCase() : "";
}

/** Any TypeScript or JavaScript file, declaration files included. */
export function isTsFile(file: string): boolean {
  return TS_EXTENSIONS.includes(extensionOf(file));
}

export function isDeclarationFile(file: string): boolean {
  return DECLARATION_FILE.test(file);
}

/** True for the files the TS front end analyses: sources, not declaration files. */
export function isTsSource(file: string): boolean {
  return isTsFile(file) && !isDeclarationFile(file);
}
