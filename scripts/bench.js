#!/usr/bin/env node
// `npm run bench`: performance figures, one line each, with the corpus size so
// runs compare. Reference corpus: the Go standard library when Debian's
// golang-go is installed (/usr/share/go-*/src), otherwise a generated one.
// Figures: (a) parse-only pass, (b) full scan, (c) their ratio (same worker
// count), (d) peak RSS of the scan, (e) a second --cache run after a first
// one that writes the cache (e0), (f) editor
// re-analysis after a one-character edit (median), (g) the ESLint plugin's
// added cost over an ESLint run without it, on a TS corpus (the sources rxjs
// ships, or LEAKLINT_BENCH_TS_CORPUS).
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Worker } = require("node:worker_threads");

const root = path.join(__dirname, "..");
const dist = path.join(root, "dist");
const CLI = path.join(dist, "cli", "main.js");
const jobs = Number(process.env.LEAKLINT_BENCH_JOBS ?? os.availableParallelism());
const ROUNDS = 3;

function goFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
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
  if (fs.existsSync(path.join(dir, "go.mod"))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "go.mod"), "module example.com/bench\n\ngo 1.21\n");
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

function describe(files) {
  let bytes = 0;
  let lines = 0;
  for (const f of files) {
    const t = fs.readFileSync(f);
    bytes += t.length;
    for (const b of t) if (b === 10) lines++;
  }
  return `${files.length} files, ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB`;
}

function line(label, value, detail) {
  console.log(`${label.padEnd(44)} ${value.padStart(10)}   ${detail}`);
}

/** Parses every file once with `jobs` threads, directories kept together like the scan does. */
function parseOnly(files) {
  const groups = new Map();
  for (const f of files) groups.set(path.dirname(f), [...(groups.get(path.dirname(f)) ?? []), f]);
  const shares = Array.from({ length: jobs }, () => []);
  const load = new Array(jobs).fill(0);
  for (const g of [...groups.values()].sort((a, b) => b.length - a.length)) {
    const i = load.indexOf(Math.min(...load));
    shares[i].push(...g);
    load[i] += g.length;
  }
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    const fs = require("node:fs");
    const { initGoParser, parseGo } = require(${JSON.stringify(path.join(dist, "go", "parser.js"))});
    initGoParser().then(() => {
      for (const f of workerData) parseGo(fs.readFileSync(f, "utf8")).delete();
      parentPort.postMessage("done");
    });`;
  const t0 = performance.now();
  return Promise.all(shares.map((share) => new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: share });
    w.once("message", () => w.terminate().then(resolve));
    w.once("error", reject);
  }))).then(() => performance.now() - t0);
}

/** Runs the CLI in a child process that reports its own peak RSS (the workers are threads of it). */
function scan(args, cwd) {
  const wrapper = `process.on("exit", () => process.stderr.write("\\nmaxrss=" + process.resourceUsage().maxRSS + "\\n")); process.argv = [process.argv[0], ${JSON.stringify(CLI)}, ...${JSON.stringify(args)}]; require(${JSON.stringify(CLI)});`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", wrapper], { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  const rss = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { ms, rss, code: r.status };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function editorLatency(corpusDir, files) {
  const { createEngine } = require(path.join(dist, "index.js"));
  const target = files.find((f) => f.endsWith(path.join("net", "http", "server.go"))) ?? files.reduce((a, b) => (fs.statSync(a).size >= fs.statSync(b).size ? a : b));
  // Incremental, as the language server runs it for open documents.
  const engine = await createEngine({ incremental: true });
  const text = fs.readFileSync(target, "utf8");
  engine.analyzeText(target, text);
  const at = text.indexOf("{", text.length >> 1) + 1;
  const times = [];
  for (let i = 0; i < 21; i++) {
    const edited = text.slice(0, at) + (i % 2 ? " " : "\n") + text.slice(at);
    const t0 = performance.now();
    engine.analyzeText(target, edited);
    times.push(performance.now() - t0);
  }
  const lines = text.split("\n").length;
  return { ms: median(times), detail: `${path.relative(corpusDir, target)}, ${lines} lines, median of ${times.length}` };
}

async function main() {
  const corpusDir = process.argv[2] ?? stdlib() ?? generatedCorpus();
  const files = goFiles(corpusDir);
  const corpus = `${corpusDir}: ${describe(files)}`;

  // (a) and (b) alternate, ROUNDS times each: on a shared machine the speed drifts
  // by tens of percent within minutes, and a ratio of two runs minutes apart
  // measures the drift. (c) is the median of the rounds' own ratios; the medians
  // of (a) and (b) and their ratio are printed too.
  const parses = [];
  const scans = [];
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-bench-cache-"));
  const out = path.join(cacheDir, "report.json");
  const scanArgs = ["scan", corpusDir, "--jobs", String(jobs), "--format", "json", "--output", out, "--no-progress"];
  for (let round = 0; round < ROUNDS; round++) {
    parses.push(await parseOnly(files));
    scans.push(scan(scanArgs, corpusDir));
  }
  const parseMs = median(parses);
  const full = scans.find((s) => s.ms === median(scans.map((x) => x.ms)));
  const rounds = (values) => `rounds: ${values.map((v) => (v / 1000).toFixed(2)).join(", ")} s`;
  line(`(a) parse only, ${jobs} threads`, `${(parseMs / 1000).toFixed(2)} s`, `median; ${rounds(parses)}; ${corpus}`);
  const findings = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")).findings.length : "?";
  line(`(b) leaklint scan, ${jobs} jobs (exit ${full.code})`, `${(full.ms / 1000).toFixed(2)} s`, `median; ${rounds(scans.map((s) => s.ms))}; ${findings} findings; ${corpus}`);
  // Each round's ratio compares two runs a few seconds apart, so the host's drift cancels out of it.
  const ratios = scans.map((s, i) => s.ms / parses[i]);
  const shown = ratios.map((r) => `${r.toFixed(2)}x`).join(", ");
  line(`(c) scan / parse, ${jobs} threads`, `${median(ratios).toFixed(2)}x`, `median of the rounds' ratios (${shown}); of the medians: ${(full.ms / parseMs).toFixed(2)}x; ${corpus}`);
  line("(d) peak RSS of the scan", `${Math.max(...scans.map((s) => s.rss)).toFixed(0)} MB`, `highest of the rounds; ${corpus}`);
  const cold = scan([...scanArgs, "--cache-location", cacheDir], corpusDir);
  line("(e0) first run with --cache (writes it)", `${(cold.ms / 1000).toFixed(2)} s`, `peak RSS ${cold.rss.toFixed(0)} MB; ${corpus}`);
  const warm = scan([...scanArgs, "--cache-location", cacheDir], corpusDir);
  line("(e) second run with --cache, unchanged tree", `${(warm.ms / 1000).toFixed(2)} s`, corpus);
  fs.rmSync(cacheDir, { recursive: true, force: true });

  const editor = await editorLatency(corpusDir, files);
  line("(f) editor re-analysis after a 1-char edit", `${editor.ms.toFixed(1)} ms`, `${editor.detail} (incremental engine, as the language server runs it)`);

  const plugin = path.join(dist, "eslint", "index.js");
  const tsDir = tsCorpus();
  if (!fs.existsSync(plugin)) line("(g) ESLint plugin added cost", "n/a", "the ESLint plugin is not built yet");
  else if (!tsDir) line("(g) ESLint plugin added cost", "n/a", "no TS corpus: npm install (rxjs ships its sources) or set LEAKLINT_BENCH_TS_CORPUS");
  else {
    const tsCorpusText = `${path.relative(root, tsDir) || tsDir}: ${describe(tsFiles(tsDir))}`;
    const g = eslintCost(tsDir);
    const pct = (r) => `${r.with >= r.without ? "+" : ""}${((r.with / r.without - 1) * 100).toFixed(1)}%`;
    const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
    const share = (r) => `${(r.share * 100).toFixed(1)}%`;
    line(
      "(g) ESLint plugin added cost",
      pct(g.recommended),
      `${tsCorpusText}; ESLint + @typescript-eslint/parser + eslint:recommended ${secs(g.recommended.without)} -> with leaklint ${secs(g.recommended.with)}; ` +
        `parser only ${secs(g.parser.without)} -> ${secs(g.parser.with)} (${pct(g.parser)}); CPU time, median of ${g.rounds} paired rounds; ` +
        `time inside the plugin / rest of the same run: ${share(g.recommended)} with eslint:recommended, ${share(g.parser)} parser only; ${g.findings} leaklint findings`,
    );
  }
}

/** The TS corpus of figure (g): LEAKLINT_BENCH_TS_CORPUS, else the TypeScript sources the rxjs package ships. */
function tsCorpus() {
  const dir = path.resolve(process.env.LEAKLINT_BENCH_TS_CORPUS ?? path.join(root, "node_modules", "rxjs", "src"));
  return fs.existsSync(dir) ? dir : undefined;
}

function tsFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") tsFiles(p, out);
    } else if (/\.[cm]?tsx?$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Figure (g), measured in a child process of its own so nothing else this script loaded or ran shares its heap. */
function eslintCost(corpusDir) {
  const r = spawnSync(process.execPath, ["--expose-gc", __filename, "--eslint-rounds", corpusDir], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ESLint bench failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/**
 * Runs in the child: ESLint over the corpus with and without leaklint's
 * recommended config, same parser (typescript-eslint, no type information)
 * and same base rules, once with eslint:recommended and once with no other
 * rule (the plugin's cost against the parse alone). A warm-up round, then
 * rounds of one run without and one with the plugin, each from a collected
 * heap (the child runs with --expose-gc); the figure is the median of the
 * rounds' ratios, times in CPU time of the process. As a cross-check
 * that load on the machine cannot skew, the runs with the plugin also time
 * the plugin's own code (its rules' create and listeners, where the analysis
 * runs) against the rest of the same run.
 */
async function eslintRounds(corpusDir) {
  const { ESLint } = require("eslint");
  const { builtinRules } = require("eslint/use-at-your-own-risk");
  const tsParser = require("@typescript-eslint/parser");
  const leaklint = require(path.join(dist, "eslint", "index.js"));
  const files = ["**/*.ts", "**/*.mts", "**/*.cts", "**/*.tsx"];
  const recommended = {};
  for (const [id, rule] of builtinRules) if (rule.meta?.docs?.recommended) recommended[id] = "error";
  const base = { recommended: [{ files, languageOptions: { parser: tsParser }, rules: recommended }], parser: [{ files, languageOptions: { parser: tsParser } }] };

  let inPlugin = 0;
  const timed = (fn) =>
    function (...args) {
      const c0 = process.cpuUsage();
      try {
        return fn.apply(this, args);
      } finally {
        const c = process.cpuUsage(c0);
        inPlugin += (c.user + c.system) / 1000;
      }
    };
  const rules = {};
  for (const [id, rule] of Object.entries(leaklint.rules)) {
    rules[id] = {
      meta: rule.meta,
      create: timed((context) => Object.fromEntries(Object.entries(rule.create(context)).map(([k, listener]) => [k, timed(listener)]))),
    };
  }
  const plugin = { files, plugins: { leaklint: { ...leaklint, rules } }, rules: leaklint.configs.recommended.rules };

  let findings = 0;
  const lint = async (config) => {
    const eslint = new ESLint({ cwd: corpusDir, overrideConfigFile: true, overrideConfig: config, ignore: false, cache: false });
    // Each run starts from a collected heap, as a fresh `eslint` process would: otherwise a run pays for
    // the previous run's garbage, and the paired figure swings with where major collections fall.
    global.gc?.();
    inPlugin = 0;
    const c0 = process.cpuUsage();
    const results = await eslint.lintFiles(["."]);
    const c = process.cpuUsage(c0);
    const fatal = results.filter((r) => r.fatalErrorCount > 0).length;
    if (fatal) throw new Error(`${fatal} files failed to parse`);
    findings = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId?.startsWith("leaklint/")).length, 0);
    const ms = (c.user + c.system) / 1000;
    return { ms, share: inPlugin / (ms - inPlugin) };
  };
  const rounds = Number(process.env.LEAKLINT_BENCH_ESLINT_ROUNDS ?? 7);
  const out = { rounds };
  for (const [name, config] of Object.entries(base)) {
    await lint(config);
    await lint([...config, plugin]);
    const without = [];
    const withPlugin = [];
    for (let i = 0; i < rounds; i++) {
      without.push(await lint(config));
      withPlugin.push(await lint([...config, plugin]));
    }
    // Each round's two runs see the same load; the median of their ratios ignores a round that did not.
    const ratio = median(withPlugin.map((w, i) => w.ms / without[i].ms));
    const ms = median(without.map((w) => w.ms));
    out[name] = { without: ms, with: ms * ratio, share: median(withPlugin.map((w) => w.share)) };
  }
  out.findings = findings;
  console.log(JSON.stringify(out));
}

(process.argv[2] === "--eslint-rounds" ? eslintRounds(path.resolve(process.argv[3])) : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
