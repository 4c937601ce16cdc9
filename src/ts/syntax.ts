/** Small helpers over `ts.Node`s, so the analyses read as TypeScript, not as tree plumbing. */
import ts = require("typescript");
import { Range } from "../core/types";

export function rangeOf(sf: ts.SourceFile, node: ts.Node): Range {
  return rangeBetween(sf, node.getStart(sf), node.end);
}

export function rangeBetween(sf: ts.SourceFile, start: number, end: number): Range {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start: { line: s.line, column: s.character, offset: start }, end: { line: e.line, column: e.character, offset: end } };
}

export function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line;
}

/** The text of a node without leading trivia. */
export function textOf(sf: ts.SourceFile, node: ts.Node): string {
  return sf.text.slice(node.getStart(sf), node.end);
}

export type FunctionLike =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

export function isFunctionLike(node: ts.Node): node is FunctionLike {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

export function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

export function isAsync(fn: FunctionLike): boolean {
  return !!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** Strips parentheses, type assertions, `!` and `satisfies`: the expression whose value flows. */
export function skipOuter(node: ts.Expression): ts.Expression {
  let n = node;
  for (;;) {
    if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) {
      n = n.expression;
    } else {
      return n;
    }
  }
}

/** Like skipOuter, and also `await`. */
export function skipAwait(node: ts.Expression): ts.Expression {
  let n = skipOuter(node);
  while (ts.isAwaitExpression(n)) n = skipOuter(n.expression);
  return n;
}

/** The parent of an expression seen through parentheses, assertions and `!`. */
export function outerParent(node: ts.Node): { node: ts.Node; parent: ts.Node } {
  let n = node;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) ||
      ts.isAsExpression(n.parent) ||
      ts.isNonNullExpression(n.parent) ||
      ts.isSatisfiesExpression(n.parent) ||
      ts.isTypeAssertionExpression(n.parent))
  ) {
    n = n.parent;
  }
  return { node: n, parent: n.parent };
}

/**
 * The callee of a call with the compiled-code wrapper `(0, m.fn)(...)` removed:
 * TypeScript and Babel emit it for imported functions.
 */
export function calleeOf(call: ts.CallExpression | ts.NewExpression): ts.Expression {
  let c = skipOuter(call.expression);
  if (ts.isBinaryExpression(c) && c.operatorToken.kind === ts.SyntaxKind.CommaToken && ts.isNumericLiteral(skipOuter(c.left))) c = skipOuter(c.right);
  return c;
}

/** `recv.name(...)` → name; `name(...)` → name. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const c = calleeOf(call);
  if (ts.isIdentifier(c)) return c.text;
  if (ts.isPropertyAccessExpression(c)) return c.name.text;
  return undefined;
}

/** The receiver of a method call `recv.name(...)`. */
export function receiverOf(call: ts.CallExpression): ts.Expression | undefined {
  const c = calleeOf(call);
  return ts.isPropertyAccessExpression(c) ? c.expression : undefined;
}

/** The string value of a literal argument: `'data'`, `"data"`, `` `data` ``. */
export function stringValue(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

/** Names bound by a declaration name: `x`, `{ a, b: c }`, `[d, ...e]`. */
export function boundNames(name: ts.BindingName, out: ts.Identifier[] = []): ts.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(el.name, out);
  return out;
}

/** The indentation of the line `pos` is on. */
export function lineIndent(text: string, pos: number): string {
  const start = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** One indentation step as the file writes it (two spaces when it cannot tell). */
export function indentUnit(text: string): string {
  const m = /\n(\t+|[ ]{2,8})\S/.exec(text);
  if (!m) return "  ";
  return m[1].startsWith("\t") ? "\t" : m[1].length % 4 === 0 && !/\n {2}\S/.test(text) ? "    " : "  ";
}

/** Statement lists: a block's, a case clause's, a file's. */
export function isStatementList(node: ts.Node): node is ts.Block | ts.SourceFile | ts.CaseClause | ts.DefaultClause | ts.ModuleBlock {
  return ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isModuleBlock(node);
}

export function isLoop(node: ts.Node): node is ts.IterationStatement {
  return (
    ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)
  );
}

/** Visits every node below `root` (not `root` itself); `skip` prunes a subtree. Iterative, so deep code cannot overflow the stack. */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [];
  const push = (n: ts.Node) => {
    stack.push(n);
  };
  // forEachChild pushes in source order; each batch is reversed so nodes pop in source order.
  root.forEachChild(push);
  stack.reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    const before = stack.length;
    node.forEachChild(push);
    reverseFrom(stack, before);
  }
}

function reverseFrom<T>(a: T[], from: number): void {
  for (let i = from, j = a.length - 1; i < j; i++, j--) {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
