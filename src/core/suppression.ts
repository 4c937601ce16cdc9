/**
 * Inline suppression directives, read from comments the language front end found:
 *   // leaklint:ignore <id>[,<id>] [-- reason]    on the reported line or alone on the line above
 *   // leaklint:ignore-file <id>[,<id>]           anywhere before the first declaration
 *   //nolint  and  //nolint:bodyclose,sqlclosecheck   golangci-lint's syntax, same placement
 *   // eslint-disable-next-line leaklint/<id>       and eslint-disable-line
 */
import { RuleMeta } from "./types";

export interface Comment {
  text: string;
  /** 0-based line of the comment's start and end. */
  line: number;
  endLine: number;
  /** True when the comment is the only thing on its line(s). */
  ownLine: boolean;
  /** True when the comment precedes the first declaration of the file. */
  beforeFirstDeclaration: boolean;
}

/** `all` silences every rule; otherwise the set lists rule ids and linter aliases. */
type Matcher = { all: boolean; names: Set<string> };

export class Suppressions {
  private readonly byLine = new Map<number, Matcher[]>();
  private readonly fileWide: Matcher[] = [];

  constructor(comments: Comment[]) {
    for (const c of comments) this.add(c);
  }

  private add(c: Comment): void {
    const body = c.text.replace(/^\/\/|^\/\*|\*\/$/g, "").trim();
    let m: RegExpMatchArray | null;
    if ((m = body.match(/^leaklint:ignore-file\s+([^\s]+)/))) {
      if (c.beforeFirstDeclaration) this.fileWide.push(names(m[1]));
      return;
    }
    let matcher: Matcher | undefined;
    let nextLineOnly = false;
    let thisLineOnly = false;
    if ((m = body.match(/^leaklint:ignore(?:\s+([^\s]+))?/))) {
      matcher = m[1] ? names(m[1]) : { all: true, names: new Set() };
    } else if ((m = body.match(/^nolint(?::([\w,-]+))?\b/))) {
      matcher = m[1] ? names(m[1]) : { all: true, names: new Set() };
    } else if ((m = body.match(/^eslint-disable-(next-)?line(?:\s+(.*))?$/))) {
      nextLineOnly = !!m[1];
      thisLineOnly = !m[1];
      const list = (m[2] ?? "").split("--")[0].trim();
      matcher = list
        ? names(list.split(/[\s,]+/).filter((n) => n.startsWith("leaklint/")).map((n) => n.slice("leaklint/".length)).join(","))
        : { all: true, names: new Set() };
      if (!matcher.all && matcher.names.size === 0) return;
    }
    if (!matcher) return;
    // A directive alone on its line covers the next line; at the end of a line it covers that line.
    const line = nextLineOnly || (!thisLineOnly && c.ownLine) ? c.endLine + 1 : c.line;
    const list = this.byLine.get(line) ?? [];
    list.push(matcher);
    this.byLine.set(line, list);
  }

  isSuppressed(rule: RuleMeta, line: number): boolean {
    const hit = (m: Matcher) => m.all || m.names.has(rule.id) || rule.nolintAliases.some((a) => m.names.has(a));
    return this.fileWide.some(hit) || (this.byLine.get(line) ?? []).some(hit);
  }
}

function names(list: string): Matcher {
  return { all: false, names: new Set(list.split(",").map((s) => s.trim()).filter(Boolean)) };
}
