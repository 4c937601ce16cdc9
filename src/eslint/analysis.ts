/**
 * One leaklint analysis per linted file, shared by every `leaklint/*` rule
 * ESLint runs on it. ESLint calls each enabled rule's `create` before it walks
 * the tree, so every rule registers itself (with its options) on the file's
 * run; the first rule whose `Program` listener fires analyses the file once
 * for all registered rules, and each rule reports its share.
 *
 * The file is parsed once: under typescript-eslint the `ts.SourceFile` it
 * parsed is taken from `parserServices.esTreeNodeToTSNodeMap` (with the type
 * checker when it has a program); under espree the text is parsed here,
 * syntax only. The TS rules run unchanged either way.
 */
import * as path from "node:path";
import ts = require("typescript");
import type { Rule as ESLintRule, SourceCode } from "eslint";
import { ConfigError, ConfigResolver, LeaklintConfig, emptyConfig } from "../core/config";
import { ActiveRule } from "../core/engine";
import { Rule } from "../core/rule";
import { Comment, Suppressions } from "../core/suppression";
import { Finding, ToolNotice } from "../core/types";
import { TsFrontEnd } from "../ts/frontend";
import { isTsSource, parseTs } from "../ts/parser";
import { TypeOracle } from "../ts/types";
import { checkerOracle } from "../ts/checker-oracle";

export const frontEnd = new TsFrontEnd();
const configs = new ConfigResolver();

interface Requested {
  rule: Rule<unknown>;
  options: Record<string, unknown>;
}

/** What the analysis of one file gave each rule, plus a config problem to report once. */
export interface FileAnalysis {
  byRule: Map<string, Finding[]>;
  configError?: string;
  /** The rule that reports the config problem (the first registered), so it is reported once. */
  configReporter?: string;
}

interface FileRun {
  requested: Map<string, Requested>;
  analysis?: FileAnalysis;
}

/** Keyed by the ESLint AST, so each lint pass (every `--fix` round parses anew) gets its own run. */
const runs = new WeakMap<object, FileRun>();

/** Called from a rule's `create`: the rule wants its findings for this file. */
export function register(context: ESLintRule.RuleContext, rule: Rule<unknown>): void {
  const ast = context.sourceCode.ast;
  let run = runs.get(ast);
  if (!run) {
    run = { requested: new Map() };
    runs.set(ast, run);
  }
  const options = (context.options[0] ?? {}) as Record<string, unknown>;
  run.requested.set(rule.meta.id, { rule, options });
}

/** The findings of `ruleId` in the file; the first call analyses the file for every registered rule. */
export function analysisFor(context: ESLintRule.RuleContext, ruleId: string): FileAnalysis {
  const sourceCode = context.sourceCode;
  const run = runs.get(sourceCode.ast);
  if (!run) return { byRule: new Map() };
  if (!run.analysis || !run.analysis.byRule.has(ruleId)) {
    // A rule registered after the run was analysed (not expected from ESLint's order) gets a run of its own.
    const pending = run.analysis ? [...run.requested.values()].filter((r) => !run.analysis!.byRule.has(r.rule.meta.id)) : [...run.requested.values()];
    const result = analyse(context, pending);
    if (run.analysis) for (const [id, f] of result.byRule) run.analysis.byRule.set(id, f);
    else run.analysis = result;
  }
  return run.analysis;
}

function analyse(context: ESLintRule.RuleContext, requested: Requested[]): FileAnalysis {
  const byRule = new Map<string, Finding[]>(requested.map((r) => [r.rule.meta.id, []]));
  const sourceCode = context.sourceCode;
  // A processor's code block (`README.md/0.js`) is named by its virtual file name; its config is the physical file's.
  const file = context.filename;
  if (/\.d\.[cm]?ts$/.test(file)) return { byRule };
  const parsed = sourceFileOf(sourceCode, file, context);
  if (!parsed) return { byRule };

  let config: LeaklintConfig;
  let configError: string | undefined;
  try {
    config = configs.forFile(absolute(context.physicalFilename ?? file, context.cwd));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    config = emptyConfig();
    configError = e.message;
  }
  const active: ActiveRule[] = requested.map(({ rule, options }) => {
    const setting = config.rules[rule.meta.id];
    const fromConfig = Array.isArray(setting) ? setting[1] : {};
    return { rule, severity: rule.meta.defaultSeverity, options: { ...fromConfig, ...options } };
  });

  const result = frontEnd.analyzeSourceFile(file, parsed.sourceFile, active, config, parsed.oracle);
  reportNotices(result.notices);
  if (result.findings.length > 0) {
    // `eslint-disable` comments are ESLint's own business: it applies them, and
    // flags the ones that silence nothing. leaklint:ignore and nolint apply here.
    const suppressions = new Suppressions(result.comments.filter((c) => !isEslintDirective(c)));
    const metaById = new Map(requested.map((r) => [r.rule.meta.id, r.rule.meta]));
    for (const f of result.findings) {
      const meta = metaById.get(f.ruleId);
      if (meta && !suppressions.isSuppressed(meta, f.range.start.line)) byRule.get(f.ruleId)!.push(f);
    }
  }
  return { byRule, configError, configReporter: configError ? requested[0].rule.meta.id : undefined };
}

interface Parsed {
  sourceFile: ts.SourceFile;
  oracle?: TypeOracle;
}

interface TsParserServices {
  esTreeNodeToTSNodeMap?: { get(node: unknown): ts.Node | undefined };
  program?: ts.Program | null;
}

/**
 * The `ts.SourceFile` behind the ESLint AST: typescript-eslint's when it is the
 * linted text as this copy of TypeScript numbers its syntax kinds, with the
 * checker when typescript-eslint has a program; otherwise the text parsed
 * here. Files of other languages (`.vue`, `.md`) are not analysed.
 */
function sourceFileOf(sourceCode: SourceCode, file: string, context: ESLintRule.RuleContext): Parsed | undefined {
  const services = sourceCode.parserServices as TsParserServices | undefined;
  const node = services?.esTreeNodeToTSNodeMap?.get(sourceCode.ast);
  // `SourceFile` is numbered differently by each TypeScript version: a file from another copy is parsed anew.
  if (node && node.kind === ts.SyntaxKind.SourceFile && (node as ts.SourceFile).text === sourceCode.text) {
    const sourceFile = node as ts.SourceFile;
    const program = services?.program && services.program.getSourceFile(sourceFile.fileName) === sourceFile ? services.program : undefined;
    // A program's files get parent pointers when they are bound, which creating the checker does.
    if (program && !hasParents(sourceFile)) program.getTypeChecker();
    if (hasParents(sourceFile)) return { sourceFile, oracle: program ? checkerOracle(program) : undefined };
  }
  const ext = path.extname(file);
  if (ext && !isTsSource(file)) return undefined;
  try {
    if (ext) return { sourceFile: parseTs(file, sourceCode.text) };
    // RuleTester's `<input>` and other names without an extension: as the parser reads them.
    const kind = services?.esTreeNodeToTSNodeMap ? (jsx(context) ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JS;
    return {
      sourceFile: ts.createSourceFile(file, sourceCode.text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, kind),
    };
  } catch (e) {
    if (e instanceof RangeError) return undefined; // nested deeper than the stack: ESLint parsed it, the rules skip it
    throw e;
  }
}

/** The rules walk upwards: typescript-eslint parses with parent pointers; a file without them is parsed anew rather than changed. */
function hasParents(sf: ts.SourceFile): boolean {
  const first = sf.statements[0];
  return !first || first.parent === sf;
}

function jsx(context: ESLintRule.RuleContext): boolean {
  const options = context.languageOptions?.parserOptions as { ecmaFeatures?: { jsx?: boolean } } | undefined;
  return !!options?.ecmaFeatures?.jsx;
}

function absolute(file: string, cwd: string | undefined): string {
  return path.isAbsolute(file) ? file : path.resolve(cwd ?? process.cwd(), file);
}

function isEslintDirective(c: Comment): boolean {
  return /^eslint-(disable|enable)/.test(c.text.replace(/^\/\/|^\/\*/, "").trim());
}

const warned = new Set<string>();

/** A rule that crashed loses its findings for the file; say so once per message on stderr, as ESLint does for its own warnings. */
function reportNotices(notices: ToolNotice[]): void {
  for (const n of notices) {
    if (n.kind !== "internal") continue;
    const text = `leaklint: ${n.file}: ${n.message}`;
    if (warned.has(text)) continue;
    warned.add(text);
    process.emitWarning(text);
  }
}
