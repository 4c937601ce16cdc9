/** The four must-release rules differ only in metadata: this builds one from its metadata. */
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { RuleMeta } from "../../core/types";
import type { GoFacts } from "../frontend";
import { KINDS } from "../resources";
import { acquiringText, mayAcquire } from "../must-release";

export function mustReleaseRule(meta: RuleMeta): Rule<GoFacts, GoGate> {
  return {
    meta,
    mayReport: mayAcquire,
    // A leak is reported at its acquisition, in the function that makes it.
    mayReportIn: acquiringText,
    check(context) {
      for (const leak of context.facts.mustReleaseLeaks()) {
        if (KINDS[leak.kind].ruleId === meta.id) context.report(leak.report);
      }
    },
  };
}
