/** shared-read-buffer (TS/JS): work in progress. */
import { Rule } from "../../core/rule";
import type { TsFacts } from "../frontend";

export const sharedReadBuffer: Rule<TsFacts> = {
  meta: {
    id: "shared-read-buffer",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "",
    fullDescription: "",
    docs: "docs/rules/shared-read-buffer.md",
    fixable: "none",
    nolintAliases: [],
    options: [],
  },
  check() {},
};
