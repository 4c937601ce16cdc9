/**
 * The one module that loads web-tree-sitter and the Go grammar. The .wasm files
 * sit in `wasm/` next to the built code (copied there by scripts/copy-assets.js)
 * so the same lookup works from dist/, a bundle or the VS Code extension.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Language, Parser, Query, Range, Tree } from "web-tree-sitter";

export type { Node, Range, Tree } from "web-tree-sitter";

let goLanguage: Language | undefined;
let loading: Promise<void> | undefined;
const queries = new Map<string, Query>();

function wasmDir(): string {
  for (const candidate of [path.join(__dirname, "..", "wasm"), path.join(__dirname, "wasm")]) {
    if (fs.existsSync(path.join(candidate, "tree-sitter-go.wasm"))) return candidate;
  }
  throw new Error(`tree-sitter-go.wasm not found next to ${__dirname}; run the build`);
}

export function initGoParser(): Promise<void> {
  loading ??= (async () => {
    const dir = wasmDir();
    await Parser.init({ locateFile: (name: string) => path.join(dir, name) });
    goLanguage = await Language.load(path.join(dir, "tree-sitter-go.wasm"));
  })();
  return loading;
}

function language(): Language {
  if (!goLanguage) throw new Error("initGoParser() must finish before Go files are parsed");
  return goLanguage;
}

let parser: Parser | undefined;

/**
 * The caller owns the tree and must `delete()` it: WASM memory is not garbage
 * collected. `includedRanges` parses only those parts of `text` (in order),
 * as if the rest were not there; nodes keep their offsets in `text`.
 */
export function parseGo(text: string, previous?: Tree, includedRanges?: Range[]): Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(language());
  }
  const tree = parser.parse(text, previous, includedRanges ? { includedRanges } : undefined);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** Compiled once per process; a broken query throws at first use, which the tests exercise. */
export function goQuery(source: string): Query {
  let q = queries.get(source);
  if (!q) {
    q = new Query(language(), source);
    queries.set(source, q);
  }
  return q;
}
