// shared-read-buffer's fix depends on the module's Go version: bytes.Clone exists
// from Go 1.20, so older modules (and files without a go.mod or go directive)
// get append([]byte(nil), x...). The fixture module says go 1.21, so the old
// form is checked here against temporary modules.
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createEngine } = require("../dist/index");
const { applyFixes } = require("../dist/core/fixes");
const { parseGo } = require("../dist/go/parser");

const RULE = "shared-read-buffer";

const FORWARD = `package relay

import "net"

func Forward(conn net.Conn, out chan<- []byte) error {
	buf := make([]byte, 2048)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		out <- buf[:n]
	}
}
`;

/** Writes `source` as relay/relay.go under a fresh directory, with a go.mod when given. */
function module(tmp, name, gomod, source = FORWARD) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  if (gomod !== undefined) fs.writeFileSync(path.join(dir, "go.mod"), gomod);
  const file = path.join(dir, "relay.go");
  fs.writeFileSync(file, source);
  return file;
}

function parses(text) {
  const tree = parseGo(text);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe("shared-read-buffer fix and the module's Go version", function () {
  let engine;
  let tmp;

  before(async () => {
    engine = await createEngine({});
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-srb-"));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The one finding of the rule, its safe fix, and the text after applying it. */
  function fixed(file) {
    const text = fs.readFileSync(file, "utf8");
    const findings = engine.analyzeText(file, text).findings.filter((f) => f.ruleId === RULE);
    assert.strictEqual(findings.length, 1, `expected one ${RULE} finding, got ${findings.length}`);
    const fix = findings[0].fixes.find((f) => f.kind === "fix");
    assert.ok(fix, "the finding has a safe fix");
    const out = applyFixes(text, [fix]).text;
    assert.ok(parses(out), `the fixed text does not parse:\n${out}`);
    const again = engine.analyzeText(file, out).findings.filter((f) => f.ruleId === RULE);
    assert.deepStrictEqual(again, [], "the fixed text is still reported");
    return { finding: findings[0], fix, out };
  }

  it("uses append([]byte(nil), x...) before Go 1.20 and adds no import", () => {
    const { finding, out } = fixed(module(tmp, "go118", "module example.com/relay\n\ngo 1.18\n"));
    assert.match(finding.message, /copy it first \(append\(\[\]byte\(nil\), buf\[:n\]\.\.\.\)\)/);
    assert.match(out, /out <- append\(\[\]byte\(nil\), buf\[:n\]\.\.\.\)\n/);
    assert.match(out, /^import "net"$/m, "the import is unchanged");
    assert.doesNotMatch(out, /"bytes"/);
  });

  it("uses bytes.Clone from Go 1.20 and adds the bytes import", () => {
    const { out } = fixed(module(tmp, "go120", "module example.com/relay\n\ngo 1.20\n"));
    assert.match(out, /out <- bytes\.Clone\(buf\[:n\]\)\n/);
    assert.match(out, /import \(\n\t"bytes"\n\t"net"\n\)/);
  });

  it("uses the file's own name for an aliased bytes import", () => {
    const source = FORWARD.replace('import "net"', 'import (\n\tb "bytes"\n\t"net"\n)\n\nvar _ = b.MinRead');
    const { out } = fixed(module(tmp, "alias", "module example.com/relay\n\ngo 1.22\n", source));
    assert.match(out, /out <- b\.Clone\(buf\[:n\]\)\n/);
    assert.doesNotMatch(out, /\t"bytes"/);
  });

  it("uses the append form when go.mod has no go directive", () => {
    const { out } = fixed(module(tmp, "nodirective", "module example.com/relay\n"));
    assert.match(out, /append\(\[\]byte\(nil\), buf\[:n\]\.\.\.\)/);
  });

  it("uses the append form without a go.mod", () => {
    const { out } = fixed(module(tmp, "nomod", undefined));
    assert.match(out, /append\(\[\]byte\(nil\), buf\[:n\]\.\.\.\)/);
  });

  it("copies a struct's field in the old form too", () => {
    const source = `package relay

import (
	"bytes"
	"net"
)

type Package struct {
	Data []byte
}

type Conn struct {
	conn    net.Conn
	readBuf bytes.Buffer
	out     chan *Package
}

func (c *Conn) next() (*Package, bool) {
	if c.readBuf.Len() < 4 {
		return nil, false
	}
	return &Package{Data: c.readBuf.Next(4)}, true
}

func (c *Conn) loop(buf []byte) {
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			return
		}
		c.readBuf.Write(buf[:n])
		for {
			p, ok := c.next()
			if !ok {
				break
			}
			c.out <- p
		}
	}
}
`;
    const { out } = fixed(module(tmp, "field118", "module example.com/relay\n\ngo 1.18\n", source));
    assert.match(out, /\t\t\tp\.Data = append\(\[\]byte\(nil\), p\.Data\.\.\.\)\n\t\t\tc\.out <- p\n/);
  });
});
