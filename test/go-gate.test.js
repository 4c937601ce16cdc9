// What the Go gates read from a directory's text (src/go/gate.ts): the
// functions that may return a resource decide which files are parsed at all.
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { GoWorkspace } = require("../dist/go/workspace");

const KNOWLEDGE = { resourceFactories: [], cacheConstructors: [], clientConstructors: [] };

const made = [];

function module(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-gate-")));
  made.push(dir);
  fs.writeFileSync(path.join(dir, "go.mod"), "module myapp\n\ngo 1.21\n");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("go gate: resource-returning declarations", function () {
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("counts resource types of the module, of resource packages and unqualified ones, not standard types that only share the name", function () {
    const dir = module({
      "app/app.go": `package app

import (
	"go/ast"
	"net"
	"os"

	"myapp/db"
	rows "myapp/store"
)

func parse(src string) (*ast.File, error) {
	return nil, nil
}

func stmt() ast.Stmt {
	return nil
}

func takesFile(f *os.File) error {
	return nil
}

func openLog() (*os.File, error) {
	return os.Open("log")
}

func connect() (net.Conn, error) {
	return net.Dial("tcp", "x")
}

func openDB() (*db.Conn, error) {
	return db.Open()
}

func aliased() (*rows.Rows, error) {
	return rows.Query()
}

func (s *server) accept() (*Conn, error) {
	return nil, nil
}
`,
    });
    const ws = new GoWorkspace(KNOWLEDGE);
    const names = [...ws.dirFacts(path.join(dir, "app")).resourceNames].sort();
    // myapp/db has no dot in its first element, yet it is the module's, not the standard library's.
    assert.deepStrictEqual(names, ["accept", "aliased", "connect", "openDB", "openLog"]);
  });

  it("takes a configured factory's package as a resource package", function () {
    const dir = module({
      "app/app.go": `package app

import "debug/elf"

func load(p string) (*elf.File, error) {
	return elf.Open(p)
}
`,
    });
    const plain = new GoWorkspace(KNOWLEDGE);
    assert.deepStrictEqual([...plain.dirFacts(path.join(dir, "app")).resourceNames], []);
    const configured = new GoWorkspace({ ...KNOWLEDGE, resourceFactories: [{ function: "debug/elf.Open", kind: "handle" }] });
    assert.deepStrictEqual([...configured.dirFacts(path.join(dir, "app")).resourceNames], ["load"]);
  });
});

describe("go gate: functions that could build a client or cache", function () {
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("follows module functions that are candidates in their own package, per package and variant", function () {
    const dir = module({
      "transport/transport.go": `package transport

import "net/http"

func New() *http.Transport {
	return &http.Transport{MaxIdleConns: 10}
}

func Describe() string {
	return http.StatusText(http.StatusOK)
}
`,
      "api/api.go": `package api

import "myapp/transport"

func Fetch() {
	_ = transport.New()
}

func Label() string {
	return transport.Describe()
}

func wrapper() {
	Fetch()
}
`,
      "api/api_test.go": `package api

import "net/http"

func helper() *http.Transport {
	return &http.Transport{}
}
`,
    });
    const ws = new GoWorkspace(KNOWLEDGE);
    const candidates = (sub, tests) => [...ws.constructionCandidates({ dir: path.join(dir, sub), name: sub, tests })].sort();
    assert.deepStrictEqual(candidates("transport", false), ["New"]);
    // Describe names net/http, but nothing a detector builds: Label is no candidate.
    assert.deepStrictEqual(candidates("api", false), ["Fetch", "wrapper"]);
    assert.deepStrictEqual(candidates("api", true), ["Fetch", "helper", "wrapper"]);
  });
});

describe("go gate: shared-read-buffer", function () {
  const { GoGate } = require("../dist/go/gate");
  const { sharedReadBuffer } = require("../dist/go/rules/shared-read-buffer");
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  const gateOf = (dir, name) => {
    const file = path.join(dir, name);
    return sharedReadBuffer.mayReport(new GoGate(file, fs.readFileSync(file, "utf8"), new GoWorkspace(KNOWLEDGE)));
  };

  it("takes Bytes() for a source only where a buffer is reset or the package names a bufio.Scanner", function () {
    const dir = module({
      "plain/plain.go": `package plain

import "bytes"

func render(parts []string) []byte {
	var buf bytes.Buffer
	for _, p := range parts {
		buf.WriteString(p)
	}
	return buf.Bytes()
}
`,
      "reset/reset.go": `package reset

import "bytes"

func frames(parts []string, out chan<- []byte) {
	var buf bytes.Buffer
	for _, p := range parts {
		buf.Reset()
		buf.WriteString(p)
		out <- buf.Bytes()
	}
}
`,
      "scan/lines.go": `package scan

func collect(src *source) [][]byte {
	var out [][]byte
	for src.sc.Scan() {
		out = append(out, src.sc.Bytes())
	}
	return out
}
`,
      "local/local.go": `package local

import (
	"bufio"
	"io"
)

func lines(r io.Reader) (out [][]byte) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out = append(out, sc.Bytes())
	}
	return out
}
`,
      "scan/source.go": `package scan

import "bufio"

type source struct {
	sc *bufio.Scanner
}
`,
    });
    assert.strictEqual(gateOf(dir, "plain/plain.go"), false);
    assert.strictEqual(gateOf(dir, "reset/reset.go"), true);
    assert.strictEqual(gateOf(dir, "scan/lines.go"), true);
    assert.strictEqual(gateOf(dir, "local/local.go"), true);
  });

  it("counts a function that reads into its []byte parameter, not one that only slices it", function () {
    const dir = module({
      "wire/wire.go": `package wire

import "io"

func fill(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	return err
}

func head(b []byte) []byte {
	return b[:4]
}
`,
      "wire/fills.go": `package wire

func loop(r io.Reader, b []byte) {
	for fill(r, b) == nil {
	}
}
`,
      "wire/heads.go": `package wire

func first(b []byte) []byte {
	return head(b)
}
`,
    });
    assert.strictEqual(gateOf(dir, "wire/fills.go"), true);
    assert.strictEqual(gateOf(dir, "wire/heads.go"), false);
  });
});

describe("go front end: partial parses", function () {
  const parser = require("../dist/go/parser");
  const { createEngine } = require("../dist/index");
  let engine;
  let parseGo;
  const parses = [];

  before(async () => {
    engine = await createEngine({});
    parseGo = parser.parseGo;
    // Every parse, and whether it left functions out.
    parser.parseGo = (text, previous, ranges) => {
      parses.push(ranges ? "partial" : "full");
      return parseGo(text, previous, ranges);
    };
  });

  after(() => {
    parser.parseGo = parseGo;
    made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it("leaves out the functions no rule reports in, and summarizes them from parses of their own", function () {
    const text = `package app

import "os"

var held *os.File

func closeIt(f *os.File) {
	f.Close()
}

func keep(f *os.File) {
	held = f
}

func good() error {
	f, err := os.Open("a")
	if err != nil {
		return err
	}
	closeIt(f)
	return nil
}

func stored() error {
	f, err := os.Open("b")
	if err != nil {
		return err
	}
	keep(f)
	return nil
}

func leaks() error {
	f, err := os.Open("c")
	if err != nil {
		return err
	}
	_ = f.Name()
	return nil
}
`;
    const dir = module({ "app/app.go": text });
    const file = path.join(dir, "app/app.go");
    parses.length = 0;
    const findings = engine.analyzeText(file, text).findings;
    assert.deepStrictEqual(
      findings.map((f) => [f.ruleId, f.range.start.line]),
      [["unclosed-handle", 33]],
      "the helpers' summaries (release, hand-off) came through",
    );
    // Its own parse without the helpers, one helper alone, then the file again for the other helper.
    assert.deepStrictEqual(parses, ["partial", "partial", "full"]);
  });
});

describe("go front end: an edit in another package", function () {
  const { createEngine } = require("../dist/index");
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  const PLAIN = `package b

import "net/http"

func New() *http.Client {
	return http.DefaultClient
}
`;
  const BUILDS = PLAIN.replace("return http.DefaultClient", "return &http.Client{Transport: &http.Transport{}}");
  const HANDLER = `package a

import (
	"net/http"

	"myapp/b"
)

func client() *http.Client {
	return b.New()
}

func Handle(w http.ResponseWriter, r *http.Request) {
	direct := b.New()
	_ = direct
	viaHelper := client()
	_ = viaHelper
}
`;

  it("is seen by an open file of a package that imports it, before it is saved, and after it is undone", async function () {
    const dir = module({ "a/a.go": HANDLER, "b/b.go": PLAIN });
    const a = path.join(dir, "a/a.go");
    const b = path.join(dir, "b/b.go");
    const engine = await createEngine({ incremental: true });
    const clientsBuilt = () => engine.analyzeText(a, HANDLER).findings.filter((f) => f.ruleId === "client-per-call").map((f) => f.range.start.line + 1);
    assert.deepStrictEqual(clientsBuilt(), []);
    engine.analyzeText(b, BUILDS);
    assert.deepStrictEqual(clientsBuilt(), [14, 16], "the call of b.New and the call of the helper that returns its client");
    engine.analyzeText(b, PLAIN);
    assert.deepStrictEqual(clientsBuilt(), []);
  });
});
