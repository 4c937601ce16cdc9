// The client-per-call suggestion: hoisting a client built per call to a
// package-level variable. Suggestions have no goldens, so the edit is applied
// here and the result is parsed and read.
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createEngine } = require("../dist/index");
const { applyFixes } = require("../dist/core/fixes");
const { parseGo } = require("../dist/go/parser");

function parses(text) {
  const tree = parseGo(text);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe("client-per-call suggestion", function () {
  let engine;
  let dir;
  before(async () => {
    engine = await createEngine({});
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-client-per-call-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function findings(name, text) {
    const file = path.join(dir, name, "main.go");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return engine.analyzeText(file, text).findings.filter((f) => f.ruleId === "client-per-call");
  }

  function hoisted(name, text) {
    const [finding, ...rest] = findings(name, text);
    assert.ok(finding, "expected a client-per-call finding");
    assert.equal(rest.length, 0);
    assert.equal(finding.fixes.length, 1);
    const [fix] = finding.fixes;
    assert.equal(fix.kind, "suggestion");
    const out = applyFixes(text, [fix]).text;
    assert.ok(parses(out), `does not parse:\n${out}`);
    return { fix, out };
  }

  it("moves the incident's transport to a package variable above the function and its comment", function () {
    const src = `package quotes

import (
	"crypto/tls"
	"net/http"
	"time"
)

// fetchQuote asks the quote service.
func fetchQuote(symbol string) (int, error) {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := client.Get("https://quotes.example.com/" + symbol)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
`;
    const { fix, out } = hoisted("incident", src);
    assert.equal(fix.title, "Move `tr` to a package-level variable");
    assert.ok(
      out.includes(`)

var tr = &http.Transport{
	TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
}

// fetchQuote asks the quote service.
func fetchQuote(symbol string) (int, error) {
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
`),
      out,
    );
    assert.equal(findings("incident-fixed", out).length, 0, "the hoisted transport is built once");
  });

  it("renames the hoisted variable when the package already has the name", function () {
    const src = `package quotes

import (
	"net/http"
	"time"
)

func tr() {}

func status(u string) (int, error) {
	tr := &http.Transport{MaxIdleConns: 4}
	c := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
`;
    const { out } = hoisted("collision", src);
    assert.ok(out.includes("var trShared = &http.Transport{MaxIdleConns: 4}\n\nfunc status("), out);
    assert.ok(out.includes("c := &http.Client{Transport: trShared, Timeout: time.Second}"), out);
    assert.ok(!/\btr :=/.test(out), out);
    assert.ok(out.includes("func tr() {}"), out);
  });

  it("hoists a client with an inline transport, a var declaration and a wrapper call", function () {
    const inline = `package quotes

import (
	"net/http"
	"time"
)

func handle(w http.ResponseWriter, r *http.Request) {
	var client = &http.Client{Transport: &http.Transport{}, Timeout: time.Second}
	resp, err := client.Get("https://quotes.example.com/")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}
`;
    const a = hoisted("inline", inline).out;
    assert.ok(a.includes("var client = &http.Client{Transport: &http.Transport{}, Timeout: time.Second}\n\nfunc handle("), a);
    assert.ok(!a.includes("\tvar client"), a);

    const wrapper = `package quotes

import (
	"net/http"
	"time"
)

func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{}, Timeout: time.Second}
}

func handle(w http.ResponseWriter, r *http.Request) {
	c := newClient()
	resp, err := c.Get("https://quotes.example.com/")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}
`;
    const b = hoisted("wrapper", wrapper).out;
    assert.ok(b.includes("var c = newClient()\n\nfunc handle("), b);
  });

  it("hoists out of a handler literal to above its enclosing function", function () {
    const src = `package quotes

import (
	"net/http"
	"time"
)

// Routes registers the handlers.
func Routes(mux *http.ServeMux, prefix string) {
	mux.HandleFunc(prefix+"/quote", func(w http.ResponseWriter, r *http.Request) {
		c := &http.Client{Transport: &http.Transport{MaxIdleConns: 4}, Timeout: time.Second}
		resp, err := c.Get("https://quotes.example.com/")
		if err != nil {
			return
		}
		defer resp.Body.Close()
	})
}
`;
    const { out } = hoisted("literal", src);
    assert.ok(
      out.includes(`var c = &http.Client{Transport: &http.Transport{MaxIdleConns: 4}, Timeout: time.Second}

// Routes registers the handlers.
func Routes(`),
      out,
    );
    assert.ok(!out.includes("c := &http.Client"), out);
  });

  it("offers nothing when the value uses a local name or the statement declares two", function () {
    const src = `package quotes

import (
	"crypto/tls"
	"net/http"
	"time"

	"google.golang.org/grpc"
)

func fetch(cfg *tls.Config, u string) (int, error) {
	tr := &http.Transport{TLSClientConfig: cfg}
	c := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func dial(addr string) error {
	conn, err := grpc.NewClient("users:50051")
	if err != nil {
		return err
	}
	_ = conn
	return nil
}
`;
    const found = findings("locals", src);
    assert.equal(found.length, 2);
    for (const f of found) assert.deepEqual(f.fixes, []);
  });
});
