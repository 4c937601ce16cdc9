// Unit tests of the language-independent core: suppression directives, the
// config file, applying fixes.
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Suppressions } = require("../dist/core/suppression");
const { ConfigResolver, ConfigError, parseConfig } = require("../dist/core/config");
const { applyFixes } = require("../dist/core/fixes");

const rows = { id: "unclosed-rows", nolintAliases: ["sqlclosecheck"] };
const body = { id: "unclosed-response-body", nolintAliases: ["bodyclose"] };

function comment(text, line, ownLine = false, beforeFirstDeclaration = false) {
  return { text, line, endLine: line, ownLine, beforeFirstDeclaration };
}

describe("suppression", () => {
  it("leaklint:ignore at the end of the line covers that line only", () => {
    const s = new Suppressions([comment("// leaklint:ignore unclosed-rows -- closed by the pool wrapper", 4)]);
    assert.ok(s.isSuppressed(rows, 4));
    assert.ok(!s.isSuppressed(rows, 5));
    assert.ok(!s.isSuppressed(body, 4));
  });

  it("a directive alone on its line covers the next line", () => {
    const s = new Suppressions([comment("// leaklint:ignore unclosed-rows,unclosed-response-body", 4, true)]);
    assert.ok(s.isSuppressed(rows, 5) && s.isSuppressed(body, 5));
    assert.ok(!s.isSuppressed(rows, 4) && !s.isSuppressed(rows, 6));
  });

  it("ignore-file applies only before the first declaration", () => {
    assert.ok(new Suppressions([comment("// leaklint:ignore-file unclosed-rows", 0, true, true)]).isSuppressed(rows, 99));
    assert.ok(!new Suppressions([comment("// leaklint:ignore-file unclosed-rows", 40, true, false)]).isSuppressed(rows, 99));
  });

  it("nolint with and without linters, by golangci-lint alias", () => {
    assert.ok(new Suppressions([comment("//nolint", 3)]).isSuppressed(rows, 3));
    assert.ok(new Suppressions([comment("//nolint:sqlclosecheck // pooled", 3)]).isSuppressed(rows, 3));
    assert.ok(!new Suppressions([comment("//nolint:bodyclose", 3)]).isSuppressed(rows, 3));
    assert.ok(!new Suppressions([comment("//nolint:errcheck", 3)]).isSuppressed(rows, 3));
  });

  it("eslint-disable-next-line leaklint/<id> and eslint-disable-line", () => {
    assert.ok(new Suppressions([comment("// eslint-disable-next-line leaklint/unclosed-rows", 3, true)]).isSuppressed(rows, 4));
    assert.ok(!new Suppressions([comment("// eslint-disable-next-line no-console", 3, true)]).isSuppressed(rows, 4));
    assert.ok(new Suppressions([comment("// eslint-disable-line leaklint/unclosed-rows", 3)]).isSuppressed(rows, 3));
  });
});

describe("config", () => {
  it("parses rules, ignore globs and Go knowledge", () => {
    const c = parseConfig("x.json", JSON.stringify({
      rules: { "unclosed-rows": "warning", "unclosed-handle": ["error", {}], "unclosed-response-body": "off" },
      ignore: ["gen/**"],
      go: { closers: ["example.com/db.CloseQuietly"], resourceFactories: [{ function: "example.com/db.Open", kind: "rows" }] },
    }));
    assert.strictEqual(c.rules["unclosed-rows"], "warning");
    assert.deepStrictEqual(c.ignore, ["gen/**"]);
    assert.deepStrictEqual(c.go.resourceFactories, [{ function: "example.com/db.Open", kind: "rows" }]);
  });

  for (const [name, text, fragment] of [
    ["invalid JSON", "{", "invalid JSON"],
    ["an unknown key", '{"rule": {}}', 'unknown key "rule"'],
    ["a bad severity", '{"rules": {"unclosed-rows": "loud"}}', 'rule "unclosed-rows"'],
    ["an unknown resource kind", '{"go": {"resourceFactories": [{"function": "a.B", "kind": "socket"}]}}', 'unknown kind "socket"'],
  ]) {
    it(`rejects ${name} with a message naming the file`, () => {
      assert.throws(() => parseConfig("cfg/leaklint.config.json", text), (e) => e instanceof ConfigError && e.message.startsWith("cfg/leaklint.config.json: ") && e.message.includes(fragment));
    });
  }

  it("is found by walking up from the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-config-"));
    fs.mkdirSync(path.join(dir, "a", "b"), { recursive: true });
    fs.writeFileSync(path.join(dir, "leaklint.config.json"), '{"rules": {"unclosed-rows": "off"}}');
    const c = new ConfigResolver().forFile(path.join(dir, "a", "b", "x.go"));
    assert.strictEqual(c.rules["unclosed-rows"], "off");
    assert.strictEqual(c.source, path.join(dir, "leaklint.config.json"));
  });
});

describe("applyFixes", () => {
  it("applies non-overlapping fixes and skips a fix that overlaps an earlier one", () => {
    const text = "abcdef";
    const r = applyFixes(text, [
      { title: "1", kind: "fix", edits: [{ start: 1, end: 2, newText: "B" }] },
      { title: "2", kind: "fix", edits: [{ start: 4, end: 4, newText: "+" }] },
      { title: "3", kind: "fix", edits: [{ start: 1, end: 3, newText: "X" }] },
    ]);
    assert.strictEqual(r.text, "aBcd+ef");
    assert.strictEqual(r.applied, 2);
    assert.strictEqual(r.skipped, 1);
  });
});
