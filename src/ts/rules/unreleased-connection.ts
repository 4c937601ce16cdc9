/**
 * unreleased-connection (TS/JS): a pooled client from pg `pool.connect()`,
 * mysql2 `getConnection()` or a TypeORM `createQueryRunner()` that is not
 * released on every path (a query that throws between acquire and release
 * included) stays checked out; when the pool is empty every request waits.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unreleasedConnection = mustReleaseRule({
  id: "unreleased-connection",
  languages: ["ts"],
  defaultSeverity: "error",
  shortDescription: "A database connection or transaction is not released on every path.",
  fullDescription:
    "A client from pg pool.connect(), a connection from mysql2 pool.getConnection() and a TypeORM query runner from createQueryRunner() stay checked out of the pool until release() is called. " +
    "A return, a throw, or a query that rejects between acquiring and releasing leaks it; try/finally with the release is the safe shape.",
  docs: "docs/rules/unreleased-connection.md",
  fixable: "suggestion",
  nolintAliases: ["sqlclosecheck"],
  options: [],
});
