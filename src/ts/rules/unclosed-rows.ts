/**
 * unclosed-rows (TS/JS): database cursors and streams (pg-cursor,
 * pg-query-stream, mongodb cursors, mysql2 query streams) keep a connection
 * busy, or a server-side cursor open, until they are closed or read to the end.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedRows = mustReleaseRule({
  id: "unclosed-rows",
  languages: ["ts"],
  defaultSeverity: "error",
  shortDescription: "Database rows or a prepared statement are not closed on every path.",
  fullDescription:
    "A pg-cursor or pg-query-stream submitted to a client keeps that client busy, a mongodb cursor from find()/aggregate() keeps a server-side cursor open, and a mysql2 query stream its connection, until closed, destroyed or read to the end. " +
    "A path that returns or throws before that leaks them.",
  docs: "docs/rules/unclosed-rows.md",
  fixable: "suggestion",
  nolintAliases: ["sqlclosecheck"],
  options: [],
});
