// The sql-pool-without-lifetime suggestion: `db.SetConnMaxLifetime(5 * time.Minute)`
// after the error check that guards the Open. Suggestions have no goldens, so
// the edit is applied here and the whole result compared.
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createEngine } = require("../dist/index");
const { applyFixes } = require("../dist/core/fixes");
const { parseGo } = require("../dist/go/parser");

const RULE = "sql-pool-without-lifetime";

function parses(text) {
  const tree = parseGo(text);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe("sql-pool-without-lifetime suggestion", function () {
  let engine;
  let dir;
  before(async () => {
    engine = await createEngine({});
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-sql-pool-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Each case is a package of its own, so setters of one case cannot count for another. */
  function findings(name, text) {
    const file = path.join(dir, name, "store.go");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return engine.analyzeText(file, text).findings.filter((f) => f.ruleId === RULE);
  }

  function suggested(name, text) {
    const [finding, ...rest] = findings(name, text);
    assert.ok(finding, "expected a finding");
    assert.equal(rest.length, 0, "expected one finding");
    const fix = finding.fixes.find((f) => f.kind === "suggestion");
    assert.ok(fix, "expected a suggestion");
    assert.ok(finding.fixes.every((f) => f.kind === "suggestion"), "the lifetime is the team's call: never a safe fix");
    const out = applyFixes(text, [fix]).text;
    assert.ok(parses(out), `the result does not parse:\n${out}`);
    return { finding, fix, out };
  }

  it("inserts the setter after the error check and imports time", function () {
    const { finding, fix, out } = suggested(
      "local",
      `package store

import "database/sql"

type Store struct{ db *sql.DB }

func NewStore(dsn string) (*Store, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(10)
	return &Store{db: db}, nil
}
`,
    );
    assert.equal(finding.range.start.line, 7);
    assert.match(finding.message, /^db from sql\.Open never gets SetConnMaxLifetime or SetConnMaxIdleTime in package store: /);
    assert.equal(fix.title, "Add `db.SetConnMaxLifetime(5 * time.Minute)`");
    assert.equal(
      out,
      `package store

import (
	"database/sql"
	"time"
)

type Store struct{ db *sql.DB }

func NewStore(dsn string) (*Store, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	db.SetConnMaxLifetime(5 * time.Minute)
	db.SetMaxOpenConns(10)
	return &Store{db: db}, nil
}
`,
    );
  });

  it("uses the file's name for time and the field the pool is assigned to", function () {
    const { out } = suggested(
      "field",
      `package store

import (
	"database/sql"
	"log"
	stdtime "time"
)

type Store struct {
	db      *sql.DB
	timeout stdtime.Duration
}

func (s *Store) Open(dsn string) {
	var err error
	s.db, err = sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	} else {
		log.Print("opened")
	}
}
`,
    );
    assert.ok(out.includes(`	} else {
		log.Print("opened")
	}
	s.db.SetConnMaxLifetime(5 * stdtime.Minute)
}`));
    assert.ok(!out.includes(`\t"time"\n`), "time is already imported as stdtime");
  });

  it("inserts right after a Must call, which has no error to check", function () {
    const { out } = suggested(
      "must",
      `package store

import (
	"time"

	"github.com/jmoiron/sqlx"
)

type Store struct{ db *sqlx.DB }

func NewStore(dsn string) *Store {
	pool := sqlx.MustConnect("mysql", dsn)
	pool.SetMaxIdleConns(4)
	_ = time.Second
	return &Store{db: pool}
}
`,
    );
    assert.ok(out.includes(`	pool := sqlx.MustConnect("mysql", dsn)
	pool.SetConnMaxLifetime(5 * time.Minute)
	pool.SetMaxIdleConns(4)`));
  });

  it("inserts in a nested block with that block's indentation", function () {
    const { out } = suggested(
      "nested",
      `package store

import (
	"database/sql"
	"os"
	"time"
)

var db *sql.DB

func init() {
	if dsn := os.Getenv("DSN"); dsn != "" {
		var err error
		db, err = sql.Open("mysql", dsn)
		if err != nil {
			panic(err)
		}
	}
	_ = time.Now
}
`,
    );
    assert.ok(out.includes(`		if err != nil {
			panic(err)
		}
		db.SetConnMaxLifetime(5 * time.Minute)
	}`));
  });

  it("offers no edit where the pool could be nil or has no name", function () {
    const cases = {
      // Without the error check the pool may be nil when the setter runs.
      unchecked: `package store

import "database/sql"

type Store struct{ db *sql.DB }

func NewStore(dsn string) *Store {
	db, _ := sql.Open("mysql", dsn)
	return &Store{db: db}
}
`,
      // Built inside a literal: there is no statement to follow.
      literal: `package store

import "github.com/jmoiron/sqlx"

type Store struct{ db *sqlx.DB }

func NewStore(dsn string) *Store {
	return &Store{db: sqlx.MustOpen("mysql", dsn)}
}
`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const [finding, ...rest] = findings(name, text);
      assert.ok(finding, `${name}: expected a finding`);
      assert.equal(rest.length, 0);
      assert.deepEqual(finding.fixes, [], `${name}: expected no edit`);
    }
  });
});
