// The CLI's scaling features as users run them: --jobs, --cache and --shard must
// never change what is reported, only how fast. Child processes against a
// generated module of over 60 files in several packages.
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CLI = path.join(__dirname, "..", "dist", "cli", "main.js");

function leaklint(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function findings(cwd, ...args) {
  const r = leaklint(cwd, "scan", ".", "--format", "json", "--no-progress", ...args);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout).findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId} ${f.message}`);
}

const CLOSING_HELPER = `package dbutil

import "database/sql"

// CloseRows closes the rows it is given.
func CloseRows(rows *sql.Rows) {
	rows.Close()
}
`;

/** A module: a helper package and 8 packages of 8 files, each with a leak, a safe shape and a helper call. */
function writeModule(dir) {
  const files = { "go.mod": "module example.com/scale\n\ngo 1.21\n", "dbutil/dbutil.go": CLOSING_HELPER };
  for (let p = 0; p < 8; p++) {
    for (let f = 0; f < 8; f++) {
      files[`pkg${p}/f${f}.go`] = `package pkg${p}

import (
	"database/sql"
	"net/http"

	"example.com/scale/dbutil"
)

func Leak${f}(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return nil
	}
	return resp.Body.Close()
}

func ViaHelper${f}(db *sql.DB) error {
	rows, err := db.Query("select 1")
	if err != nil {
		return err
	}
	defer dbutil.CloseRows(rows)
	return nil
}
`;
    }
  }
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

describe("leaklint scan at scale: --jobs, --cache, --shard", function () {
  let dir;
  let baseline;
  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-scale-")));
    writeModule(dir);
    baseline = findings(dir, "--jobs", "1");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reports the leak of every package file and nothing for the helper-closed rows", () => {
    assert.strictEqual(baseline.length, 64);
    assert.ok(baseline.every((f) => f.includes("unclosed-response-body")));
  });

  it("gives identical findings with --jobs 1, --jobs 2, a cold --cache and a warm --cache", () => {
    const location = path.join(dir, ".cache-test");
    assert.deepStrictEqual(findings(dir, "--jobs", "2"), baseline);
    assert.deepStrictEqual(findings(dir, "--cache-location", location), baseline);
    assert.ok(fs.existsSync(path.join(location, "results-v1.json")));
    assert.deepStrictEqual(findings(dir, "--cache-location", location, "--jobs", "2"), baseline);
  });

  it("re-checks the callers when a helper in another package changes", () => {
    const location = path.join(dir, ".cache-helper");
    assert.deepStrictEqual(findings(dir, "--cache-location", location), baseline);
    const helper = path.join(dir, "dbutil", "dbutil.go");
    fs.writeFileSync(helper, CLOSING_HELPER.replace("\trows.Close()\n", "\t_ = rows.Err()\n"));
    try {
      const after = findings(dir, "--cache-location", location);
      assert.strictEqual(after.filter((f) => f.includes("unclosed-rows")).length, 64);
    } finally {
      fs.writeFileSync(helper, CLOSING_HELPER);
    }
    assert.deepStrictEqual(findings(dir, "--cache-location", location), baseline);
  });

  it("re-checks a file whose config changed", () => {
    const location = path.join(dir, ".cache-config");
    findings(dir, "--cache-location", location);
    fs.writeFileSync(path.join(dir, "leaklint.config.json"), '{"rules": {"unclosed-response-body": "off"}}');
    try {
      assert.deepStrictEqual(findings(dir, "--cache-location", location), []);
    } finally {
      fs.rmSync(path.join(dir, "leaklint.config.json"));
    }
  });

  it("splits the files into disjoint, deterministic shards that together give the full report", () => {
    const shards = [1, 2, 3].map((i) => findings(dir, "--shard", `${i}/3`));
    assert.deepStrictEqual(shards.flat().sort(), [...baseline].sort());
    assert.ok(shards.every((s) => s.length > 0 && s.length < baseline.length));
    assert.deepStrictEqual(findings(dir, "--shard", "2/3"), shards[1]);
  });

  it("rejects a malformed --shard with exit 2 and one line naming the flag", () => {
    for (const bad of ["0/2", "3/2", "x", "1/0"]) {
      const r = leaklint(dir, "scan", ".", "--shard", bad);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr.trim(), /^leaklint: option '--shard'/);
      assert.strictEqual(r.stderr.trim().split("\n").length, 1);
    }
  });
});
