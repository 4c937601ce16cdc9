/** The four must-release rules differ only in metadata: this builds one from its metadata. */
import { Rule } from "../../core/rule";
import { RuleMeta } from "../../core/types";
import type { GoFacts } from "../frontend";
import { KINDS } from "../resources";

export function mustReleaseRule(meta: RuleMeta): Rule<GoFacts> {
  return {
    meta,
    check(context) {
      for (const leak of context.facts.mustReleaseLeaks()) {
        if (KINDS[leak.kind].ruleId === meta.id) context.report(leak.report);
      }
    },
  };
}
