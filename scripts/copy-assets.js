// Copies the tree-sitter WASM files next to the built code: the parser module
// finds them relative to itself, never through node_modules or the source tree.
const fs = require("node:fs");
const path = require("node:path");

const out = path.join(__dirname, "..", "dist", "wasm");
fs.mkdirSync(out, { recursive: true });
for (const file of [require.resolve("web-tree-sitter/tree-sitter.wasm"), require.resolve("tree-sitter-go/tree-sitter-go.wasm")]) {
  fs.copyFileSync(file, path.join(out, path.basename(file)));
}
