/**
 * The vocabulary every part of leaklint shares: what a rule reports, how a fix
 * is expressed and how a rule describes itself. Nothing here knows about a
 * front end (terminal, LSP, ESLint) or a language.
 */

export type Severity = "error" | "warning" | "info";
export type Language = "go" | "ts";

/** A 0-based position. `offset` indexes the analysed text as a JS string (UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export interface TextEdit {
  /** Offsets into the analysed text (UTF-16 code units, as JS strings index). */
  start: number;
  end: number;
  newText: string;
}

/** `fix` is safe to apply unattended; `suggestion` needs a human to confirm it. */
export type FixKind = "fix" | "suggestion";

export interface Fix {
  title: string;
  kind: FixKind;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
}

/** The shape of a rule's options; documented in its docs page and the config schema. */
export interface RuleOptionSpec {
  name: string;
  type: "string[]" | "number" | "boolean" | "string";
  description: string;
}

export interface RuleMeta {
  id: string;
  languages: Language[];
  defaultSeverity: Severity;
  /** One sentence, shown in `leaklint rules` and SARIF `shortDescription`. */
  shortDescription: string;
  /** A paragraph: what leaks and why it hurts. SARIF `fullDescription`. */
  fullDescription: string;
  /** Path of the docs page relative to the package root. */
  docs: string;
  /** `fix` when the rule offers a safe fix, `suggestion` when only suggestions, `none` otherwise. */
  fixable: FixKind | "none";
  /** golangci-lint linter names whose `//nolint:<name>` also silences this rule. */
  nolintAliases: string[];
  options: RuleOptionSpec[];
}

/** A problem with the run itself (unreadable file, rule crash): reported, never fatal. */
export interface ToolNotice {
  file: string;
  message: string;
  /** `internal` means leaklint itself failed (exit code 3); `input` means the file could not be analysed. */
  kind: "internal" | "input";
}

export interface FileResult {
  file: string;
  findings: Finding[];
  notices: ToolNotice[];
  /** The text the findings' offsets refer to, so fixes can be applied to exactly it. */
  text?: string;
}
