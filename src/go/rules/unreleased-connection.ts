/**
 * unreleased-connection: a `*sql.Conn` that is not closed, or a `*sql.Tx` that
 * is neither committed nor rolled back on some path, pins a pool connection
 * (and, for a transaction, its locks) until the process restarts.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unreleasedConnection = mustReleaseRule({
  id: "unreleased-connection",
  languages: ["go"],
  defaultSeverity: "error",
  shortDescription: "A database connection or transaction is not released on every path.",
  fullDescription:
    "A *sql.Conn from db.Conn(ctx) must be closed, a pgxpool connection from Acquire released, and a transaction from Begin/BeginTx/Beginx committed or rolled back on every path. " +
    "An error return between Begin and Commit without a deferred Rollback keeps the connection and the transaction's locks until the database times it out.",
  docs: "docs/rules/unreleased-connection.md",
  fixable: "fix",
  nolintAliases: ["sqlclosecheck"],
  options: [],
});
