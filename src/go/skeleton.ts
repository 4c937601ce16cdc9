/**
 * Top-level function bodies found in Go source without parsing it. A package's
 * facts (imports, types, package variables, which functions exist) live
 * outside the bodies, and bodies are most of the text: parsing the source with
 * them emptied costs a fraction of a full parse. A body this scan is unsure of
 * (a declaration gofmt would not write) is left in place, which only costs time.
 */

const NL = 10;
const SLASH = 47;
const STAR = 42;
const QUOTE = 34;
const APOS = 39;
const BACKTICK = 96;
const BACKSLASH = 92;

export interface Body {
  /** Offset of the `func` keyword. */
  decl: number;
  /** Offsets of the body's `{` and `}`. */
  open: number;
  close: number;
}

/** The source with every top-level function body emptied to `{}`. */
export function withoutBodies(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const body of topLevelBodies(text)) {
    parts.push(text.slice(last, body.open + 1));
    last = body.close;
  }
  if (last === 0) return text;
  parts.push(text.slice(last));
  return parts.join("");
}

export interface DeclarationText {
  /** How summaries name it: "F", or "Recv.M" for a method. */
  key: string;
  /** The function's or method's own name. */
  name: string;
  method: boolean;
  /** From `func` to the body's `{`. */
  header: string;
  /** The body, braces included. */
  body: string;
}

/** Each top-level function declaration found by `topLevelBodies`, with its key read from the header. */
export function declarationsOf(text: string): DeclarationText[] {
  const out: DeclarationText[] = [];
  for (const body of topLevelBodies(text)) {
    const header = text.slice(body.decl, body.open);
    // Mirrors GoFile.describeFunction: the receiver's type name without `*` or type parameters.
    const m = /^func\s*(?:\(\s*(?:\w+\s+)?\*?\s*(\w+)[^)]*\)\s*)?(\w+)/.exec(header);
    if (!m) continue;
    out.push({ key: m[1] ? `${m[1]}.${m[2]}` : m[2], name: m[2], method: !!m[1], header, body: text.slice(body.open, body.close + 1) });
  }
  return out;
}

export function topLevelBodies(text: string): Body[] {
  const out: Body[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const after = skipLiteral(text, i);
    if (after >= 0) {
      i = after - 1;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (depth === 0 && c === 102 && (i === 0 || text.charCodeAt(i - 1) === NL) && text.startsWith("func", i) && !isIdent(text.charCodeAt(i + 4))) {
      const body = bodyOf(text, i);
      if (body) {
        out.push(body);
        i = body.close;
      }
    }
  }
  return out;
}

/** The body of the declaration starting at `decl`, if the signature ends in one. */
function bodyOf(text: string, decl: number): Body | undefined {
  let nesting = 0;
  for (let i = decl + 4; i < text.length; i++) {
    const after = skipLiteral(text, i);
    if (after >= 0) {
      i = after - 1;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91) nesting++;
    else if (c === 41 || c === 93) nesting--;
    else if (c === 123 && nesting === 0) {
      const close = matchingBrace(text, i);
      if (close < 0) return undefined;
      // `interface{}` or `struct{...}` in the result type: not the body yet.
      if (/\b(?:interface|struct)\s*$/.test(text.slice(Math.max(decl, i - 16), i))) {
        i = close;
        continue;
      }
      return { decl, open: i, close };
    } else if (c === NL && nesting === 0) {
      // Go ends the declaration at this newline unless the line ends in an operator or comma.
      const line = text.slice(decl, i).trimEnd();
      if (/[\w)\]}]$/.test(line)) return undefined;
    }
  }
  return undefined;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const after = skipLiteral(text, i);
    if (after >= 0) {
      i = after - 1;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** The offset after a comment, string or rune starting at `i`; -1 when none starts there. */
function skipLiteral(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === SLASH) {
    const next = text.charCodeAt(i + 1);
    if (next === SLASH) {
      const end = text.indexOf("\n", i);
      return end < 0 ? text.length : end;
    }
    if (next === STAR) {
      const end = text.indexOf("*/", i + 2);
      return end < 0 ? text.length : end + 2;
    }
    return -1;
  }
  if (c === BACKTICK) {
    const end = text.indexOf("`", i + 1);
    return end < 0 ? text.length : end + 1;
  }
  if (c === QUOTE || c === APOS) {
    for (let j = i + 1; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === BACKSLASH) j++;
      else if (d === c || d === NL) return j + 1;
    }
    return text.length;
  }
  return -1;
}

function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}
