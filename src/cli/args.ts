/**
 * Command-line parsing. Every mistake becomes a UsageError whose message is one
 * line naming the offending flag or value, because that line is all a CI log
 * shows before the exit code 2.
 */
import { parseArgs } from "node:util";
import * as os from "node:os";
import { UsageError } from "./errors";

export type Format = "text" | "json" | "sarif";
export type RuleLevel = "off" | "info" | "warning" | "error";

export interface ScanOptions {
  paths: string[];
  format: Format;
  output?: string;
  fix: boolean;
  config?: string;
  /** Rule ids are checked against the registry later, once the engine is loaded. */
  rules: Record<string, RuleLevel>;
  maxWarnings?: number;
  jobs: number;
  progress: boolean;
  /** `--cache`: reuse results of unchanged files; `cacheLocation` overrides where they live. */
  cache: boolean;
  cacheLocation?: string;
  /** `--shard I/N`: analyse only the I-th of N deterministic parts of the file list (1-based). */
  shard?: { index: number; count: number };
  /** `--typed`: TypeScript type information from each tsconfig.json. */
  typed: boolean;
}

export type Command =
  | { name: "scan"; options: ScanOptions }
  | { name: "rules" }
  | { name: "lsp" }
  | { name: "help" }
  | { name: "version" };

const FORMATS: readonly Format[] = ["text", "json", "sarif"];
const LEVELS: readonly RuleLevel[] = ["off", "info", "warning", "error"];

const SCAN_OPTIONS = {
  format: { type: "string" },
  output: { type: "string" },
  fix: { type: "boolean" },
  config: { type: "string" },
  rule: { type: "string", multiple: true },
  "max-warnings": { type: "string" },
  jobs: { type: "string" },
  "no-progress": { type: "boolean" },
  cache: { type: "boolean" },
  "cache-location": { type: "string" },
  shard: { type: "string" },
  typed: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const GLOBAL_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export function parseCommandLine(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError("missing command (try 'leaklint --help')");
  if (first === "help") return { name: "help" };
  if (first === "scan") return parseScan(rest);
  if (first === "lsp") return parseLsp(rest);
  if (first === "rules") {
    const { values } = parse(rest, { help: GLOBAL_OPTIONS.help }, false);
    return values.help ? { name: "help" } : { name: "rules" };
  }
  if (first.startsWith("-")) {
    const { values } = parse(argv, GLOBAL_OPTIONS, false);
    return values.version && !values.help ? { name: "version" } : { name: "help" };
  }
  throw new UsageError(`unknown command '${first}' (try 'leaklint --help')`);
}

/** `lsp --stdio` is what editors run; the server also understands vscode-languageserver's other transports. */
function parseLsp(args: string[]): Command {
  const { values } = parse(args, { stdio: { type: "boolean" }, "node-ipc": { type: "boolean" }, socket: { type: "string" }, help: GLOBAL_OPTIONS.help }, false);
  if (values.help) return { name: "help" };
  if (!values.stdio && !values["node-ipc"] && values.socket === undefined) throw new UsageError("'leaklint lsp' needs a transport: --stdio");
  return { name: "lsp" };
}

function parseScan(args: string[]): Command {
  const { values, positionals } = parse(args, SCAN_OPTIONS, true);
  if (values.help) return { name: "help" };
  const format = values.format ?? "text";
  if (!FORMATS.includes(format as Format)) {
    throw new UsageError(`option '--format' must be text, json or sarif, not '${format}'`);
  }
  return {
    name: "scan",
    options: {
      paths: positionals.length > 0 ? positionals : ["."],
      format: format as Format,
      output: nonEmpty("--output", values.output),
      fix: values.fix ?? false,
      config: nonEmpty("--config", values.config),
      rules: parseRuleFlags(values.rule ?? []),
      maxWarnings: values["max-warnings"] === undefined ? undefined : integer("--max-warnings", values["max-warnings"], 0),
      jobs: values.jobs === undefined ? os.availableParallelism() : integer("--jobs", values.jobs, 1),
      progress: !values["no-progress"],
      cache: values.cache === true || values["cache-location"] !== undefined,
      cacheLocation: nonEmpty("--cache-location", values["cache-location"]),
      shard: values.shard === undefined ? undefined : parseShard(values.shard),
      typed: values.typed === true,
    },
  };
}

function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new UsageError(`option '--shard' must be I/N with 1 <= I <= N, not '${value}'`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** parseArgs with its multi-sentence errors turned into one lower-case line that names the flag. */
function parse<T extends OptionSpec>(args: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    const error = e as Error & { code?: string };
    const flag = /'(-[^' ]+)/.exec(error.message)?.[1];
    switch (error.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new UsageError(`unknown option '${flag}'`);
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        throw new UsageError(
          options[flag?.replace(/^-+/, "") ?? ""]?.type === "boolean"
            ? `option '${flag}' does not take a value`
            : `option '${flag}' needs a value`,
        );
      case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
        const arg = /'([^']+)'/.exec(error.message)?.[1];
        throw new UsageError(`unexpected argument '${arg}'`);
      }
      default:
        throw new UsageError(error.message.split("\n")[0]);
    }
  }
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === "") throw new UsageError(`option '${flag}' needs a value`);
  return value;
}

function integer(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`option '${flag}' must be an integer >= ${min}, not '${value}'`);
  }
  return Number(value);
}

function parseRuleFlags(flags: string[]): Record<string, RuleLevel> {
  const rules: Record<string, RuleLevel> = {};
  for (const flag of flags) {
    const match = /^([^=\s]+)=(.*)$/.exec(flag);
    if (!match || !LEVELS.includes(match[2] as RuleLevel)) {
      throw new UsageError(`option '--rule' must be ID=off|info|warning|error, not '${flag}'`);
    }
    rules[match[1]] = match[2] as RuleLevel;
  }
  return rules;
}

export const HELP = `leaklint: find resource leaks in Go source

Usage:
  leaklint scan [paths...]   analyse files and directories (default ".")
  leaklint rules             list the rules: id, languages, default severity, fixable
  leaklint lsp --stdio       run the language server (for editors)
  leaklint --version         print the version
  leaklint --help            print this help

Options for scan:
  --format text|json|sarif   report format (default text)
  --output FILE              write the report to FILE instead of stdout
  --fix                      apply every safe fix in place, then report what remains
  --config FILE              use FILE for every file instead of the nearest
                             leaklint.config.json
  --rule ID=LEVEL            set a rule to off, info, warning or error (repeatable)
  --max-warnings N           exit 1 when there are more than N warnings
  --jobs N                   analyse with N threads (default: available cores)
  --cache                    reuse the results of files that did not change, nor
                             did the package files and module packages they
                             depend on, the config or leaklint
                             (stored in node_modules/.cache/leaklint)
  --cache-location DIR       keep the cache in DIR (implies --cache)
  --shard I/N                analyse only part I of N of the files (for CI
                             matrices; deterministic, balanced by bytes,
                             a directory's files stay together)
  --typed                    analyse TypeScript with the type checker of each
                             tsconfig.json (slower; files no tsconfig includes
                             are analysed from their syntax)
  --no-progress              never show the progress line

Files:
  Directories are walked in sorted order. Skipped: vendor/, node_modules/,
  testdata/, .git/, generated Go files ("// Code generated ... DO NOT EDIT."),
  .d.ts files, and whatever .gitignore files and the config's "ignore" globs
  exclude. A file named on the command line is analysed even when .gitignore
  or the config ignores it; the default skips above still apply to it.
  Symbolic links to files are followed, symbolic links to directories are not.

Exit codes:
  0  no findings at error level and warnings within --max-warnings
  1  findings at error level, or more warnings than --max-warnings
  2  usage or configuration error (one line on stderr names the flag or file)
  3  leaklint itself failed on some file; the other files are still reported
  A file that cannot be analysed (unreadable, binary, over 10 MB) is named on
  stderr and in the report, and does not change the exit code.
`;
