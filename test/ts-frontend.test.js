// The TS/JS front end below the rules: import facts, scopes, comments, the `ts`
// config section, the type-oracle seam, cross-module summaries, and the CLI
// picking up TS/JS files (declaration files skipped, ESLint directives honoured).
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseTs, isTsSource, scriptKindOf } = require("../dist/ts/parser");
const { TsFile } = require("../dist/ts/facts");
const { resolveName } = require("../dist/ts/scopes");
const { TsFrontEnd } = require("../dist/ts/frontend");
const { parseConfig, emptyConfig, ConfigError } = require("../dist/core/config");
const { createEngine } = require("../dist/index");
const ts = require("typescript");

const ROOT = path.join(__dirname, "..");
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const tempDirs = [];

function workspace(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-ts-")));
  tempDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function leaklint(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name, text) {
  return new TsFile(name, parseTs(name, text));
}

/** The node of the first identifier `name` after `marker` in the text. */
function identifierAt(tsFile, marker, name) {
  const start = tsFile.text.indexOf(marker);
  assert.ok(start >= 0, `marker ${marker}`);
  let found;
  const visit = (n) => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && n.getStart() >= start) found = n;
    else n.forEachChild(visit);
  };
  visit(tsFile.sourceFile);
  assert.ok(found, `identifier ${name} after ${marker}`);
  return found;
}

const LEAK = `export async function get(url: string) {
  const res = await fetch(url);
  if (!res.ok) return null;
  return res.json();
}
`;

after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("ts front end: parsing", () => {
  it("handles every TS/JS extension and skips declaration files", () => {
    for (const f of ["a.ts", "a.tsx", "a.mts", "a.cts", "a.js", "a.jsx", "a.mjs", "a.cjs", "dir/A.TS"]) assert.ok(isTsSource(f), f);
    for (const f of ["a.d.ts", "a.d.mts", "a.d.cts", "a.go", "a.json", "a.ts.golden", "a.vue"]) assert.ok(!isTsSource(f), f);
    assert.equal(scriptKindOf("a.tsx"), ts.ScriptKind.TSX);
    assert.equal(scriptKindOf("a.jsx"), ts.ScriptKind.JSX);
    assert.equal(scriptKindOf("a.cjs"), ts.ScriptKind.JS);
    assert.equal(scriptKindOf("a.mts"), ts.ScriptKind.TS);
  });

  it("parses JSX in .tsx and .jsx", async () => {
    const engine = await createEngine({});
    const tsx = `export async function C({ url }: { url: string }) {\n  const res = await fetch(url);\n  if (!res.ok) return <p>error</p>;\n  return <pre>{await res.text()}</pre>;\n}\n`;
    for (const name of ["c.tsx", "c.jsx"]) {
      const r = engine.analyzeText(path.join(os.tmpdir(), name), name.endsWith(".jsx") ? tsx.replace(": { url: string }", "") : tsx);
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.range.start.line]), [["unclosed-response-body", 1]], name);
    }
  });
});

describe("ts front end: imports", () => {
  it("reads ES imports, require, destructuring, member requires and compiled interop", () => {
    const f = file(
      "m.ts",
      `import pg, { Pool as P } from "pg";
import * as fsns from "node:fs";
import { open } from "fs/promises";
import type { Client } from "undici";
const { Pool } = require("pg");
const fsp = require("fs").promises;
const { openSync: os2 } = require("node:fs");
const nf = __importDefault(require("node-fetch"));
import net = require("net");
pg.Pool; P; fsns.promises.open; open; Pool; fsp.open; os2; nf.default; net.connect; fetch; globalThis.fetch;
`,
    );
    const q = (marker) => {
      const stmt = f.sourceFile.statements[f.sourceFile.statements.length - 1];
      const expr = stmt.expression;
      const parts = [];
      const flat = (e) => (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken ? (flat(e.left), flat(e.right)) : parts.push(e));
      flat(expr);
      const hit = parts.find((p) => p.getText() === marker);
      assert.ok(hit, marker);
      return f.qualifiedName(hit);
    };
    // The last statement is a comma list; parse it as separate expression statements instead.
    const g = file("n.ts", f.text.replace(/;\s*$/, "").replace(/; /g, ";\n"));
    const names = g.sourceFile.statements.filter(ts.isExpressionStatement).map((s) => [s.expression.getText(), g.qualifiedName(s.expression)]);
    assert.deepEqual(Object.fromEntries(names), {
      "pg.Pool": "pg.Pool",
      P: "pg.Pool",
      "fsns.promises.open": "fs.promises.open",
      open: "fs.promises.open",
      Pool: "pg.Pool",
      "fsp.open": "fs.promises.open",
      os2: "fs.openSync",
      "nf.default": "node-fetch.default",
      "net.connect": "net.connect",
      fetch: "global.fetch",
      "globalThis.fetch": "global.fetch",
    });
    assert.equal(typeof q, "function");
    assert.ok(g.imports("pg") && g.imports("fs") && g.imports("undici") && g.imports("node-fetch") && g.imports("net"));
  });

  it("does not take a local or a type-only import for the module", () => {
    const f = file("m.ts", `import type { request } from "undici";\nfunction fetch(x: string) { return x; }\nfetch("a");\nrequest;\n`);
    const calls = f.sourceFile.statements.filter(ts.isExpressionStatement).map((s) => s.expression);
    assert.equal(f.qualifiedName(calls[0].expression), undefined);
    assert.equal(f.qualifiedName(calls[1]), undefined);
  });
});

describe("ts front end: scopes and comments", () => {
  it("resolves shadowed names to the nearest declaration", () => {
    const f = file(
      "s.ts",
      `const res = 1;
function f(res: number) {
  { const res = "inner"; res.length; }
  res.toFixed();
  return () => { var res = 2; return res; };
}
for (const res of [1]) res;
try {} catch (res) { res; }
`,
    );
    const use = (marker) => resolveName(identifierAt(f, marker, "res"), "res").decl;
    assert.ok(ts.isVariableDeclaration(use("res.length")) && use("res.length").initializer.getText() === '"inner"');
    assert.ok(ts.isParameter(use("res.toFixed")));
    assert.ok(ts.isVariableDeclaration(use("return res;")) && use("return res;").initializer.getText() === "2");
    assert.ok(ts.isVariableDeclaration(use("res;\ntry")) && use("res;\ntry").parent.parent.kind === ts.SyntaxKind.ForOfStatement);
    assert.ok(ts.isCatchClause(use("{ res; }").parent));
  });

  it("finds line, block and trailing-comma comments from the TS scanner, not inside strings", () => {
    const f = file(
      "c.js",
      `// leaklint:ignore-file unclosed-handle
"use strict";
const s = "// not a comment";
const o = {
  a: 1, // after a
  b: 2, // after the trailing comma
};
/* block */ f(/* inner */ 1);
const r = /\\/\\/ regex/;
`,
    );
    const texts = f.comments.map((c) => c.text);
    assert.deepEqual(texts, ["// leaklint:ignore-file unclosed-handle", "// after a", "// after the trailing comma", "/* block */", "/* inner */"]);
    assert.equal(f.comments[0].beforeFirstDeclaration, true);
    assert.equal(f.comments[1].beforeFirstDeclaration, false);
    assert.equal(f.comments[3].ownLine, true);
    assert.equal(f.comments[4].ownLine, false);
  });
});

describe("ts front end: config", () => {
  const parse = (obj) => parseConfig("leaklint.config.json", JSON.stringify(obj));

  it("reads the ts section", () => {
    const c = parse({ ts: { resourceFactories: [{ function: "@acme/db#openCursor", kind: "cursor" }, { function: "*.checkout", kind: "connection" }], closers: ["./db#done"] } });
    assert.deepEqual(c.ts.resourceFactories, [
      { function: "@acme/db#openCursor", kind: "cursor" },
      { function: "*.checkout", kind: "connection" },
    ]);
    assert.deepEqual(c.ts.closers, ["./db#done"]);
    assert.deepEqual(emptyConfig().ts, { resourceFactories: [], closers: [], cacheConstructors: [], clientConstructors: [] });
  });

  for (const [what, obj, message] of [
    ["an unknown key", { ts: { factories: [] } }, /unknown key "ts.factories"/],
    ["an unknown kind", { ts: { resourceFactories: [{ function: "a#b", kind: "rows" }] } }, /unknown kind "rows"/],
    ["a function without module#export", { ts: { closers: ["closeAll"] } }, /not a function name/],
    ["a factory with an extra key", { ts: { resourceFactories: [{ function: "a#b", kind: "fd", async: true }] } }, /unknown key "async"/],
    ["a non-object section", { ts: [] }, /"ts" must be an object/],
  ]) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parse(obj), (e) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it("configured factories and closers reach the rules", async () => {
    const dir = workspace({
      "leaklint.config.json": JSON.stringify({ ts: { resourceFactories: [{ function: "@acme/store#openBlob", kind: "handle" }, { function: "*.lease", kind: "connection" }], closers: ["@acme/store#closeQuietly"] } }),
      "a.ts": `import { openBlob, closeQuietly } from "@acme/store";
export async function size(id: string) {
  const blob = await openBlob(id);
  const n = await blob.size();
  if (n === 0) return 0;
  await blob.close();
  return n;
}
export async function sizeFixed(id: string) {
  const blob = await openBlob(id);
  try {
    return await blob.size();
  } finally {
    closeQuietly(blob);
  }
}
export async function work(pool: { lease(): Promise<{ release(): void; run(): Promise<void> }> }) {
  const c = await pool.lease();
  await c.run();
  c.release();
}
`,
    });
    const r = leaklint(dir, "scan", "--format", "json");
    const findings = JSON.parse(r.stdout).findings.map((f) => `${f.ruleId}:${f.line}`);
    assert.deepEqual(findings, ["unclosed-handle:3", "unreleased-connection:18"]);
  });
});

describe("ts front end: seams", () => {
  it("analyzeSourceFile runs the rules on a parsed file and asks the type oracle", () => {
    const fe = new TsFrontEnd();
    const text = `export async function q(db: any) {\n  const c = await db.connect();\n  await c.query("SELECT 1");\n  c.release();\n}\n`;
    const sf = parseTs("q.ts", text);
    const rules = fe.rules.filter((r) => r.meta.id === "unreleased-connection").map((rule) => ({ rule, severity: "error", options: {} }));
    assert.equal(fe.analyzeSourceFile("q.ts", sf, rules, emptyConfig()).findings.length, 0, "`db: any` is not a pool by syntax");
    const asked = [];
    const oracle = {
      typeText(node) {
        asked.push(node.getText());
        return node.getText() === "db" ? "Pool" : undefined;
      },
    };
    const typed = fe.analyzeSourceFile("q.ts", sf, rules, emptyConfig(), oracle);
    assert.deepEqual(typed.findings.map((f) => f.range.start.line), [1]);
    assert.ok(asked.includes("db"));
  });

  it("summarises exported functions of relative modules", async () => {
    const dir = workspace({
      "lib/http.ts": `export async function get(url: string): Promise<Response> {\n  return fetch(url);\n}\nexport async function drain(res: Response) {\n  await res.body?.cancel();\n}\n`,
      "lib/index.js": `exports.checkout = async function (pool) {\n  return pool.connect();\n};\n`,
      "app.ts": `import { get, drain } from "./lib/http.js";
import { checkout } from "./lib";
import { Pool } from "pg";
const pool = new Pool();
export async function status(url: string) {
  const res = await get(url);
  if (!res.ok) return null;
  return res.json();
}
export async function statusFixed(url: string) {
  const res = await get(url);
  if (!res.ok) {
    await drain(res);
    return null;
  }
  return res.json();
}
export async function count() {
  const c = await checkout(pool);
  const r = await c.query("SELECT count(*) FROM t");
  c.release();
  return r.rows[0];
}
`,
    });
    const engine = await createEngine({});
    const r = engine.analyzeFile(path.join(dir, "app.ts"));
    assert.deepEqual(
      r.findings.map((f) => `${f.ruleId}:${f.range.start.line}`),
      ["unclosed-response-body:5", "unreleased-connection:18"],
    );
  });
});

describe("ts front end: CLI", () => {
  it("scans TS and JS files next to Go, skips declaration files and minified bundles, honours ESLint directives", () => {
    const dir = workspace({
      "a.ts": LEAK,
      "b.mjs": LEAK.replace(": string", ""),
      "c.cts": LEAK,
      "types.d.ts": `export declare function get(url: string): Promise<unknown>;\n`,
      "vendor.min.js": LEAK.replace(": string", ""),
      // A bundle minified under a plain name: one line of 8 KB and more.
      "dist/bundle.cjs": `${LEAK.replace(": string", "").replace(/\n/g, " ")}${"var x=1;".repeat(1200)}\n`,
      // Hand-written code with a long line among short ones is not minified.
      "long.js": `${LEAK.replace(": string", "")}export const TABLE = "${"ab".repeat(2000)}";\n${"export const y = 1;\n".repeat(400)}`,
      "d.ts.txt": LEAK,
      "e.js": `// eslint-disable-next-line leaklint/unclosed-response-body\nexport async function get(url) { const res = await fetch(url); if (!res.ok) return null; return res.json(); }\n`,
      "f.js": `export async function get(url) { const res = await fetch(url); if (!res.ok) return null; return res.json(); } // eslint-disable-line leaklint/unclosed-response-body\n`,
      "node_modules/dep/index.js": LEAK.replace(": string", ""),
    });
    const r = leaklint(dir, "scan", "--format", "json");
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.findings.map((f) => `${path.basename(f.file)}:${f.line}`).sort(), ["a.ts:2", "b.mjs:2", "c.cts:2", "long.js:2"]);
    const named = leaklint(dir, "scan", "types.d.ts");
    assert.equal(named.code, 0);
    assert.match(named.stderr, /types\.d\.ts: not analysed: declaration file/);
    const bundle = leaklint(dir, "scan", "vendor.min.js");
    assert.equal(bundle.code, 0);
    assert.match(bundle.stderr, /vendor\.min\.js: not analysed: minified file/);
    const unnamed = leaklint(dir, "scan", "dist/bundle.cjs");
    assert.equal(unnamed.code, 0);
    assert.match(unnamed.stderr, /bundle\.cjs: not analysed: minified file/);
  });

  it("--fix applies the safe body fix and the result parses", () => {
    const dir = workspace({ "a.ts": LEAK });
    const r = leaklint(dir, "scan", "--fix");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const fixed = fs.readFileSync(path.join(dir, "a.ts"), "utf8");
    assert.equal(fixed, LEAK.replace("if (!res.ok) return null;", "if (!res.ok) { await res.body?.cancel(); return null; }"));
    assert.equal(parseTs("a.ts", fixed).parseDiagnostics.length, 0);
  });

  it("lists the four must-release rules for both languages", () => {
    const r = leaklint(ROOT, "rules", "--format", "json");
    if (r.code !== 0) {
      // `rules` without --format json prints a table; fall back to it.
      const table = leaklint(ROOT, "rules");
      for (const id of ["unclosed-rows", "unclosed-response-body", "unreleased-connection", "unclosed-handle"]) {
        assert.match(table.stdout, new RegExp(`${id}\\s.*go.*ts|${id}\\s.*ts.*go`));
      }
      return;
    }
    const rules = JSON.parse(r.stdout);
    for (const id of ["unclosed-rows", "unclosed-response-body", "unreleased-connection", "unclosed-handle"]) {
      const rule = (rules.rules ?? rules).find((x) => x.id === id);
      assert.deepEqual([...rule.languages].sort(), ["go", "ts"]);
    }
  });
});
