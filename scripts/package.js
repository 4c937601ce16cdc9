#!/usr/bin/env node
// `npm run package`: bundles the extension and the language server with esbuild into
// dist/extension/, then packs the .vsix with @vscode/vsce, offline. The tree-sitter .wasm
// files stay in dist/wasm/, where src/go/parser.ts finds them relative to the bundle
// (dist/extension/../wasm). .vscodeignore is an allow-list of exactly these files.
// Prints the .vsix path and size on its last line.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "dist", "extension");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

async function main() {
  for (const wasm of ["tree-sitter.wasm", "tree-sitter-go.wasm"]) {
    if (!fs.existsSync(path.join(ROOT, "dist", "wasm", wasm))) throw new Error(`dist/wasm/${wasm} is missing: run npm run build first`);
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: false,
    minify: true,
    keepNames: true, // stack traces in the output name real functions
    logLevel: "warning",
    legalComments: "none",
    // web-tree-sitter calls createRequire(import.meta.url); in a CommonJS bundle that is this file.
    define: { "import.meta.url": "__leaklintBundleUrl" },
    banner: { js: 'const __leaklintBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  };
  await esbuild.build({ ...common, entryPoints: [path.join(ROOT, "src", "vscode", "extension.ts")], outfile: path.join(OUT, "extension.js"), external: ["vscode"] });
  await esbuild.build({ ...common, entryPoints: [path.join(ROOT, "src", "server", "main.ts")], outfile: path.join(OUT, "server.js") });

  const vsix = path.join(ROOT, "dist", `${pkg.name}-${pkg.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  // The README's relative links (docs/rules/...) point at the files as published on npm,
  // the same pages the SARIF output links to when package.json names no repository.
  const base = `https://unpkg.com/${pkg.name}@${pkg.version}/`;
  execFileSync(
    process.execPath,
    [require.resolve("@vscode/vsce/vsce"), "package", "--no-dependencies", "--allow-missing-repository", "--baseContentUrl", base, "--baseImagesUrl", base, "--out", vsix],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
  const listing = execFileSync(process.execPath, [require.resolve("@vscode/vsce/vsce"), "ls", "--no-dependencies"], { cwd: ROOT, encoding: "utf8" });
  console.log(`files in the .vsix:\n  ${listing.trim().split("\n").sort().join("\n  ")}`);
  console.log(`${path.relative(ROOT, vsix)} ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MB`);
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
