// The package facts come from parses of a declaration skeleton (function
// declarations, const declarations and top-level comments dropped, the
// bodies of literals in var declarations emptied, the functions' keys read
// from their headers; src/go/skeleton.ts): they must be the facts of the
// full parse.
const assert = require("node:assert");
const { initGoParser, parseGo } = require("../dist/go/parser");
const { GoFile, functionKey, parseGoFile } = require("../dist/go/facts");
const { declarationSkeleton, topLevelBodies } = require("../dist/go/skeleton");

const SOURCE = `// Code comment with func inside: func x() {
package shapes

import (
	"io"
	"os"
)

var handler = func(w io.Writer) { w.Write([]byte("}")) }

// Doc comment with a brace { and a quote ".
const (
	A = "func B() {"
	C = ')'
)

const D = 1
const E = "a" +
	"b"

var table = map[string]*Store{
	"a": {cfg: struct{ dir string }{"x"}},
	"b": &Store{},
}

var (
	cleanup = func() {
		var local = &Store{}
		_ = local
	}
	empty struct {
		n int
	}
	fresh = &Store{f: nil}
	made  = new(Store)
)

type Store struct {
	f   *os.File
	cfg struct{ dir string }
}

func any_() interface{} { return nil }
func set() map[string]struct{} {
	return map[string]struct{}{"{": {}}
}
func multi(
	name string,
	flag int,
) (*os.File, error) {
	s := \`}
func notTopLevel() {\`
	_ = s
	r := '}'
	_ = r
	return os.OpenFile(name, flag, 0o600) /* } */
}
func (s *Store) Open(x int) (f *os.File, err error) {
	if true {
		return nil, nil
	}
	return
}
func external(x int) int
func newThing() mystruct {
	return mystruct{}
}
func generic[K comparable, V any](m map[K]V) func() {
	return func() {}
}
`;

function facts(text, droppedKeys = []) {
  const tree = parseGo(text);
  try {
    const f = new GoFile("shapes.go", text, tree);
    return {
      packageName: f.packageName,
      imports: f.imports,
      functions: [...f.functions.map(functionKey), ...droppedKeys].sort(),
      fieldTypes: [...f.fieldTypes],
      packageVars: [...f.packageVars],
      packageVarTypes: [...f.packageVarTypes],
      hasError: tree.rootNode.hasError,
    };
  } finally {
    tree.delete();
  }
}

describe("go skeleton", function () {
  before(() => initGoParser());

  it("drops every function with a body, consts, comments and literal bodies, and keeps the facts of the full parse", function () {
    const skeleton = declarationSkeleton(SOURCE);
    assert.deepStrictEqual(facts(skeleton.text, skeleton.functionKeys), facts(SOURCE));
    assert.strictEqual(facts(skeleton.text).hasError, false);
    assert.deepStrictEqual(skeleton.functionKeys, ["any_", "set", "multi", "Store.Open", "newThing", "generic"]);
    assert.ok(!skeleton.text.includes("OpenFile"), "the multi-line function is gone");
    assert.ok(!skeleton.text.includes("return nil, nil"), "the method is gone");
    assert.ok(!skeleton.text.includes("return mystruct{}"), "a result type named like a keyword is no type literal");
    assert.ok(!skeleton.text.includes("func B"), "the const block is gone");
    assert.ok(!skeleton.text.includes("const E") && !skeleton.text.includes('"b"\n'), "a const spread over lines is gone");
    assert.ok(!skeleton.text.includes('"a": {'), "a table's entries are gone");
    assert.ok(skeleton.text.includes("empty struct {"), "a struct type in a var declaration stays");
    const full = facts(SOURCE);
    assert.deepStrictEqual(full.packageVars, ["handler", "table", "cleanup", "empty", "fresh", "made"], "a function literal's locals are no package variables");
    assert.deepStrictEqual(full.packageVarTypes, [["table", "map[string]*Store"], ["empty", "struct {\n\t\tn int\n\t}"], ["fresh", "*Store"], ["made", "*Store"]]);
    assert.ok(!skeleton.text.includes("Doc comment"), "the comment is gone");
    assert.ok(skeleton.text.includes("func external(x int) int"), "a declaration without a body stays");
    assert.ok(skeleton.text.includes("var handler = func(w io.Writer) {}"), "a function literal at package level stays, emptied (a brace in a string is no end)");
    assert.deepStrictEqual(topLevelBodies(SOURCE).length, 6);
  });

  it("leaves a declaration gofmt would not write untouched", function () {
    const text = "package p\n\n  func indented() {\n\treturn\n}\n";
    assert.deepStrictEqual(declarationSkeleton(text), { text, functionKeys: [] });
  });

  it("parses a file without the functions turned down: the rest is the full parse's, positions included", function () {
    const text = `package shapes

import "os"

func first() {
	f, _ := os.Open("é") // a non-ASCII string before the kept function shifts byte offsets
	_ = f
}

// leaklint:ignore-file unclosed-handle (after the first declaration: no file-wide directive)

${SOURCE.slice(SOURCE.indexOf("func any_"))}`;
    const kept = new Set(["multi", "generic"]);
    const partial = parseGoFile("shapes.go", text, (fn) => kept.has(fn.key));
    const full = new GoFile("shapes.go", text, parseGo(text));
    try {
      // A declaration without a body is not one the scanner takes out.
      assert.deepStrictEqual(partial.functions.map(functionKey), ["multi", "external", "generic"]);
      assert.deepStrictEqual(
        partial.omitted.map((fn) => [fn.key, fn.row]),
        ["first", "any_", "set", "Store.Open", "newThing"].map((key) => [key, full.functions.find((f) => functionKey(f) === key).node.startPosition.row]),
      );
      assert.ok(partial.omits("Store.Open") && !partial.omits("multi"));
      // The tree of a kept function is the full parse's, node for node.
      const shape = (node) => [node.type, node.startIndex, node.endIndex, node.startPosition, node.endPosition, ...Array.from({ length: node.childCount }, (_, i) => shape(node.child(i)))];
      for (const fn of partial.functions) {
        assert.deepStrictEqual(shape(fn.node), shape(full.functions.find((f) => f.node.startIndex === fn.node.startIndex).node));
      }
      assert.strictEqual(partial.tree.rootNode.hasError, false);
      for (const facts of ["packageName", "imports", "fieldTypes", "packageVars", "packageVarTypes"]) {
        assert.deepStrictEqual(partial[facts], full[facts], facts);
      }
      // The first declaration is the omitted `first`: the directive after it is no file-wide one.
      const directive = (file) => file.comments.find((c) => c.text.includes("ignore-file"));
      assert.strictEqual(directive(full).beforeFirstDeclaration, false);
      assert.strictEqual(directive(partial).beforeFirstDeclaration, false);
    } finally {
      partial.tree.delete();
      full.tree.delete();
    }
  });

  it("parses the whole file when nothing is turned down", function () {
    const partial = parseGoFile("shapes.go", SOURCE, () => true);
    try {
      assert.deepStrictEqual(partial.omitted, []);
      assert.strictEqual(partial.functions.length, facts(SOURCE).functions.length);
    } finally {
      partial.tree.delete();
    }
  });
});
