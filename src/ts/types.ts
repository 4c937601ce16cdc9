/**
 * Declared types, as far as the syntax states them, and the seam for a type
 * checker. Syntax-only analysis reads annotations (`pool: Pool`), `new`
 * expressions (`const pool = new pg.Pool()`) and class fields
 * (`private readonly pool: Pool`, `this.pool = new Pool()` in the
 * constructor). With `leaklint scan --typed` or ESLint's parserServices a
 * `TypeOracle` answers instead, from the checker.
 */
import ts = require("typescript");
import { resolveName } from "./scopes";
import { skipOuter } from "./syntax";

/** What a type checker can tell the rules. Implementations: none yet (syntax only); see TsFrontEnd.analyzeSourceFile. */
export interface TypeOracle {
  /** The type of an expression as the checker prints it (`Pool`, `Response`, `FileHandle`), or undefined. */
  typeText(node: ts.Expression): string | undefined;
  /**
   * The module a name's symbol is declared in (`"pg"` for an imported `Pool`
   * re-exported through a local barrel), or undefined when unknown.
   */
  declaringModule?(node: ts.Identifier): string | undefined;
}

/**
 * The type of an expression where the syntax says it: the annotation or the
 * `new` expression text, e.g. "Pool", "pg.Pool", "Collection<User>".
 */
export function declaredTypeText(sf: ts.SourceFile, expr: ts.Expression, oracle?: TypeOracle): string | undefined {
  const fromChecker = oracle?.typeText(expr);
  if (fromChecker) return fromChecker;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) {
    const r = resolveName(e, e.text);
    return r ? typeOfDeclaration(sf, r.decl) : undefined;
  }
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = enclosingClass(e);
    return cls ? fieldType(sf, cls, e.name.text) : undefined;
  }
  return undefined;
}

function typeOfDeclaration(sf: ts.SourceFile, decl: ts.Node): string | undefined {
  if (ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isPropertyDeclaration(decl)) {
    if (decl.type) return decl.type.getText(sf);
    if (decl.initializer) return constructedType(sf, decl.initializer);
  }
  return undefined;
}

function constructedType(sf: ts.SourceFile, init: ts.Expression): string | undefined {
  let e = skipOuter(init);
  if (ts.isAwaitExpression(e)) e = skipOuter(e.expression);
  if (ts.isNewExpression(e)) return e.expression.getText(sf);
  return undefined;
}

export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isClassLike(n)) return n;
    // `this` inside a plain function is not the class instance.
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) return undefined;
  }
  return undefined;
}

/** A class field's type: its annotation, its initializer, a constructor parameter property, or `this.x = new X()` in the constructor. */
export function fieldType(sf: ts.SourceFile, cls: ts.ClassLikeDeclaration, name: string): string | undefined {
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && m.name.getText(sf) === name) {
      const t = typeOfDeclaration(sf, m);
      if (t) return t;
    }
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === name && p.modifiers?.length && p.type) return p.type.getText(sf);
      }
      let found: string | undefined;
      const visit = (n: ts.Node): void => {
        if (found) return;
        if (
          ts.isBinaryExpression(n) &&
          n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          ts.isPropertyAccessExpression(n.left) &&
          n.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
          n.left.name.text === name
        ) {
          found = constructedType(sf, n.right);
        }
        n.forEachChild(visit);
      };
      if (m.body) visit(m.body);
      if (found) return found;
    }
  }
  return undefined;
}
