// DESIGN §8: no input crashes the engine. Each case must come back as findings
// or an "input" notice, never an exception or an internal failure.
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createEngine } = require("../dist/index");

describe("reliability", function () {
  let engine;
  let dir;
  before(async () => {
    engine = await createEngine({});
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-reliability-"));
  });

  function analyse(name, content) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    const result = engine.analyzeFile(file);
    assert.deepStrictEqual(result.notices.filter((n) => n.kind === "internal"), [], `internal failure on ${name}`);
    return result;
  }

  it("10,000 nested blocks are skipped with a notice", () => {
    const n = 10000;
    const src = `package p\nimport "os"\nfunc f() {\n${"{".repeat(n)}\nx, _ := os.Open("a")\n_ = x\n${"}".repeat(n)}\n}\n`;
    const r = analyse("deep.go", src);
    assert.deepStrictEqual(r.notices.map((n) => n.kind), ["input"]);
  });

  it("500 nested ifs still find the leak at the bottom", () => {
    const n = 500;
    const src = `package p\nimport "os"\nfunc g(a bool) error {\n${"if a {\n".repeat(n)}f, err := os.Open("a")\nif err != nil {\nreturn err\n}\nreturn nil\n${"}\n".repeat(n)}return nil\n}\n`;
    assert.strictEqual(analyse("deepif.go", src).findings.length, 1);
  });

  it("half-typed code: the broken statement is skipped, the rest analysed", () => {
    const src = `package p\nimport "os"\nfunc h() error {\n\tf, err := os.Open("x")\n\tif err != nil {\n\t\treturn err\n\t}\n\tif x := ; {\n\t\treturn nil\n\t}\n\treturn nil\n}\n\nfunc ok() error {\n\tg, err := os.Open("y")\n\tif err != nil {\n\t\treturn err\n\t}\n\tif g == nil {\n\t\treturn nil\n\t}\n\treturn nil\n}\n`;
    const r = analyse("broken.go", src);
    assert.ok(r.findings.some((f) => f.range.start.line === 14), JSON.stringify(r.findings.map((f) => f.message)));
  });

  it("invalid UTF-8", () => {
    analyse("utf.go", Buffer.from([...Buffer.from("package p\n// "), 0xff, 0xfe, ...Buffer.from(" bad\nfunc k() {}\n")]));
  });

  it("a binary file and an oversized file are skipped with a notice", () => {
    const bin = analyse("bin.go", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    assert.strictEqual(bin.notices[0].kind, "input");
    const big = analyse("big.go", "package p\n" + "// filler line of a generated file\n".repeat(320000));
    assert.strictEqual(big.notices[0].kind, "input");
  });

  it("an empty file and a file with only a package clause", () => {
    analyse("empty.go", "");
    analyse("pkg.go", "package p\n");
  });
});
