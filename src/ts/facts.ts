/**
 * Per-file facts of the TS front end, computed once per parse and shared by
 * every rule: the import table (ES imports, `require`, compiled-CommonJS
 * interop), comments for suppression, and the qualified name of an
 * expression (`fs.promises.open` → module "fs", name "promises.open").
 */
import ts = require("typescript");
import { Comment } from "../core/suppression";
import { resolveName } from "./scopes";
import { calleeOf, lineOf, skipOuter, stringValue, walk } from "./syntax";

export interface ImportBinding {
  /** The module as written, without a `node:` prefix: "pg", "fs", "./db". */
  module: string;
  /**
   * The member path inside the module the local name stands for: "" for the
   * module object itself (namespace, default and `require`), "Pool" for
   * `import { Pool }`, "promises" for `require("fs").promises`.
   */
  member: string;
  /** Compiled interop (`__importDefault(require(m))`): a leading `.default` is the module object itself. */
  interop: boolean;
  /** `import type`: never a value. */
  typeOnly: boolean;
}

/** A name an expression stands for: module member or global. */
export type Qualified = { module: string; name: string } | { global: string };

/** Submodules that are members of their parent: `fs/promises` is `fs.promises`. */
const SUBMODULE_MEMBERS: Record<string, [string, string]> = {
  "fs/promises": ["fs", "promises"],
  "stream/promises": ["stream", "promises"],
  "timers/promises": ["timers", "promises"],
  "dns/promises": ["dns", "promises"],
  "mysql2/promise": ["mysql2", ""],
};

export function normalizeModule(spec: string): { module: string; prefix: string } {
  const m = spec.startsWith("node:") ? spec.slice(5) : spec;
  const sub = SUBMODULE_MEMBERS[m];
  return sub ? { module: sub[0], prefix: sub[1] } : { module: m, prefix: "" };
}

function join(a: string, b: string): string {
  return a && b ? `${a}.${b}` : a || b;
}

export class TsFile {
  /** Import bindings by their declaring node (ImportSpecifier, VariableDeclaration, BindingElement, ...). */
  readonly bindings = new Map<ts.Node, ImportBinding>();
  /** Every module the file imports or requires (normalized), relative ones included. */
  readonly modules = new Set<string>();
  private callsByName?: Map<string, ts.CallExpression[]>;
  readonly calls: ts.CallExpression[] = [];
  readonly news: ts.NewExpression[] = [];
  /** Functions by node, in source order: declarations, expressions, arrows, methods. */
  readonly functions: ts.Node[] = [];

  constructor(
    readonly path: string,
    readonly sourceFile: ts.SourceFile,
  ) {
    this.collect();
  }

  get text(): string {
    return this.sourceFile.text;
  }

  imports(module: string): boolean {
    return this.modules.has(module);
  }

  importsAny(test: (module: string) => boolean): boolean {
    for (const m of this.modules) if (test(m)) return true;
    return false;
  }

  /** Calls whose callee's last name is `name` (`x.connect()`, `connect()`). */
  callsNamed(name: string): ts.CallExpression[] {
    if (!this.callsByName) {
      this.callsByName = new Map();
      for (const call of this.calls) {
        const c = calleeOf(call);
        const n = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
        if (n === undefined) continue;
        const list = this.callsByName.get(n);
        if (list) list.push(call);
        else this.callsByName.set(n, [call]);
      }
    }
    return this.callsByName.get(name) ?? [];
  }

  /** The import an identifier refers to, if it refers to one. */
  bindingOf(id: ts.Identifier): ImportBinding | undefined {
    const r = resolveName(id, id.text);
    return r ? this.bindings.get(r.decl) : undefined;
  }

  /** True when the identifier is declared in the file (a local, a parameter, an import). */
  isDeclared(id: ts.Identifier): boolean {
    return resolveName(id, id.text) !== undefined;
  }

  /**
   * What an expression names: `pg.Pool` with `import pg from "pg"` is
   * { module: "pg", name: "Pool" }; `fetch` undeclared is { global: "fetch" };
   * `globalThis.fetch` too. Locals and anything else give undefined.
   */
  qualify(expr: ts.Expression): Qualified | undefined {
    const path: string[] = [];
    let e = skipOuter(expr);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = skipOuter(e.right);
    while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const name = ts.isPropertyAccessExpression(e) ? e.name.text : stringValue(e.argumentExpression);
      if (name === undefined) return undefined;
      path.unshift(name);
      e = skipOuter(e.expression);
    }
    if (ts.isCallExpression(e)) {
      // `require("fs").promises.open`
      const spec = requireSpecifier(e);
      if (spec === undefined) return undefined;
      const { module, prefix } = normalizeModule(spec);
      return { module, name: join(prefix, path.join(".")) || "default" };
    }
    if (!ts.isIdentifier(e)) return undefined;
    const r = resolveName(e, e.text);
    if (!r) {
      if (["globalThis", "window", "self", "global"].includes(e.text) && path.length > 0) return { global: path.join(".") };
      return { global: join(e.text, path.join(".")) };
    }
    const b = this.bindings.get(r.decl);
    if (!b || b.typeOnly) return undefined;
    let rest = path;
    if (b.interop && rest[0] === "default") rest = rest.slice(1);
    const name = join(b.member, rest.join("."));
    return { module: b.module, name: name || "default" };
  }

  /** `qualify` as a string: "pg.Pool", "fs.promises.open", "global.fetch". */
  qualifiedName(expr: ts.Expression): string | undefined {
    const q = this.qualify(expr);
    if (!q) return undefined;
    return "global" in q ? `global.${q.global}` : `${q.module}.${q.name}`;
  }

  private collect(): void {
    const sf = this.sourceFile;
    let firstDecl = Number.MAX_SAFE_INTEGER;
    for (const s of sf.statements) {
      if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) continue;
      if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) continue; // "use strict"
      firstDecl = s.getStart(sf);
      break;
    }
    for (const s of sf.statements) {
      if (ts.isImportDeclaration(s)) this.addImport(s);
      else if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)) {
        const spec = stringValue(s.moduleReference.expression);
        if (spec !== undefined) this.addBinding(s, spec, "", false, s.isTypeOnly);
      }
    }
    this.firstDecl = firstDecl;
    walk(sf, (node) => {
      switch (node.kind) {
        case ts.SyntaxKind.CallExpression: {
          const call = node as ts.CallExpression;
          this.calls.push(call);
          const spec = requireSpecifier(call) ?? dynamicImportSpecifier(call);
          if (spec !== undefined) this.addRequire(call, spec);
          return;
        }
        case ts.SyntaxKind.NewExpression:
          this.news.push(node as ts.NewExpression);
          return;
        case ts.SyntaxKind.FunctionDeclaration:
        case ts.SyntaxKind.FunctionExpression:
        case ts.SyntaxKind.ArrowFunction:
        case ts.SyntaxKind.MethodDeclaration:
        case ts.SyntaxKind.Constructor:
        case ts.SyntaxKind.GetAccessor:
        case ts.SyntaxKind.SetAccessor:
          this.functions.push(node);
          return;
        default:
          return node.kind >= ts.SyntaxKind.FirstTypeNode && node.kind <= ts.SyntaxKind.LastTypeNode ? false : undefined;
      }
    });
  }

  private firstDecl = Number.MAX_SAFE_INTEGER;
  private commentList?: Comment[];

  /**
   * The file's comments, found on first use (only a file with findings, or a
   * fixture, needs them). Comments sit in the trivia between tokens; every token
   * boundary is some node's pos or end, except after a list's trailing comma
   * (`a: 1, // want ...` as the last property), which is skipped over here. Each
   * position is scanned once, and only when the trivia there holds a `/`.
   */
  get comments(): Comment[] {
    if (this.commentList) return this.commentList;
    const list: Comment[] = [];
    this.commentList = list;
    const sf = this.sourceFile;
    const text = sf.text;
    if (!text.includes("//") && !text.includes("/*")) return list;
    const seen = new Set<number>();
    const add = (pos: number, end: number) => {
      if (seen.has(pos)) return;
      seen.add(pos);
      const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
      list.push({
        text: text.slice(pos, end),
        line: lineOf(sf, pos),
        endLine: lineOf(sf, end),
        ownLine: text.slice(lineStart, pos).trim() === "",
        beforeFirstDeclaration: pos < this.firstDecl,
      });
    };
    const scanned = new Uint8Array(text.length + 1);
    const at = (pos: number) => {
      if (scanned[pos]) return;
      scanned[pos] = 1;
      let i = pos;
      for (;;) {
        const c = text.charCodeAt(i);
        if (c === 32 || c === 9 || c === 10 || c === 13) i++;
        else if (c === 44 /* , */ && i === pos) i++;
        else break;
      }
      if (text.charCodeAt(i) !== 47 /* / */) return;
      const from = text.charCodeAt(pos) === 44 ? pos + 1 : pos;
      ts.forEachLeadingCommentRange(text, from, (p, e) => add(p, e));
      ts.forEachTrailingCommentRange(text, from, (p, e) => add(p, e));
    };
    at(0);
    walk(sf, (node) => {
      at(node.pos);
      at(node.end);
    });
    list.sort((a, b) => a.line - b.line);
    return list;
  }

  private addImport(s: ts.ImportDeclaration): void {
    const spec = stringValue(s.moduleSpecifier);
    const clause = s.importClause;
    if (spec === undefined) return;
    this.modules.add(normalizeModule(spec).module);
    if (!clause) return;
    const typeOnly = !!clause.isTypeOnly;
    if (clause.name) this.addBinding(clause, spec, "", false, typeOnly);
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) this.addBinding(nb, spec, "", false, typeOnly);
    if (nb && ts.isNamedImports(nb)) {
      for (const el of nb.elements) {
        const imported = (el.propertyName ?? el.name).text;
        this.addBinding(el, spec, imported === "default" ? "" : imported, false, typeOnly || el.isTypeOnly);
      }
    }
  }

  private addBinding(decl: ts.Node, spec: string, member: string, interop: boolean, typeOnly: boolean): void {
    const { module, prefix } = normalizeModule(spec);
    this.modules.add(module);
    this.bindings.set(decl, { module, member: join(prefix, member), interop, typeOnly });
  }

  /**
   * `const x = require(m)`, `const { a, b: c } = require(m).promises`,
   * `const x = __importDefault(require(m))`, `const x = await import(m)`.
   */
  private addRequire(call: ts.CallExpression, spec: string): void {
    this.modules.add(normalizeModule(spec).module);
    let node: ts.Node = call;
    let interop = false;
    const members: string[] = [];
    for (;;) {
      const p = node.parent;
      if (ts.isCallExpression(p) && p.arguments[0] === node && /^(__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard)$/.test(calleeNameText(p))) {
        interop = true;
        node = p;
      } else if (ts.isPropertyAccessExpression(p) && p.expression === node) {
        members.push(p.name.text);
        node = p;
      } else if (ts.isParenthesizedExpression(p) || ts.isAwaitExpression(p)) {
        node = p;
      } else {
        break;
      }
    }
    const decl = node.parent;
    if (!ts.isVariableDeclaration(decl) || decl.initializer !== node) return;
    const base = members.join(".");
    if (ts.isIdentifier(decl.name)) {
      this.addBinding(decl, spec, base, interop, false);
    } else if (ts.isObjectBindingPattern(decl.name)) {
      for (const el of decl.name.elements) {
        if (!ts.isIdentifier(el.name) || el.dotDotDotToken) continue;
        const prop = el.propertyName ? (ts.isIdentifier(el.propertyName) ? el.propertyName.text : stringValue(el.propertyName)) : el.name.text;
        if (prop === undefined) continue;
        this.addBinding(el, spec, join(base, prop === "default" && !base ? "" : prop), false, false);
      }
    }
  }
}

function calleeNameText(call: ts.CallExpression): string {
  const c = calleeOf(call);
  return ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : "";
}

/** `require("m")` → "m". */
export function requireSpecifier(call: ts.CallExpression): string | undefined {
  const c = skipOuter(call.expression);
  if (!ts.isIdentifier(c) || c.text !== "require" || call.arguments.length !== 1) return undefined;
  return stringValue(call.arguments[0]);
}

function dynamicImportSpecifier(call: ts.CallExpression): string | undefined {
  return call.expression.kind === ts.SyntaxKind.ImportKeyword ? stringValue(call.arguments[0]) : undefined;
}
