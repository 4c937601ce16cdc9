/**
 * Copies of strings that do not keep the text they were cut from alive. V8
 * keeps a substring of 13 characters or more as a view of its parent, so a
 * name read from a file's text (a regex match, a tree node's text) holds the
 * whole file in memory for as long as the name lives. Facts kept after the
 * file's analysis (package declarations, summaries, directory facts) go
 * through here.
 */
const SHORTEST_VIEW = 13;

export function detached(s: string): string {
  // Concatenating and slicing again makes V8 copy the characters into a string of their own.
  return s.length < SHORTEST_VIEW ? s : (" " + s).slice(1);
}

/** `detached` on every string of plain data (objects, arrays, sets, maps). */
export function detachedDeep<T>(value: T): T {
  if (typeof value === "string") return detached(value) as T;
  if (Array.isArray(value)) return value.map(detachedDeep) as T;
  if (value instanceof Set) return new Set([...value].map(detachedDeep)) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [detachedDeep(k), detachedDeep(v)])) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = detachedDeep(v);
    return out as T;
  }
  return value;
}
