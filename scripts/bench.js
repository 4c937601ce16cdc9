#!/usr/bin/env node
// `npm run bench`: performance figures, one line each, with the corpus size so
// runs compare. The Go standard library is the reference corpus when Debian's
// golang-go is installed; otherwise a generated corpus of realistic Go files.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const { createEngine } = require(path.join(root, "dist", "index.js"));
const { initGoParser, parseGo } = require(path.join(root, "dist", "go", "parser.js"));

function goFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!["testdata", "vendor", "node_modules"].includes(e.name)) goFiles(p, out);
    } else if (e.name.endsWith(".go")) out.push(p);
  }
  return out;
}

function stdlib() {
  const share = "/usr/share";
  const dirs = fs.existsSync(share) ? fs.readdirSync(share).filter((d) => /^go-\d/.test(d)).sort() : [];
  return dirs.length ? path.join(share, dirs[dirs.length - 1], "src") : undefined;
}

function generatedCorpus() {
  const dir = path.join(os.tmpdir(), "leaklint-bench-corpus");
  if (fs.existsSync(dir)) return dir;
  for (let p = 0; p < 200; p++) {
    const pkg = path.join(dir, `pkg${p}`);
    fs.mkdirSync(pkg, { recursive: true });
    for (let f = 0; f < 10; f++) {
      let src = `package pkg${p}\n\nimport (\n\t"database/sql"\n\t"fmt"\n\t"net/http"\n)\n`;
      for (let i = 0; i < 20; i++) {
        src += `\nfunc List${f}_${i}(db *sql.DB, u string) ([]string, error) {\n\trows, err := db.Query("select name from t where id = ?", ${i})\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer rows.Close()\n\tvar out []string\n\tfor rows.Next() {\n\t\tvar s string\n\t\tif err := rows.Scan(&s); err != nil {\n\t\t\treturn nil, fmt.Errorf("scan: %w", err)\n\t\t}\n\t\tout = append(out, s)\n\t}\n\tresp, err := http.Get(u)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer resp.Body.Close()\n\treturn out, rows.Err()\n}\n`;
      }
      fs.writeFileSync(path.join(pkg, `f${f}.go`), src);
    }
  }
  return dir;
}

function line(label, value, corpus) {
  console.log(`${label.padEnd(34)} ${value.padStart(12)}   (${corpus})`);
}

async function main() {
  const corpusDir = process.argv[2] ?? stdlib() ?? generatedCorpus();
  const files = goFiles(corpusDir).sort();
  let bytes = 0;
  let lines = 0;
  const texts = files.map((f) => {
    const t = fs.readFileSync(f, "utf8");
    bytes += Buffer.byteLength(t);
    for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) lines++;
    return t;
  });
  const corpus = `${corpusDir}: ${files.length} files, ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB`;

  await initGoParser();
  let t0 = performance.now();
  for (const t of texts) parseGo(t).delete();
  const parseMs = performance.now() - t0;
  line("parse only, 1 thread", `${(parseMs / 1000).toFixed(2)} s`, corpus);

  const engine = await createEngine({});
  t0 = performance.now();
  let findings = 0;
  files.forEach((f, i) => (findings += engine.analyzeText(f, texts[i]).findings.length));
  const scanMs = performance.now() - t0;
  line("full analysis, 1 thread", `${(scanMs / 1000).toFixed(2)} s`, `${findings} findings; ${corpus}`);
  line("analysis / parse ratio, 1 thread", `${(scanMs / parseMs).toFixed(2)}x`, corpus);
  line("peak RSS, in-process analysis", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`, corpus);

  const cli = path.join(root, "dist", "cli", "main.js");
  t0 = performance.now();
  const run = spawnSync(process.execPath, [cli, "scan", corpusDir, "--format", "json", "--output", path.join(os.tmpdir(), "leaklint-bench.json")], { stdio: "ignore" });
  const cliMs = performance.now() - t0;
  line(`leaklint scan (exit ${run.status}), default jobs`, `${(cliMs / 1000).toFixed(2)} s`, `${os.availableParallelism()} cores; ${corpus}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
