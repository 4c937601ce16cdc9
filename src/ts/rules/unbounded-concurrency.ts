/** unbounded-concurrency (TS/JS): work in progress. */
import { Rule } from "../../core/rule";
import type { TsFacts } from "../frontend";

export const unboundedConcurrency: Rule<TsFacts> = {
  meta: {
    id: "unbounded-concurrency",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "",
    fullDescription: "",
    docs: "docs/rules/unbounded-concurrency.md",
    fixable: "none",
    nolintAliases: [],
    options: [],
  },
  check() {},
};
