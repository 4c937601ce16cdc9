/**
 * Which files a scan analyses. Directories are walked with readdir's file
 * types (no stat per entry); .gitignore files apply at every level below the
 * repository root, the config's `ignore` globs below the config's directory.
 * The result is sorted so every run, and every --jobs value, sees one order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ignore, { Ignore } from "ignore";
import { LeaklintConfig } from "../core/config";
import { ToolNotice } from "../core/types";
import { errorCode, UsageError } from "./errors";

/** What discovery needs from the engine; `configFor` throws ConfigError for a broken config. */
export interface FileFilter {
  handles(file: string): boolean;
  configFor(file: string): LeaklintConfig;
}

export interface Discovery {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  /** Named files that were not analysed, and why. */
  notices: ToolNotice[];
}

const DEFAULT_IGNORED_DIRS = new Set(["vendor", "node_modules", "testdata", ".git"]);

/** Go's rule: the marker must come before the package clause; a few KB always cover it. */
const GENERATED_HEADER_BYTES = 8 * 1024;
/** Fewer line breaks than this in a JS file's first GENERATED_HEADER_BYTES: minified. */
const MINIFIED_MAX_BREAKS = 8;
const GENERATED_MARKER = /^\/\/ Code generated .* DO NOT EDIT\.\r?$/m;

interface GitIgnore {
  dir: string;
  rules: Ignore;
}

export function discoverFiles(paths: string[], filter: FileFilter, cwd = process.cwd()): Discovery {
  const found = new Set<string>();
  const notices: ToolNotice[] = [];
  const configIgnores = new Map<string, Ignore>();

  const ignoredByConfig = (entry: string, isDir: boolean): boolean => {
    const config = filter.configFor(entry);
    if (!config.source || config.ignore.length === 0) return false;
    let rules = configIgnores.get(config.source);
    if (!rules) {
      rules = ignore().add(config.ignore);
      configIgnores.set(config.source, rules);
    }
    return matches(rules, path.dirname(config.source), entry, isDir);
  };

  const walk = (dir: string, gitignores: GitIgnore[]): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      notices.push({ file: dir, message: `cannot read directory (${errorCode(e)})`, kind: "input" });
      return;
    }
    if (entries.some((e) => e.name === ".gitignore" && !e.isDirectory())) {
      gitignores = [...gitignores, ...readGitIgnore(dir)];
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (DEFAULT_IGNORED_DIRS.has(entry.name)) continue;
        if (ignoredByGit(gitignores, full, true) || ignoredByConfig(full, true)) continue;
        walk(full, gitignores);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        // A symlink is kept when it names a file, or names nothing: then the engine reports
        // the file as unreadable instead of it silently vanishing from the scan.
        if (entry.isSymbolicLink() && isDirectory(full)) continue;
        if (!filter.handles(full)) continue;
        if (ignoredByGit(gitignores, full, false) || ignoredByConfig(full, false)) continue;
        if (skippedByDefault(full)) continue; // last: it reads the file's header
        found.add(full);
      }
    }
  };

  for (const given of paths) {
    const full = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch (e) {
      // A dangling link named on the command line is an unreadable file, not a typo.
      if (isSymbolicLink(full) && filter.handles(full)) {
        found.add(full);
        continue;
      }
      throw new UsageError(`${given}: ${errorCode(e) === "ENOENT" ? "no such file or directory" : `cannot access (${errorCode(e)})`}`);
    }
    const skippedDir = path.relative(cwd, full).split(path.sep).find((part) => DEFAULT_IGNORED_DIRS.has(part));
    if (skippedDir !== undefined && !stat.isDirectory()) {
      notices.push({ file: full, message: `not analysed: files under ${skippedDir}/ are skipped by default`, kind: "input" });
    } else if (stat.isDirectory()) {
      walk(full, ancestorGitIgnores(full));
    } else if (!stat.isFile()) {
      notices.push({ file: full, message: "not analysed: not a regular file", kind: "input" });
    } else if (!filter.handles(full)) {
      notices.push({ file: full, message: "not analysed: no analyser for this kind of file", kind: "input" });
    } else {
      const skipped = skippedByDefault(full);
      if (skipped) {
        notices.push({ file: full, message: `not analysed: ${skipped}`, kind: "input" });
      } else {
        filter.configFor(full); // a broken config is a usage error now, not a failure inside a worker
        found.add(full);
      }
    }
  }
  return { files: [...found].sort(comparePaths), notices };
}

/** Code-unit order, not locale order: the same on every machine. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A minified bundle: built by a tool from sources elsewhere, and nobody edits it by hand. */
const MINIFIED = /\.min\.[cm]?js$/;

/** What a file is that every scan skips ("generated file"), or undefined. It may read the file's header. */
function skippedByDefault(file: string): string | undefined {
  if (file.endsWith(".d.ts")) return "declaration file";
  if (MINIFIED.test(file) || isMinifiedJs(file)) return "minified file";
  if (file.endsWith(".go") && isGeneratedGo(file)) return "generated file";
  return undefined;
}

function isGeneratedGo(file: string): boolean {
  const header = headerOf(file);
  if (header === undefined) return false; // the engine reports the unreadable file
  const packageClause = /^package\s/m.exec(header);
  return GENERATED_MARKER.test(packageClause ? header.slice(0, packageClause.index) : header);
}

/**
 * A JavaScript bundle minified without the `.min` name (`dist/index.cjs`):
 * its first 8 KB hold hardly a line break. Hand-written code breaks lines
 * every hundred characters or so.
 */
function isMinifiedJs(file: string): boolean {
  if (!/\.[cm]?js$/.test(file)) return false;
  const header = headerOf(file);
  if (header === undefined || header.length < GENERATED_HEADER_BYTES) return false;
  let breaks = 0;
  for (let i = header.indexOf("\n"); i >= 0 && breaks < MINIFIED_MAX_BREAKS; i = header.indexOf("\n", i + 1)) breaks++;
  return breaks < MINIFIED_MAX_BREAKS;
}

/** The file's first GENERATED_HEADER_BYTES, or undefined when it cannot be read. */
function headerOf(file: string): string | undefined {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const buffer = Buffer.alloc(GENERATED_HEADER_BYTES);
      return buffer.toString("utf8", 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** .gitignore files between the repository root and a walked directory apply inside it too. */
function ancestorGitIgnores(dir: string): GitIgnore[] {
  const chain: string[] = [];
  for (let d = dir; !fs.existsSync(path.join(d, ".git")); ) {
    const parent = path.dirname(d);
    if (parent === d) return []; // not in a repository
    d = parent;
    chain.unshift(d);
  }
  return chain.flatMap((d) => (fs.existsSync(path.join(d, ".gitignore")) ? readGitIgnore(d) : []));
}

function readGitIgnore(dir: string): GitIgnore[] {
  try {
    return [{ dir, rules: ignore().add(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")) }];
  } catch {
    return []; // an unreadable .gitignore ignores nothing, as in git
  }
}

/** Deeper .gitignore files override shallower ones, negations included, as git does. */
function ignoredByGit(gitignores: GitIgnore[], entry: string, isDir: boolean): boolean {
  let ignored = false;
  for (const g of gitignores) {
    const rel = relativeForIgnore(g.dir, entry, isDir);
    if (rel === undefined) continue;
    const result = g.rules.test(rel);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

function matches(rules: Ignore, base: string, entry: string, isDir: boolean): boolean {
  const rel = relativeForIgnore(base, entry, isDir);
  return rel !== undefined && rules.ignores(rel);
}

/** `ignore` wants a forward-slash path below its base, with a trailing slash for directories. */
function relativeForIgnore(base: string, entry: string, isDir: boolean): string | undefined {
  const rel = path.relative(base, entry);
  if (rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  const posix = rel.split(path.sep).join("/");
  return isDir ? `${posix}/` : posix;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
