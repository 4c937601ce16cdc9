/**
 * The analysis shared by the four "must be released on every path" rules
 * (unclosed-rows, unclosed-response-body, unreleased-connection,
 * unclosed-handle): find every acquisition in a file, follow its paths with
 * the flow model, and describe each leak once, at the acquisition, with the
 * first leaking exit as related location and a fix where one is safe.
 */
import type { Node } from "./parser";
import { Fix, RelatedLocation } from "../core/types";
import { Report } from "../core/rule";
import { Acquisition, GoContext } from "./context";
import { Leak, MustReleaseFlow, Tracked } from "./flow";
import {
  DATABASE_METHODS,
  HTTP_CLIENT_METHODS,
  KINDS,
  PACKAGE_FACTORIES,
  POOL_METHODS,
  ResourceKind,
  TYPED_METHOD_FACTORIES,
  isDatabaseImport,
  isPgxPoolImport,
} from "./resources";
import type { GoGate } from "./gate";
import { escapeRegExp } from "../core/regexp";
import {
  calleeParts,
  calledNamesOf,
  callsNamed,
  FUNCTION_TYPES,
  descendants,
  enclosingFunction,
  field,
  functionName,
  lineIndent,
  namedChildren,
  parameterNames,
  rangeOf,
  resultNames,
  statementsOf,
  unparen,
} from "./syntax";

export interface MustReleaseFinding {
  kind: ResourceKind;
  report: Report;
}

const IDENT = new Set(["identifier"]);

const METHOD_NAMES = [...new Set([...Object.keys(DATABASE_METHODS), ...Object.keys(HTTP_CLIENT_METHODS), ...Object.keys(POOL_METHODS), ...Object.values(TYPED_METHOD_FACTORIES).flatMap(Object.keys)])];
const METHOD_CALL = new RegExp(`\\.\\s*(${METHOD_NAMES.join("|")})\\s*\\(`);
/** The packages whose import lets a method call of those names acquire (see `GoContext.methodAcquisition`). */
const METHOD_IMPORT = (p: string) => isDatabaseImport(p) || isPgxPoolImport(p) || Object.keys(TYPED_METHOD_FACTORIES).some((t) => t.startsWith(`${p}.`));

/**
 * Whether the file could acquire a resource: it calls a factory of a package it
 * imports, a method with a database or HTTP name where such a package is
 * imported, or a function of its package or module whose declaration says it
 * returns a resource. Mirrors `GoContext.acquisitionOf`, by name only.
 */
export function mayAcquire(gate: GoGate): boolean {
  return gate.memo("must-release:may-acquire", () => acquiringText(gate)(gate.text));
}

/** Whether a text of the gate's file (all of it, or one function) holds a call that `mayAcquire` counts. */
export function acquiringText(gate: GoGate): (text: string) => boolean {
  return gate.memo("must-release:acquiring-text", () => {
    const { workspace } = gate;
    const configured = workspace.knowledge.resourceFactories.map((f) => f.function);
    const calls: string[] = [];
    for (const imp of gate.imports) {
      const factories = PACKAGE_FACTORIES[imp.path];
      const own = configured.filter((f) => f.startsWith(`${imp.path}.`));
      const module = workspace.isModuleImport(imp.path, gate.dir);
      if (!factories && own.length === 0 && !module) continue;
      const acquiring = new Set<string>();
      for (const name of gate.calledThrough(imp.name)) {
        if (acquiring.has(name)) continue;
        if (factories?.[name] || own.includes(`${imp.path}.${name}`) || (module && workspace.mayReturnResource(imp.path, name, gate.dir))) acquiring.add(name);
      }
      if (acquiring.size > 0) calls.push(`\\b${escapeRegExp(imp.name)}\\s*\\.\\s*(?:${[...acquiring].join("|")})\\s*[([]`);
    }
    const throughImports = calls.length > 0 ? new RegExp(calls.join("|")) : undefined;
    const methods = METHOD_CALL.test(gate.text) && (gate.importsPath(METHOD_IMPORT) || gate.dirImportsPath(METHOD_IMPORT));
    const dir = workspace.dirFacts(gate.dir);
    return (text: string) => !!throughImports?.test(text) || (methods && METHOD_CALL.test(text)) || dir.callsResourceName(text);
  });
}

export function findMustReleaseLeaks(ctx: GoContext): MustReleaseFinding[] {
  const out: MustReleaseFinding[] = [];
  // Most calls cannot acquire anything, which their names tell: only the others are looked up in the tree.
  const names = [...calledNamesOf(ctx.file.text)].filter((name) => ctx.mayAcquireNamed(name));
  for (const call of callsNamed(ctx.file.tree.rootNode, names, false)) {
    const parts = calleeParts(call);
    if (parts && !ctx.mayAcquireByName(parts)) continue;
    const site = acquisitionSite(ctx, call);
    if (!site) continue;
    if (site.type === "discarded") {
      out.push({ kind: site.acq.kind, report: discardedReport(call, site.acq) });
      continue;
    }
    const leaks = new MustReleaseFlow(ctx, site.tracked).run();
    if (leaks.length > 0) out.push({ kind: site.acq.kind, report: leakReport(ctx, call, site.acq, site.tracked, leaks) });
  }
  return out;
}

type Site = { type: "discarded"; acq: Acquisition } | { type: "tracked"; acq: Acquisition; tracked: Tracked };

function acquisitionSite(ctx: GoContext, call: Node): Site | null {
  let node = call;
  while (node.parent?.type === "parenthesized_expression") node = node.parent;
  const parent = node.parent;
  if (!parent) return null;
  if (parent.type === "expression_statement" || parent.type === "go_statement" || parent.type === "defer_statement") {
    const acq = ctx.acquisitionOf(call, 0);
    return acq ? { type: "discarded", acq } : null;
  }
  if (parent.type !== "expression_list") return null;
  const owner = parent.parent;
  if (!owner || namedChildren(parent).length !== 1) return null;
  let targets: Node[];
  let statement: Node;
  if ((owner.type === "short_var_declaration" || owner.type === "assignment_statement") && field(owner, "right")?.id === parent.id) {
    if (owner.type === "assignment_statement" && owner.child(1)?.type !== "=") return null;
    targets = namedChildren(field(owner, "left"));
    statement = owner;
  } else if (owner.type === "var_spec" && field(owner, "value")?.id === parent.id) {
    targets = owner.childrenForFieldName("name").filter((n): n is Node => !!n);
    statement = owner.parent?.type === "var_declaration" ? owner.parent : owner;
    if (statement.parent?.type !== "statement_list") return null;
  } else {
    return null;
  }
  const acq = ctx.acquisitionOf(call, targets.length);
  if (!acq) return null;
  const target = targets[acq.index];
  if (!target) return null;
  if (target.type === "identifier" && target.text === "_") {
    const errTarget = targets[targets.length - 1];
    return expectsFailure(statement, errTarget?.text) ? null : { type: "discarded", acq };
  }
  if (target.type !== "identifier") return null;
  const fn = enclosingFunction(statement);
  if (!fn) return null;
  if (owner.type === "assignment_statement" && !declaredIn(fn, target.text, statement)) return null;
  const errTarget = targets.length > 1 ? targets[targets.length - 1] : undefined;
  const errName = errTarget?.type === "identifier" && errTarget.text !== "_" ? errTarget.text : undefined;
  if (aliasesStandardStream(fn, target.text)) return null;
  const isMain = fn.type === "function_declaration" && field(fn, "name")?.text === "main" && ctx.file.packageName === "main";
  const closedAtExit = isMain || deferredCloseBefore(ctx, fn, target.text, statement);
  return { type: "tracked", acq, tracked: { name: target.text, errName, statement, fn, closedAtExit } };
}

/**
 * `out := os.Stdout; if path != "" { out, err = os.Create(path) }`: the variable
 * may hold a standard stream, which nobody closes; reporting it only teaches
 * people to ignore the rule.
 */
function aliasesStandardStream(fn: Node, name: string): boolean {
  const body = field(fn, "body");
  if (!body || !/os\.Std(out|err|in)/.test(body.text)) return false;
  return descendants(body, new Set(["short_var_declaration", "assignment_statement", "var_spec"])).some((stmt) => {
    const left = stmt.type === "var_spec" ? stmt.childrenForFieldName("name") : namedChildren(field(stmt, "left"));
    const right = namedChildren(field(stmt, stmt.type === "var_spec" ? "value" : "right"));
    const i = left.findIndex((n) => n?.text === name);
    return i >= 0 && /^os\.Std(out|err|in)$/.test(right[i]?.text ?? "");
  });
}

function deferredCloseBefore(ctx: GoContext, fn: Node, name: string, statement: Node): boolean {
  const body = field(fn, "body");
  if (!body) return false;
  return descendants(body, new Set(["defer_statement"])).some((d) => {
    if (d.startIndex >= statement.startIndex) return false;
    const lit = descendants(d, new Set(["func_literal"]))[0];
    const litBody = lit && field(lit, "body");
    return !!litBody && ctx.effectOnName(litBody, name) === "release";
  });
}

/**
 * `_, err := c.Get(u); if err == nil { t.Fatal("expected an error") }`: the
 * caller expects the call to fail, and a success fails the test anyway.
 */
function expectsFailure(statement: Node, errName: string | undefined): boolean {
  if (!errName || errName === "_") return false;
  let next = statement.nextNamedSibling;
  while (next?.type === "comment") next = next.nextNamedSibling;
  const cond = next?.type === "if_statement" && !field(next, "initializer") ? field(next, "condition") : null;
  return !!cond && new RegExp(`^${errName}\\s*==\\s*nil\\b(\\s*\\|\\|)?`).test(unparen(cond).text) && !/&&/.test(cond.text);
}

/** Is `name` a variable of `fn` itself (not of an enclosing function or the package)? */
function declaredIn(fn: Node, name: string, before: Node): boolean {
  if (parameterNames(fn).includes(name) || resultNames(fn).includes(name)) return true;
  const body = field(fn, "body");
  if (!body) return false;
  for (const id of descendants(body, IDENT)) {
    if (id.startIndex >= before.startIndex) break;
    if (id.text !== name) continue;
    const p = id.parent;
    if (p?.type === "var_spec" && field(p, "value")?.id !== id.id) return true;
    if (p?.type === "expression_list" && p.parent?.type === "short_var_declaration" && field(p.parent, "left")?.id === p.id) return true;
  }
  return false;
}

function discardedReport(call: Node, acq: Acquisition): Report {
  const info = KINDS[acq.kind];
  const message =
    acq.kind === "rows"
      ? `the rows returned by ${acq.label} are discarded and never closed (use Exec for statements that return no rows)`
      : acq.kind === "body"
        ? `the response returned by ${acq.label} is discarded, so its body is never closed`
        : `the ${info.typeName} returned by ${acq.label} is discarded and never ${acq.kind === "tx" ? "committed or rolled back" : "released"}`;
  return { range: rangeOf(call), message, related: [], fixes: [] };
}

function leakReport(ctx: GoContext, call: Node, acq: Acquisition, tracked: Tracked, leaks: Leak[]): Report {
  const info = KINDS[acq.kind];
  const first = leaks[0];
  const subject = info.subject(tracked.name);
  const fnName = functionName(tracked.fn);
  const line = (n: Node) => n.startPosition.row + 1;
  let where: string;
  switch (first.kind) {
    case "return":
      where = `when ${fnName} returns at line ${line(first.node)}`;
      break;
    case "end":
      where = `when ${fnName} returns at line ${first.node.endPosition.row + 1}`;
      break;
    case "panic":
      where = `when ${fnName} panics at line ${line(first.node)}`;
      break;
    case "iteration":
      where = `before the next iteration of the loop at line ${line(first.node)}`;
      break;
    case "overwrite":
      where = `before ${tracked.name} is reassigned at line ${line(first.node)}`;
      break;
  }
  let message = `${subject} ${info.notReleased} ${where}`;
  if (acq.kind === "rows" && iteratesToEnd(tracked)) {
    message += `; iterating ${tracked.name} to the end does not release it when a Scan error, early return or panic leaves the loop`;
  }
  const related: RelatedLocation[] = leaks.slice(0, 5).map((l) => ({
    file: ctx.file.path,
    range: l.kind === "end" ? endOf(l.node) : rangeOf(l.node),
    message: exitMessage(l, tracked.name, subject),
  }));
  return { range: rangeOf(call), message, related, fixes: fixesFor(ctx, acq, tracked, leaks) };
}

function exitMessage(l: Leak, name: string, subject: string): string {
  switch (l.kind) {
    case "overwrite":
      return `${name} is reassigned here while ${subject} is still open`;
    case "iteration":
      return `the next iteration starts with ${subject} still open`;
    case "panic":
      return `panics here with ${subject} still open`;
    default:
      return `returns here with ${subject} still open`;
  }
}

function endOf(block: Node) {
  const r = rangeOf(block);
  return { start: { ...r.end, column: Math.max(0, r.end.column - 1), offset: r.end.offset - 1 }, end: r.end };
}

/** A `for rows.Next()` loop in the function: the shape of the Scan-error outage. */
function iteratesToEnd(tracked: Tracked): boolean {
  const body = field(tracked.fn, "body");
  if (!body) return false;
  return descendants(body, new Set(["for_statement"])).some((f) => {
    const cond = namedChildren(f).find((c) => c.type === "call_expression");
    return !!cond && cond.text.replace(/\s/g, "") === `${tracked.name}.Next()`;
  });
}

/**
 * `defer x.Close()` right after the error check is safe when the value never
 * leaves the function (not returned, stored or handed off) and the acquisition
 * is not inside a loop (a defer there would pile up until the function ends).
 * Without an error check the same edit is only a suggestion: where the
 * nil value is checked is for a person to decide.
 */
function fixesFor(ctx: GoContext, acq: Acquisition, tracked: Tracked, leaks: Leak[]): Fix[] {
  const info = KINDS[acq.kind];
  const text = ctx.file.text;
  const stmt = tracked.statement;
  const indent = lineIndent(text, stmt.startIndex);
  const deferText = info.deferText(tracked.name);
  const leavesFunction = valueLeavesFunction(ctx, tracked);
  if (!insideLoop(stmt, tracked.fn) && !leavesFunction && stmt.parent?.type === "statement_list") {
    const guard = errorGuardAfter(stmt, tracked.errName);
    const anchor = guard ?? stmt;
    return [
      {
        title: `Add \`${deferText}\``,
        kind: guard ? "fix" : "suggestion",
        edits: [{ start: anchor.endIndex, end: anchor.endIndex, newText: `\n${indent}${deferText}` }],
      },
    ];
  }
  const exit = leaks.find((l) => l.kind === "return" || l.kind === "panic");
  if (!exit) return [];
  const closeText = deferText.replace(/^defer /, "");
  const exitIndent = lineIndent(text, exit.node.startIndex);
  return [
    {
      title: `Call \`${closeText}\` before the exit at line ${exit.node.startPosition.row + 1}`,
      kind: "suggestion",
      edits: [{ start: exit.node.startIndex, end: exit.node.startIndex, newText: `${closeText}\n${exitIndent}` }],
    },
  ];
}

function insideLoop(stmt: Node, fn: Node): boolean {
  for (let n = stmt.parent; n && n.id !== fn.id; n = n.parent) if (n.type === "for_statement") return true;
  return false;
}

/** Returned, stored, sent, handed to another function or type-asserted anywhere after the acquisition. */
function valueLeavesFunction(ctx: GoContext, tracked: Tracked): boolean {
  const body = field(tracked.fn, "body");
  if (!body) return false;
  if (resultNames(tracked.fn).includes(tracked.name)) return true;
  for (const id of descendants(body, IDENT, true)) {
    if (id.startIndex < tracked.statement.endIndex || id.text !== tracked.name) continue;
    const e = ctx.effectOfUse(id);
    if (e === "handoff" || e === "return") return true;
    if (insideGoStatement(id, tracked.fn)) return true;
    // `tcp, ok := c.(*net.TCPConn)` names it again, and where that name goes is not followed.
    if (id.parent?.type === "type_assertion_expression") return true;
  }
  return false;
}

function insideGoStatement(node: Node, fn: Node): boolean {
  for (let n = node.parent; n && n.id !== fn.id; n = n.parent) {
    if (n.type === "go_statement") return true;
    if (FUNCTION_TYPES.has(n.type) && n.parent?.type !== "call_expression") return true;
  }
  return false;
}

/** The `if err != nil { ... }` right after the acquisition, whose branch always leaves. */
function errorGuardAfter(stmt: Node, errName: string | undefined): Node | undefined {
  if (!errName) return undefined;
  let next = stmt.nextNamedSibling;
  while (next?.type === "comment") next = next.nextNamedSibling;
  if (!next || next.type !== "if_statement" || field(next, "initializer")) return undefined;
  const cond = field(next, "condition");
  if (!cond || unparen(cond).text.replace(/\s/g, "") !== `${errName}!=nil`) return undefined;
  const last = statementsOf(field(next, "consequence")).at(-1);
  if (!last) return undefined;
  const leaves =
    ["return_statement", "continue_statement", "break_statement", "goto_statement"].includes(last.type) ||
    (last.type === "expression_statement" && /^(panic|log\.(Fatal|Panic)|os\.Exit|\w+\.(Fatal|Fatalf|FailNow))/.test(last.text));
  return leaves ? next : undefined;
}
