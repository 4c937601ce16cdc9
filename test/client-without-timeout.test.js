// The client-without-timeout suggestion: adding `Timeout: 30 * time.Second` to
// the client literal (and the `time` import when the file lacks it).
// Suggestions have no goldens, so the edit is applied here and the result is
// parsed and read.
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

describe("client-without-timeout suggestion", function () {
  let engine;
  let dir;
  before(async () => {
    engine = await createEngine({});
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-client-timeout-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  function findings(text) {
    const file = path.join(dir, String(n++), "client.go");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return engine.analyzeText(file, text).findings.filter((f) => f.ruleId === "client-without-timeout");
  }

  /** Applies the one finding's suggestion; the result parses and is quiet. */
  function fixed(text) {
    const found = findings(text);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    const [fix] = found[0].fixes;
    assert.equal(fix.kind, "suggestion");
    assert.equal(fix.title, "Add `Timeout: 30 * time.Second` to the client");
    const out = applyFixes(text, [fix]).text;
    assert.ok(parses(out), `does not parse:\n${out}`);
    assert.equal(findings(out).length, 0, `still reported:\n${out}`);
    return out;
  }

  it("fills an empty literal and adds the time import to the import block", function () {
    const out = fixed(`package api

import (
	"io"
	"net/http"
)

func fetch(u string) ([]byte, error) {
	c := &http.Client{}
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
`);
    assert.ok(out.includes('import (\n\t"io"\n\t"net/http"\n\t"time"\n)'), out);
    assert.ok(out.includes("c := &http.Client{Timeout: 30 * time.Second}"), out);
  });

  it("appends to a one-line literal and keeps an existing time import", function () {
    const out = fixed(`package api

import (
	"net/http"
	"time"
)

var tr = &http.Transport{IdleConnTimeout: time.Minute}

var client = &http.Client{Transport: tr}
`);
    assert.ok(out.includes("var client = &http.Client{Transport: tr, Timeout: 30 * time.Second}"), out);
    assert.equal(out.match(/"time"/g).length, 1, out);
  });

  it("adds a line to a multi-line literal, indented like its fields", function () {
    const out = fixed(`package api

import "net/http"

type API struct {
	hc *http.Client
}

func NewAPI(tr http.RoundTripper) *API {
	return &API{
		hc: &http.Client{
			Transport: tr,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}
`);
    assert.ok(out.includes('import (\n\t"net/http"\n\t"time"\n)'), out);
    assert.ok(
      out.includes(`				return http.ErrUseLastResponse
			},
			Timeout: 30 * time.Second,
		},
	}`),
      out,
    );
  });

  it("turns new(http.Client) into a literal with a Timeout", function () {
    const out = fixed(`package api

import (
	"net/http"
	"time"
)

var started = time.Now()

var client = new(http.Client)
`);
    assert.ok(out.includes("var client = &http.Client{Timeout: 30 * time.Second}"), out);
  });

  it("offers no edit for http.Get in a handler (there is no literal to change)", function () {
    const found = findings(`package api

import "net/http"

func handle(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("https://upstream.example.com/")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}
`);
    assert.equal(found.length, 1);
    assert.deepEqual(found[0].fixes, []);
  });
});
