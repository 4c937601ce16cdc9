/**
 * What a directory's Go sources say without parsing them: their import paths
 * and the files of the module packages they import. Used where a parse would
 * cost more than the answer is worth (gating summaries, cache keys).
 */
import { defaultImportName } from "./facts";
import * as fs from "node:fs";
import * as path from "node:path";

export function goFilesOfDir(dir: string, withTests: boolean): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith(".go") && (withTests || !n.endsWith("_test.go")))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

export function importsOfSources(texts: string[]): string[] {
  return [...new Set(texts.flatMap((text) => textImports(text).map((i) => i.path)))];
}

export interface TextImport {
  path: string;
  /** The name the file uses for it: the alias, or the package's default name. */
  name: string;
}

/** The import specs of Go source, read with a regex; a file that names none imports nothing. */
export function textImports(text: string): TextImport[] {
  const out: TextImport[] = [];
  const add = (alias: string | undefined, importPath: string) => out.push({ path: importPath, name: alias ?? defaultImportName(importPath) });
  for (const block of text.matchAll(/^import\s*\(([\s\S]*?)^\s*\)|^import\s+([\w.]+\s+)?["`]([^"`]+)["`]/gm)) {
    if (block[3]) add(block[2]?.trim(), block[3]);
    for (const m of (block[1] ?? "").matchAll(/^\s*([\w.]+\s+)?["`]([^"`]+)["`]/gm)) add(m[1]?.trim(), m[2]);
  }
  return out;
}

/** The module (go.mod directory and path) a directory belongs to. */
export function moduleOf(dir: string): { dir: string; path: string } | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const mod = parseGoMod(d, readOrEmpty(path.join(d, "go.mod")));
    if (mod) return mod;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The module path and `go` directive of the go.mod in `dir`, given its text. */
export function parseGoMod(dir: string, text: string): { dir: string; path: string; goVersion?: string } | undefined {
  const mod = /^module\s+("?)([^\s"]+)\1/m.exec(text);
  const go = /^go\s+(\d+\.\d+)/m.exec(text);
  return mod ? { dir, path: mod[2], goVersion: go?.[1] } : undefined;
}

/**
 * Every Go file an analysis of a directory's files can depend on: the
 * package's files and the non-test files of the module packages it imports,
 * transitively. Directories are read once per index, however many files ask.
 */
export class GoDependencyIndex {
  private readonly direct = new Map<string, { files: string[]; imports: string[] }>();
  private readonly closures = new Map<string, string[]>();

  /** One array per directory, the same for each of its files. */
  dependenciesOf(file: string): readonly string[] {
    const dir = path.dirname(path.resolve(file));
    let deps = this.closures.get(dir);
    if (!deps) {
      deps = this.closure(dir);
      this.closures.set(dir, deps);
    }
    return deps;
  }

  private closure(dir: string): string[] {
    const mod = moduleOf(dir);
    const own = this.read(dir, true);
    const out = new Set<string>(own.files);
    const seen = new Set<string>([dir]);
    const queue = [...own.imports];
    while (mod && queue.length > 0) {
      const importPath = queue.pop()!;
      if (importPath !== mod.path && !importPath.startsWith(mod.path + "/")) continue;
      const depDir = path.join(mod.dir, importPath.slice(mod.path.length));
      if (seen.has(depDir)) continue;
      seen.add(depDir);
      const dep = this.read(depDir, false);
      for (const f of dep.files) out.add(f);
      queue.push(...dep.imports);
    }
    return [...out].sort();
  }

  private read(dir: string, withTests: boolean): { files: string[]; imports: string[] } {
    const key = `${dir}\0${withTests}`;
    let entry = this.direct.get(key);
    if (!entry) {
      const files = goFilesOfDir(dir, withTests);
      entry = { files, imports: importsOfSources(files.map(readOrEmpty)) };
      this.direct.set(key, entry);
    }
    return entry;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
