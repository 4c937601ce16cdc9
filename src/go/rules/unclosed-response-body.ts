/**
 * unclosed-response-body: an `*http.Response` body that is not closed keeps its
 * connection out of the pool (and its goroutines alive). The usual shape is an
 * early return after a failed status check.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedResponseBody = mustReleaseRule({
  id: "unclosed-response-body",
  languages: ["go"],
  defaultSeverity: "error",
  shortDescription: "An HTTP response body is not closed on every path.",
  fullDescription:
    "The *http.Response from http.Get/Post/PostForm/Head, (*http.Client).Do/Get/Post/PostForm/Head or RoundTrip owns a connection until resp.Body is closed. " +
    "A path that returns (typically after a failed status check), panics or discards the response leaks the connection and the goroutines that serve it.",
  docs: "docs/rules/unclosed-response-body.md",
  fixable: "fix",
  nolintAliases: ["bodyclose"],
  options: [],
});
