/**
 * unclosed-response-body (TS/JS): a fetch Response whose body is neither
 * consumed nor cancelled keeps its connection out of undici's pool until the
 * garbage collector happens to run; a Node http response that is never read
 * keeps its socket. The usual shape is `if (!res.ok) return null` before
 * consuming.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedResponseBody = mustReleaseRule({
  id: "unclosed-response-body",
  languages: ["ts"],
  defaultSeverity: "error",
  shortDescription: "An HTTP response body is not closed on every path.",
  fullDescription:
    "A fetch() Response (global fetch, undici, node-fetch) holds its connection until the body is consumed (json, text, arrayBuffer, blob, formData, bytes, iteration, piping) or cancelled (res.body?.cancel()); " +
    "a Node http.get/request response until it is read (resume, on('data'), pipe). A path that returns or throws first, typically after a failed status check, leaks the connection.",
  docs: "docs/rules/unclosed-response-body.md",
  fixable: "fix",
  nolintAliases: ["bodyclose"],
  options: [],
});
