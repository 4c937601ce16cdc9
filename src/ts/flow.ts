/**
 * The statement-level flow model for "a value that must be released on every
 * path", for TypeScript and JavaScript. From the statement that acquires the
 * value (or the entry of the callback that receives it), every path to an exit
 * of the function is followed symbolically. The state of the value on a path
 * is a small set of possibilities (bit flags), so branches merge by union and
 * loops reach a fixpoint in a couple of rounds:
 *
 *   OPEN  acquired and still owned here
 *   DONE  released, or handed to someone else
 *   NIL   not acquired on this path (`if (!client)`, a node-style `err`)
 *
 * Unlike Go, an exit is not final where it happens: a `return` or `throw`
 * inside `try` runs the `finally` block first, and a throw may land in a
 * `catch`. So paths that leave a statement carry their pending exits (with
 * the state at that point) up through the enclosing statements; `finally`
 * blocks transform those states, `catch` clauses take the throws, and only
 * what reaches the function boundary still OPEN is a leak.
 *
 * Throws come in two sorts. A `throw` statement is an exit for every kind. A
 * call or `await` may throw too (an implicit exit): that always routes state
 * into an enclosing `catch`, but it is reported as a leak only for kinds that
 * must survive errors (pool clients, file handles), only at an `await` or a
 * call that is given the value, and not while already handling an error in a
 * `catch` block.
 */
import ts = require("typescript");
import { Acquisition, TsContext, VarRef, runsInPlace } from "./context";
import { TS_KINDS, TsKind } from "./resources";
import { localFunction, resolveName } from "./scopes";
import { FunctionLike, calleeOf, isFunctionLike, isLoop, isStatementList, skipOuter, stringValue } from "./syntax";

export const OPEN = 1;
export const DONE = 2;
export const NIL = 4;

export function isOpen(state: number): boolean {
  return (state & OPEN) !== 0;
}

function released(state: number): number {
  return state & OPEN ? (state & ~OPEN) | DONE : state;
}

function failed(state: number): number {
  return state & OPEN ? (state & ~OPEN) | NIL : state;
}

export type ExitKind = "return" | "throw" | "implicit" | "end" | "iteration" | "overwrite";

export interface Leak {
  kind: ExitKind;
  /** The return / throw / throwing expression / loop / assignment, or the function body for "end". */
  node: ts.Node;
  /** The value's possible states there: exactly OPEN means it is open on every path reaching it. */
  state: number;
}

export interface Tracked extends VarRef {
  kind: TsKind;
  /** The function whose exits matter (the innermost one around the acquisition). */
  fn: FunctionLike;
  /** The statement that acquires the value; undefined when the value is a parameter of `fn` (a callback). */
  statement?: ts.Statement;
  /** A node-style error parameter: when it is set, the value is absent. */
  errDecl?: ts.Node;
  /** A callback parameter whose call releases the value (pg's `done`). */
  releaseDecl?: { decl: ts.Node; name: string };
  acquisition: Acquisition;
}

interface Exit {
  kind: "return" | "throw" | "implicit";
  node: ts.Node;
  state: number;
  reportable: boolean;
}

interface Flow {
  fall: number;
  breaks: Map<string, number>;
  continues: Map<string, number>;
  exits: Map<string, Exit>;
}

const NO_LABEL = "";

function flow(fall: number): Flow {
  return { fall, breaks: new Map(), continues: new Map(), exits: new Map() };
}

function mergeStates(target: Map<string, number>, source: Map<string, number>): void {
  for (const [k, v] of source) target.set(k, (target.get(k) ?? 0) | v);
}

function addExit(f: Flow, e: Exit): void {
  if (e.state === 0) return;
  const key = `${e.kind}:${e.node.pos}:${e.node.end}`;
  const seen = f.exits.get(key);
  if (seen) {
    seen.state |= e.state;
    seen.reportable ||= e.reportable;
  } else {
    f.exits.set(key, { ...e });
  }
}

/** Breaks, continues and pending exits of `source` join `target`. */
function mergeAux(target: Flow, source: Flow): void {
  mergeStates(target.breaks, source.breaks);
  mergeStates(target.continues, source.continues);
  for (const e of source.exits.values()) addExit(target, e);
}

function take(map: Map<string, number>, label: string | undefined): number {
  let out = map.get(NO_LABEL) ?? 0;
  map.delete(NO_LABEL);
  if (label) {
    out |= map.get(label) ?? 0;
    map.delete(label);
  }
  return out;
}

function labelOf(stmt: ts.Node): string | undefined {
  return ts.isLabeledStatement(stmt.parent) ? stmt.parent.label.text : undefined;
}

/** The statements after `node` in a list; in a switch clause, the following clauses' too (fallthrough). */
function statementsAfter(list: ts.Node, node: ts.Node): ts.Statement[] {
  const stmts = (list as ts.Block).statements;
  const rest = stmts.slice(stmts.indexOf(node as ts.Statement) + 1);
  if (ts.isCaseClause(list) || ts.isDefaultClause(list)) {
    const clauses = list.parent.clauses;
    for (const c of clauses.slice(clauses.indexOf(list) + 1)) rest.push(...c.statements);
  }
  return rest;
}

/** The first await, yield, call or `new` in a node, nested functions excluded. */
function firstThrowPoint(node: ts.Node): ts.Node | undefined {
  if (isFunctionLike(node) || ts.isIdentifier(node)) return undefined;
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n) || ts.isTypeNode(n)) return;
    if (ts.isAwaitExpression(n) || ts.isYieldExpression(n) || ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isTaggedTemplateExpression(n)) {
      found = n;
      return;
    }
    n.forEachChild(visit);
  };
  visit(node);
  return found;
}

function isWithin(node: ts.Node, ancestor: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

function isNullish(e: ts.Expression): boolean {
  const n = skipOuter(e);
  return n.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(n) && n.text === "undefined");
}

const SETUP_METHODS = new Set(["connect", "startTransaction", "beginTransaction"]);

/** Statuses whose responses have no body: nothing to consume. */
const BODYLESS_STATUS = new Set(["204", "205", "304"]);

export class MustReleaseFlow {
  private readonly leaks = new Map<ts.Node, Leak>();
  /** Inside a catch or finally block: implicit throws there are not reported. */
  private catchDepth = 0;
  /** Callbacks the value's obligation moved into (see isContinuation); the caller follows them. */
  readonly continuations: FunctionLike[] = [];
  private readonly sf: ts.SourceFile;

  constructor(
    private readonly ctx: TsContext,
    private readonly t: Tracked,
  ) {
    this.sf = ctx.sourceFile;
  }

  /** Every leaking exit, in source order. */
  run(): Leak[] {
    const t = this.t;
    const body = t.fn.body;
    if (!body) return [];
    if (t.statement) {
      const list = t.statement.parent;
      if (!isStatementList(list)) return [];
      this.ascend(list, this.execList(statementsAfter(list, t.statement), OPEN));
    } else if (ts.isBlock(body)) {
      this.resolve(this.execList(body.statements, OPEN));
    } else {
      const out = flow(0);
      const after = this.applyBranches(body, OPEN, out);
      if (isOpen(after)) this.leak("return", body, after);
      this.resolve(out);
    }
    const at = (l: Leak) => (l.kind === "end" ? l.node.end : l.node.getStart(this.sf));
    return [...this.leaks.values()].sort((a, b) => at(a) - at(b));
  }

  /** Continues the paths that leave `start` through the statements that enclose it, up to the function's end. */
  private ascend(start: ts.Node, startFlow: Flow): void {
    let node = start;
    let cur = startFlow;
    for (;;) {
      if (node === this.t.fn.body) {
        this.resolve(cur);
        return;
      }
      const p = node.parent;
      if (!p || isFunctionLike(p)) return;
      if (isStatementList(p)) {
        const next = this.execList(statementsAfter(p, node), cur.fall);
        mergeAux(next, cur);
        cur = next;
      } else if (isLoop(p) && p.statement === node) {
        const label = labelOf(p);
        const iterationEnd = cur.fall | take(cur.continues, label);
        const breaks = take(cur.breaks, label);
        if (isWithin(this.t.decl, p)) {
          // A variable of the loop body: the next iteration starts without it.
          if (isOpen(iterationEnd)) this.leak("iteration", p, iterationEnd);
          cur.fall = breaks | (iterationEnd & ~OPEN);
        } else {
          // A variable of the function: the value survives into the next iteration, where
          // acquiring again overwrites it, and out of the loop.
          const again = this.execLoop(p, iterationEnd, label, true);
          cur.fall = breaks | again.fall;
          mergeAux(cur, again);
        }
      } else if (ts.isTryStatement(p)) {
        if (node === p.tryBlock) cur = this.afterTryBlock(p, cur);
      } else if (ts.isCatchClause(p)) {
        const tryStmt = p.parent;
        if (tryStmt.finallyBlock) cur = this.applyFinally(cur, tryStmt.finallyBlock);
        node = tryStmt;
        continue;
      } else if (ts.isLabeledStatement(p)) {
        cur.fall |= take(cur.breaks, p.label.text);
      } else if (ts.isSwitchStatement(p)) {
        cur.fall |= take(cur.breaks, labelOf(p));
      }
      node = p;
    }
  }

  /** At the function boundary: what is still open at the end, a return or a throw leaks. */
  private resolve(cur: Flow): void {
    const body = this.t.fn.body!;
    if (isOpen(cur.fall)) this.leak("end", body, cur.fall);
    // A function that never releases the value itself means to hand it over (`return client` after
    // some setup); a throw before the hand-off is the caller's second-order problem, not reported.
    const implicitLeaks = TS_KINDS[this.t.kind].implicitThrows && this.ownsRelease();
    for (const e of cur.exits.values()) {
      if (!isOpen(e.state)) continue;
      if (e.kind === "implicit" && !(e.reportable && implicitLeaks)) continue;
      this.leak(e.kind, e.node, e.state);
    }
  }

  private owns?: boolean;
  private ownsRelease(): boolean {
    // A release anywhere in the function, callbacks included: `.then(() => client.release())` counts.
    this.owns ??= this.t.releaseDecl !== undefined || this.ctx.referencesIn(this.t.fn.body!, this.t).some((id) => this.ctx.effectOfUse(id, this.t) === "release");
    return this.owns;
  }

  private leak(kind: ExitKind, node: ts.Node, state: number): void {
    const seen = this.leaks.get(node);
    if (seen) seen.state |= state;
    else this.leaks.set(node, { kind, node, state });
  }

  private execList(stmts: readonly ts.Statement[], state: number): Flow {
    const out = flow(state);
    for (const stmt of stmts) {
      if (out.fall === 0) break;
      const f = this.execStatement(stmt, out.fall, undefined);
      out.fall = f.fall;
      mergeAux(out, f);
    }
    return out;
  }

  private execStatement(stmt: ts.Statement, state: number, label: string | undefined): Flow {
    switch (stmt.kind) {
      case ts.SyntaxKind.Block:
        return this.execList((stmt as ts.Block).statements, state);
      case ts.SyntaxKind.ExpressionStatement: {
        const out = flow(0);
        const expr = (stmt as ts.ExpressionStatement).expression;
        const after = this.applyBranches(expr, state, out);
        out.fall = this.terminates(expr) ? 0 : after;
        return out;
      }
      case ts.SyntaxKind.ReturnStatement:
      case ts.SyntaxKind.ThrowStatement: {
        const out = flow(0);
        const expr = (stmt as ts.ReturnStatement).expression;
        const after = expr ? this.applyBranches(expr, state, out) : state;
        addExit(out, { kind: ts.isReturnStatement(stmt) ? "return" : "throw", node: stmt, state: after, reportable: true });
        return out;
      }
      case ts.SyntaxKind.IfStatement: {
        const s = stmt as ts.IfStatement;
        const out = flow(0);
        const afterCond = this.apply(s.expression, state, out);
        const [whenTrue, whenFalse] = this.refine(s.expression, afterCond);
        const a = this.execStatement(s.thenStatement, whenTrue, undefined);
        const b = s.elseStatement ? this.execStatement(s.elseStatement, whenFalse, undefined) : flow(whenFalse);
        out.fall = a.fall | b.fall;
        mergeAux(out, a);
        mergeAux(out, b);
        return out;
      }
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
        return this.execLoop(stmt as ts.IterationStatement, state, label);
      case ts.SyntaxKind.SwitchStatement:
        return this.execSwitch(stmt as ts.SwitchStatement, state, label);
      case ts.SyntaxKind.LabeledStatement: {
        const s = stmt as ts.LabeledStatement;
        const f = this.execStatement(s.statement, state, s.label.text);
        f.fall |= f.breaks.get(s.label.text) ?? 0;
        f.breaks.delete(s.label.text);
        return f;
      }
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement: {
        const s = stmt as ts.BreakOrContinueStatement;
        const f = flow(0);
        (ts.isBreakStatement(s) ? f.breaks : f.continues).set(s.label?.text ?? NO_LABEL, state);
        return f;
      }
      case ts.SyntaxKind.TryStatement: {
        const s = stmt as ts.TryStatement;
        return this.afterTryBlock(s, this.execList(s.tryBlock.statements, state));
      }
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
      case ts.SyntaxKind.ImportDeclaration:
      case ts.SyntaxKind.EmptyStatement:
      case ts.SyntaxKind.DebuggerStatement:
        return flow(state);
      default: {
        const out = flow(0);
        out.fall = this.apply(stmt, state, out);
        return out;
      }
    }
  }

  /** `catch` takes the throws of the try block; `finally` then transforms every path that leaves. */
  private afterTryBlock(stmt: ts.TryStatement, tryFlow: Flow): Flow {
    const cur = tryFlow;
    if (stmt.catchClause) {
      let caught = 0;
      for (const [k, e] of cur.exits) {
        if (e.kind === "return") continue;
        caught |= e.state;
        cur.exits.delete(k);
      }
      if (caught) {
        this.catchDepth++;
        const c = this.execList(stmt.catchClause.block.statements, caught);
        this.catchDepth--;
        cur.fall |= c.fall;
        mergeAux(cur, c);
      }
    }
    return stmt.finallyBlock ? this.applyFinally(cur, stmt.finallyBlock) : cur;
  }

  private applyFinally(cur: Flow, block: ts.Block): Flow {
    const memo = new Map<number, Flow>();
    const run = (s: number): Flow => {
      let f = memo.get(s);
      if (!f) {
        // Like a catch block, cleanup code that throws is a second failure: not reported.
        this.catchDepth++;
        f = this.execList(block.statements, s);
        this.catchDepth--;
        memo.set(s, f);
      }
      return f;
    };
    const out = flow(0);
    if (cur.fall) {
      const f = run(cur.fall);
      out.fall = f.fall;
      mergeAux(out, f);
    }
    for (const e of cur.exits.values()) {
      const f = run(e.state);
      if (f.fall) addExit(out, { ...e, state: f.fall });
      mergeAux(out, f);
    }
    for (const [map, target] of [
      [cur.breaks, out.breaks],
      [cur.continues, out.continues],
    ] as const) {
      for (const [l, s] of map) {
        const f = run(s);
        if (f.fall) target.set(l, (target.get(l) ?? 0) | f.fall);
        mergeAux(out, f);
      }
    }
    return out;
  }

  /**
   * A loop entered with `state`; with `resume`, re-entered at the end of an
   * iteration (the incrementor, or a do-while's condition, runs first).
   */
  private execLoop(stmt: ts.IterationStatement, state: number, label: string | undefined, resume = false): Flow {
    const out = flow(0);
    let s = state;
    let cond: ts.Expression | undefined;
    let incr: ts.Expression | undefined;
    let resumedExit = 0;
    if (ts.isForStatement(stmt)) {
      if (stmt.initializer && !resume) s = this.apply(stmt.initializer, s, out);
      if (stmt.incrementor && resume) s = this.apply(stmt.incrementor, s, out);
      cond = stmt.condition;
      incr = stmt.incrementor;
    } else if (ts.isForOfStatement(stmt) || ts.isForInStatement(stmt)) {
      if (!resume) s = this.apply(stmt.expression, s, out);
    } else if (ts.isWhileStatement(stmt) || ts.isDoStatement(stmt)) {
      cond = stmt.expression;
      if (resume && ts.isDoStatement(stmt)) {
        const c = this.apply(cond, s, out);
        const [t, f] = this.refine(cond, c);
        resumedExit = f;
        s = t;
      }
    }
    const infinite = (ts.isForStatement(stmt) && !cond) || (!!cond && skipOuter(cond).kind === ts.SyntaxKind.TrueKeyword);
    const iterates = ts.isForOfStatement(stmt) || ts.isForInStatement(stmt);
    let entry = s;
    let exitFall = 0;
    let breaks = 0;
    for (let round = 0; round < 4; round++) {
      let bodyIn = entry;
      if (cond && !ts.isDoStatement(stmt)) {
        const c = this.apply(cond, entry, out);
        const [t, f] = this.refine(cond, c);
        bodyIn = t;
        exitFall |= f;
      }
      if (iterates) exitFall |= entry;
      const body = this.execStatement(stmt.statement, bodyIn, undefined);
      let iterationEnd = body.fall | take(body.continues, label);
      breaks |= take(body.breaks, label);
      mergeAux(out, body);
      if (incr) iterationEnd = this.apply(incr, iterationEnd, out);
      if (ts.isDoStatement(stmt) && cond) {
        const c = this.apply(cond, iterationEnd, out);
        const [t, f] = this.refine(cond, c);
        exitFall |= f;
        iterationEnd = t;
      }
      const next = entry | iterationEnd;
      if (next === entry) break;
      entry = next;
    }
    out.fall = (infinite ? 0 : exitFall) | breaks | resumedExit;
    return out;
  }

  private execSwitch(stmt: ts.SwitchStatement, state: number, label: string | undefined): Flow {
    const out = flow(0);
    const s = this.apply(stmt.expression, state, out);
    let fallIn = 0;
    let hasDefault = false;
    for (const clause of stmt.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      const f = this.execList(clause.statements, s | fallIn);
      fallIn = f.fall;
      mergeAux(out, f);
    }
    out.fall = fallIn | (hasDefault ? 0 : s) | take(out.breaks, label);
    return out;
  }

  /** `process.exit()`: the path ends and nothing leaks. */
  private terminates(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if (!ts.isCallExpression(e)) return false;
    const q = this.ctx.file.qualifiedName(calleeOf(e));
    return q === "global.process.exit" || q === "global.process.abort" || q === "process.exit" || q === "process.abort";
  }

  /** Does the identifier refer to the tracked variable (or the given declaration)? */
  private refersTo(node: ts.Node, decl: ts.Node | undefined = this.t.decl): boolean {
    const n = skipOuter(node as ts.Expression);
    return !!decl && ts.isIdentifier(n) && resolveName(n, n.text)?.decl === decl;
  }

  /** `res.body` of the tracked response. */
  private isTrackedBody(node: ts.Node): boolean {
    const n = skipOuter(node as ts.Expression);
    return ts.isPropertyAccessExpression(n) && n.name.text === "body" && this.refersTo(n.expression) && this.t.kind !== "incoming";
  }

  /** [state when the condition holds, state when it does not]. */
  private refine(cond: ts.Expression, state: number): [number, number] {
    if (!isOpen(state)) return [state, state];
    const c = skipOuter(cond);
    if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
      const [t, e] = this.refine(c.operand, state);
      return [e, t];
    }
    if (this.refersTo(c) || this.isTrackedBody(c)) return [state, failed(state)];
    // `res.bodyUsed`: the body has been read.
    if (ts.isPropertyAccessExpression(c) && c.name.text === "bodyUsed" && this.refersTo(c.expression)) return [released(state), state];
    if (this.refersTo(c, this.t.errDecl)) return [failed(state), state];
    if (!ts.isBinaryExpression(c)) return [state, state];
    const op = c.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const [t1, e1] = this.refine(c.left, state);
      const [t2, e2] = this.refine(c.right, t1);
      return [t2, e1 | e2];
    }
    if (op === ts.SyntaxKind.BarBarToken) {
      const [t1, e1] = this.refine(c.left, state);
      const [t2, e2] = this.refine(c.right, e1);
      return [t1 | t2, e2];
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
    if (!eq && !ne) return [state, state];
    const gone = failed(state);
    const [l, r] = [skipOuter(c.left), skipOuter(c.right)];
    const subject = isNullish(l) ? r : isNullish(r) ? l : undefined;
    if (subject) {
      if (this.refersTo(subject) || this.isTrackedBody(subject)) return eq ? [gone, state] : [state, gone];
      if (this.refersTo(subject, this.t.errDecl)) return eq ? [state, gone] : [gone, state];
      return [state, state];
    }
    // `res.status === 204` (or `status === 204` after `const status = res.status`): no body.
    const status = (s: ts.Expression, n: ts.Expression) => ts.isNumericLiteral(n) && BODYLESS_STATUS.has(n.text) && this.isTrackedStatus(s);
    if (status(l, r) || status(r, l)) return eq ? [gone, state] : [state, gone];
    // `options.method === "HEAD"` where the request was made with `method: options.method`.
    const head = (m: ts.Expression, v: ts.Expression) => /^head$/i.test(stringValue(v) ?? "") && this.isRequestMethod(m);
    if (head(l, r) || head(r, l)) return eq ? [gone, state] : [state, gone];
    return [state, state];
  }

  private isTrackedStatus(node: ts.Expression): boolean {
    let s = skipOuter(node);
    if (ts.isIdentifier(s)) {
      const d = resolveName(s, s.text)?.decl;
      if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
      s = skipOuter(d.initializer);
    }
    return ts.isPropertyAccessExpression(s) && /^status(Code)?$/.test(s.name.text) && this.refersTo(s.expression);
  }

  /** The expression the acquisition's options passed as `method`. */
  private isRequestMethod(node: ts.Expression): boolean {
    const acq = this.t.acquisition.node;
    if (this.t.kind !== "response" || !ts.isCallExpression(acq)) return false;
    const opts = acq.arguments[1] && skipOuter(acq.arguments[1]);
    if (!opts || !ts.isObjectLiteralExpression(opts)) return false;
    const text = (n: ts.Node) => n.getText(this.sf).replace(/\s+/g, "");
    return opts.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText(this.sf) === "method" && text(p.initializer) === text(node));
  }

  /**
   * An expression whose parts run on different paths: `res.ok ? res.json() : null`,
   * `cond && res.body?.cancel()`. Each branch is applied on its own refined state,
   * so a release in one branch does not count for the other.
   */
  private applyBranches(expr: ts.Expression, state: number, out: Flow): number {
    const e = skipOuter(expr);
    if (!isOpen(state)) return this.apply(expr, state, out);
    if (ts.isAwaitExpression(e) && ts.isConditionalExpression(skipOuter(e.expression))) return this.applyBranches(e.expression, state, out);
    if (ts.isConditionalExpression(e)) {
      const s = this.apply(e.condition, state, out);
      const [t, f] = this.refine(e.condition, s);
      return this.applyBranches(e.whenTrue, t, out) | this.applyBranches(e.whenFalse, f, out);
    }
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      const s = this.apply(e.left, state, out);
      const [t, f] = this.refine(e.left, s);
      return e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? this.applyBranches(e.right, t, out) | f : t | this.applyBranches(e.right, f, out);
    }
    return this.apply(expr, state, out);
  }

  /**
   * The state after the uses of the tracked value inside a simple statement
   * or expression; records the implicit throw of calls and awaits in `out`.
   */
  private apply(node: ts.Node, state: number, out: Flow): number {
    if (state === 0) return state;
    if (!isOpen(state)) {
      // Nothing can change a released value, but a throw here still carries its state to a catch.
      const point = firstThrowPoint(node);
      if (point) addExit(out, { kind: "implicit", node: point, state, reportable: false });
      return state;
    }
    const t = this.t;
    const text = this.sf.text.slice(node.pos, node.end);
    let handed = false;
    let overwritten = false;
    let throwPoint: ts.Node | undefined;
    let reportablePoint: ts.Node | undefined;
    const mentions = text.includes(t.name) || (t.releaseDecl !== undefined && text.includes(t.releaseDecl.name));
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(n)) {
        const captures = mentions && (this.ctx.referencesIn(n, t).length > 0 || (t.releaseDecl !== undefined && this.ctx.referencesIn(n, { ...t.releaseDecl, kind: "any" }).length > 0));
        if (!handed && captures) {
          const rejected = this.thenWithoutRejection(n);
          if (rejected) {
            // `client.query(sql).then((r) => { client.release(); ... })`: the callback continues the
            // value on success; if the promise rejects, nothing in the chain releases it.
            this.continuations.push(n as FunctionLike);
            handed = true;
            addExit(out, { kind: "implicit", node: rejected, state, reportable: this.catchDepth === 0 });
          } else if (!runsInPlace(n) && this.isContinuation(n)) {
            // `fs.read(fd, buf, 0, n, 0, (err) => { ... })`: the obligation moves into the callback,
            // which is followed from its entry as the rest of this value's life.
            this.continuations.push(n as FunctionLike);
            handed = true;
          } else {
            // A closure that outlives this statement owns what it captures; one that runs here owns it only if it releases or keeps it.
            const e = runsInPlace(n) ? this.ctx.effectOnName(n, t) : "handoff";
            if (e !== "none" && e !== "overwrite") handed = true;
          }
        }
        return;
      }
      if (ts.isTypeNode(n)) return;
      if (ts.isAwaitExpression(n) || ts.isYieldExpression(n)) {
        throwPoint ??= n;
        if (!this.isSetupCall(n.expression)) reportablePoint ??= n;
      } else if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isTaggedTemplateExpression(n)) {
        throwPoint ??= n;
        if (mentions && ts.isCallExpression(n) && n.arguments.some((a) => this.refersTo(a))) reportablePoint ??= n;
        if (mentions && ts.isCallExpression(n)) this.applyCall(n, () => (handed = true));
      } else if (mentions && ts.isIdentifier(n) && n.text === t.name && this.refersTo(n)) {
        const e = this.ctx.effectOfUse(n, t);
        if (e === "release" || e === "handoff" || e === "return") handed = true;
        else if (e === "overwrite") overwritten = true;
      }
      n.forEachChild(visit);
    };
    visit(node);
    const after = handed ? released(state) : state;
    if (throwPoint && !(ts.isIdentifier(node) || isFunctionLike(node))) {
      // For kinds where only explicit exits count, a call that might throw carries no open value
      // into a catch either: `try { socket.on(...) } catch { log() }` does not leak the socket.
      const thrown = TS_KINDS[t.kind].implicitThrows ? after : after & ~OPEN;
      addExit(out, { kind: "implicit", node: reportablePoint ?? throwPoint, state: thrown, reportable: this.catchDepth === 0 && reportablePoint !== undefined });
    }
    if (handed) return after;
    if (overwritten) {
      this.leak("overwrite", node, state);
      return 0;
    }
    return state;
  }

  /**
   * For values that must survive errors: a `.then(cb)` callback that releases the value, in a
   * promise chain where no `.catch`/`.finally` (or `then`'s rejection handler) releases it too.
   * Returns the `.then` call, where the rejection path leaves.
   */
  private thenWithoutRejection(fn: ts.Node): ts.CallExpression | undefined {
    if (!TS_KINDS[this.t.kind].implicitThrows || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
    let node: ts.Node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const call = node.parent;
    if (!ts.isCallExpression(call) || call.arguments[0] !== node) return undefined;
    const callee = calleeOf(call);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "then") return undefined;
    if (this.ctx.effectOnName(fn, this.t) !== "release") return undefined;
    const releases = (arg: ts.Expression | undefined) => !!arg && isFunctionLike(skipOuter(arg)) && this.ctx.effectOnName(skipOuter(arg), this.t) === "release";
    if (releases(call.arguments[1])) return undefined;
    // Later links of the same chain: `.then(...).catch(...)`, `.finally(...)`.
    for (let link: ts.Node = call; ts.isPropertyAccessExpression(link.parent) && ts.isCallExpression(link.parent.parent); link = link.parent.parent) {
      const name = link.parent.name.text;
      const next = link.parent.parent;
      if ((name === "catch" || name === "finally") && releases(next.arguments[0])) return undefined;
      if (name === "then" && releases(next.arguments[1])) return undefined;
    }
    return call;
  }

  /**
   * A callback that continues the value's use: the last argument of a call
   * that borrows the value (`client.query(sql, (err, r) => ...)`,
   * `fs.read(fd, ..., (err, n) => ...)`). Event listeners (`on`, `once`) are
   * not continuations: they may never run, and they own what they capture.
   */
  private isContinuation(fn: ts.Node): boolean {
    let node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const call = node.parent;
    if (!ts.isCallExpression(call) || call.arguments[call.arguments.length - 1] !== node) return false;
    const callee = calleeOf(call);
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      if (/^(on|once|addListener|prependListener|prependOnceListener|then|catch|finally)$/.test(name)) return false;
      if (this.refersTo(callee.expression)) return this.ctx.effectOfUse(skipOuter(callee.expression) as ts.Identifier, this.t) === "none";
    }
    return call.arguments.some((a) => a !== node && this.refersTo(a) && this.ctx.effectOfUse(skipOuter(a) as ts.Identifier, this.t) === "none");
  }

  /**
   * `await runner.connect()`, `await conn.beginTransaction()` before the `try`:
   * the documented TypeORM and mysql2 shape. They fail only when there is no
   * usable connection, so their throw is not reported.
   */
  private isSetupCall(expr: ts.Expression | undefined): boolean {
    const e = expr && skipOuter(expr);
    if (!e || !ts.isCallExpression(e)) return false;
    const c = calleeOf(e);
    return ts.isPropertyAccessExpression(c) && SETUP_METHODS.has(c.name.text) && this.refersTo(c.expression);
  }

  /** Calls that release through something other than a use of the name: pg's `done()`, a local function that releases what it captures. */
  private applyCall(call: ts.CallExpression, hand: () => void): void {
    const callee = calleeOf(call);
    if (!ts.isIdentifier(callee)) return;
    const t = this.t;
    if (t.releaseDecl && callee.text === t.releaseDecl.name && this.refersTo(callee, t.releaseDecl.decl)) {
      hand();
      return;
    }
    const fn = localFunction(callee);
    if (!fn || !fn.body || fn === t.fn) return;
    const e = this.ctx.effectOnName(fn.body, t);
    if (e === "release" || e === "handoff" || e === "return") hand();
  }
}
