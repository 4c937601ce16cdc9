/**
 * Applying fixes to a text. Edits of different fixes that overlap are not
 * applied together: the later fix is skipped and reported, never merged, so
 * the result is always the text some sequence of whole fixes produces.
 */
import { Finding, Fix, FixKind, TextEdit } from "./types";

export interface AppliedFixes {
  text: string;
  applied: number;
  skipped: number;
}

export function applyFixes(text: string, fixes: Fix[]): AppliedFixes {
  const ordered = fixes
    .map((fix) => ({ fix, edits: [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end) }))
    .filter((f) => f.edits.length > 0)
    .sort((a, b) => a.edits[0].start - b.edits[0].start);
  const taken: TextEdit[] = [];
  let applied = 0;
  let skipped = 0;
  for (const { edits } of ordered) {
    const overlaps = edits.some((e) => taken.some((t) => conflict(e, t)));
    if (overlaps) {
      skipped++;
      continue;
    }
    taken.push(...edits);
    applied++;
  }
  taken.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of taken) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return { text: out, applied, skipped };
}

/** Overlapping ranges conflict, and so do two insertions at one offset (their order would be arbitrary). */
function conflict(a: TextEdit, b: TextEdit): boolean {
  return (a.start < b.end && b.start < a.end) || (a.start === b.start && (a.start === a.end || b.start === b.end));
}

/** The fixes of the requested kind across findings, one per finding (the first of that kind). */
export function fixesOfKind(findings: Finding[], kind: FixKind): Fix[] {
  const out: Fix[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.kind === kind);
    if (fix) out.push(fix);
  }
  return out;
}
