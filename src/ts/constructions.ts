/**
 * What becomes of a value a function constructs (a client, a cache), as the
 * design rules need to know it: returned to the caller, stored somewhere that
 * outlives the call (a field, a module variable, a closure that escapes),
 * collected per key or per item, closed before the function returns, or only
 * used for this call (`fetch(url, { dispatcher: new Agent() })`). The value is
 * followed through parentheses, `await`, object and array literals, wrapping
 * calls and constructors (`axios.create({ httpsAgent: agent })`,
 * `drizzle(pool)`), and the locals it is assigned to.
 */
import { escapeRegExp } from "../core/regexp";
import ts = require("typescript");
import { isReference, resolveName } from "./scopes";
import { FunctionLike, calleeOf, isFunctionLike, skipOuter } from "./syntax";
import { SYNC_CALLBACK_METHODS } from "./resources";

export interface Fate {
  /** Returned (or yielded), directly or inside what the function returns. */
  returned: boolean;
  /** Returned inside an object, array or wrapper (`return { id, cache }`), not as the value itself. */
  returnedInside: boolean;
  /** Stored where it outlives the call: a field, a module or outer variable, an exported value, a closure that escapes. */
  stored: boolean;
  /** The store is a lazy initialisation: `x ??= new X()`, `if (!this.x) this.x = ...`, `if (x) return x; x = ...`. */
  guarded: boolean;
  /** Put in a collection (`push`, `set`, `add`, `xs[i] = ...`, an array callback's result). */
  collected: boolean;
  /** Collected into a collection that outlives the call (a per-key map of a module or object). */
  collectedOutside: boolean;
  /** Captured by a function that outlives the call (a returned closure, a registered handler). */
  captured: boolean;
  /** Closed, ended or destroyed before the function returns. */
  closed: boolean;
  /** Given to a function of unknown effect, which may keep it. */
  handedOff: boolean;
  /** Given to a request as its agent or dispatcher: used for this call only. */
  usedPerCall: boolean;
  /** The constructions it is passed into on the way (`axios.create({ httpsAgent: <it> })`). */
  wrappers: (ts.CallExpression | ts.NewExpression)[];
}

const CLOSE_METHODS = new Set(["close", "end", "destroy", "quit", "disconnect", "$disconnect", "terminate", "shutdown", "dispose", "stop", "unref"]);
/** Methods that return a handle which keeps its client alive (mongodb's `client.db()`), as opposed to the result of a request. */
const HANDLE_METHODS = /^(db|database|collection|getDatabase|getCollection|duplicate|extend|\$extends|withOptions|child)$/;
const COLLECT_METHODS = new Set(["push", "unshift", "set", "add", "splice", "enqueue", "put"]);
/** Option names that hand an agent to a single request. */
const PER_REQUEST_OPTIONS = new Set(["agent", "httpAgent", "httpsAgent", "dispatcher"]);
/** Calls that make one request with what they are given, and keep nothing. */
const REQUEST_FUNCTION = /^(global\.fetch|undici\.(fetch|request|stream|pipeline)|node-fetch\.default|axios\.(default|get|post|put|patch|delete|head|options|request)|https?\.(get|request)|got\.(default|get|post|put|patch|delete|head|stream)|needle\.(default|get|post|put|request)|superagent\.\w+)$/;

/**
 * Follows `expr` (a construction in `scope`, or at module scope when `scope`
 * is undefined). `qualifiedName` names a callee (`axios.get`) for the request
 * functions; `isDeclaredIn(decl)` tells locals of `scope` from outer names.
 */
export function fateOf(expr: ts.Expression, scope: FunctionLike | undefined, qualifiedName: (callee: ts.Expression) => string | undefined): Fate {
  const fate: Fate = { returned: false, returnedInside: false, captured: false, stored: false, guarded: false, collected: false, collectedOutside: false, closed: false, handedOff: false, usedPerCall: false, wrappers: [] };
  const seen = new Set<ts.Node>();
  const isLocal = (decl: ts.Node) => !!scope && decl.pos >= scope.pos && decl.end <= scope.end;
  let optionKey: string | undefined;

  /** `held`: object and array literals and wrappers passed on the way from the construction. */
  const follow = (start: ts.Node, depth: number, held0 = 0): void => {
    if (depth > 8) return;
    let held = held0;
    let node = start;
    for (;;) {
      const p = node.parent;
      if (!p) return;
      if (
        ts.isParenthesizedExpression(p) ||
        ts.isAsExpression(p) ||
        ts.isNonNullExpression(p) ||
        ts.isSatisfiesExpression(p) ||
        ts.isTypeAssertionExpression(p) ||
        ts.isAwaitExpression(p) ||
        ts.isSpreadElement(p) ||
        ts.isSpreadAssignment(p) ||
        (ts.isConditionalExpression(p) && p.condition !== node)
      ) {
        node = p;
        continue;
      }
      if (ts.isBinaryExpression(p)) {
        const op = p.operatorToken.kind;
        if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) {
          if (p.right === node && op !== ts.SyntaxKind.AmpersandAmpersandToken && op !== ts.SyntaxKind.CommaToken && !isLocalRef(p.left, isLocal)) fate.guarded = true;
          if (op === ts.SyntaxKind.CommaToken && p.left === node) return;
          node = p;
          continue;
        }
        if (p.right === node && isAssignment(op)) {
          assignedTo(p.left, p, op !== ts.SyntaxKind.EqualsToken, depth, held);
          return;
        }
        return;
      }
      if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) {
        const key = p.name.getText();
        if (PER_REQUEST_OPTIONS.has(key)) optionKey = key;
        held++;
        node = p.parent;
        continue;
      }
      if (ts.isArrayLiteralExpression(p)) {
        held++;
        node = p;
        continue;
      }
      if (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) {
        const callee = calleeOf(p);
        const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
        if (ts.isPropertyAccessExpression(callee) && COLLECT_METHODS.has(method)) {
          fate.collected = true;
          const target = rootOf(callee.expression);
          if (!target || !isLocalRef(target, isLocal)) {
            fate.collectedOutside = true;
            fate.stored = true;
          } else {
            followLocal(target, depth + 1, held + 1);
          }
          return;
        }
        const qn = qualifiedName(callee);
        if ((qn && REQUEST_FUNCTION.test(qn)) || (optionKey && !isWrapperName(callee))) {
          fate.usedPerCall = true;
          return;
        }
        fate.wrappers.push(p);
        if (ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee)) fate.handedOff = true;
        held++;
        node = p;
        optionKey = undefined;
        continue;
      }
      if (ts.isCallExpression(p) && p.expression === node) return;
      if (ts.isNewExpression(p) && p.arguments?.includes(node as ts.Expression)) {
        fate.wrappers.push(p);
        held++;
        node = p;
        optionKey = undefined;
        continue;
      }
      if (ts.isVariableDeclaration(p) && p.initializer === node) {
        if (!ts.isIdentifier(p.name)) return;
        if (!isLocal(p)) {
          fate.stored = true;
          return;
        }
        followLocal(p.name, depth + 1, held);
        return;
      }
      if (ts.isPropertyDeclaration(p) && p.initializer === node) {
        fate.stored = true;
        return;
      }
      if (ts.isReturnStatement(p) || ts.isYieldExpression(p)) {
        fate.returned = true;
        if (held > 0) fate.returnedInside = true;
        return;
      }
      if (ts.isArrowFunction(p) && p.body === node) {
        // The result of an array callback is collected into the array the call returns.
        const call = callOf(p);
        if (call && ts.isPropertyAccessExpression(calleeOf(call)) && SYNC_CALLBACK_METHODS.has((calleeOf(call) as ts.PropertyAccessExpression).name.text)) {
          fate.collected = true;
          node = call;
          continue;
        }
        if (call && ts.isPropertyAccessExpression(calleeOf(call)) && /^(then|catch|finally)$/.test((calleeOf(call) as ts.PropertyAccessExpression).name.text)) {
          node = call;
          continue;
        }
        fate.returned = true;
        if (held > 0) fate.returnedInside = true;
        return;
      }
      if (ts.isExportAssignment(p)) {
        fate.stored = true;
        return;
      }
      return;
    }
  };

  /** `target = value`: a local is followed, anything else stores it. */
  const assignedTo = (target: ts.Expression, assignment: ts.BinaryExpression, logical: boolean, depth: number, held: number) => {
    const t = skipOuter(target);
    if (ts.isIdentifier(t)) {
      const r = resolveName(t, t.text);
      if (r && isLocal(r.decl)) {
        followLocal(t, depth + 1, held);
        return;
      }
    }
    if (ts.isElementAccessExpression(t)) {
      fate.collected = true;
      const root = rootOf(t.expression);
      if (root && isLocalRef(root, isLocal)) {
        followLocal(root, depth + 1, held + 1);
        return;
      }
      fate.collectedOutside = true;
    }
    fate.stored = true;
    if (logical || isGuarded(assignment, t, scope)) fate.guarded = true;
  };

  /** Every use of a local variable: closes, escapes, and where its value flows. */
  const followLocal = (id: ts.Identifier, depth: number, held: number) => {
    const r = resolveName(id, id.text);
    if (!r || seen.has(r.decl)) return;
    seen.add(r.decl);
    const root = scope?.body ?? r.scope;
    for (const ref of referencesIn(root, id.text, r.decl)) {
      if (ref === id) continue;
      const p = ref.parent;
      const method = ts.isPropertyAccessExpression(p) && p.expression === ref && ts.isCallExpression(p.parent) && p.parent.expression === p ? p.name.text : undefined;
      if (method && CLOSE_METHODS.has(method)) {
        fate.closed = true;
        continue;
      }
      if (escapingFunction(ref, scope)) {
        fate.stored = true;
        fate.captured = true;
        continue;
      }
      if (ts.isPropertyAccessExpression(p) && p.expression === ref) {
        // `db = client.db("app")` keeps the client alive through what the accessor returns.
        if (method && HANDLE_METHODS.test(method)) follow(p.parent, depth + 1, held + 1);
        continue;
      }
      if (ts.isBinaryExpression(p) && p.left === ref) continue;
      follow(ref, depth, held);
    }
  };

  follow(expr, 0);
  return fate;
}

function isAssignment(op: ts.SyntaxKind): boolean {
  return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
}

/** `axios.create`, `got.extend`, `new X(...)`: builders that keep what they are given. */
function isWrapperName(callee: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(callee) && /^(create|extend|createClient|createInstance|defaults)$/.test(callee.name.text);
}

function callOf(fn: ts.Node): ts.CallExpression | undefined {
  let n = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression) ? n.parent : undefined;
}

/** The variable an access path starts from: `a` for `a.b[c].d`; undefined for `this.x`. */
function rootOf(expr: ts.Expression): ts.Identifier | undefined {
  let e = skipOuter(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
  return ts.isIdentifier(e) ? e : undefined;
}

function isLocalRef(expr: ts.Expression, isLocal: (decl: ts.Node) => boolean): boolean {
  const e = skipOuter(expr);
  if (!ts.isIdentifier(e)) return false;
  const r = resolveName(e, e.text);
  return !!r && isLocal(r.decl);
}

/** References to a declaration inside `root`. */
function referencesIn(root: ts.Node, name: string, decl: ts.Node): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      if (n.text === name && isReference(n) && resolveName(n, name)?.decl === decl) out.push(n);
      return;
    }
    if (ts.isTypeNode(n)) return;
    n.forEachChild(visit);
  };
  visit(root);
  return out;
}

/**
 * The function between a reference and `scope` that outlives the call: not
 * run in place (an IIFE, an array callback, a promise executor or `then`
 * callback). A handler registered with the value captured keeps it alive.
 */
function escapingFunction(ref: ts.Node, scope: FunctionLike | undefined): ts.Node | undefined {
  for (let n = ref.parent; n && n !== scope; n = n.parent) {
    if (!isFunctionLike(n)) continue;
    if (!ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return n;
    let node: ts.Node = n;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const parent = node.parent;
    if (ts.isCallExpression(parent) && parent.expression === node) continue;
    if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === "Promise") continue;
    if (ts.isCallExpression(parent)) {
      const c = calleeOf(parent);
      if (ts.isPropertyAccessExpression(c) && (SYNC_CALLBACK_METHODS.has(c.name.text) || /^(then|catch|finally)$/.test(c.name.text))) continue;
      // A callback given to a helper that runs it now (`withClient(async () => ...)`) is unknown; treat it as running in place
      // unless it is registered as a listener or route.
      if (ts.isPropertyAccessExpression(c) && /^(on|once|addListener|get|post|put|patch|delete|all|use|route|handle|register|subscribe)$/.test(c.name.text)) return n;
      if (ts.isIdentifier(c) && /^(setInterval|setTimeout|setImmediate|queueMicrotask)$/.test(c.text)) return n;
      continue;
    }
    return n;
  }
  return undefined;
}

/**
 * A store into `target` that only happens when it is empty: inside
 * `if (!target)` / `if (target == null)`, or after `if (target) return ...`
 * in the same function.
 */
function isGuarded(assignment: ts.Node, target: ts.Expression, scope: FunctionLike | undefined): boolean {
  const t = target.getText().replace(/\s+/g, "");
  const emptyTest = new RegExp(`(^|[(|&])(!${escapeRegExp(t)}|${escapeRegExp(t)}(===?|!==?)(null|undefined)|typeof${escapeRegExp(t)}===?["']undefined["']|!${escapeRegExp(t)}\\.has\\(.*\\))([)|&]|$)`);
  const presentTest = new RegExp(`^(${escapeRegExp(t)}|${escapeRegExp(t)}(!==?)(null|undefined)|${escapeRegExp(t)}\\.has\\(.*\\))$`);
  for (let n: ts.Node = assignment; n.parent && n !== scope; n = n.parent) {
    const p = n.parent;
    if (ts.isIfStatement(p) && p.thenStatement === n && emptyTest.test(p.expression.getText().replace(/\s+/g, ""))) return true;
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      for (const s of p.statements) {
        if (s === n) break;
        if (ts.isIfStatement(s) && presentTest.test(s.expression.getText().replace(/\s+/g, "")) && exits(s.thenStatement)) return true;
      }
    }
    if (isFunctionLike(p)) break;
  }
  return false;
}

function exits(s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  return ts.isBlock(s) && s.statements.length > 0 && exits(s.statements[s.statements.length - 1]);
}

