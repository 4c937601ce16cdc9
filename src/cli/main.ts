#!/usr/bin/env node
/**
 * `leaklint`: the command-line front end. Parses arguments, finds files, runs
 * the engine over them (in worker threads for large scans), prints the report
 * and turns it into an exit code. See HELP in args.ts for the contract.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, loadConfigFile } from "../core/config";
import { EngineOptions } from "../core/engine";
import { ToolNotice } from "../core/types";
import { createEngine } from "../index";
import { HELP, parseCommandLine, ScanOptions } from "./args";
import { discoverFiles } from "./discover";
import { errorCode, UsageError } from "./errors";
import { formatJson } from "./formatters/json";
import { formatSarif } from "./formatters/sarif";
import { formatRulesTable, formatText } from "./formatters/text";
import { version } from "./package-info";
import { progressLine } from "./progress";
import { exitCode, relativePath, ScanReport } from "./report";
import { WorkerPool, analyzeAll } from "./workers";
import { ResultCache } from "./cache";
import { shardFiles } from "./shard";

async function main(argv: string[]): Promise<number> {
  const command = parseCommandLine(argv);
  switch (command.name) {
    case "help":
      process.stdout.write(HELP);
      return 0;
    case "version":
      process.stdout.write(`${version}\n`);
      return 0;
    case "rules":
      process.stdout.write(formatRulesTable((await createEngine({})).rules));
      return 0;
    case "scan":
      return scan(command.options);
    case "lsp":
      // Loaded only here so scans do not pay for it; runs until the client sends `exit`.
      (require("../server/index") as typeof import("../server/index")).startServer();
      return 0;
  }
}

async function scan(options: ScanOptions): Promise<number> {
  const root = process.cwd();
  const engineOptions: EngineOptions = { ruleOverrides: options.rules, typed: options.typed };
  if (options.config !== undefined) {
    engineOptions.configFile = path.resolve(options.config);
    loadConfigFile(engineOptions.configFile); // a broken --config fails before any work
  }
  const engine = await createEngine(engineOptions);
  // Listing the rules loads every front end; a Go-only scan need not load TypeScript before its workers run.
  const overridden = Object.keys(options.rules);
  if (overridden.length > 0) {
    const known = new Set(engine.rules.map((r) => r.id));
    for (const id of overridden) {
      if (!known.has(id)) throw new UsageError(`unknown rule '${id}' in option '--rule' (see 'leaklint rules')`);
    }
  }

  const discovery = discoverFiles(options.paths, engine, root);
  const selected = options.shard ? shardFiles(discovery.files, options.shard.index, options.shard.count) : discovery.files;
  // --fix rewrites files, so it always analyses afresh; what it leaves is cached for the next run.
  const cache = options.cache ? ResultCache.open(path.resolve(options.cacheLocation ?? ResultCache.defaultLocation(root)), engine, { rules: options.rules, typed: options.typed }) : undefined;
  // Files the cache has never seen will be analysed: their workers can start while the keys are computed.
  const pool = cache && WorkerPool.startFor(selected.filter((f) => options.fix || !cache.knows(f)).length, { jobs: options.jobs, fix: options.fix, engineOptions });
  let keys: (string | undefined)[];
  try {
    keys = cache ? selected.map((f) => cache.keyOf(f)) : [];
  } catch (e) {
    pool?.close();
    throw e;
  }
  const cached = selected.map((f, i) => (cache && !options.fix && keys[i] !== undefined ? cache.get(f, keys[i]!) : undefined));
  const misses = selected.filter((_, i) => cached[i] === undefined);
  const progress = progressLine(misses.length, options.progress && process.stderr.isTTY === true);
  const analyzed = await analyzeAll(engine, misses, {
    jobs: options.jobs,
    fix: options.fix,
    engineOptions,
    onProgress: (done) => progress.update(done),
    pool,
  });
  progress.clear();
  let next = 0;
  const files = selected.map((_, i) => cached[i] ?? analyzed[next++]);
  if (cache) {
    selected.forEach((f, i) => {
      const key = options.fix ? cache.keyOf(f) : keys[i];
      if (cached[i] === undefined && key !== undefined) cache.set(f, key, files[i]);
    });
    saveCache(cache);
  }

  const report: ScanReport = {
    root,
    rules: engine.rules,
    files,
    notices: [...discovery.notices, ...files.flatMap((f) => f.notices)],
  };
  for (const notice of report.notices) printNotice(root, notice);
  writeReport(options, render(options, report));
  return exitCode(report, options.maxWarnings);
}

/** A cache that cannot be written costs the next run time, not this run its report. */
function saveCache(cache: ResultCache): void {
  try {
    cache.save();
  } catch (e) {
    printError(`cannot write the cache (${errorCode(e)}); results are not cached`);
  }
}

function render(options: ScanOptions, report: ScanReport): string {
  switch (options.format) {
    case "json":
      return formatJson(report);
    case "sarif":
      return formatSarif(report);
    case "text": {
      // NO_COLOR (https://no-color.org) counts only when set to something.
      const color = options.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
      return formatText(report, { color });
    }
  }
}

function writeReport(options: ScanOptions, text: string): void {
  if (options.output === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(path.resolve(options.output), text);
  } catch (e) {
    throw new UsageError(`${options.output}: cannot write report (${errorCode(e)})`);
  }
}

function printNotice(root: string, notice: ToolNotice): void {
  printError(`${relativePath(root, notice.file)}: ${notice.message}`);
}

function printError(message: string): void {
  process.stderr.write(`leaklint: ${message.replace(/\s*\n\s*/g, " ")}\n`);
}

/** Config errors name the file relative to the working directory. */
function configMessage(error: ConfigError): string {
  const file = path.isAbsolute(error.file) ? path.relative(process.cwd(), error.file) || error.file : error.file;
  return `${file}: ${error.detail}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      printError(error.message);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      printError(configMessage(error));
      process.exitCode = 2;
    } else {
      printError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 3;
    }
  },
);
