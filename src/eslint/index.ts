/**
 * The ESLint plugin: `leaklint/<rule-id>` for every leaklint rule with a
 * TypeScript/JavaScript implementation, and `configs.recommended` that turns
 * them all on at their default severity. For flat config:
 *
 *   import leaklint from "leaklint/eslint";
 *   export default [leaklint.configs.recommended];
 *
 * `module.exports` is the plugin itself, so `require("leaklint/eslint")` and
 * the ESM default import both give it.
 */
import type { ESLint, Linter, Rule as ESLintRule } from "eslint";
import { packageJson } from "../cli/package-info";
import { Severity } from "../core/types";
import { frontEnd } from "./analysis";
import { eslintRule } from "./rules";

const rules: Record<string, ESLintRule.RuleModule> = {};
const recommendedRules: Linter.RulesRecord = {};
for (const rule of frontEnd.rules) {
  rules[rule.meta.id] = eslintRule(rule);
  recommendedRules[`leaklint/${rule.meta.id}`] = eslintSeverity(rule.meta.defaultSeverity);
}

function eslintSeverity(s: Severity): Linter.StringSeverity {
  return s === "error" ? "error" : "warn";
}

interface LeaklintPlugin extends ESLint.Plugin {
  meta: { name: string; version: string; namespace: string };
  rules: Record<string, ESLintRule.RuleModule>;
  configs: { recommended: Linter.Config };
}

const plugin: LeaklintPlugin = {
  meta: { name: "leaklint", version: packageJson.version, namespace: "leaklint" },
  rules,
  configs: { recommended: { name: "leaklint/recommended", rules: recommendedRules } },
};
plugin.configs.recommended.plugins = { leaklint: plugin };

export = plugin;
