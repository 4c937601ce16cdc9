// The rule docs cannot drift from the rules: every rule of the engine has a page with the same
// headings, its suppression aliases and options are documented, and every code example under
// "### Bad" / "### Good" is run through the engine (Bad must be reported, Good must not).
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Mocha = require("mocha");

const ROOT = path.resolve(__dirname, "..");
const DOCS_DIR = path.join(ROOT, "docs", "rules");

/** Every page has exactly these headings, in this order; `null` stands for the rule id. */
const HEADINGS = [
  [1, null],
  [2, "What it does"],
  [2, "Why is this bad"],
  [2, "Examples"],
  [3, "Bad"],
  [3, "Good"],
  [2, "How leaklint decides"],
  [2, "Fix"],
  [2, "Options"],
  [2, "Suppress"],
  [2, "Related rules"],
];

/** Fence languages whose examples are run, and the file name they are analysed as. */
const EXAMPLE_FILES = {
  go: { language: "go", file: "main.go" },
  ts: { language: "ts", file: "main.ts" },
  typescript: { language: "ts", file: "main.ts" },
  js: { language: "ts", file: "main.js" },
  javascript: { language: "ts", file: "main.js" },
};

/**
 * Splits a markdown page into headings, sections and fenced code blocks (with the "##" section
 * and "###" subsection they sit in). Lines are 1-based, as an editor shows them.
 */
function parseMarkdown(text) {
  const lines = text.split(/\r?\n/);
  const headings = [];
  const blocks = [];
  const sections = new Map();
  let section = null;
  let subsection = null;
  let fence = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, "") === "") {
        blocks.push({ lang: fence.lang, code: fence.body.join("\n") + "\n", line: fence.line, section, subsection });
        fence = null;
      } else {
        fence.body.push(line);
      }
      if (section) sections.get(section).push(line);
      continue;
    }
    const open = line.match(/^\s*(`{3,}|~{3,})\s*([\w+-]*)/);
    if (open) {
      fence = { marker: open[1], lang: open[2].toLowerCase(), body: [], line: i + 1 };
      if (section) sections.get(section).push(line);
      continue;
    }
    const h = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (h) {
      const level = h[1].length;
      headings.push({ level, text: h[2], line: i + 1 });
      if (level <= 2) {
        section = level === 2 ? h[2] : null;
        subsection = null;
        if (section) sections.set(section, []);
      } else if (level === 3) {
        subsection = h[2];
      }
      continue;
    }
    if (section) sections.get(section).push(line);
  }
  assert.equal(fence, null, `unterminated code block starting at line ${fence && fence.line}`);
  return { lines, headings, blocks, sections };
}

function formatFinding(f, block) {
  // Findings are 0-based inside the example; point at the line of the docs page.
  const docLine = block.line + 1 + f.range.start.line;
  return `  docs line ${docLine} (example line ${f.range.start.line + 1}): ${f.message} [${f.ruleId}]`;
}

describe("rule docs", function () {
  let engine;
  let tmp;
  const suite = this;

  before(async function () {
    const { createEngine } = require("../dist/index");
    engine = await createEngine({});
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-docs-"));
    // Tests are generated per rule once the engine says which rules exist.
    for (const meta of engine.rules) addRuleSuite(meta);
  });

  after(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("every page under docs/rules belongs to a rule of the engine", function () {
    const ids = new Set(engine.rules.map((r) => r.id));
    const stray = fs
      .readdirSync(DOCS_DIR)
      .filter((f) => f.endsWith(".md"))
      .map((f) => f.slice(0, -3))
      .filter((id) => !ids.has(id));
    assert.deepEqual(stray, [], `docs/rules has pages for unknown rules: ${stray.join(", ")}`);
  });

  it("the README rules table lists every rule of the engine", function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const missing = engine.rules.map((r) => r.id).filter((id) => !readme.includes(`\`${id}\``));
    assert.deepEqual(missing, [], `README.md does not mention: ${missing.join(", ")}`);
  });

  function addRuleSuite(meta) {
    const docRel = meta.docs;
    const docPath = path.join(ROOT, docRel);
    const rs = Mocha.Suite.create(suite, meta.id);
    let page;
    const load = () => {
      if (!page) page = parseMarkdown(fs.readFileSync(docPath, "utf8"));
      return page;
    };
    const test = (title, fn) => rs.addTest(new Mocha.Test(title, fn));

    test("docs page exists at its metadata path", function () {
      assert.equal(docRel, `docs/rules/${meta.id}.md`, `${meta.id}: docs path should be docs/rules/${meta.id}.md`);
      assert.ok(fs.existsSync(docPath), `${docRel} is missing`);
    });

    test("has the required headings, in order", function () {
      const got = load().headings.map((h) => `${"#".repeat(h.level)} ${h.text}`);
      const want = HEADINGS.map(([level, text]) => `${"#".repeat(level)} ${text ?? meta.id}`);
      assert.deepEqual(got, want, `${docRel}: headings differ from the required list`);
    });

    test("opens with the rule id and a one-sentence summary", function () {
      const { lines, headings } = load();
      assert.equal(headings[0].text, meta.id, `${docRel}: first heading must be "# ${meta.id}"`);
      const after = lines.slice(headings[0].line);
      const start = after.findIndex((l) => l.trim() !== "");
      const end = after.findIndex((l, i) => i > start && l.trim() === "");
      const summary = after.slice(start, end).join(" ").trim();
      assert.ok(summary && !summary.startsWith("#"), `${docRel}: no summary line under the title`);
      assert.ok(summary.endsWith(".") && !/[.!?]\s+[A-Z]/.test(summary), `${docRel}: the summary should be one sentence: "${summary}"`);
    });

    test("Suppress section names the rule and every nolint alias", function () {
      const text = (load().sections.get("Suppress") || []).join("\n");
      for (const name of [meta.id, ...meta.nolintAliases]) {
        assert.ok(text.includes(name), `${docRel}: "## Suppress" does not mention ${name}`);
      }
    });

    test("Options section documents every option", function () {
      const text = (load().sections.get("Options") || []).join("\n");
      for (const option of meta.options) {
        assert.ok(text.includes(`\`${option.name}\``), `${docRel}: "## Options" does not document \`${option.name}\``);
      }
    });

    test("has Bad and Good examples for each of its languages", function () {
      const examples = load().blocks.filter((b) => b.section === "Examples" && EXAMPLE_FILES[b.lang]);
      for (const language of meta.languages) {
        for (const kind of ["Bad", "Good"]) {
          const n = examples.filter((b) => b.subsection === kind && EXAMPLE_FILES[b.lang].language === language).length;
          assert.ok(n > 0, `${docRel}: no ${language} example under "### ${kind}"`);
        }
      }
    });

    test("Bad examples are reported and Good examples are not", function () {
      const blocks = load().blocks.filter((b) => b.section === "Examples" && (b.subsection === "Bad" || b.subsection === "Good"));
      const problems = [];
      let n = 0;
      for (const block of blocks) {
        n++;
        const where = `${docRel} ${block.subsection} block ${n} (line ${block.line})`;
        const kind = EXAMPLE_FILES[block.lang];
        if (!kind) {
          problems.push(`${where}: fence language "${block.lang}" is not one the test can run`);
          continue;
        }
        const file = path.join(tmp, meta.id, String(n), kind.file);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, block.code);
        const result = engine.analyzeText(file, block.code);
        const internal = (result.notices || []).filter((x) => x.kind === "internal");
        if (internal.length) problems.push(`${where}: engine failed: ${internal.map((x) => x.message).join("; ")}`);
        const own = result.findings.filter((f) => f.ruleId === meta.id);
        if (block.subsection === "Bad" && own.length === 0) {
          problems.push(`${where}: missing: expected at least one ${meta.id} finding, got none`);
        }
        if (block.subsection === "Good" && own.length > 0) {
          problems.push(`${where}: noisy: expected no ${meta.id} finding, got:\n${own.map((f) => formatFinding(f, block)).join("\n")}`);
        }
      }
      assert.ok(n > 0, `${docRel}: no examples under "### Bad" / "### Good"`);
      if (problems.length) assert.fail(problems.join("\n"));
    });

    test("Go examples parse without syntax errors", async function () {
      const blocks = load().blocks.filter((b) => b.section === "Examples" && b.lang === "go");
      const parser = await goParser();
      const problems = [];
      blocks.forEach((block) => {
        const tree = parser.parse(block.code);
        try {
          if (tree.rootNode.hasError) problems.push(`${docRel} example at line ${block.line} does not parse as Go`);
          if (!/^package \w+/m.test(block.code)) problems.push(`${docRel} example at line ${block.line} has no package clause`);
        } finally {
          tree.delete();
        }
      });
      if (problems.length) assert.fail(problems.join("\n"));
    });

    test("TS and JS examples parse without syntax errors", function () {
      const { parseTs, syntaxErrors } = require("../dist/ts/parser");
      const blocks = load().blocks.filter((b) => b.section === "Examples" && EXAMPLE_FILES[b.lang]?.language === "ts");
      const problems = [];
      for (const block of blocks) {
        const file = EXAMPLE_FILES[block.lang].file;
        const errors = syntaxErrors(parseTs(file, block.code));
        if (errors.length) problems.push(`${docRel} example at line ${block.line} does not parse as ${file}: ${errors[0].messageText}`);
      }
      if (problems.length) assert.fail(problems.join("\n"));
    });
  }
});

let goParserPromise;
/** A plain tree-sitter Go parser, so an example with a typo cannot pass as "Good" by parsing to nothing. */
function goParser() {
  goParserPromise ??= (async () => {
    const { Parser, Language } = require("web-tree-sitter");
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(await Language.load(require.resolve("tree-sitter-go/tree-sitter-go.wasm")));
    return parser;
  })();
  return goParserPromise;
}
