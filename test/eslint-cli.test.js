// A real `eslint` run, as a child process, over the fixture project
// test/fixtures/eslint/project: its eslint.config.mjs imports leaklint/eslint and
// @typescript-eslint/parser by package name and lints src/ with type information
// (projectService), scripts/ with typescript-eslint without it, and .js with espree.
// A line that must be reported ends with `// want leaklint/<rule-id>`; every other line
// must not be. `eslint --fix` runs on a copy installed the way a user's project has it
// (node_modules/leaklint and node_modules/@typescript-eslint linked in), and each
// fixable file must then equal its .golden twin (LEAKLINT_UPDATE_GOLDENS=1 rewrites them).
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TsFile } = require("../dist/ts/facts.js");
const { parseTs } = require("../dist/ts/parser.js");

const ROOT = path.join(__dirname, "..");
const PROJECT = path.join(__dirname, "fixtures", "eslint", "project");
const ESLINT = path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js");
const UPDATE = process.env.LEAKLINT_UPDATE_GOLDENS === "1";

function eslint(cwd, args) {
  const r = spawnSync(process.execPath, [ESLINT, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  return r;
}

function sources(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") sources(p, out);
    } else if (/\.(ts|js)$/.test(e.name) && !e.name.startsWith("eslint.config")) out.push(p);
  }
  return out.sort();
}

/** `rel:line rule` for every `// want leaklint/<id>` comment node of the project's sources. */
function expected(dir) {
  const want = [];
  for (const file of sources(dir)) {
    const rel = path.relative(dir, file);
    for (const c of new TsFile(file, parseTs(file, fs.readFileSync(file, "utf8"))).comments) {
      const m = /^\/\/\s*want\s+([\w/\s-]+)$/.exec(c.text);
      if (m) for (const id of m[1].trim().split(/\s+/)) want.push(`${rel}:${c.line + 1} ${id}`);
    }
  }
  return want.sort();
}

/** `rel:line rule` for each message of a JSON report; any message without a rule (a parse error, an unused directive) is kept as such. */
function reported(dir, stdout) {
  return JSON.parse(stdout)
    .flatMap((r) => r.messages.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId ?? `(no rule) ${m.message}`}`))
    .sort();
}

describe("eslint plugin: a real eslint run on a fixture project", function () {
  it("reports exactly the `// want` lines, under typescript-eslint with and without type information and under espree", function () {
    const r = eslint(PROJECT, ["--format", "json", "--report-unused-disable-directives-severity", "error", "."]);
    assert.equal(r.status, 1, r.stderr);
    const got = reported(PROJECT, r.stdout);
    const want = expected(PROJECT);
    const noisy = got.filter((g) => !want.includes(g)).map((g) => `noisy: ${g}`);
    const missing = want.filter((w) => !got.includes(w)).map((w) => `missing: ${w}`);
    assert.deepEqual([...noisy, ...missing], []);
    // Both front doors were used: the typed-only leak in src/users.ts and espree's src/legacy.js.
    assert.ok(got.some((g) => g.startsWith(path.join("src", "users.ts") + ":32 ")));
    assert.ok(got.some((g) => g.startsWith(path.join("src", "legacy.js"))));
  });

  describe("eslint --fix", function () {
    let dir;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-eslint-project-"));
      fs.cpSync(PROJECT, dir, { recursive: true, filter: (src) => !src.endsWith(".golden") });
      fs.mkdirSync(path.join(dir, "node_modules"));
      fs.symlinkSync(ROOT, path.join(dir, "node_modules", "leaklint"), "junction");
      fs.symlinkSync(path.join(ROOT, "node_modules", "@typescript-eslint"), path.join(dir, "node_modules", "@typescript-eslint"), "junction");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("applies the safe fixes, leaves what needs a person, and the fixed files equal their .golden", function () {
      const r = eslint(dir, ["--fix", "--format", "json", "."]);
      assert.equal(r.status, 1, r.stderr);
      // What has no safe fix is still reported, and nothing else (the fixed code parses).
      assert.deepEqual(reported(dir, r.stdout), [`${path.join("src", "legacy.js")}:5 leaklint/unclosed-handle`, `${path.join("src", "users.ts")}:33 leaklint/unreleased-connection`]);
      const problems = [];
      for (const file of sources(PROJECT)) {
        const rel = path.relative(PROJECT, file);
        const fixed = fs.readFileSync(path.join(dir, rel), "utf8");
        const golden = file + ".golden";
        if (UPDATE) {
          if (fixed !== fs.readFileSync(file, "utf8")) fs.writeFileSync(golden, fixed);
          else fs.rmSync(golden, { force: true });
          continue;
        }
        const want = fs.existsSync(golden) ? fs.readFileSync(golden, "utf8") : fs.readFileSync(file, "utf8");
        if (fixed !== want) problems.push(`${rel}: the fixed text differs from ${fs.existsSync(golden) ? rel + ".golden" : "the original (no .golden)"}`);
      }
      assert.deepEqual(problems, []);
    });
  });
});
