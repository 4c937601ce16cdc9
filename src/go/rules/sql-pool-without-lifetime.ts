/**
 * sql-pool-without-lifetime: a `*sql.DB` keeps idle connections forever unless
 * it gets `SetConnMaxLifetime` or `SetConnMaxIdleTime`. Database servers and
 * the proxies in front of them close connections that sit idle (MySQL's
 * `wait_timeout`, PgBouncer, cloud load balancers); the pool does not notice
 * and hands the dead connection to the next query, which fails with "invalid
 * connection" or "broken pipe", typically right after a quiet night.
 */
import { escapeRegExp } from "../../core/regexp";
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { Fix, Range } from "../../core/types";
import type { GoFacts } from "../frontend";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { GoFile } from "../facts";
import { ConfigurationCheck, Destination, isStandardLibrary } from "../configuration";
import { addImportEdit } from "../imports";
import { callArguments, field, lineIndent, namedChildren } from "../syntax";

/** The functions that build a pool, by import path; the value is the number of results. */
const OPENERS: Record<string, { label: string; functions: Record<string, number> }> = {
  "database/sql": { label: "sql", functions: { Open: 2, OpenDB: 1 } },
  "github.com/jmoiron/sqlx": { label: "sqlx", functions: { Open: 2, Connect: 2, ConnectContext: 2, MustOpen: 1, MustConnect: 1 } },
};

/** Embedded databases: no server ever closes their connections. */
const EMBEDDED_DRIVERS = /^"(sqlite3?|sqlite3?_\w+|duckdb|ramsql|sqlmock|txdb)"$/;
/** Driver packages of embedded databases: a package that imports one opens them by a driver name in a variable. */
const EMBEDDED_DRIVER_IMPORTS = /^(github\.com\/mattn\/go-sqlite3|modernc\.org\/sqlite|github\.com\/glebarez\/go-sqlite|github\.com\/ncruces\/go-sqlite3\/driver|github\.com\/marcboeker\/go-duckdb)/;

/** A foreign function that receives the pool and is named like this probably configures it. */
const CONFIGURING_NAME = /config|setup|tune|pool|limit|lifetime|apply/i;

const OPEN_CALLS = `(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  (#any-of? @fn "Open" "OpenDB" "Connect" "ConnectContext" "MustOpen" "MustConnect")) @call`;

interface Open {
  call: Node;
  label: string;
  results: number;
  top?: Node;
  dest: Destination;
  /** What the pool is assigned to, as written: "db", "s.db". */
  target?: Node;
}

export const sqlPoolWithoutLifetime: Rule<GoFacts, GoGate> = {
  meta: {
    id: "sql-pool-without-lifetime",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "A database pool never gets SetConnMaxLifetime or SetConnMaxIdleTime.",
    fullDescription:
      "A *sql.DB from sql.Open or sqlx keeps idle connections forever unless SetConnMaxLifetime or SetConnMaxIdleTime is set somewhere in its package. " +
      "Database servers and proxies close idle connections (MySQL wait_timeout, PgBouncer, load balancers) without the pool noticing, " +
      "so the next query gets a dead connection and fails. Give the pool a lifetime shorter than the server's idle timeout.",
    docs: "docs/rules/sql-pool-without-lifetime.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [],
  },
  mayReport: (gate) => !gate.isTestFile && gate.importsPath((p) => p in OPENERS),

  check(context) {
    const { file, ctx } = context.facts;
    // Tests open short-lived pools, often against sqlmock.
    if (file.path.endsWith("_test.go")) return;
    const packages = new Map<string, (typeof OPENERS)[string]>();
    for (const i of file.imports) if (OPENERS[i.path] && i.name !== "_" && i.name !== ".") packages.set(i.name, OPENERS[i.path]);
    if (packages.size === 0) return;

    const check = new ConfigurationCheck(ctx, {
      setting: "lifetime",
      // Libraries take pools to use them, not to tune them; a function named for tuning is the exception.
      foreignCallConfigures: (importPath, name) => !(importPath && isStandardLibrary(importPath)) && CONFIGURING_NAME.test(name),
      followResults: true,
    });
    const embeddedImported = [...ctx.pkg.imports].some((i) => EMBEDDED_DRIVER_IMPORTS.test(i));
    const opens: Open[] = [];
    for (const m of goQuery(OPEN_CALLS).matches(file.tree.rootNode)) {
      const call = m.captures.find((c) => c.name === "call")?.node;
      const opener = packages.get(m.captures.find((c) => c.name === "pkg")?.node.text ?? "");
      const fn = m.captures.find((c) => c.name === "fn")?.node.text ?? "";
      const results = opener?.functions[fn];
      if (!call || !opener || !results || usesEmbeddedDriver(call, fn, embeddedImported)) continue;
      const { top } = ConfigurationCheck.functionsAround(call);
      opens.push({ call, label: `${opener.label}.${fn}`, results, top, dest: check.destinationOf(call, 0), target: assignedTarget(call) });
    }

    for (const open of opens) {
      // Thrown away (`_, err := sql.Open(...)` checks a DSN) or gone somewhere we cannot follow.
      if (open.dest.type === "used" || open.dest.type === "unknown") continue;
      if (check.judge(open.dest, open.top, tunedWhereOpened(open, opens))) continue;
      const name = open.target?.text ?? "the pool";
      context.report({
        range: rangeBetween(open.call, field(open.call, "function") ?? open.call),
        message:
          `${name} from ${open.label} never gets SetConnMaxLifetime or SetConnMaxIdleTime in package ${file.packageName}: ` +
          "when the server closes idle connections (MySQL wait_timeout, a proxy), the pool hands out dead ones; set a lifetime shorter than the server's timeout",
        fixes: lifetimeFix(file, open),
      });
    }
  },
};

/** A literal embedded driver name, or a driver name in a variable in a package that registers an embedded driver. */
function usesEmbeddedDriver(call: Node, fn: string, embeddedImported: boolean): boolean {
  const args = callArguments(call);
  const driver = fn === "ConnectContext" ? args[1] : fn === "OpenDB" ? undefined : args[0];
  if (!driver) return false;
  return EMBEDDED_DRIVERS.test(driver.text) || (embeddedImported && driver.type !== "interpreted_string_literal" && driver.type !== "raw_string_literal");
}

/** The function that opens the pool sets its other limits: it is where the pool is configured. */
function tunedWhereOpened(open: Open, opens: Open[]): boolean {
  if (!open.top) return false;
  const alone = opens.filter((o) => o.top?.id === open.top?.id).length === 1;
  const receiver = open.target && !alone ? escapeRegExp(open.target.text) : "[\\w.]+";
  return new RegExp(`(^|[^\\w.])${receiver}\\.SetMax(OpenConns|IdleConns)\\(`).test(open.top.text);
}


/** `db` in `db, err := sql.Open(...)`, `s.db` in `s.db = sqlx.MustConnect(...)`. */
function assignedTarget(call: Node): Node | undefined {
  const list = call.parent;
  const stmt = list?.parent;
  if (list?.type !== "expression_list" || !stmt) return undefined;
  const targets = stmt.type === "var_spec" ? stmt.childrenForFieldName("name").filter((n): n is Node => !!n) : namedChildren(field(stmt, "left"));
  const values = namedChildren(list);
  const target = values.length === 1 ? targets[0] : targets[values.findIndex((v) => v.id === call.id)];
  return target && target.text !== "_" && stmt.type !== "return_statement" ? target : undefined;
}

function rangeBetween(start: Node, end: Node): Range {
  return {
    start: { line: start.startPosition.row, column: start.startPosition.column, offset: start.startIndex },
    end: { line: end.endPosition.row, column: end.endPosition.column, offset: end.endIndex },
  };
}

// ---- fix ------------------------------------------------------------------------

/**
 * Inserts `db.SetConnMaxLifetime(5 * time.Minute)` after the error check that
 * guards the Open (before it, db may be nil), or right after a Must* call.
 * Five minutes is shorter than the idle timeouts of MySQL (8 h), PgBouncer and
 * the usual cloud proxies; the right value is the team's call, so it is a suggestion.
 */
function lifetimeFix(file: GoFile, open: Open): Fix[] {
  const target = open.target;
  const list = open.call.parent;
  let stmt = list?.parent;
  if (!target || !stmt) return [];
  if (stmt.type === "var_spec") stmt = stmt.parent?.type === "var_spec_list" ? stmt.parent.parent : stmt.parent;
  if (!stmt || (stmt.type !== "short_var_declaration" && stmt.type !== "assignment_statement" && stmt.type !== "var_declaration")) return [];
  if (stmt.parent?.type !== "statement_list") return [];
  let after: Node = stmt;
  if (open.results === 2) {
    const targets = stmt.type === "var_declaration" ? (stmt.descendantsOfType("var_spec")[0]?.childrenForFieldName("name") ?? []) : namedChildren(field(stmt, "left"));
    const err = targets[1]?.text;
    const next = nextStatement(stmt);
    const condition = next?.type === "if_statement" ? field(next, "condition")?.text ?? "" : "";
    if (!err || err === "_" || !next || !new RegExp(`\\b${err}\\b`).test(condition)) return [];
    after = next;
  }
  const time = file.imports.find((i) => i.path === "time");
  const unit = time ? (time.name === "." ? "Minute" : `${time.name}.Minute`) : "time.Minute";
  const importEdit = time ? undefined : addImportEdit(file, "time");
  const indent = lineIndent(file.text, stmt.startIndex);
  return [
    {
      title: `Add \`${target.text}.SetConnMaxLifetime(5 * time.Minute)\``,
      kind: "suggestion",
      edits: [{ start: after.endIndex, end: after.endIndex, newText: `\n${indent}${target.text}.SetConnMaxLifetime(5 * ${unit})` }, ...(importEdit ? [importEdit] : [])],
    },
  ];
}

function nextStatement(stmt: Node): Node | undefined {
  for (let n = stmt.nextNamedSibling; n; n = n.nextNamedSibling) if (n.type !== "comment") return n;
  return undefined;
}
