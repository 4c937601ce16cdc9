/**
 * unclosed-rows: `*sql.Rows`, `*sql.Stmt`, sqlx rows and named statements and
 * pgx `Rows` hold a pooled connection until closed. Rows that are only iterated
 * to the end stay open when a Scan error, early return or panic leaves the loop:
 * the pool drains and every query blocks.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedRows = mustReleaseRule({
  id: "unclosed-rows",
  languages: ["go"],
  defaultSeverity: "error",
  shortDescription: "Database rows or a prepared statement are not closed on every path.",
  fullDescription:
    "Rows from Query/QueryContext (database/sql, sqlx, pgx) and statements from Prepare hold a connection from the pool until they are closed. " +
    "A path that returns, panics or starts the next loop iteration without closing them leaks that connection; iterating rows to the end is not enough, " +
    "because a Scan error or early return leaves the loop first. When every connection has leaked, every query blocks.",
  docs: "docs/rules/unclosed-rows.md",
  fixable: "fix",
  nolintAliases: ["sqlclosecheck"],
  options: [],
});
