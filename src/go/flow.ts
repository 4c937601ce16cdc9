/**
 * The statement-level flow model for "a value that must be released on every
 * path". From the statement that acquires the value, every path to a function
 * exit is followed symbolically; the state of the value on a path is a small set
 * of possibilities (bit flags), so branches merge by union and loops reach a
 * fixpoint in a couple of rounds.
 *
 *   OPEN  acquired and still owned here
 *   DONE  released, deferred for release, or handed to someone else
 *   NIL   the acquisition failed on this path (inside `if err != nil`)
 *
 * Each of the three comes in a fresh and a stale variant (the low and high three
 * bits): stale means the acquisition's error variable was reassigned on that
 * path, so `err != nil` there no longer says anything about the value.
 *
 * A path leaks when it leaves with OPEN: a return, falling off the end, a
 * panic, the end of a loop iteration (the variable is acquired again or lost),
 * or an assignment that overwrites the variable. `os.Exit`, `log.Fatal*` and
 * `t.Fatal*` end a path without a leak. Conditions on the acquisition's error
 * (`err != nil`, `err == nil`, combined with && / ||) and on the value itself
 * (`x == nil`) refine the state, which is what makes the guard after the
 * acquisition leak-free.
 */
import type { Node } from "./parser";
import { GoContext, UseEffect } from "./context";
import { PANICKING_PACKAGE_FUNCTIONS, TERMINATING_METHODS, TERMINATING_PACKAGE_FUNCTIONS } from "./resources";
import { FUNCTION_TYPES, calleeParts, descendants, field, namedChildren, resultNames, statementsOf, unparen } from "./syntax";

export const OPEN = 1;
export const DONE = 2;
export const NIL = 4;
const FRESH = 7;
const STALE_SHIFT = 3;

function perHalf(state: number, f: (half: number) => number): number {
  return f(state & FRESH) | (f((state >> STALE_SHIFT) & FRESH) << STALE_SHIFT);
}

export function isOpen(state: number): boolean {
  return perHalf(state, (h) => h & OPEN) !== 0;
}

function makeStale(state: number): number {
  return ((state & FRESH) << STALE_SHIFT) | (state & (FRESH << STALE_SHIFT));
}

function makeFresh(state: number): number {
  return (state & FRESH) | ((state >> STALE_SHIFT) & FRESH);
}

function withoutOpen(state: number): number {
  return perHalf(state, (h) => h & ~OPEN);
}

export type ExitKind = "return" | "end" | "panic" | "iteration" | "overwrite";

export interface Leak {
  kind: ExitKind;
  /** The return / panic / loop / assignment, or the function body for "end". */
  node: Node;
}

export interface Tracked {
  name: string;
  /** The error variable the acquisition assigned, if any. */
  errName?: string;
  /** The statement that acquires the value. */
  statement: Node;
  /** The function whose exits matter (the innermost one around the statement). */
  fn: Node;
  /**
   * Exits release the value anyway: `main` ends the process, or a deferred closure
   * registered before the acquisition releases the variable by name
   * (`defer func() { if f != nil { f.Close() } }()`) and sees whatever value it
   * holds at exit. Only overwrites and loop iterations can leak then.
   */
  closedAtExit: boolean;
}

interface Flow {
  fall: number;
  breaks: Map<string, number>;
  continues: Map<string, number>;
}

const SWITCHES = new Set(["expression_switch_statement", "type_switch_statement", "select_statement"]);
const CASES = new Set(["expression_case", "default_case", "type_case", "communication_case"]);
const FALLTHROUGH = new Set(["fallthrough_statement"]);
/** A predicate on an error that, by its name, holds only for an error. */
const ERROR_PREDICATE = /^[iI]s[A-Z]\w*(Err|Error)$/;
const LOOP_LABEL_NONE = "";
const IDENT = new Set(["identifier"]);
const FUNC_LITERAL = new Set(["func_literal"]);

function flow(fall: number): Flow {
  return { fall, breaks: new Map(), continues: new Map() };
}

function mergeInto(target: Map<string, number>, source: Map<string, number>): void {
  for (const [k, v] of source) target.set(k, (target.get(k) ?? 0) | v);
}

function take(map: Map<string, number>, label: string | undefined): number {
  let out = map.get(LOOP_LABEL_NONE) ?? 0;
  map.delete(LOOP_LABEL_NONE);
  if (label) {
    out |= map.get(label) ?? 0;
    map.delete(label);
  }
  return out;
}

function released(state: number): number {
  return perHalf(state, (h) => (h & OPEN ? (h & ~OPEN) | DONE : h));
}

/** The acquisition failed on the paths where the condition's subject still describes it. */
function failed(state: number, alsoStale: boolean): number {
  const fresh = state & OPEN ? (state & ~OPEN) | NIL : state;
  return alsoStale ? perHalf(state, (h) => (h & OPEN ? (h & ~OPEN) | NIL : h)) : fresh;
}

export class MustReleaseFlow {
  private readonly leaks = new Map<number, Leak>();

  constructor(
    private readonly ctx: GoContext,
    private readonly tracked: Tracked,
  ) {}

  /** Every leaking exit, in source order. */
  run(): Leak[] {
    const s = this.tracked.statement;
    const parent = s.parent;
    if (!parent) return [];
    let node: Node;
    let current: Flow;
    if (parent.type === "statement_list") {
      current = this.execList(namedChildren(parent).filter((c) => c.startIndex > s.startIndex), OPEN);
      node = parent;
    } else if (parent.type === "if_statement" && field(parent, "initializer")?.id === s.id) {
      current = this.execIf(parent, OPEN);
      node = parent;
    } else if (SWITCHES.has(parent.type) && field(parent, "initializer")?.id === s.id) {
      current = this.execSwitch(parent, OPEN, undefined);
      node = parent;
    } else {
      return [];
    }
    this.ascend(node, current);
    return [...this.leaks.values()].sort((a, b) => a.node.startIndex - b.node.startIndex);
  }

  /** Continues the paths that leave `node` into the statements that follow it, up to the function's end. */
  private ascend(start: Node, startFlow: Flow): void {
    let node = start;
    let current = startFlow;
    for (;;) {
      const p = node.parent;
      if (!p) return;
      if (p.type === "statement_list") {
        const rest = namedChildren(p).filter((c) => c.startIndex >= node.endIndex);
        const next = this.execList(rest, current.fall);
        mergeInto(next.breaks, current.breaks);
        mergeInto(next.continues, current.continues);
        current = next;
      } else if (p.type === "block" && p.parent && FUNCTION_TYPES.has(p.parent.type)) {
        if (isOpen(current.fall)) this.leak("end", p);
        return;
      } else if (FUNCTION_TYPES.has(p.type)) {
        return;
      } else if (p.type === "for_statement") {
        const label = labelOf(p);
        const iterationEnd = current.fall | take(current.continues, label);
        if (isOpen(iterationEnd)) this.leak("iteration", p);
        current = { fall: take(current.breaks, label) | withoutOpen(iterationEnd), breaks: current.breaks, continues: current.continues };
      } else if (SWITCHES.has(p.type)) {
        current.fall |= take(current.breaks, labelOf(p));
      }
      node = p;
    }
  }

  private leak(kind: ExitKind, node: Node): void {
    if (this.tracked.closedAtExit && (kind === "return" || kind === "end" || kind === "panic")) return;
    if (!this.leaks.has(node.id)) this.leaks.set(node.id, { kind, node });
  }

  private execList(stmts: Node[], state: number): Flow {
    const out = flow(state);
    for (const stmt of stmts) {
      if (out.fall === 0) break;
      const f = this.execStatement(stmt, out.fall, undefined);
      out.fall = f.fall;
      mergeInto(out.breaks, f.breaks);
      mergeInto(out.continues, f.continues);
    }
    return out;
  }

  private execStatement(stmt: Node, state: number, label: string | undefined): Flow {
    switch (stmt.type) {
      case "return_statement":
        return flow(this.execReturn(stmt, state));
      case "expression_statement":
        return flow(this.execExpressionStatement(stmt, state));
      case "defer_statement":
        // A deferred release covers every later exit, so it is simply "released from here on".
        return flow(this.apply(stmt, state));
      case "go_statement":
        return flow(this.mentions(stmt) ? released(state) : state);
      case "if_statement": {
        const init = field(stmt, "initializer");
        if (!init) return this.execIf(stmt, state);
        // `if err := f(); err != nil` declares a new err for this statement only.
        const shadows = init.type === "short_var_declaration" && this.assignsErr(init);
        const afterInit = this.apply(init, state);
        const f = this.execIf(stmt, shadows ? makeStale(afterInit) : afterInit);
        if (shadows && makeFresh(state) === state) {
          f.fall = makeFresh(f.fall);
          for (const m of [f.breaks, f.continues]) for (const [k, v] of m) m.set(k, makeFresh(v));
        }
        return f;
      }
      case "for_statement":
        return this.execFor(stmt, state, label);
      case "expression_switch_statement":
      case "type_switch_statement":
      case "select_statement": {
        const init = field(stmt, "initializer");
        return this.execSwitch(stmt, init ? this.apply(init, state) : state, label);
      }
      case "block":
        return this.execList(statementsOf(stmt), state);
      case "labeled_statement": {
        const name = field(stmt, "label")?.text;
        const inner = namedChildren(stmt).find((c) => c.type !== "label_name");
        if (!inner) return flow(state);
        const f = this.execStatement(inner, state, name);
        if (name) {
          f.fall |= f.breaks.get(name) ?? 0;
          f.breaks.delete(name);
        }
        return f;
      }
      case "break_statement": {
        const f = flow(0);
        f.breaks.set(namedChildren(stmt)[0]?.text ?? LOOP_LABEL_NONE, state);
        return f;
      }
      case "continue_statement": {
        const f = flow(0);
        f.continues.set(namedChildren(stmt)[0]?.text ?? LOOP_LABEL_NONE, state);
        return f;
      }
      case "goto_statement":
        // Following gotos is not worth its complexity; the path is dropped, never reported.
        return flow(0);
      default:
        return flow(this.apply(stmt, state));
    }
  }

  private execReturn(stmt: Node, state: number): number {
    const values = namedChildren(stmt)[0];
    let after = state;
    if (values) {
      after = this.apply(values, state);
    } else if (resultNames(this.tracked.fn).includes(this.tracked.name)) {
      after = released(state);
    }
    if (isOpen(after)) this.leak("return", stmt);
    return 0;
  }

  private execExpressionStatement(stmt: Node, state: number): number {
    const expr = namedChildren(stmt)[0];
    const after = this.apply(stmt, state);
    const call = expr && unparen(expr);
    if (!call || call.type !== "call_expression") return after;
    const exit = this.exitKind(call);
    if (exit === "terminate") return 0;
    if (exit === "panic") {
      if (isOpen(after)) this.leak("panic", stmt);
      return 0;
    }
    return after;
  }

  private exitKind(call: Node): "terminate" | "panic" | undefined {
    const parts = calleeParts(call);
    if (!parts) return undefined;
    if (!parts.operand) {
      if (parts.name !== "panic") return undefined;
      // `panic("unreachable")` asserts a bug, nobody recovers from it; `panic(err)` is error handling.
      const arg = namedChildren(field(call, "arguments"))[0];
      return arg && /string_literal$/.test(arg.type) ? "terminate" : "panic";
    }
    const pkg = parts.operand.type === "identifier" ? this.ctx.file.importPath(parts.operand.text) : undefined;
    if (pkg) {
      if (TERMINATING_PACKAGE_FUNCTIONS[pkg]?.has(parts.name)) return "terminate";
      if (PANICKING_PACKAGE_FUNCTIONS[pkg]?.has(parts.name)) return "panic";
      return undefined;
    }
    return TERMINATING_METHODS.has(parts.name) ? "terminate" : undefined;
  }

  private execIf(stmt: Node, state: number): Flow {
    const cond = field(stmt, "condition");
    let s = state;
    if (cond) s = this.apply(cond, s);
    const [thenState, elseState] = cond ? this.refine(cond, s) : [s, s];
    const out = this.execList(statementsOf(field(stmt, "consequence")), thenState);
    const alt = field(stmt, "alternative");
    const other = alt ? this.execStatement(alt, elseState, undefined) : flow(elseState);
    out.fall |= other.fall;
    mergeInto(out.breaks, other.breaks);
    mergeInto(out.continues, other.continues);
    return out;
  }

  private execFor(stmt: Node, state: number, label: string | undefined): Flow {
    let s = state;
    const clause = namedChildren(stmt).find((c) => c.type === "for_clause" || c.type === "range_clause");
    const condition = clause?.type === "for_clause" ? field(clause, "condition") : namedChildren(stmt).find((c) => c !== clause && c.type !== "block");
    if (clause) s = this.apply(clause, s);
    else if (condition) s = this.apply(condition, s);
    const body = field(stmt, "body");
    let entry = s;
    let bodyFlow = flow(0);
    for (let round = 0; round < 4; round++) {
      bodyFlow = this.execList(statementsOf(body), entry);
      const next = entry | bodyFlow.fall | take(bodyFlow.continues, label);
      if (next === entry) break;
      entry = next;
    }
    const infinite = !clause && !condition;
    const out = flow((infinite ? 0 : entry) | take(bodyFlow.breaks, label));
    mergeInto(out.breaks, bodyFlow.breaks);
    mergeInto(out.continues, bodyFlow.continues);
    return out;
  }

  private execSwitch(stmt: Node, state: number, label: string | undefined): Flow {
    let s = state;
    const value = field(stmt, "value");
    if (value) s = this.apply(value, s);
    // A switch without a tag is an if/else chain: a case runs when its condition holds and
    // the earlier ones did not (`case err == nil:` then `case !os.IsExist(err):`), the
    // default or the way out when none held. `fallthrough` enters a case without its test.
    const chain = stmt.type === "expression_switch_statement" && !value && descendants(stmt, FALLTHROUGH).length === 0;
    const out = flow(0);
    let defaultCase: Node | undefined;
    let cases = 0;
    let noneHeld = s;
    const run = (c: Node, caseState: number) => {
      const f = this.execList(statementsOf(c), caseState);
      out.fall |= f.fall;
      mergeInto(out.breaks, f.breaks);
      mergeInto(out.continues, f.continues);
    };
    for (const c of namedChildren(stmt)) {
      if (!CASES.has(c.type)) continue;
      cases++;
      if (c.type === "default_case") {
        defaultCase = c;
        if (!chain) run(c, s);
        continue;
      }
      const comm = field(c, "communication");
      if (!chain) {
        run(c, comm ? this.apply(comm, s) : s);
        continue;
      }
      let held = 0;
      for (const cond of namedChildren(field(c, "value"))) {
        const [then, otherwise] = this.refine(cond, this.apply(cond, noneHeld));
        held |= then;
        noneHeld = otherwise;
      }
      run(c, held);
    }
    const isSelect = stmt.type === "select_statement";
    if (chain && defaultCase) run(defaultCase, noneHeld);
    if (!defaultCase && !isSelect) out.fall |= chain ? noneHeld : s;
    if (isSelect && cases === 0) out.fall = 0;
    out.fall |= take(out.breaks, label);
    return out;
  }

  /** The state after the uses of the tracked name inside a simple statement or expression. */
  private apply(node: Node, state: number): number {
    if (this.assignsErr(node)) state = makeStale(state);
    if (!isOpen(state) || !this.mentions(node)) return state;
    let handed = false;
    let overwritten = false;
    for (const use of descendants(node, IDENT)) {
      if (use.text !== this.tracked.name) continue;
      const e: UseEffect = this.ctx.effectOfUse(use);
      if (e === "release" || e === "handoff" || e === "return") handed = true;
      if (e === "overwrite") overwritten = true;
    }
    // A closure that outlives this statement (registered, stored, passed on) owns what it
    // captures; one that runs right here (`func() { ... }()`, a defer) owns it only if it
    // releases or keeps it.
    for (const lit of descendants(node, FUNC_LITERAL)) {
      const body = field(lit, "body");
      if (!body || !descendants(body, IDENT, true).some((id) => id.text === this.tracked.name)) continue;
      const invokedHere = lit.parent?.type === "call_expression" && field(lit.parent, "function")?.id === lit.id;
      if (!invokedHere || this.ctx.effectOnName(body, this.tracked.name) !== "none") handed = true;
    }
    if (handed) return released(state);
    if (overwritten) {
      this.leak("overwrite", node);
      return 0;
    }
    return state;
  }

  /**
   * `os.IsNotExist(err)`, `errors.Is(err, x)`, and a one-argument predicate
   * named for an error (`isNoCachedConnError(err)`, `pq.IsRetryableErr(err)`):
   * true only when the acquisition failed.
   */
  private refineErrorPredicate(call: Node, state: number): [number, number] {
    const parts = calleeParts(call);
    const args = namedChildren(field(call, "arguments"));
    if (!parts || !args[0] || unparen(args[0]).text !== this.tracked.errName) return [state, state];
    const pkg = parts.operand?.type === "identifier" ? this.ctx.file.importPath(parts.operand.text) : undefined;
    const predicate =
      (pkg === "os" && /^Is(Exist|NotExist|Permission|Timeout)$/.test(parts.name)) ||
      (pkg === "errors" && (parts.name === "Is" || parts.name === "As")) ||
      (args.length === 1 && ERROR_PREDICATE.test(parts.name));
    return predicate ? [failed(state, false), state] : [state, state];
  }

  private assignsErr(node: Node): boolean {
    const err = this.tracked.errName;
    if (!err || !node.text.includes(err)) return false;
    if (node.type === "short_var_declaration" || node.type === "assignment_statement" || node.type === "range_clause") {
      return namedChildren(field(node, "left")).some((n) => n.type === "identifier" && n.text === err);
    }
    if (node.type === "var_declaration") {
      return node.descendantsOfType("var_spec").some((spec) => spec?.childrenForFieldName("name").some((n) => n?.text === err));
    }
    return false;
  }

  private mentions(node: Node): boolean {
    return node.text.includes(this.tracked.name);
  }

  /** [state when the condition holds, state when it does not]. */
  private refine(cond: Node, state: number): [number, number] {
    const c = unparen(cond);
    if (c.type === "unary_expression" && c.child(0)?.type === "!") {
      const operand = field(c, "operand");
      if (!operand) return [state, state];
      const [t, e] = this.refine(operand, state);
      return [e, t];
    }
    if (c.type === "call_expression") return this.refineErrorPredicate(c, state);
    if (c.type !== "binary_expression") return [state, state];
    const op = field(c, "operator")?.type;
    const left = field(c, "left");
    const right = field(c, "right");
    if (!left || !right) return [state, state];
    if (op === "&&") {
      const [t1, e1] = this.refine(left, state);
      const [t2, e2] = this.refine(right, t1);
      return [t2, e1 | e2];
    }
    if (op === "||") {
      const [t1, e1] = this.refine(left, state);
      const [t2, e2] = this.refine(right, e1);
      return [t1 | t2, e2];
    }
    if (op !== "==" && op !== "!=") return [state, state];
    const l = unparen(left);
    const r = unparen(right);
    const subject = l.type === "nil" ? r : r.type === "nil" ? l : undefined;
    if (!subject) return [state, state];
    // `res.Body != nil`: a response without a body has nothing to close (net/http always sets one).
    const isBody = subject.type === "selector_expression" && field(subject, "field")?.text === "Body" && unparen(field(subject, "operand") ?? subject).text === this.tracked.name;
    if (subject.type !== "identifier" && !isBody) return [state, state];
    const isErr = subject.text === this.tracked.errName;
    const isValue = subject.text === this.tracked.name || isBody;
    if (!isErr && !isValue) return [state, state];
    const failsWhenTrue = (isErr && op === "!=") || (isValue && op === "==");
    const gone = failed(state, isValue);
    return failsWhenTrue ? [gone, state] : [state, gone];
  }

}

function labelOf(stmt: Node): string | undefined {
  const p = stmt.parent;
  return p?.type === "labeled_statement" ? field(p, "label")?.text : undefined;
}
