/**
 * "Can this pool or server still get its setting?" for the rules that judge a
 * value by what its package does to it (sql-pool-without-lifetime,
 * server-without-timeouts). The value is followed from where it is built:
 * through locals of the function (and their aliases) to the places it leaves
 * them (a field, a package variable, a return, a call), and each of those is
 * matched against the setters the package applies (configured.ts). Where the
 * value goes to code whose settings cannot be seen, the rule's policy decides;
 * the default is to assume it gets configured (precision first).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Node } from "./parser";
import { goQuery } from "./parser";
import { GoContext } from "./context";
import { ConfiguredUse, Setting, classify, configuredUses, namedType } from "./configured";
import { FUNCTION_TYPES, callArguments, calleeParts, descendants, field, namedChildren, parameters, unparen } from "./syntax";

export interface ConfigurationPolicy {
  setting: Setting;
  /**
   * Does a function (or a literal's type) outside the module that receives the
   * value configure it? `importPath` is undefined for methods of unknown types.
   */
  foreignCallConfigures(importPath: string | undefined, name: string): boolean;
  /** Follow what a non-configuring foreign call returns (`sqlx.NewDb(db, ...)` wraps the same pool). */
  followResults: boolean;
}

export type Destination =
  | { type: "local"; name: string }
  /** `owner` is the struct type holding the field, when the syntax says it. */
  | { type: "field"; name: string; owner?: string }
  | { type: "package-var"; name: string }
  /** Result `index` of the enclosing function declaration. */
  | { type: "returned"; index: number }
  | { type: "argument"; call: Node; index: number }
  /** A field of a literal whose type another package declares: `httptest.Server{Config: srv}`. */
  | { type: "foreign-literal"; importPath: string; typeName: string }
  /** Used here and nowhere else: a method called on it, or thrown away. */
  | { type: "used" }
  | { type: "unknown" };

const IDENT = new Set(["identifier"]);
const BUILTINS = new Set(["len", "cap", "print", "println", "panic", "close", "delete", "copy", "clear"]);
const FUNCTION_DECLARATIONS = new Set(["function_declaration", "method_declaration"]);

export class ConfigurationCheck {
  /** Setters of the package: other files as loaded, this file as it is now. */
  private readonly uses: ConfiguredUse[];
  private readonly isMain: boolean;
  private calls?: Map<string, Node[]>;
  private siblings?: string[];
  /** The value being judged is tuned where it is built (other pool limits, other timeouts). */
  private tuned = false;

  constructor(
    private readonly ctx: GoContext,
    private readonly policy: ConfigurationPolicy,
  ) {
    const here = path.resolve(ctx.file.path);
    const live = configuredUses(ctx.file).filter((u) => u.setting === policy.setting);
    const others = ctx.pkg.configured.filter((u) => u.setting === policy.setting && path.resolve(u.file) !== here);
    this.uses = [...others, ...live];
    this.isMain = ctx.file.packageName === "main";
  }

  /** The top-level function around a node, the innermost one, and all of them from the inside out. */
  static functionsAround(node: Node): { top?: Node; innermost?: Node; chain: Node[] } {
    const chain: Node[] = [];
    for (let n = node.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) chain.push(n);
    return { top: chain[chain.length - 1], innermost: chain[0], chain };
  }

  /** Setters that run inside `scope` (a function of this file). */
  private usesIn(scope: Node | undefined): ConfiguredUse[] {
    return scope ? this.uses.filter((u) => this.inside(scope, u)) : [];
  }

  /** Where the value of `expr` goes; `resultIndex` picks the result of a multi-value call. */
  destinationOf(expr: Node, resultIndex = 0): Destination {
    let node = expr;
    for (let p = node.parent; p; p = node.parent) {
      if (p.type === "parenthesized_expression" || (p.type === "unary_expression" && ["&", "*"].includes(p.child(0)?.type ?? ""))) node = p;
      else break;
    }
    const parent = node.parent;
    if (!parent) return { type: "unknown" };
    switch (parent.type) {
      case "expression_list":
        return this.listDestination(node, parent, resultIndex);
      case "argument_list": {
        const call = parent.parent;
        const index = namedChildren(parent).findIndex((n) => n.id === node.id);
        return call && index >= 0 ? { type: "argument", call, index } : { type: "unknown" };
      }
      case "literal_element":
        return this.elementDestination(parent);
      case "selector_expression":
        return field(parent, "operand")?.id === node.id ? { type: "used" } : { type: "unknown" };
      case "expression_statement":
        return { type: "used" };
      default:
        return { type: "unknown" };
    }
  }

  /**
   * May the value reaching `dest` from code in `scope` (its top-level function,
   * or undefined at package level) get the setting somewhere? `tuned` says the
   * code that builds it sets other limits: that code is where the value is
   * configured, so even importers that could set it are not expected to.
   */
  judge(dest: Destination, scope: Node | undefined, tuned: boolean): boolean {
    this.tuned = tuned;
    return this.mayBeConfigured(dest, scope, new Set());
  }

  private mayBeConfigured(dest: Destination, scope: Node | undefined, seen: Set<string>): boolean {
    switch (dest.type) {
      case "local":
        return this.localMayBeConfigured(dest.name, scope, seen);
      case "field":
        return (
          this.uses.some((u) => setsField(u, dest.name, dest.owner)) ||
          // An embedded *sql.DB or http.Server is configured through the struct itself.
          (/^(DB|Server)$/.test(dest.name) && this.uses.length > 0) ||
          this.reachableFromOtherPackages(dest.name) ||
          this.exposedByAccessor(dest.name, { owner: dest.owner }) ||
          this.passedToConfigurer(dest.name, { owner: dest.owner })
        );
      case "package-var":
        return (
          this.uses.some((u) => u.rootKind === "package" && u.root === dest.name) ||
          this.reachableFromOtherPackages(dest.name) ||
          this.exposedByAccessor(dest.name) ||
          this.passedToConfigurer(dest.name)
        );
      case "returned":
        return this.returnedMayBeConfigured(dest.index, scope, seen);
      case "argument":
        return this.argumentMayBeConfigured(dest.call, dest.index, scope, seen);
      case "foreign-literal":
        return this.foreignCallConfigures(dest.importPath, dest.typeName, undefined, scope, seen);
      case "used":
        return false;
      case "unknown":
        return true;
    }
  }

  private listDestination(node: Node, list: Node, resultIndex: number): Destination {
    const stmt = list.parent;
    if (!stmt) return { type: "unknown" };
    if (stmt.type === "return_statement") {
      // Returned from a function literal: where that goes is not followed.
      if (ConfigurationCheck.functionsAround(stmt).innermost?.type === "func_literal") return { type: "unknown" };
      const values = namedChildren(list);
      return { type: "returned", index: values.length === 1 ? resultIndex : values.findIndex((v) => v.id === node.id) };
    }
    if (stmt.type !== "short_var_declaration" && stmt.type !== "assignment_statement" && stmt.type !== "var_spec") return { type: "unknown" };
    if (field(stmt, stmt.type === "var_spec" ? "value" : "right")?.id !== list.id) return { type: "unknown" };
    if (stmt.type === "assignment_statement" && field(stmt, "operator")?.text !== "=") return { type: "unknown" };
    const values = namedChildren(list);
    const targets = stmt.type === "var_spec" ? stmt.childrenForFieldName("name").filter((n): n is Node => !!n) : namedChildren(field(stmt, "left"));
    const index = values.length === 1 && targets.length > 1 ? resultIndex : values.findIndex((v) => v.id === node.id);
    const target = targets[index];
    return target ? this.targetDestination(target, stmt) : { type: "unknown" };
  }

  /** What an assignment target is: a local, a package variable, a field. */
  private targetDestination(target: Node, stmt: Node): Destination {
    const t = unparen(target);
    if (t.type === "selector_expression") {
      const operand = field(t, "operand");
      const owner = operand?.type === "identifier" ? namedType(this.ctx.typeTextOf(operand)) : undefined;
      return { type: "field", name: field(t, "field")?.text ?? "", owner };
    }
    if (t.type !== "identifier") return { type: "unknown" };
    if (t.text === "_") return { type: "used" };
    const { chain } = ConfigurationCheck.functionsAround(stmt);
    if (chain.length === 0) return { type: "package-var", name: t.text };
    if (stmt.type !== "assignment_statement" || declaredIn(t.text, chain)) return { type: "local", name: t.text };
    return this.ctx.pkg.packageVars.has(t.text) || this.ctx.file.packageVars.has(t.text) ? { type: "package-var", name: t.text } : { type: "unknown" };
  }

  /** A field of a struct literal: `&Store{db: db}`, or positional `&Store{db}`. */
  private elementDestination(element: Node): Destination {
    const parent = element.parent;
    const keyed = parent?.type === "keyed_element" ? parent : undefined;
    if (keyed && field(keyed, "value")?.id !== element.id) return { type: "unknown" };
    const literal = (keyed ?? element).parent?.parent;
    if (literal?.type !== "composite_literal") return { type: "unknown" };
    const type = field(literal, "type");
    if (type?.type === "qualified_type") {
      const importPath = this.ctx.file.importPath(field(type, "package")?.text ?? "");
      return importPath ? { type: "foreign-literal", importPath, typeName: field(type, "name")?.text ?? "" } : { type: "unknown" };
    }
    const name = keyed ? this.keyName(keyed) : type?.type === "type_identifier" ? this.positionalField(type.text, element) : undefined;
    if (!name) return { type: "unknown" };
    if (type?.type === "type_identifier") return { type: "field", name, owner: type.text };
    if (type?.type === "generic_type") return { type: "field", name };
    return { type: "unknown" };
  }

  private keyName(keyed: Node): string | undefined {
    const key = unparen(namedChildren(field(keyed, "key"))[0] ?? keyed);
    return key.type === "identifier" ? key.text : undefined;
  }

  /**
   * A positional literal lists every field in declaration order. Embedded
   * fields are not in the field table, so the counts must agree.
   */
  private positionalField(typeName: string, element: Node): string | undefined {
    const prefix = `${typeName}.`;
    const names = new Set<string>();
    for (const key of [...this.ctx.file.fieldTypes.keys(), ...this.ctx.pkg.fieldTypes.keys()]) if (key.startsWith(prefix)) names.add(key.slice(prefix.length));
    const elements = namedChildren(element.parent);
    const index = elements.findIndex((e) => e.id === element.id);
    return names.size === elements.length ? [...names][index] : undefined;
  }

  private localMayBeConfigured(name: string, scope: Node | undefined, seen: Set<string>): boolean {
    const key = `${scope?.startIndex}:${name}`;
    if (!scope || seen.has(key)) return false;
    seen.add(key);
    if (this.usesIn(scope).some((u) => u.root === name)) return true;
    for (const use of descendants(scope, IDENT, true)) {
      if (use.text !== name || isAssignedHere(use)) continue;
      const parent = use.parent;
      // `srv.ListenAndServe()`, `db.Ping()`, `srv.Handler = mux`: used, not passed on.
      if (parent?.type === "selector_expression" && field(parent, "operand")?.id === use.id) continue;
      if (this.mayBeConfigured(this.destinationOf(use), scope, seen)) return true;
    }
    return false;
  }

  /**
   * The callers of the function decide. Exported results are configured by
   * importers as often as not, so they count only when this file calls the
   * function itself. Otherwise the callers are in this package: those in this
   * file are followed; when other files mention the function, any setter
   * outside it may be theirs.
   */
  private returnedMayBeConfigured(index: number, scope: Node | undefined, seen: Set<string>): boolean {
    if (!scope || !FUNCTION_DECLARATIONS.has(scope.type)) return true;
    const name = field(scope, "name")?.text ?? "";
    const key = `return:${scope.startIndex}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const isMethod = scope.type === "method_declaration";
    const callers = this.callsNamed(name).filter((call) => !!calleeParts(call)?.operand === isMethod);
    if (callers.length === 0 && this.reachableFromOtherPackages(name)) return true;
    const mention = new RegExp(isMethod ? `\\.${name}\\b` : `(?<![\\w.])${name}\\b`);
    if (this.siblingsMention(mention) && this.uses.some((u) => !this.inside(scope, u))) return true;
    return callers.some((call) => this.mayBeConfigured(this.destinationOf(call, index), ConfigurationCheck.functionsAround(call).top, seen));
  }

  private argumentMayBeConfigured(call: Node, index: number, scope: Node | undefined, seen: Set<string>): boolean {
    const fn = field(call, "function");
    const parts = calleeParts(call);
    if (!fn || !parts || unparen(fn).type === "func_literal") return true;
    if (!parts.operand) {
      if (BUILTINS.has(parts.name)) return false;
      if (this.declaresFunction(parts.name)) return this.packageFunctionConfigures(parts.name, false, index, scope, seen);
      return true;
    }
    if (parts.operand.type === "identifier" && !declaredAround(parts.operand)) {
      const importPath = this.ctx.file.importPath(parts.operand.text);
      if (importPath) return this.foreignCallConfigures(importPath, parts.name, call, scope, seen);
    }
    if (this.ctx.pkg.hasMethod(parts.name) || this.ctx.file.functions.some((f) => f.receiver && f.name === parts.name)) {
      return this.packageFunctionConfigures(parts.name, true, index, scope, seen);
    }
    return this.foreignCallConfigures(undefined, parts.name, call, scope, seen);
  }

  /**
   * A function of this package that receives the value: it sets it on its
   * parameter, or (declared in this file) its parameter goes somewhere that
   * gets configured. Declared in another file, whose body is gone: any setter
   * outside the caller on a value that is not a local may be the one.
   */
  private packageFunctionConfigures(name: string, isMethod: boolean, index: number, scope: Node | undefined, seen: Set<string>): boolean {
    const matches = (key: string) => (isMethod ? key.endsWith(`.${name}`) : key === name);
    if (this.uses.some((u) => matches(u.fn) && u.param === index)) return true;
    const here = this.ctx.file.functions.filter((f) => f.name === name && !!f.receiver === isMethod);
    if (here.length === 0) return this.uses.some((u) => u.rootKind !== "local" && !(scope && this.inside(scope, u)));
    return here.some((f) => {
      const params = parameters(f.node);
      const param = params[Math.min(index, params.length - 1)]?.name;
      return !!param && this.localMayBeConfigured(param, f.node, seen);
    });
  }

  /** A function or type of another package; `call` is the call whose result may be followed. */
  private foreignCallConfigures(importPath: string | undefined, name: string, call: Node | undefined, scope: Node | undefined, seen: Set<string>): boolean {
    if (importPath) {
      const other = this.ctx.workspace.packageByImportPath(importPath, this.ctx.pkg.dir);
      if (other) return other.configured.some((u) => u.setting === this.policy.setting && u.rootKind !== "local");
    }
    if (this.policy.foreignCallConfigures(importPath, name)) return true;
    return this.policy.followResults && !!call && this.mayBeConfigured(this.destinationOf(call), scope, seen);
  }

  /**
   * A package function that sets its parameter is called with the field
   * (`tune(s.db)`) or the package variable (`tune(db)`) somewhere in the package.
   */
  private passedToConfigurer(name: string, field?: { owner?: string }): boolean {
    const argument = field ? `[\\w.\\]\\[()]*\\.${name}` : `(?<![\\w.])${name}`;
    for (const u of this.uses) {
      if (u.rootKind !== "param" || u.param < 0) continue;
      const fnName = u.fn.slice(u.fn.lastIndexOf(".") + 1);
      for (const call of this.callsNamed(fnName)) {
        const arg = callArguments(call)[u.param];
        if (arg && new RegExp(`^&?${argument}$`).test(arg.text) && this.sameOwner(arg, field?.owner)) return true;
      }
      if (this.siblingsMention(new RegExp(`\\b${fnName}\\s*\\([^;]*${argument}\\b`))) return true;
    }
    return false;
  }

  /** `a.srv` belongs to `owner` unless `a`'s declared type says otherwise. */
  private sameOwner(arg: Node, owner: string | undefined): boolean {
    const sel = unparen(arg.type === "unary_expression" ? (field(arg, "operand") ?? arg) : arg);
    const operand = sel.type === "selector_expression" ? field(sel, "operand") : null;
    if (!owner || operand?.type !== "identifier") return true;
    const type = namedType(this.ctx.typeTextOf(operand));
    return !type || type === owner;
  }

  private declaresFunction(name: string): boolean {
    return this.ctx.pkg.summary(name) !== undefined || this.ctx.file.functions.some((f) => !f.receiver && f.name === name);
  }

  /**
   * Exported names outside package main can be configured by the packages that
   * import them; unless the value was tuned where it was built: that place
   * decided its limits and forgot this one, so only this package's code counts.
   */
  private reachableFromOtherPackages(name: string): boolean {
    return !this.isMain && !this.tuned && /^[A-Z]/.test(name);
  }

  /**
   * `func DB() *sql.DB { return conn }`, `func (s *Store) DB() *sql.DB { return s.db }`:
   * an accessor hands the value to callers that may configure it, like an
   * exported name; unless it was tuned where it was built.
   */
  private exposedByAccessor(name: string, field?: { owner?: string }): boolean {
    if (this.isMain || this.tuned) return false;
    const value = field ? `\\w+(\\.\\w+)*\\.${name}` : name;
    const returned = `\\breturn\\s+&?${value}\\b(?!\\s*[.(\\[])`;
    // A field's accessor is a method of the struct that holds it, when that is known.
    const pattern = new RegExp(field?.owner ? `func\\s*\\(\\s*\\w*\\s*\\*?${field.owner}\\s*\\)[^{]*\\{[^}]*${returned}` : returned);
    return pattern.test(this.ctx.file.text) || this.siblingsMention(pattern);
  }

  private inside(scope: Node, u: ConfiguredUse): boolean {
    return u.file === this.ctx.file.path && u.offset >= scope.startIndex && u.offset < scope.endIndex;
  }

  /** Calls in this file by the called name (`f(...)`, `x.f(...)`), collected once. */
  private callsNamed(name: string): Node[] {
    if (!this.calls) {
      this.calls = new Map();
      for (const { node } of goQuery("(call_expression) @call").captures(this.ctx.file.tree.rootNode)) {
        const n = calleeParts(node)?.name;
        if (n) this.calls.set(n, [...(this.calls.get(n) ?? []), node]);
      }
    }
    return this.calls.get(name) ?? [];
  }

  /**
   * The texts of the package's other files. Their trees are gone once the
   * package is loaded; the few questions that need them are answered by a
   * search of the text, read only when a question comes up.
   */
  private siblingsMention(pattern: RegExp): boolean {
    if (!this.siblings) {
      const here = path.resolve(this.ctx.file.path);
      const tests = here.endsWith("_test.go");
      this.siblings = [];
      try {
        for (const name of fs.readdirSync(this.ctx.pkg.dir)) {
          const file = path.join(this.ctx.pkg.dir, name);
          if (!name.endsWith(".go") || name.endsWith("_test.go") !== tests || file === here) continue;
          this.siblings.push(fs.readFileSync(file, "utf8"));
        }
      } catch {
        // An unreadable directory has no siblings to consult.
      }
    }
    return this.siblings.some((t) => pattern.test(t));
  }
}

export function isStandardLibrary(importPath: string): boolean {
  return !importPath.split("/")[0].includes(".");
}

/** Is `id` declared or assigned here (`srv` in `srv := ...`, a parameter), or a literal's key rather than a use? */
function isAssignedHere(id: Node): boolean {
  const list = id.parent;
  const stmt = list?.parent;
  if (list?.type === "var_spec" || list?.type === "parameter_declaration" || list?.type === "variadic_parameter_declaration") return true;
  if (list?.type === "literal_element") return stmt?.type === "keyed_element" && field(stmt, "key")?.id === list.id;
  if (list?.type !== "expression_list" || !stmt) return false;
  if (stmt.type === "short_var_declaration" || stmt.type === "assignment_statement") return field(stmt, "left")?.id === list.id;
  return stmt.type === "range_clause" && field(stmt, "left")?.id === list.id;
}

/**
 * Does the setter apply to field `name`? When both sides say which struct
 * type holds the field (`s.db` with `s *Store`), the types must agree, so
 * two types with a field of the same name are not confused.
 */
function setsField(u: ConfiguredUse, name: string, owner: string | undefined): boolean {
  const i = u.fields.indexOf(name);
  if (i < 0) return false;
  return i > 0 || !owner || !u.rootType || u.rootType === owner;
}

/** Is the name a parameter, result, receiver or local of one of the functions (innermost first)? */
function declaredIn(name: string, chain: Node[]): boolean {
  return classify(name, chain).kind !== "package";
}

/** Is an identifier used as a package name actually a local variable? */
function declaredAround(id: Node): boolean {
  return declaredIn(id.text, ConfigurationCheck.functionsAround(id).chain);
}
