/** The four must-release rules differ only in metadata: this builds the TS column of one from its metadata. */
import { Rule } from "../../core/rule";
import { RuleMeta } from "../../core/types";
import type { TsFacts } from "../frontend";
import { TS_KINDS } from "../resources";

export function mustReleaseRule(meta: RuleMeta): Rule<TsFacts> {
  return {
    meta,
    check(context) {
      for (const leak of context.facts.mustReleaseLeaks()) {
        if (TS_KINDS[leak.kind].ruleId === meta.id) context.report(leak.report);
      }
    },
  };
}
