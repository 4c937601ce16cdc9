// The generic fixture harness (DESIGN §6): every file under test/fixtures/<lang>/
// is analysed; a line ending in `// want <rule-id> ...` must be reported with
// exactly those rules, every other line must not be reported. A fixture whose
// findings carry safe fixes has a `.golden` sibling with the fixed text, which
// must parse cleanly. LEAKLINT_UPDATE_GOLDENS=1 rewrites the goldens.
// Go fixtures live in test/fixtures/go, TS/JS fixtures (.ts .tsx .mts .cts .js
// .jsx .mjs .cjs) in test/fixtures/ts/<rule-id>/.
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { createEngine } = require("../dist/index");
const { applyFixes, fixesOfKind } = require("../dist/core/fixes");
const { parseGo } = require("../dist/go/parser");
const { GoFile } = require("../dist/go/facts");
const { parseTs, syntaxErrors } = require("../dist/ts/parser");
const { TsFile } = require("../dist/ts/facts");

const ROOT = path.join(__dirname, "fixtures");
const UPDATE = process.env.LEAKLINT_UPDATE_GOLDENS === "1";
/** LEAKLINT_FIXTURES=<substring> runs (and updates) only the fixtures whose path contains it. */
const ONLY = process.env.LEAKLINT_FIXTURES;

const TS_EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

function walk(dir, test, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, test, out);
    else if (test(e.name)) out.push(p);
  }
  return out.sort();
}

const isGo = (name) => name.endsWith(".go");
const isTs = (name) => TS_EXTENSIONS.test(name) && !/\.d\.[cm]?ts$/.test(name);

/** `line -> [rule ids]` from the `// want` comments among a file's comment nodes. */
function wantFromComments(comments) {
  const want = new Map();
  for (const c of comments) {
    const m = /(?:^|\s)\/\/\s*want\s+([\w\s-]+)$/.exec(c.text);
    if (m) want.set(c.line, m[1].trim().split(/\s+/).sort());
  }
  return want;
}

/** Expected `line -> [rule ids]` from `// want` comment nodes: tree-sitter's for Go, the TS scanner's comment ranges for TS/JS. */
function expectations(file, text) {
  if (isTs(path.basename(file))) return wantFromComments(new TsFile(file, parseTs(file, text)).comments);
  const tree = parseGo(text);
  try {
    return wantFromComments(new GoFile(file, text, tree).comments);
  } finally {
    tree.delete();
  }
}

function parsesCleanly(file, text) {
  if (isTs(path.basename(file))) return syntaxErrors(parseTs(file, text)).length === 0;
  const tree = parseGo(text);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe("fixtures", function () {
  let engine;
  before(async () => {
    engine = await createEngine({});
  });

  const goRoot = path.join(ROOT, "go");
  const tsRoot = path.join(ROOT, "ts");
  const files = [...(fs.existsSync(goRoot) ? walk(goRoot, isGo) : []), ...(fs.existsSync(tsRoot) ? walk(tsRoot, isTs) : [])];
  for (const file of files) {
    const rel = path.relative(ROOT, file);
    if (ONLY && !rel.includes(ONLY)) continue;
    it(rel, function () {
      const text = fs.readFileSync(file, "utf8");
      const want = expectations(file, text);
      const result = engine.analyzeText(file, text);
      const internal = result.notices.filter((n) => n.kind === "internal");
      assert.deepStrictEqual(internal, [], `internal failure in ${rel}`);
      const got = new Map();
      for (const f of result.findings) {
        const line = f.range.start.line;
        got.set(line, [...(got.get(line) ?? []), f.ruleId].sort());
      }
      const problems = [];
      for (const [line, rules] of got) {
        const expected = want.get(line) ?? [];
        for (const r of rules) {
          if (!expected.includes(r)) {
            const f = result.findings.find((x) => x.range.start.line === line && x.ruleId === r);
            problems.push(`noisy: ${rel}:${line + 1}: ${r}: ${f.message}`);
          }
        }
      }
      for (const [line, rules] of want) {
        const actual = got.get(line) ?? [];
        for (const r of rules) if (!actual.includes(r)) problems.push(`missing: ${rel}:${line + 1}: ${r}`);
      }
      assert.ok(problems.length === 0, problems.join("\n"));

      const golden = file + ".golden";
      const fixes = fixesOfKind(result.findings, "fix");
      if (fixes.length === 0) {
        assert.ok(!fs.existsSync(golden), `${rel}.golden exists but no finding has a safe fix`);
        return;
      }
      const fixed = applyFixes(text, fixes).text;
      assert.ok(parsesCleanly(file, fixed), `${rel}: the fixed text does not parse`);
      if (UPDATE || !fs.existsSync(golden)) {
        if (!UPDATE) assert.fail(`${rel}.golden is missing (run with LEAKLINT_UPDATE_GOLDENS=1)`);
        fs.writeFileSync(golden, fixed);
        return;
      }
      assert.strictEqual(fixed, fs.readFileSync(golden, "utf8"), `${rel}: fixed text differs from ${rel}.golden`);
    });
  }
});
