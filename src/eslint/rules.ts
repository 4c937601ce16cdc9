/**
 * One ESLint rule per leaklint TS rule, its metadata taken from the leaklint
 * RuleMeta: the description and docs link, `fixable` when the rule has safe
 * fixes, `hasSuggestions` when it offers suggestions, the options schema. The
 * check itself is the shared per-file analysis (analysis.ts); a rule only
 * turns its share of the findings into reports.
 */
import type { JSONSchema4 } from "json-schema";
import type { Rule as ESLintRule } from "eslint";
import { docsUrl } from "../cli/package-info";
import { Rule } from "../core/rule";
import { Finding, Fix, RuleMeta, RuleOptionSpec } from "../core/types";
import { analysisFor, register } from "./analysis";

export function eslintRule(rule: Rule<unknown>): ESLintRule.RuleModule {
  const meta = rule.meta;
  return {
    meta: {
      type: "problem",
      docs: { description: meta.shortDescription, recommended: true, url: docsUrl(meta.docs) },
      // A rule with safe fixes may still offer a suggestion where its fix would not be safe.
      ...(meta.fixable === "fix" ? { fixable: "code" as const } : {}),
      hasSuggestions: meta.fixable !== "none",
      messages: {
        leak: "{{message}}",
        config: "leaklint.config.json is invalid, so the defaults apply: {{message}}",
      },
      schema: schemaOf(meta.options),
    },
    create(context) {
      register(context, rule);
      return {
        Program() {
          const analysis = analysisFor(context, meta.id);
          if (analysis.configError && analysis.configReporter === meta.id) {
            context.report({ loc: { line: 1, column: 0 }, messageId: "config", data: { message: analysis.configError } });
          }
          for (const finding of analysis.byRule.get(meta.id) ?? []) report(context, meta, finding);
        },
      };
    },
  };
}

function report(context: ESLintRule.RuleContext, meta: RuleMeta, finding: Finding): void {
  const source = context.sourceCode;
  // ESLint refuses fixes and suggestions a rule's metadata does not announce.
  const safe = meta.fixable === "fix" ? finding.fixes.find((f) => f.kind === "fix") : undefined;
  const suggestions = meta.fixable === "none" ? [] : finding.fixes.filter((f) => f !== safe);
  context.report({
    loc: { start: source.getLocFromIndex(finding.range.start.offset), end: source.getLocFromIndex(finding.range.end.offset) },
    messageId: "leak",
    data: { message: finding.message },
    ...(safe ? { fix: fixer(safe) } : {}),
    ...(suggestions.length ? { suggest: suggestions.map((s) => ({ desc: s.title, fix: fixer(s) })) } : {}),
  });
}

function fixer(fix: Fix): ESLintRule.ReportFixer {
  return (f) => fix.edits.map((e) => f.replaceTextRange([e.start, e.end], e.newText));
}

/** No options: `[]`, so ESLint rejects any. Otherwise one object with a property per option. */
function schemaOf(options: RuleOptionSpec[]): JSONSchema4[] {
  if (options.length === 0) return [];
  const properties: Record<string, JSONSchema4> = {};
  for (const o of options) {
    const type: JSONSchema4 = o.type === "string[]" ? { type: "array", items: { type: "string" } } : { type: o.type };
    properties[o.name] = { ...type, description: o.description };
  }
  return [{ type: "object", properties, additionalProperties: false }];
}
