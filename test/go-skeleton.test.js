// The package facts come from parses with the function bodies emptied
// (src/go/skeleton.ts): they must be the facts of the full parse.
const assert = require("node:assert");
const { initGoParser, parseGo } = require("../dist/go/parser");
const { GoFile } = require("../dist/go/facts");
const { withoutBodies, topLevelBodies } = require("../dist/go/skeleton");

const SOURCE = `// Code comment with func inside: func x() {
package shapes

import (
	"io"
	"os"
)

var handler = func(w io.Writer) { w.Write([]byte("}")) }

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

function facts(text) {
  const tree = parseGo(text);
  try {
    const f = new GoFile("shapes.go", text, tree);
    return {
      packageName: f.packageName,
      imports: f.imports,
      functions: f.functions.map((fn) => [fn.name, fn.receiver]),
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

  it("empties every top-level body and keeps the facts of the full parse", function () {
    const skeleton = withoutBodies(SOURCE);
    assert.deepStrictEqual(facts(skeleton), facts(SOURCE));
    assert.strictEqual(facts(skeleton).hasError, false);
    assert.ok(!skeleton.includes("OpenFile"), "the multi-line function's body is gone");
    assert.ok(!skeleton.includes("return nil, nil"), "the method's body is gone");
    assert.ok(!skeleton.includes("return mystruct{}"), "a result type named like a keyword is no type literal");
    assert.ok(skeleton.includes(`w.Write([]byte("}"))`), "a function literal at package level stays");
    assert.deepStrictEqual(topLevelBodies(SOURCE).length, 6);
  });

  it("leaves a declaration gofmt would not write untouched", function () {
    const text = "package p\n\n  func indented() {\n\treturn\n}\n";
    assert.strictEqual(withoutBodies(text), text);
  });
});
