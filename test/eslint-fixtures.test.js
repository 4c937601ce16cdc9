// Every TS/JS fixture of the engine (test/fixtures/ts/<rule-id>/) linted through the ESLint
// plugin: .js/.jsx/.mjs/.cjs with espree, .ts/.tsx/.mts/.cts with @typescript-eslint/parser.
// The plugin must report exactly the fixture's `// want` lines (as leaklint/<id>), like the
// engine does, and `eslint --fix` must turn a fixture with a .golden twin into that text.
// So each TS rule that has fixtures is checked through ESLint as soon as it lands.
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Linter } = require("eslint");
const tsParser = require("@typescript-eslint/parser");
const plugin = require("leaklint/eslint");
const { TsFile } = require("../dist/ts/facts.js");
const { parseTs } = require("../dist/ts/parser.js");

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "ts");
const ONLY = process.env.LEAKLINT_FIXTURES;

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function languageOptions(file) {
  if (/\.[cm]?tsx?$/.test(file)) return { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: file.endsWith(".tsx") } } };
  return { sourceType: file.endsWith(".cjs") ? "commonjs" : "module", parserOptions: { ecmaFeatures: { jsx: true } } };
}

describe("eslint plugin: the engine's TS fixtures through ESLint", function () {
  const linter = new Linter({ cwd: ROOT });
  const files = fs.existsSync(FIXTURES) ? walk(FIXTURES) : [];
  for (const file of files) {
    const rel = path.relative(FIXTURES, file);
    if (ONLY && !rel.includes(ONLY)) continue;
    it(rel, function () {
      const text = fs.readFileSync(file, "utf8");
      const config = [{ files: ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"], ...plugin.configs.recommended, languageOptions: languageOptions(file), linterOptions: { reportUnusedDisableDirectives: "off" } }];
      const messages = linter.verify(text, config, { filename: file });
      const fatal = messages.filter((m) => m.fatal);
      assert.deepEqual(fatal, [], `${rel} does not parse`);
      const want = [];
      for (const c of new TsFile(file, parseTs(file, text)).comments) {
        const m = /(?:^|\s)\/\/\s*want\s+([\w\s-]+)$/.exec(c.text);
        if (m) for (const id of m[1].trim().split(/\s+/)) want.push(`${c.line + 1} leaklint/${id}`);
      }
      const got = messages.map((m) => `${m.line} ${m.ruleId}`);
      const problems = [
        ...got.filter((g) => !want.includes(g)).map((g) => `noisy: ${rel}:${g}`),
        ...want.filter((w) => !got.includes(w)).map((w) => `missing: ${rel}:${w}`),
      ];
      assert.deepEqual(problems, []);
      const golden = file + ".golden";
      if (fs.existsSync(golden)) {
        const fixed = linter.verifyAndFix(text, config, { filename: file });
        assert.equal(fixed.output, fs.readFileSync(golden, "utf8"), `${rel}: eslint --fix differs from ${rel}.golden`);
      }
    });
  }
});
