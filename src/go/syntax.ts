/** Small helpers over tree-sitter-go nodes, so rules read as Go, not as tree plumbing. */
import type { Node } from "./parser";
import { Range } from "../core/types";

export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, column: node.startPosition.column, offset: node.startIndex },
    end: { line: node.endPosition.row, column: node.endPosition.column, offset: node.endIndex },
  };
}

export function field(node: Node, name: string): Node | null {
  return node.childForFieldName(name);
}

export function namedChildren(node: Node | null): Node[] {
  if (!node) return [];
  // One call into WASM for all of them: `namedChild(i)` walks from the first child each time.
  const out: Node[] = [];
  for (const c of node.namedChildren) if (c && c.type !== "comment") out.push(c);
  return out;
}

/** The statements of a block or case clause; an empty block has no statement_list. */
export function statementsOf(node: Node | null): Node[] {
  if (!node) return [];
  for (const c of namedChildren(node)) if (c.type === "statement_list") return namedChildren(c);
  return [];
}

export const FUNCTION_TYPES = new Set(["function_declaration", "method_declaration", "func_literal"]);

export function enclosingFunction(node: Node): Node | null {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) return n;
  return null;
}

/** Strips parentheses: `(err != nil)` is `err != nil`. */
export function unparen(node: Node): Node {
  let n = node;
  while (n.type === "parenthesized_expression" && n.namedChildCount > 0) n = namedChildren(n)[0];
  return n;
}

/** Strips parentheses and a taken address: `&buf` and `(&buf)` are `buf`. */
export function stripAddress(expr: Node): Node {
  const e = unparen(expr);
  if (e.type === "unary_expression" && e.child(0)?.type === "&") return unparen(field(e, "operand") ?? e);
  return e;
}

/** `pkg.Name` or `recv.Method` of a call: [operand text or null, name]. */
export function calleeParts(call: Node): { operand: Node | null; name: string } | null {
  const fn = field(call, "function");
  if (!fn) return null;
  const f = unparen(fn);
  if (f.type === "identifier") return { operand: null, name: f.text };
  if (f.type === "selector_expression") {
    const name = field(f, "field");
    if (!name) return null;
    return { operand: field(f, "operand"), name: name.text };
  }
  return null;
}

const namePatterns = new Map<string, RegExp>();

/**
 * Calls in `scope` of the named methods (`x.name(...)`), or also of functions
 * (`name(...)`) unless `methodsOnly`, in document order; a parenthesized
 * callee (`(x.name)(...)`) counts. Found from the text, the tree telling calls
 * from comments and strings: walking every call, or a query with an #any-of?
 * filter, hands every call to JavaScript first, which costs far more.
 */
export function callsNamed(scope: Node, names: Iterable<string>, methodsOnly: boolean): Node[] {
  const key = [...names].sort().join("|");
  if (!key) return [];
  let re = namePatterns.get(key);
  if (!re) {
    // Name sets differ from file to file: a long editor session must not keep them all.
    if (namePatterns.size >= 256) namePatterns.clear();
    re = new RegExp(`\\b(${key})[\\s)]*\\(`, "g");
    namePatterns.set(key, re);
  }
  const out: Node[] = [];
  const root = scope.tree.rootNode;
  for (const m of scope.text.matchAll(re)) {
    const at = scope.startIndex + m.index;
    const nameEnd = at + m[1].length;
    // The smallest node holding the name and the parenthesis after it is the call (no `parent`: each walks down from the root).
    const call = root.descendantForIndex(at, at + m[0].length);
    if (call?.type !== "call_expression") continue;
    const fn = field(call, "function");
    const callee = fn && unparen(fn);
    if (!callee || callee.endIndex !== nameEnd) continue;
    if (callee.type === "selector_expression" || (callee.type === "identifier" && !methodsOnly && callee.startIndex === at)) out.push(call);
  }
  return out;
}

/** Names called in `text`: `name(`, `x.name(`, also with space or a `)` before the parenthesis. */
export function calledNamesOf(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(/\b(\w+)[\s)]*\(/g), (m) => m[1]));
}

export function callArguments(call: Node): Node[] {
  return namedChildren(field(call, "arguments"));
}

/**
 * Every descendant (pre-order) of the given types, not descending into nested
 * function literals unless asked. The walk runs in WASM and hands JavaScript
 * only the nodes asked for (and function literals, to skip what they hold).
 */
export function descendants(node: Node, types: Set<string>, intoFuncLiterals = false): Node[] {
  const out: Node[] = [];
  const skipLiterals = !intoFuncLiterals;
  let skipUntil = -1;
  for (const n of node.descendantsOfType(typeList(types, skipLiterals))) {
    if (!n || n.id === node.id || n.startIndex < skipUntil) continue;
    if (skipLiterals && n.type === "func_literal") skipUntil = n.endIndex;
    if (types.has(n.type)) out.push(n);
  }
  return out;
}

const typeLists = new WeakMap<Set<string>, string[]>();
const typeListsWithLiterals = new WeakMap<Set<string>, string[]>();

function typeList(types: Set<string>, withLiterals: boolean): string[] {
  const lists = withLiterals ? typeListsWithLiterals : typeLists;
  let list = lists.get(types);
  if (!list) {
    list = withLiterals ? [...new Set([...types, "func_literal"])] : [...types];
    lists.set(types, list);
  }
  return list;
}

export function functionName(fn: Node): string {
  if (fn.type === "func_literal") return "the function literal";
  return field(fn, "name")?.text ?? "the function";
}

/** Parameters in order (one entry per declared name; `_` and unnamed keep their slot with name ""). */
export function parameters(fn: Node): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const decl of namedChildren(field(fn, "parameters"))) {
    if (decl.type !== "parameter_declaration" && decl.type !== "variadic_parameter_declaration") continue;
    const type = (decl.type === "variadic_parameter_declaration" ? "..." : "") + (field(decl, "type")?.text ?? "");
    const names = decl.childrenForFieldName("name").filter((n): n is Node => !!n);
    if (names.length === 0) out.push({ name: "", type });
    for (const n of names) out.push({ name: n.text === "_" ? "" : n.text, type });
  }
  return out;
}

export function parameterNames(fn: Node): string[] {
  return parameters(fn).map((p) => p.name);
}

/** Result names, or [] when the results are unnamed. */
export function resultNames(fn: Node): string[] {
  const result = field(fn, "result");
  if (!result || result.type !== "parameter_list") return [];
  const out: string[] = [];
  for (const decl of namedChildren(result)) {
    for (const n of decl.childrenForFieldName("name")) if (n) out.push(n.text);
  }
  return out;
}

export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(lineStart, offset));
  return m ? m[0] : "";
}

export function isIdentifier(node: Node | null, name?: string): boolean {
  return !!node && node.type === "identifier" && (name === undefined || node.text === name);
}

/** `&http.Client{}` → "*http.Client", `http.Client{}` → "http.Client", `new(T)` → "*T". */
export function literalType(expr: Node): string | undefined {
  let e = unparen(expr);
  let pointer = "";
  if (e.type === "unary_expression" && e.child(0)?.type === "&") {
    pointer = "*";
    e = unparen(field(e, "operand") ?? e);
  }
  if (e.type === "composite_literal") {
    const t = field(e, "type");
    return t ? pointer + t.text : undefined;
  }
  if (e.type === "call_expression" && field(e, "function")?.text === "new") {
    const arg = namedChildren(field(e, "arguments"))[0];
    return arg ? "*" + arg.text : undefined;
  }
  return undefined;
}
