/**
 * Lexical scopes, syntax only: which declaration an identifier refers to.
 * Declarations of a scope are collected once per scope node and cached, so
 * resolving every identifier of a file stays linear in practice.
 *
 *   function-like  parameters, its own name (function expressions), `var`s of its body
 *   block / file   `let`, `const`, `using`, functions, classes, enums (the file also
 *                  its imports and top-level `var`s)
 *   for            `let`/`const` of the initializer
 *   catch          the catch variable
 */
import ts = require("typescript");
import { FunctionLike, boundNames, isFunctionLike, skipOuter } from "./syntax";

const cache = new WeakMap<ts.Node, Map<string, ts.Node>>();

export function isScope(node: ts.Node): boolean {
  return (
    isFunctionLike(node) ||
    ts.isBlock(node) ||
    ts.isSourceFile(node) ||
    ts.isCaseBlock(node) ||
    ts.isModuleBlock(node) ||
    ts.isCatchClause(node) ||
    ts.isForStatement(node) ||
    ts.isForOfStatement(node) ||
    ts.isForInStatement(node) ||
    ts.isClassStaticBlockDeclaration(node)
  );
}

/** name → declaring node (the identifier's parent declaration: VariableDeclaration, Parameter, BindingElement, ...). */
export function declarationsOf(scope: ts.Node): Map<string, ts.Node> {
  let m = cache.get(scope);
  if (m) return m;
  m = new Map();
  collect(scope, m);
  cache.set(scope, m);
  return m;
}

function addNames(name: ts.BindingName, m: Map<string, ts.Node>): void {
  for (const id of boundNames(name)) if (!m.has(id.text)) m.set(id.text, id.parent);
}

function isBlockScoped(list: ts.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.BlockScoped) !== 0;
}

function collect(scope: ts.Node, m: Map<string, ts.Node>): void {
  if (isFunctionLike(scope)) {
    if (ts.isFunctionExpression(scope) && scope.name) m.set(scope.name.text, scope);
    for (const p of scope.parameters) addNames(p.name, m);
    if (scope.body && ts.isBlock(scope.body)) collectVars(scope.body, m);
    return;
  }
  if (ts.isCatchClause(scope)) {
    if (scope.variableDeclaration) addNames(scope.variableDeclaration.name, m);
    return;
  }
  if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
    const init = scope.initializer;
    if (init && ts.isVariableDeclarationList(init) && isBlockScoped(init)) for (const d of init.declarations) addNames(d.name, m);
    return;
  }
  const statements: readonly ts.Statement[] = ts.isCaseBlock(scope) ? scope.clauses.flatMap((c) => c.statements) : (scope as ts.Block).statements ?? [];
  for (const s of statements) collectStatement(s, m);
  if (ts.isSourceFile(scope)) collectVars(scope, m);
}

function collectStatement(s: ts.Statement, m: Map<string, ts.Node>): void {
  if (ts.isVariableStatement(s)) {
    if (isBlockScoped(s.declarationList)) for (const d of s.declarationList.declarations) addNames(d.name, m);
  } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) {
    if (!m.has(s.name.text)) m.set(s.name.text, s);
  } else if (ts.isImportDeclaration(s)) {
    const clause = s.importClause;
    if (!clause) return;
    if (clause.name) m.set(clause.name.text, clause);
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) m.set(nb.name.text, nb);
    if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) m.set(el.name.text, el);
  } else if (ts.isImportEqualsDeclaration(s)) {
    m.set(s.name.text, s);
  }
}

/**
 * `var` declarations hoist to the function (or file). They are statements, or the initializer
 * of a `for`, so only statements are entered: expressions, nested functions and classes are not.
 */
function collectVars(root: ts.Node, m: Map<string, ts.Node>): void {
  const stack: ts.Node[] = [root];
  const varList = (list: ts.Node | undefined) => {
    if (list && ts.isVariableDeclarationList(list) && !isBlockScoped(list)) for (const d of list.declarations) addNames(d.name, m);
  };
  while (stack.length) {
    const n = stack.pop()!;
    switch (n.kind) {
      case ts.SyntaxKind.VariableStatement:
        varList((n as ts.VariableStatement).declarationList);
        continue;
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.ForOfStatement:
        varList((n as ts.ForStatement).initializer);
        stack.push((n as ts.IterationStatement).statement);
        continue;
      case ts.SyntaxKind.SourceFile:
      case ts.SyntaxKind.Block:
      case ts.SyntaxKind.ModuleBlock:
        stack.push(...(n as ts.Block).statements);
        continue;
      case ts.SyntaxKind.IfStatement:
        stack.push((n as ts.IfStatement).thenStatement);
        if ((n as ts.IfStatement).elseStatement) stack.push((n as ts.IfStatement).elseStatement!);
        continue;
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.LabeledStatement:
      case ts.SyntaxKind.WithStatement:
        stack.push((n as ts.WhileStatement).statement);
        continue;
      case ts.SyntaxKind.TryStatement: {
        const t = n as ts.TryStatement;
        stack.push(t.tryBlock);
        if (t.catchClause) stack.push(t.catchClause.block);
        if (t.finallyBlock) stack.push(t.finallyBlock);
        continue;
      }
      case ts.SyntaxKind.SwitchStatement:
        for (const c of (n as ts.SwitchStatement).caseBlock.clauses) stack.push(...c.statements);
        continue;
      case ts.SyntaxKind.ExportDeclaration:
      default:
        continue;
    }
  }
}

export interface Resolution {
  /** The declaring node: VariableDeclaration, ParameterDeclaration, BindingElement, FunctionDeclaration, ImportSpecifier, ... */
  decl: ts.Node;
  scope: ts.Node;
}

/** The declaration `name` refers to at `from`, or undefined for a global (or undeclared) name. */
export function resolveName(from: ts.Node, name: string): Resolution | undefined {
  for (let n: ts.Node | undefined = from; n; n = n.parent) {
    if (!isScope(n)) continue;
    // A parameter default or a function name is not in scope of its own body's declarations only; close enough.
    const decl = declarationsOf(n).get(name);
    if (decl) return { decl, scope: n };
  }
  return undefined;
}

/**
 * True for identifiers that read or write a variable, as opposed to property
 * names, declaration names, labels, type names and import/export specifiers.
 */
export function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  switch (p.kind) {
    case ts.SyntaxKind.PropertyAccessExpression:
      return (p as ts.PropertyAccessExpression).expression === id;
    case ts.SyntaxKind.QualifiedName:
    case ts.SyntaxKind.TypeReference:
    case ts.SyntaxKind.ExpressionWithTypeArguments:
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
    case ts.SyntaxKind.ImportSpecifier:
    case ts.SyntaxKind.ExportSpecifier:
    case ts.SyntaxKind.ImportClause:
    case ts.SyntaxKind.NamespaceImport:
    case ts.SyntaxKind.MetaProperty:
    case ts.SyntaxKind.TypeQuery:
      return false;
    case ts.SyntaxKind.PropertyAssignment:
    case ts.SyntaxKind.PropertyDeclaration:
    case ts.SyntaxKind.PropertySignature:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.MethodSignature:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
    case ts.SyntaxKind.EnumMember:
    case ts.SyntaxKind.JsxAttribute:
      return (p as ts.NamedDeclaration).name !== id;
    case ts.SyntaxKind.VariableDeclaration:
    case ts.SyntaxKind.Parameter:
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassDeclaration:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.TypeAliasDeclaration:
    case ts.SyntaxKind.EnumDeclaration:
    case ts.SyntaxKind.ImportEqualsDeclaration:
    case ts.SyntaxKind.TypeParameter:
      return (p as ts.NamedDeclaration).name !== id;
    case ts.SyntaxKind.BindingElement: {
      const be = p as ts.BindingElement;
      return be.name !== id && be.propertyName !== id;
    }
    default:
      return true;
  }
}

/** A function declared in the file that an identifier names: `function f()` or `const f = () => ...`. */
export function localFunction(id: ts.Identifier): FunctionLike | undefined {
  const r = resolveName(id, id.text);
  if (!r) return undefined;
  if (ts.isFunctionDeclaration(r.decl) && r.decl.body) return r.decl;
  if (ts.isVariableDeclaration(r.decl) && r.decl.initializer) {
    const init = skipOuter(r.decl.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/**
 * A function named in the config: `module#export` (`pg#Pool`, `./db#connect`)
 * or `*.method` for a method of any receiver.
 */
export function parseConfiguredName(entry: string): { module?: string; name: string } {
  if (entry.startsWith("*.")) return { name: entry.slice(2) };
  const i = entry.lastIndexOf("#");
  return { module: entry.slice(0, i), name: entry.slice(i + 1) };
}
