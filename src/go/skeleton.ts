/**
 * Top-level function declarations found in Go source without parsing it. A
 * package's facts (imports, types, package variables, which functions exist)
 * live outside the function bodies, and bodies are most of the text: parsing
 * the source without them costs a fraction of a full parse. A declaration
 * this scan is unsure of (one gofmt would not write) is left in place, which
 * only costs time.
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

/**
 * What the top-level scans stop at: brackets, what may start a comment, string
 * or rune, and a declaration keyword at a line start (the scans check what
 * follows it). A regex finds the next of these far faster than a loop over
 * every character; each scan takes its own copy, as `lastIndex` is its state.
 */
const TOP_LEVEL_TOKENS = /[()[\]{}/`"']|^(?:func|const|var)/gm;

/** A part of the source the skeleton leaves out; a function declaration's has its key. */
export interface SkeletonDrop {
  from: number;
  to: number;
  key?: string;
}

/**
 * The source reduced to what the tree must still tell a package: the package
 * clause, imports, type and var declarations. Function declarations whose
 * extent and key the scanner is sure of are dropped, their keys returned
 * instead; so are const declarations and comments between declarations, and
 * the literal bodies in var declarations are emptied (generated tables and
 * doc comments are much of a package's text).
 */
export function declarationSkeleton(text: string): { text: string; functionKeys: string[] } {
  const drops = skeletonDrops(text);
  if (drops.length === 0) return { text, functionKeys: [] };
  const parts: string[] = [];
  let kept = 0;
  for (const d of drops) {
    parts.push(text.slice(kept, d.from));
    kept = d.to;
  }
  parts.push(text.slice(kept));
  return { text: parts.join(""), functionKeys: drops.flatMap((d) => (d.key ? [d.key] : [])) };
}

/** What `declarationSkeleton` leaves out of `text`, in order. */
export function skeletonDrops(text: string): SkeletonDrop[] {
  const drops: SkeletonDrop[] = [];
  let depth = 0;
  const tokens = new RegExp(TOP_LEVEL_TOKENS);
  for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
    const i = m.index;
    const after = skipLiteral(text, i);
    if (after >= 0) {
      if (depth === 0 && text.charCodeAt(i) === SLASH) drops.push({ from: i, to: after });
      tokens.lastIndex = after;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (depth === 0 && (i === 0 || text.charCodeAt(i - 1) === NL)) {
      if (c === 102 && !isIdent(text.charCodeAt(i + 4))) {
        const body = bodyOf(text, i);
        const key = body && functionKeyOf(text.slice(body.decl, body.open));
        if (body && key) {
          drops.push({ from: i, to: body.close + 1, key: key.key });
          tokens.lastIndex = body.close + 1;
        }
      } else if (c === 99 && /^const\b/.test(text.slice(i, i + 6))) {
        const end = declarationEnd(text, i);
        if (end >= 0) {
          drops.push({ from: i, to: end });
          tokens.lastIndex = end;
        }
      } else if (c === 118 && /^var\b/.test(text.slice(i, i + 4))) {
        // Values matter only for the type of a literal: `T{...}` and func literals keep `{}`.
        const end = declarationEnd(text, i);
        if (end >= 0) {
          for (const body of valueBodies(text, i, end)) drops.push({ from: body.open + 1, to: body.close });
          tokens.lastIndex = end;
        }
      }
    }
  }
  return drops;
}

/** A declaration header's key ("F" or "Recv.M"), mirroring GoFile.describeFunction: the receiver's type name without `*` or type parameters. */
function functionKeyOf(header: string): { key: string; name: string; method: boolean } | undefined {
  const m = /^func\s*(?:\(\s*(?:\w+\s+)?\*?\s*(\w+)[^)]*\)\s*)?(\w+)/.exec(header);
  return m ? { key: m[1] ? `${m[1]}.${m[2]}` : m[2], name: m[2], method: !!m[1] } : undefined;
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
  /** Offsets of `func` and just past the body's `}`. */
  start: number;
  end: number;
}

let lastDeclarations: { text: string; declarations: DeclarationText[] } | undefined;

/**
 * Each top-level function declaration found by `topLevelBodies`, with its key
 * read from the header. Several directory facts read the same file in a row:
 * the last answer is kept for them.
 */
export function declarationsOf(text: string): DeclarationText[] {
  if (lastDeclarations?.text === text) return lastDeclarations.declarations;
  const out: DeclarationText[] = [];
  lastDeclarations = { text, declarations: out };
  for (const body of topLevelBodies(text)) {
    const header = text.slice(body.decl, body.open);
    const key = functionKeyOf(header);
    if (key) out.push({ key: key.key, name: key.name, method: key.method, header, body: text.slice(body.open, body.close + 1), start: body.decl, end: body.close + 1 });
  }
  return out;
}

/**
 * A declaration header's parameter list and result types, as text (a named
 * result keeps only its type). A header it cannot take apart is returned whole
 * as both, so a test on either stays conservative.
 */
export function signatureOf(header: string): { params: string; results: string[] } {
  let i = header.indexOf("func") + 4;
  const skipSpace = () => {
    while (/\s/.test(header[i] ?? "")) i++;
  };
  let balanced = true;
  const group = (open: string, close: string): string | undefined => {
    if (header[i] !== open) return undefined;
    const start = i;
    for (let depth = 0; i < header.length; i++) {
      if (header[i] === open) depth++;
      else if (header[i] === close && --depth === 0) return header.slice(start + 1, i++);
    }
    balanced = false;
    return undefined;
  };
  skipSpace();
  group("(", ")");
  skipSpace();
  while (/\w/.test(header[i] ?? "")) i++;
  skipSpace();
  group("[", "]");
  skipSpace();
  const params = group("(", ")");
  if (!balanced || params === undefined) return { params: header, results: [header] };
  const rest = header.slice(i).trim();
  if (!rest) return { params, results: [] };
  const list = rest.startsWith("(") && rest.endsWith(")") ? rest.slice(1, -1) : undefined;
  if (list === undefined) return { params, results: [rest] };
  return { params, results: splitTopLevel(list).map((r) => /^\w+\s+(\S.*)$/s.exec(r.trim())?.[1] ?? r.trim()) };
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out;
}

export function topLevelBodies(text: string): Body[] {
  const out: Body[] = [];
  let depth = 0;
  const tokens = new RegExp(TOP_LEVEL_TOKENS);
  for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
    const i = m.index;
    const after = skipLiteral(text, i);
    if (after >= 0) {
      tokens.lastIndex = after;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (depth === 0 && c === 102 && (i === 0 || text.charCodeAt(i - 1) === NL) && !isIdent(text.charCodeAt(i + 4))) {
      const body = bodyOf(text, i);
      if (body) {
        out.push(body);
        tokens.lastIndex = body.close + 1;
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
      if (STATEMENT_END.test(line[line.length - 1] ?? "")) return undefined;
    }
  }
  return undefined;
}

/** A line whose last token ends in one of these ends its statement (Go's semicolon rule: a name, literal or closing bracket). */
const STATEMENT_END = /[\w)\]}'"`]/;

/**
 * The end of the top-level declaration starting at `start` (`const`, `var`):
 * its closing parenthesis for a group, else the newline where Go would end
 * the statement. -1 when the text ends first.
 */
function declarationEnd(text: string, start: number): number {
  let i = start;
  while (isIdent(text.charCodeAt(i))) i++;
  while (text[i] === " " || text[i] === "\t") i++;
  if (text[i] === "(") {
    const close = matchingParen(text, i);
    return close < 0 ? -1 : close + 1;
  }
  let depth = 0;
  let last = -1;
  for (; i < text.length; i++) {
    const after = skipLiteral(text, i);
    if (after >= 0) {
      if (text.charCodeAt(i) !== SLASH) last = after - 1;
      i = after - 1;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === NL) {
      if (depth === 0 && last >= 0 && STATEMENT_END.test(text[last])) return i;
    } else if (c === 40 || c === 91 || c === 123) {
      depth++;
      last = i;
    } else if (c === 41 || c === 93 || c === 125) {
      depth--;
      last = i;
    } else if (c !== 32 && c !== 9 && c !== 13) {
      last = i;
    }
  }
  return -1;
}

/** The outermost `{...}` in `[from, to)` that are not a struct or interface type: composite literal and function literal bodies. */
function valueBodies(text: string, from: number, to: number): Body[] {
  const out: Body[] = [];
  for (let i = from; i < to; i++) {
    const after = skipLiteral(text, i);
    if (after >= 0) {
      i = after - 1;
      continue;
    }
    if (text.charCodeAt(i) !== 123) continue;
    const close = matchingBrace(text, i);
    if (close < 0 || close >= to) return out;
    if (!/\b(?:interface|struct)\s*$/.test(text.slice(Math.max(from, i - 16), i))) out.push({ decl: from, open: i, close });
    i = close;
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  return matching(text, open, 123, 125);
}

function matchingParen(text: string, open: number): number {
  return matching(text, open, 40, 41);
}

/** What `matching` stops at: its brackets, and what may start a comment, string or rune. */
const BRACE_TOKENS = /[{}/`"']/g;
const PAREN_TOKENS = /[()/`"']/g;

function matching(text: string, open: number, opener: number, closer: number): number {
  // A regex finds the next character that matters far faster than a loop over all of them.
  const tokens = opener === 123 ? BRACE_TOKENS : PAREN_TOKENS;
  let depth = 0;
  tokens.lastIndex = open;
  for (let m = tokens.exec(text); m; m = tokens.exec(text)) {
    const after = skipLiteral(text, m.index);
    if (after >= 0) {
      tokens.lastIndex = after;
      continue;
    }
    const c = text.charCodeAt(m.index);
    if (c === opener) depth++;
    else if (c === closer && --depth === 0) return m.index;
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
