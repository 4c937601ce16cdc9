/**
 * `--shard I/N`: the same file list always splits the same way. Directories stay
 * whole (a Go package's files share their summaries) and go, largest first, to
 * the shard with the fewest bytes so far, so shards take about equal time.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function shardFiles(files: string[], index: number, count: number): string[] {
  if (count === 1) return files;
  const groups = new Map<string, { files: string[]; bytes: number }>();
  for (const file of files) {
    const dir = path.dirname(file);
    const group = groups.get(dir) ?? { files: [], bytes: 0 };
    group.files.push(file);
    group.bytes += sizeOf(file);
    groups.set(dir, group);
  }
  const ordered = [...groups.entries()].sort(([a, x], [b, y]) => y.bytes - x.bytes || (a < b ? -1 : a > b ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const mine = new Set<string>();
  for (const [, group] of ordered) {
    let target = 0;
    for (let i = 1; i < count; i++) if (load[i] < load[target]) target = i;
    load[target] += group.bytes;
    if (target === index - 1) for (const f of group.files) mine.add(f);
  }
  return files.filter((f) => mine.has(f));
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
