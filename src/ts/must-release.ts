/**
 * The analysis shared by the four "must be released on every path" rules for
 * TypeScript and JavaScript: find every acquisition in a file (a call whose
 * awaited result is assigned, a `.then` callback, a callback parameter such as
 * `http.get(url, (res) => ...)`), follow its paths with the flow model, and
 * describe each leak once, at the acquisition, with the leaking exits as
 * related locations and a fix where one is safe.
 */
import ts = require("typescript");
import { Fix, RelatedLocation, TextEdit } from "../core/types";
import { Report } from "../core/rule";
import { Acquisition, CURSOR_BUILDERS, TsContext } from "./context";
import { Leak, MustReleaseFlow, OPEN, Tracked } from "./flow";
import { TS_KINDS, TsKind } from "./resources";
import { resolveName } from "./scopes";
import {
  FunctionLike,
  enclosingFunction,
  indentUnit,
  isAsync,
  isFunctionLike,
  isStatementList,
  lineIndent,
  lineOf,
  rangeBetween,
  rangeOf,
  skipAwait,
  skipOuter,
  textOf,
} from "./syntax";

export interface MustReleaseFinding {
  kind: TsKind;
  report: Report;
}

/** Kinds whose acquisition thrown away is a leak by itself (a socket or cursor discarded is not: it may be driven by events or never started). */
const DISCARD_LEAKS = new Set<TsKind>(["response", "undiciResponse", "poolClient", "fileHandle", "fd"]);

export function findMustReleaseLeaks(ctx: TsContext): MustReleaseFinding[] {
  const out: MustReleaseFinding[] = [];
  const file = ctx.file;
  const overwrites = new Set<ts.Node>();
  for (const expr of [...file.calls, ...file.news].sort((a, b) => a.pos - b.pos)) {
    const site = siteOf(ctx, expr);
    if (!site) continue;
    if (site.type === "discarded") {
      if (DISCARD_LEAKS.has(site.acq.kind)) out.push({ kind: site.acq.kind, report: discardedReport(ctx, site.acq, site.partial) });
      continue;
    }
    if (site.tracked.acquisition.lazy && !opened(ctx, site.tracked)) continue;
    const leaks = runWithContinuations(ctx, site.tracked);
    // A retry loop that reassigns the variable leaks each value at the same assignment: reported once, at the first acquisition.
    if (leaks.length > 0 && leaks.every((l) => l.kind === "overwrite" && overwrites.has(l.node))) continue;
    for (const l of leaks) if (l.kind === "overwrite") overwrites.add(l.node);
    if (leaks.length > 0) out.push({ kind: site.tracked.kind, report: leakReport(ctx, site.tracked, leaks) });
  }
  for (const cb of ctx.callbackAcquisitions()) {
    const p = cb.param.name as ts.Identifier;
    const tracked: Tracked = {
      decl: cb.param,
      name: p.text,
      kind: cb.acquisition.kind,
      fn: cb.fn,
      errDecl: cb.errParam,
      releaseDecl: cb.releaseParam ? { decl: cb.releaseParam, name: (cb.releaseParam.name as ts.Identifier).text } : undefined,
      acquisition: cb.acquisition,
    };
    const leaks = runWithContinuations(ctx, tracked);
    if (leaks.length > 0) out.push({ kind: tracked.kind, report: leakReport(ctx, tracked, leaks) });
  }
  return out;
}

/** Is a lazy cursor read from (`next()`, `hasNext()`, `tryNext()`) anywhere in its function? */
function opened(ctx: TsContext, t: Tracked): boolean {
  return ctx.referencesIn(t.fn.body!, t).some((id) => {
    const p = id.parent;
    return ts.isPropertyAccessExpression(p) && p.expression === id && /^(next|hasNext|tryNext|readBufferedDocuments)$/.test(p.name.text);
  });
}

/** The value's leaks, including those in the callbacks its use continues in (a few levels deep). */
function runWithContinuations(ctx: TsContext, tracked: Tracked, depth = 0): Leak[] {
  const flow = new MustReleaseFlow(ctx, tracked);
  const leaks = flow.run();
  if (depth < 4) {
    for (const fn of flow.continuations) {
      leaks.push(...runWithContinuations(ctx, { ...tracked, fn, statement: undefined, errDecl: undefined }, depth + 1));
    }
  }
  return leaks;
}

type Site = { type: "discarded"; acq: Acquisition; partial?: boolean } | { type: "tracked"; tracked: Tracked };

/**
 * Where the value of an acquisition goes. Only a value that lands in a local
 * variable (or a `.then` callback's parameter) is followed; a value that is
 * returned, passed or stored belongs to someone else; one that is thrown
 * away leaks at once.
 */
function siteOf(ctx: TsContext, expr: ts.CallExpression | ts.NewExpression): Site | null {
  // The cheap syntactic position first: most calls cannot be sites at all.
  if (!couldBeSite(expr)) return null;
  const acq = ctx.acquisitionOf(expr);
  if (!acq) return null;
  let node: ts.Node = expr;
  let awaited = false;
  for (;;) {
    const p = node.parent;
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p) || ts.isTypeAssertionExpression(p)) {
      node = p;
      continue;
    }
    if (ts.isAwaitExpression(p)) {
      awaited = true;
      node = p;
      continue;
    }
    if (ts.isPropertyAccessExpression(p) && p.expression === node) {
      const method = p.name.text;
      const called = ts.isCallExpression(p.parent) && p.parent.expression === p;
      const isPromise = acq.async && !awaited;
      if (called && isPromise && (method === "catch" || method === "finally")) {
        node = p.parent;
        continue;
      }
      if (called && isPromise && method === "then") return thenSite(ctx, acq, p.parent as ts.CallExpression);
      if (called && !isPromise && acq.kind === "cursor" && CURSOR_BUILDERS.has(method)) {
        node = p.parent;
        continue;
      }
      // `(await fetch(u)).ok`: the response is looked at and dropped.
      if (!called && !isPromise && (acq.kind === "response" || acq.kind === "undiciResponse") && method !== "body") return { type: "discarded", acq };
      return null;
    }
    break;
  }
  const p = node.parent;
  if (ts.isExpressionStatement(p) || ts.isVoidExpression(p)) return { type: "discarded", acq };
  if (acq.async && !awaited) return null;
  const fn = enclosingFunction(node);
  if (!fn || !fn.body) return null;
  if (ts.isVariableDeclaration(p) && p.initializer === node) {
    const list = p.parent;
    if (!ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Using) !== 0) return null; // `using` disposes it
    const stmt = list.parent;
    if (!ts.isVariableStatement(stmt) || list.declarations.length !== 1) return null;
    if (ts.isIdentifier(p.name)) {
      return { type: "tracked", tracked: { decl: p, name: p.name.text, kind: acq.kind, fn, statement: stmt, acquisition: acq } };
    }
    if (ts.isObjectBindingPattern(p.name) && (acq.kind === "response" || acq.kind === "undiciResponse")) {
      if (p.name.elements.some((el) => el.dotDotDotToken)) return null;
      const body = p.name.elements.find((el) => (el.propertyName ?? el.name).getText(ctx.sourceFile) === "body");
      if (!body) return { type: "discarded", acq, partial: true };
      if (!ts.isIdentifier(body.name)) return null;
      return { type: "tracked", tracked: { decl: body, name: body.name.text, kind: "body", fn, statement: stmt, acquisition: acq } };
    }
    return null;
  }
  if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left) && ts.isExpressionStatement(p.parent)) {
    const r = resolveName(p.left, p.left.text);
    if (!r || !isWithin(r.scope, fn)) return null;
    // `queryRunner = queryRunner ?? create()`, `if (!conn) conn = await pool.getConnection()`: a
    // parameter, or a variable that starts out holding something else, is owned only when it was
    // created here, which the code tracks with flags this analysis cannot follow.
    if (ts.isParameter(r.decl)) return null;
    if (ts.isVariableDeclaration(r.decl) && r.decl.initializer && !isNullish(r.decl.initializer)) return null;
    return { type: "tracked", tracked: { decl: r.decl, name: p.left.text, kind: acq.kind, fn, statement: p.parent, acquisition: acq } };
  }
  return null;
}

function isNullish(e: ts.Expression): boolean {
  const n = skipOuter(e);
  return n.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(n) && n.text === "undefined");
}

function isWithin(node: ts.Node, ancestor: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/** Acquisitions are assigned, awaited, chained or discarded; anything else (an argument, a return) is not a site. */
function couldBeSite(expr: ts.Expression): boolean {
  const p = expr.parent;
  return (
    ts.isVariableDeclaration(p) ||
    ts.isAwaitExpression(p) ||
    ts.isBinaryExpression(p) ||
    ts.isExpressionStatement(p) ||
    ts.isVoidExpression(p) ||
    ts.isPropertyAccessExpression(p) ||
    ts.isParenthesizedExpression(p) ||
    ts.isAsExpression(p) ||
    ts.isNonNullExpression(p) ||
    ts.isSatisfiesExpression(p)
  );
}

/** `fetch(u).then((res) => ...)`: the callback's parameter is the resource. */
function thenSite(ctx: TsContext, acq: Acquisition, call: ts.CallExpression): Site | null {
  const cb = call.arguments[0] && ctx.callbackFunction(call.arguments[0]);
  if (!cb) return null;
  const param = cb.parameters[0];
  if (!param) return { type: "discarded", acq };
  if (!ts.isIdentifier(param.name)) return null;
  return { type: "tracked", tracked: { decl: param, name: param.name.text, kind: acq.kind, fn: cb, acquisition: acq } };
}

// ---- reports ---------------------------------------------------------------------

function functionName(fn: FunctionLike): string {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name) return fn.name.getText();
  if (ts.isConstructorDeclaration(fn)) return "the constructor";
  if ((ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) && fn.name) return fn.name.getText();
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.name) return p.name.getText();
  return "the callback";
}

/** The acquisition as a range: the whole call when it fits on a line, else its callee. */
function acquisitionRange(sf: ts.SourceFile, acq: Acquisition) {
  const node = acq.node;
  let start = node.getStart(sf);
  if (lineOf(sf, start) === lineOf(sf, node.end)) return rangeOf(sf, node);
  // `https\n  .get(url, (res) => {`: the method's line is where the call reads.
  const callee = node.expression;
  if (ts.isPropertyAccessExpression(callee) && lineOf(sf, callee.name.getStart(sf)) !== lineOf(sf, start)) start = callee.name.getStart(sf);
  return rangeBetween(sf, start, callee.end);
}

function discardedReport(ctx: TsContext, acq: Acquisition, partial?: boolean): Report {
  let message: string;
  switch (acq.kind) {
    case "response":
    case "undiciResponse":
      message = partial
        ? `the body of the response from ${acq.label} is never consumed or cancelled: only other fields are read`
        : `the response of ${acq.label} is discarded, so its body is never consumed or cancelled`;
      break;
    default:
      message = `the ${TS_KINDS[acq.kind].typeName} returned by ${acq.label} is discarded and never ${acq.kind === "poolClient" ? "released" : "closed"}`;
  }
  return { range: acquisitionRange(ctx.sourceFile, acq), message, related: [], fixes: [] };
}

function leakReport(ctx: TsContext, t: Tracked, leaks: Leak[]): Report {
  const sf = ctx.sourceFile;
  const info = TS_KINDS[t.kind];
  const subject = info.subject(t.name);
  const line = (n: ts.Node) => lineOf(sf, n.getStart(sf)) + 1;
  // The message names the first leaking exit in source order; the related locations list them all.
  const first = leaks[0];
  // A leak in a callback the use continues in belongs to that callback.
  const exitFn = first.kind === "end" && isFunctionLike(first.node.parent) ? first.node.parent : (enclosingFunction(first.node) ?? t.fn);
  const fnName = functionName(exitFn);
  let where: string;
  switch (first.kind) {
    case "return":
      where = `when ${fnName} returns at line ${line(first.node)}`;
      break;
    case "end":
      where = `when ${fnName} returns at line ${lineOf(sf, first.node.end) + 1}`;
      break;
    case "throw":
      where = `when ${fnName} throws at line ${line(first.node)}`;
      break;
    case "implicit": {
      const n = first.node;
      const then = ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "then";
      where = then
        ? `if \`${shortText(sf, n.expression.expression)}\` at line ${line(n)} rejects (nothing in its promise chain releases it)`
        : `if \`${shortText(sf, n)}\` at line ${line(n)} throws`;
      break;
    }
    case "iteration":
      where = `before the next iteration of the loop at line ${line(first.node)}`;
      break;
    case "overwrite":
      where = `before ${t.name} is reassigned at line ${line(first.node)}`;
      break;
  }
  let message = `${subject} ${info.notReleased} ${where}`;
  if (info.implicitThrows && leaks.some((l) => l.kind === "implicit")) message += "; release it in a finally block";
  const related: RelatedLocation[] = leaks.slice(0, 5).map((l) => ({
    file: ctx.file.path,
    range: l.kind === "end" ? rangeBetween(sf, l.node.end - 1, l.node.end) : rangeOf(sf, l.node),
    message: exitMessage(l, t.name, subject),
  }));
  return { range: acquisitionRange(sf, t.acquisition), message, related, fixes: fixesFor(ctx, t, leaks) };
}

function shortText(sf: ts.SourceFile, node: ts.Node): string {
  const text = textOf(sf, node).replace(/\s+/g, " ");
  if (text.length <= 40) return text;
  const open = text.indexOf("(");
  return open > 0 && open < 38 ? `${text.slice(0, open)}(...)` : `${text.slice(0, 37)}...`;
}

function exitMessage(l: Leak, name: string, subject: string): string {
  switch (l.kind) {
    case "overwrite":
      return `${name} is reassigned here while ${subject} is still open`;
    case "iteration":
      return `the next iteration starts with ${subject} still open`;
    case "throw":
      return `throws here with ${subject} still open`;
    case "implicit":
      return `may throw here with ${subject} still open`;
    default:
      return `returns here with ${subject} still open`;
  }
}

// ---- fixes -----------------------------------------------------------------------

function fixesFor(ctx: TsContext, t: Tracked, leaks: Leak[]): Fix[] {
  switch (t.kind) {
    case "response":
    case "undiciResponse":
    case "body":
    case "incoming":
      return bodyFixes(ctx, t, leaks);
    default: {
      const release = releaseText(ctx, t);
      if (!release) return [];
      // Sockets and streams end differently on success (end(), consumed): only the error path gets the release.
      const wrap = t.kind === "socket" || t.kind === "stream" ? undefined : tryFinallyFix(ctx, t, release);
      if (wrap) return [wrap];
      // A callback's value may still be in use by work it started; only an explicit exit is a safe place.
      if (!t.statement) return [];
      const before = insertBeforeExits(ctx, t, leaks.filter((l) => l.kind !== "end"), release);
      return before ? [{ title: `Call \`${release.replace(/;$/, "")}\` before each leaking exit`, kind: "suggestion", edits: before }] : [];
    }
  }
}

/**
 * Consuming nothing and cancelling the body on the leaking path is what the
 * fix inserts: `await res.body?.cancel()` before each leaking return or throw.
 * It is safe to apply unattended only where the value is open on every path
 * that reaches the exit (cancelling a consumed body throws), in an async
 * function, for a WHATWG Response.
 */
function bodyFixes(ctx: TsContext, t: Tracked, leaks: Leak[]): Fix[] {
  const async = isAsync(t.fn);
  const flavor = t.acquisition.flavor ?? "whatwg";
  const n = t.name;
  let text: string;
  let safe = async;
  if (t.kind === "incoming") {
    text = `${n}.resume();`;
    safe = false;
  } else if (flavor === "node") {
    text = `${n}${t.kind === "body" ? "" : ".body"}?.resume();`;
    safe = false;
  } else if (flavor === "undici") {
    text = `${async ? "await " : "void "}${n}${t.kind === "body" ? "" : ".body"}.dump();`;
  } else {
    text = `${async ? "await " : "void "}${n}${t.kind === "body" ? "?" : ".body?"}.cancel();`;
    // An injected fetch may be node-fetch, whose body has no cancel().
    if (flavor === "injected") safe = false;
  }
  const edits = insertBeforeExits(ctx, t, leaks, text);
  if (!edits) return [];
  const insertable = leaks.every((l) => l.kind === "return" || l.kind === "throw" || l.kind === "end");
  const everywhereOpen = leaks.every((l) => l.state === OPEN);
  const kind = safe && insertable && everywhereOpen ? "fix" : "suggestion";
  return [{ title: `Add \`${text.replace(/;$/, "")}\` before the leaking exit${edits.length > 1 ? "s" : ""}`, kind, edits }];
}

/** Inserts `text` as a statement before each leaking return/throw (and at the end of the body); undefined when there is none. */
function insertBeforeExits(ctx: TsContext, t: Tracked, leaks: Leak[], text: string): TextEdit[] | undefined {
  const sf = ctx.sourceFile;
  const src = sf.text;
  const edits: TextEdit[] = [];
  // The variable must be in scope where the statement goes, in the function the fix was written for.
  const inScope = (at: ts.Node) => resolveName(at, t.name)?.decl === t.decl && enclosingFunction(at) === t.fn;
  for (const l of leaks) {
    if (l.kind === "return" || l.kind === "throw") {
      const stmt = l.node;
      if (!ts.isReturnStatement(stmt) && !ts.isThrowStatement(stmt)) continue;
      if (!inScope(stmt)) continue;
      // `return res.ok ? res.json() : null`: releasing first would break the branch that consumes.
      if (stmt.expression && ctx.referencesIn(stmt.expression, t).some((id) => ctx.effectOfUse(id, t) !== "none")) continue;
      const start = stmt.getStart(sf);
      if (isStatementList(stmt.parent)) {
        edits.push({ start, end: start, newText: `${text}\n${lineIndent(src, start)}` });
      } else {
        edits.push({ start, end: stmt.end, newText: `{ ${text} ${src.slice(start, stmt.end)} }` });
      }
    } else if (l.kind === "end" && ts.isBlock(l.node) && isFunctionLike(l.node.parent)) {
      const last = l.node.statements[l.node.statements.length - 1];
      if (!last || !inScope(last)) continue;
      edits.push({ start: last.end, end: last.end, newText: `\n${lineIndent(src, last.getStart(sf))}${text}` });
    }
  }
  return edits.length > 0 ? edits : undefined;
}

/** The statement that releases the tracked value, as the fix writes it; undefined when none can be written. */
function releaseText(ctx: TsContext, t: Tracked): string | undefined {
  const n = t.name;
  const async = isAsync(t.fn);
  switch (t.kind) {
    case "poolClient":
      return `${n}.release();`;
    case "queryRunner":
      return async ? `await ${n}.release();` : undefined;
    case "fileHandle":
      return async ? `await ${n}.close();` : undefined;
    case "cursor":
      return async ? `await ${n}.close();` : undefined;
    case "socket":
    case "stream":
      return `${n}.destroy();`;
    case "fd": {
      const fs = fsCloser(ctx);
      return fs ? `${fs}(${n});` : undefined;
    }
    default:
      return undefined;
  }
}

/** How the file can call `fs.closeSync`: `fs.closeSync`, `closeSync`, or nothing. */
function fsCloser(ctx: TsContext): string | undefined {
  for (const [decl, b] of ctx.file.bindings) {
    if (b.module !== "fs" || b.typeOnly) continue;
    const name = (decl as ts.NamedDeclaration).name;
    if (!name || !ts.isIdentifier(name)) continue;
    if (b.member === "") return `${name.text}.closeSync`;
    if (b.member === "closeSync") return name.text;
  }
  return undefined;
}

/**
 * Suggestion: wrap the statements after the acquisition, to the end of its
 * block, in `try { ... } finally { <release> }`, removing the releases the
 * block already makes (they would release twice). Offered only when the value
 * never leaves the function: a hand-off would be released under its new owner.
 */
function tryFinallyFix(ctx: TsContext, t: Tracked, release: string): Fix | undefined {
  const sf = ctx.sourceFile;
  const src = sf.text;
  const stmt = t.statement;
  if (!stmt || !ts.isBlock(stmt.parent) || !t.fn.body) return undefined;
  const block = stmt.parent;
  const index = block.statements.indexOf(stmt);
  const rest = block.statements.slice(index + 1);
  if (rest.length === 0) return undefined;
  const uses = ctx.referencesIn(t.fn.body, t).filter((id) => id.pos > stmt.end);
  if (uses.some((id) => ["handoff", "return"].includes(ctx.effectOfUse(id, t)))) return undefined;
  // After a trailing comment on the acquisition's line (`// want ...`, `// eslint-disable-line`).
  const lineEnd = src.indexOf("\n", stmt.end);
  const tail = src.slice(stmt.end, lineEnd < 0 ? src.length : lineEnd).trim();
  const start = lineEnd >= 0 && (tail === "" || tail.startsWith("//")) ? lineEnd : stmt.end;
  const end = rest[rest.length - 1].end;
  // Releases inside the region would run twice; remove them (an empty `{}` where a statement is required).
  const removals: { start: number; end: number; text: string }[] = [];
  for (const id of uses) {
    if (id.pos > end || ctx.effectOfUse(id, t) !== "release") continue;
    const s = releaseStatement(id);
    if (!s) return undefined; // released inside an expression: not something to rewrite blindly
    if (insideFinally(s, block)) return undefined; // the code already has a finally of its own: a person should merge them
    if (isStatementList(s.parent)) {
      const lineStart = src.lastIndexOf("\n", s.getStart(sf) - 1);
      const lineEnd = src.indexOf("\n", s.end);
      const alone = src.slice(lineStart + 1, s.getStart(sf)).trim() === "" && src.slice(s.end, lineEnd < 0 ? src.length : lineEnd).trim() === "";
      removals.push(alone ? { start: lineStart, end: s.end, text: "" } : { start: s.getStart(sf), end: s.end, text: "" });
    } else {
      removals.push({ start: s.getStart(sf), end: s.end, text: "{}" });
    }
  }
  let region = src.slice(start, end);
  for (const r of removals.sort((a, b) => b.start - a.start)) region = region.slice(0, r.start - start) + r.text + region.slice(r.end - start);
  const indent = lineIndent(src, stmt.getStart(sf));
  const unit = indentUnit(src);
  const multilineLiteral = hasMultilineLiteral(rest);
  const body = multilineLiteral ? region : region.replace(/\n(?=[^\n])/g, `\n${unit}`);
  const newText = `\n${indent}try {${body}\n${indent}} finally {\n${indent}${unit}${release}\n${indent}}`;
  return {
    title: `Wrap the rest of the block in \`try { ... } finally { ${release} }\``,
    kind: "suggestion",
    edits: [{ start, end, newText }],
  };
}

/** The expression statement a release call forms: `client.release();`, `await fh.close();`, `fs.closeSync(fd);`. */
function releaseStatement(id: ts.Identifier): ts.ExpressionStatement | undefined {
  let n: ts.Node = id;
  while (n.parent && !ts.isExpressionStatement(n.parent)) {
    if (ts.isBlock(n.parent) || isFunctionLike(n.parent) || ts.isSourceFile(n.parent)) return undefined;
    n = n.parent;
  }
  const s = n.parent as ts.ExpressionStatement | undefined;
  if (!s) return undefined;
  const e = skipAwait(s.expression);
  return ts.isCallExpression(e) || (ts.isVoidExpression(e) && ts.isCallExpression(skipAwait(e.expression))) ? s : undefined;
}

function insideFinally(node: ts.Node, stop: ts.Node): boolean {
  for (let n = node; n.parent && n !== stop; n = n.parent) if (ts.isTryStatement(n.parent) && n.parent.finallyBlock === n) return true;
  return false;
}

function hasMultilineLiteral(stmts: readonly ts.Statement[]): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n) || ts.isStringLiteral(n)) && n.getText().includes("\n")) {
      found = true;
      return;
    }
    n.forEachChild(visit);
  };
  for (const s of stmts) visit(s);
  return found;
}
