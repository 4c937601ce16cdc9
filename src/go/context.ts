/**
 * What a Go file's code means for ownership: which calls acquire a resource,
 * what a use of a variable does to the obligation to release it, and the
 * function summaries that carry both across functions and packages.
 */
import type { Node } from "./parser";
import { GoFile } from "./facts";
import {
  ANY_RELEASE_METHOD,
  DATABASE_METHODS,
  HTTP_CLIENT_METHODS,
  KINDS,
  NON_CLOSING_BUILTINS,
  NON_CLOSING_FUNCTIONS,
  NON_CLOSING_METHODS,
  PACKAGE_FACTORIES,
  POOL_METHODS,
  RESOURCE_RESULT,
  TYPED_METHOD_FACTORIES,
  ResourceKind,
  isDatabaseImport,
  isPgxPoolImport,
} from "./resources";
import { FunctionSummary, GoPackage, GoWorkspace, IN_PROGRESS, ParamEffect } from "./workspace";
import { CONSTRUCTION_DETECTORS, CONSTRUCTION_NODE_TYPES, Construction, REACHES_CALLER } from "./constructions";
import {
  callArguments,
  calleeParts,
  descendants,
  enclosingFunction,
  field,
  namedChildren,
  parameterNames,
  parameters,
  literalType,
  resultNames,
  unparen,
} from "./syntax";

export interface Acquisition {
  kind: ResourceKind;
  /** Which result of the call is the resource. */
  index: number;
  /** How the call reads in messages: "db.Query", "http.Get", "fetchPage". */
  label: string;
}

/** What one occurrence of a tracked variable does to the obligation to release it. */
export type UseEffect = "none" | "release" | "handoff" | "return" | "overwrite";

type Target =
  | { type: "local"; name: string }
  | { type: "package"; importPath: string; name: string }
  | { type: "method"; receiver: Node; name: string }
  | { type: "literal"; fn: Node }
  | { type: "other" };

const IDENT = new Set(["identifier"]);
const ASSIGNMENTS = new Set(["short_var_declaration", "assignment_statement"]);
const TYPED_METHOD_NAMES = new Set(Object.values(TYPED_METHOD_FACTORIES).flatMap((methods) => Object.keys(methods)));

/**
 * Per-function facts a rule needs across files and packages, computed while the
 * package's trees are loaded (shared-read-buffer: results that alias a reused
 * buffer). Each must be cheap for functions it has nothing to say about.
 */
export const SUMMARY_EXTENSIONS: { key: string; summarize(ctx: GoContext, fn: Node): unknown }[] = [];

export class GoContext {
  constructor(
    readonly file: GoFile,
    readonly pkg: GoPackage,
    readonly workspace: GoWorkspace,
  ) {}

  // ---- summaries -------------------------------------------------------------

  summarizeNode(node: Node): FunctionSummary {
    const summary: FunctionSummary = { returns: this.returnedResources(node), params: [], constructs: [] };
    const body = field(node, "body");
    for (const p of parameters(node)) {
      summary.params.push(p.name && body && mayHoldResource(p.type) ? this.effectOnName(body, p.name) : "none");
    }
    const name = field(node, "name")?.text ?? "";
    if (body) summary.constructs = this.constructionsIn(body, `${this.file.packageName}.${name}`);
    for (const ext of SUMMARY_EXTENSIONS) {
      const fact = ext.summarize(this, node);
      if (fact !== undefined) (summary.extra ??= {})[ext.key] = fact;
    }
    return summary;
  }

  /** What a call or composite literal builds: directly, or through a module function that does. */
  constructionsAt(node: Node): Construction[] {
    for (const detect of CONSTRUCTION_DETECTORS) {
      const found = detect(node, this);
      if (found) return [{ ...found, via: [] }];
    }
    if (node.type !== "call_expression") return [];
    const target = this.targetOf(node);
    if (target.type !== "local" && target.type !== "package" && target.type !== "method") return [];
    const summary = this.summaryOf(target);
    return summary && summary !== IN_PROGRESS ? summary.constructs : [];
  }

  /** Every construction in a body, including function literals run there, labelled with the function's name. */
  private constructionsIn(body: Node, label: string): Construction[] {
    if (!this.workspace.dirMayConstruct(this.pkg.dir) || !this.mayConstruct(body)) return [];
    const out: Construction[] = [];
    for (const node of descendants(body, CONSTRUCTION_NODE_TYPES, true)) {
      for (const c of this.constructionsAt(node)) {
        if (REACHES_CALLER[c.family]?.(node, this) === false) continue;
        out.push({ ...c, via: [label, ...c.via] });
      }
    }
    return out;
  }

  /**
   * A cheap, conservative test before walking a body for constructions: it names
   * a constructor package's import, calls a function of this package that
   * constructs, or calls into a module package whose sources could. Walking
   * every call of every function costs more than parsing it.
   */
  private mayConstruct(body: Node): boolean {
    const text = body.text;
    if (this.constructorAliases().some((alias) => text.includes(`${alias}.`))) return true;
    const candidates = this.workspace.constructionCandidates(this.pkg);
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\s*[([{]/g)) {
      const [, first, second] = m;
      if (!second) {
        if (candidates.has(first) && this.localSummary(first)?.constructs.length) return true;
        continue;
      }
      const importPath = this.file.importPath(first);
      if (importPath) {
        if (this.workspace.packageMayConstruct(importPath, this.pkg.dir)) return true;
      } else if (candidates.has(second) && this.pkg.hasMethod(second) && this.methodsConstruct(second)) {
        return true;
      }
    }
    return false;
  }

  private aliases?: string[];

  private constructorAliases(): string[] {
    this.aliases ??= this.file.imports.filter((i) => this.workspace.isConstructorImport(i.path)).map((i) => i.name);
    return this.aliases;
  }

  private methodsConstruct(name: string): boolean {
    return this.pkg.methodKeys(name).some((k) => this.localSummary(k)?.constructs.length);
  }

  /** The strongest thing the body does with a name: releasing beats handing off beats nothing. */
  effectOnName(body: Node, name: string): ParamEffect {
    let result: ParamEffect = "none";
    for (const use of descendants(body, IDENT, true)) {
      if (use.text !== name) continue;
      const e = this.effectOfUse(use);
      if (e === "release") return "release";
      if (e === "handoff" || e === "return") result = "handoff";
    }
    return result;
  }

  private returnedResources(fn: Node): { index: number; kind: ResourceKind }[] {
    const body = field(fn, "body");
    const result = field(fn, "result");
    // `func tempFile(t) (*os.File, func())` hands its caller the cleanup along with the file.
    if (!body || !result || !RESOURCE_RESULT.test(result.text) || /\bfunc\s*\(/.test(result.text)) return [];
    const out = new Map<number, ResourceKind>();
    const named = resultNames(fn);
    const acquiredNames = new Map<string, ResourceKind>();
    for (const stmt of descendants(body, new Set(["short_var_declaration", "assignment_statement"]))) {
      const left = namedChildren(field(stmt, "left"));
      const right = namedChildren(field(stmt, "right"));
      if (right.length !== 1 || unparen(right[0]).type !== "call_expression") continue;
      const acq = this.acquisitionOf(unparen(right[0]), left.length);
      const target = acq && left[acq.index];
      if (acq && target?.type === "identifier") acquiredNames.set(target.text, acq.kind);
    }
    for (const ret of descendants(body, new Set(["return_statement"]))) {
      const values = namedChildren(namedChildren(ret)[0] ?? null);
      if (values.length === 0) {
        named.forEach((n, i) => acquiredNames.has(n) && out.set(i, acquiredNames.get(n)!));
        continue;
      }
      if (values.length === 1 && unparen(values[0]).type === "call_expression") {
        const acq = this.acquisitionOf(unparen(values[0]), 2);
        if (acq) out.set(acq.index, acq.kind);
        continue;
      }
      values.forEach((v, i) => {
        const u = unparen(v);
        if (u.type === "identifier" && acquiredNames.has(u.text)) out.set(i, acquiredNames.get(u.text)!);
        if (u.type === "call_expression") {
          const acq = this.acquisitionOf(u, 1);
          if (acq && acq.index === 0) out.set(i, acq.kind);
        }
      });
    }
    return [...out].map(([index, kind]) => ({ index, kind }));
  }

  private summaryOf(target: Target): FunctionSummary | undefined {
    switch (target.type) {
      case "local":
        return this.localSummary(target.name);
      case "package": {
        const pkg = this.workspace.packageByImportPath(target.importPath, this.pkg.dir);
        return pkg?.summary(target.name);
      }
      case "method": {
        const recvType = this.packageDeclaresMethod(target.name) ? this.namedTypeOf(target.receiver) : undefined;
        if (recvType) {
          const s = this.localSummary(`${recvType}.${target.name}`);
          if (s) return s;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private localSummary(key: string): FunctionSummary | undefined {
    return this.pkg.summary(key);
  }

  /** Only methods this package declares can have summaries; skip the type lookup for the rest. */
  private packageDeclaresMethod(name: string): boolean {
    return this.pkg.hasMethod(name);
  }

  // ---- calls -----------------------------------------------------------------

  private targetOf(call: Node): Target {
    const fnNode = field(call, "function");
    if (!fnNode) return { type: "other" };
    const fn = unparen(fnNode);
    if (fn.type === "func_literal") return { type: "literal", fn };
    const parts = calleeParts(call);
    if (!parts) return { type: "other" };
    if (!parts.operand) return { type: "local", name: parts.name };
    if (parts.operand.type === "identifier") {
      const importPath = this.file.importPath(parts.operand.text);
      if (importPath && !this.isLocalVariable(parts.operand)) return { type: "package", importPath, name: parts.name };
    }
    return { type: "method", receiver: parts.operand, name: parts.name };
  }

  private effectOfArgumentToLiteral(fn: Node, index: number): UseEffect {
    const param = parameterNames(fn)[index];
    const body = field(fn, "body");
    return param && body ? this.effectOnName(body, param) : "none";
  }

  /** The func literal a called local variable was initialised with, if that is what it holds. */
  private localFuncLiteral(call: Node): Node | undefined {
    const callee = field(call, "function");
    const fn = callee && enclosingFunction(callee);
    const body = fn && field(fn, "body");
    if (!callee || !body) return undefined;
    for (const decl of descendants(body, new Set(["short_var_declaration", "var_spec"]))) {
      if (decl.startIndex > callee.startIndex) break;
      const names = decl.type === "var_spec" ? decl.childrenForFieldName("name") : namedChildren(field(decl, "left"));
      const values = namedChildren(field(decl, decl.type === "var_spec" ? "value" : "right"));
      const i = names.findIndex((n) => n?.text === callee.text);
      const value = i >= 0 ? values[i] : undefined;
      if (value) return unparen(value).type === "func_literal" ? unparen(value) : undefined;
    }
    return undefined;
  }

  /** Is the called name a variable (parameter or local) rather than a package function? */
  private isDeclaredInFunctions(call: Node): boolean {
    const fn = field(call, "function");
    if (!fn || fn.type !== "identifier") return false;
    for (let f = enclosingFunction(fn); f; f = enclosingFunction(f)) if (this.declarationBefore(f, fn)) return true;
    return false;
  }

  /** A name declared inside the enclosing functions shadows an import of the same name. */
  private isLocalVariable(id: Node): boolean {
    for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) if (this.declarationBefore(fn, id)) return true;
    return false;
  }

  /** Does this call produce a resource, and which result is it? `resultCount` is how many values the caller takes (0: discarded). */
  acquisitionOf(call: Node, resultCount: number): Acquisition | null {
    // Most calls cannot acquire anything, which their names tell before any scope or summary lookup.
    const parts = calleeParts(call);
    if (parts && !this.mayAcquireByName(parts)) return null;
    const target = this.targetOf(call);
    const args = callArguments(call);
    const label = calleeLabel(call);
    switch (target.type) {
      case "package": {
        const kind = PACKAGE_FACTORIES[target.importPath]?.[target.name];
        if (kind) return { kind, index: 0, label };
        const configured = this.configuredFactory(`${target.importPath}.${target.name}`);
        if (configured) return { kind: configured, index: 0, label };
        // Loading a package to learn that a function returns no resource is the costly way to learn it.
        if (!this.workspace.mayReturnResource(target.importPath, target.name, this.pkg.dir)) return null;
        const summary = this.summaryOf(target);
        return summary && summary.returns.length > 0 ? { kind: summary.returns[0].kind, index: summary.returns[0].index, label } : null;
      }
      case "local": {
        // Only a function whose declaration names a resource type can return one; the others need no summary.
        if (!this.declaresResourceResult(target.name)) return null;
        const summary = this.summaryOf(target);
        return summary && summary.returns.length > 0 ? { kind: summary.returns[0].kind, index: summary.returns[0].index, label } : null;
      }
      case "method":
        return this.methodAcquisition(call, target.receiver, target.name, args, resultCount, label);
      default:
        return null;
    }
  }

  private configuredFactory(qualified: string): ResourceKind | undefined {
    const entry = this.workspace.knowledge.resourceFactories.find((f) => f.function === qualified);
    return entry && entry.kind in KINDS ? (entry.kind as ResourceKind) : undefined;
  }

  /**
   * Whether a call of this name could be an acquisition, whatever its operand
   * turns out to be: a local function, a package function, or a method (an
   * import name may be shadowed by a variable).
   */
  mayAcquireByName(parts: { operand: Node | null; name: string }): boolean {
    if (!parts.operand) return this.declaresResourceResult(parts.name);
    const importPath = parts.operand.type === "identifier" ? this.file.importPath(parts.operand.text) : undefined;
    return (!!importPath && this.mayBeAcquiringFunction(importPath, parts.name)) || this.mayBeAcquiringMethod(parts.name);
  }

  /** `mayAcquireByName` for a call of this name with any operand (the file's imports, a variable, none). */
  mayAcquireNamed(name: string): boolean {
    return this.declaresResourceResult(name) || this.mayBeAcquiringMethod(name) || this.acquiringImports().some((path) => this.mayBeAcquiringFunction(path, name));
  }

  private acquiringImportList?: string[];

  /** The file's imports whose functions could acquire: factory packages (built in or configured) and packages of the module. */
  private acquiringImports(): string[] {
    this.acquiringImportList ??= this.file.imports
      .map((i) => i.path)
      .filter((p) => PACKAGE_FACTORIES[p] || this.workspace.knowledge.resourceFactories.some((f) => f.function.startsWith(`${p}.`)) || this.workspace.isModuleImport(p, this.pkg.dir));
    return this.acquiringImportList;
  }

  private mayBeAcquiringFunction(importPath: string, name: string): boolean {
    return !!PACKAGE_FACTORIES[importPath]?.[name] || !!this.configuredFactory(`${importPath}.${name}`) || this.workspace.mayReturnResource(importPath, name, this.pkg.dir);
  }

  private mayBeAcquiringMethod(name: string): boolean {
    return name in DATABASE_METHODS || name in HTTP_CLIENT_METHODS || name in POOL_METHODS || TYPED_METHOD_NAMES.has(name) || this.packageMethodReturnsResource(name);
  }

  private methodAcquisition(call: Node, receiver: Node, name: string, args: Node[], resultCount: number, label: string): Acquisition | null {
    // Most method calls are none of these; deciding that must not cost a type lookup.
    if (!this.mayBeAcquiringMethod(name)) return null;
    const ownType = this.packageDeclaresMethod(name) ? this.namedTypeOf(receiver) : undefined;
    const own = ownType ? this.localSummary(`${ownType}.${name}`) : undefined;
    if (own) {
      // A method this package declares: its summary knows, the database and HTTP guesses do not apply.
      return own.returns.length > 0 ? { kind: own.returns[0].kind, index: own.returns[0].index, label } : null;
    }
    const db = DATABASE_METHODS[name];
    const twoResults = resultCount === 0 || resultCount >= 2 || name.startsWith("Must");
    if (db && twoResults && args.length >= db.minArgs && (db.maxArgs === undefined || args.length <= db.maxArgs)) {
      if (this.usesDatabase() && !this.isKnownNonDatabase(receiver)) return { kind: db.kind, index: 0, label };
    }
    if (POOL_METHODS[name] && args.length === 1 && twoResults && [...this.pkg.imports, ...this.file.imports.map((i) => i.path)].some(isPgxPoolImport)) {
      return { kind: POOL_METHODS[name], index: 0, label };
    }
    const typed = TYPED_METHOD_NAMES.has(name) ? this.typedMethodAcquisition(receiver, name, twoResults, label) : null;
    if (typed) return typed;
    const http = HTTP_CLIENT_METHODS[name];
    if (http && twoResults && args.length >= http.minArgs && args.length <= http.maxArgs && this.usesNetHttp()) {
      if (name === "RoundTrip" || this.isHttpClient(receiver) || this.resultUsedAsResponse(call)) return { kind: "body", index: 0, label };
    }
    return null;
  }

  private declaresResourceResult(name: string): boolean {
    return this.workspace.dirFacts(this.pkg.dir).resourceNames.has(name);
  }

  private packageMethodReturnsResource(name: string): boolean {
    if (!this.declaresResourceResult(name)) return false;
    return this.pkg.methodKeys(name).some((k) => (this.localSummary(k)?.returns.length ?? 0) > 0);
  }

  /** Methods whose receiver type the syntax states: `(&net.Dialer{}).DialContext`, `lc.Listen`. */
  private typedMethodAcquisition(receiver: Node, name: string, twoResults: boolean, label: string): Acquisition | null {
    if (!twoResults) return null;
    const r = unparen(receiver);
    const type = (r.type === "unary_expression" || r.type === "composite_literal" ? literalType(r) : this.typeTextOf(r))?.replace(/^\*/, "");
    if (!type) return null;
    const [qualifier, typeName] = type.includes(".") ? type.split(".", 2) : ["", type];
    const importPath = qualifier ? this.file.importPath(qualifier) : undefined;
    const kind = importPath ? TYPED_METHOD_FACTORIES[`${importPath}.${typeName}`]?.[name] : undefined;
    return kind ? { kind, index: 0, label } : null;
  }

  private usesDatabase(): boolean {
    return this.file.imports.some((i) => isDatabaseImport(i.path)) || [...this.pkg.imports].some(isDatabaseImport);
  }

  private usesNetHttp(): boolean {
    return this.file.importPath("http") === "net/http" || this.pkg.imports.has("net/http") || this.file.imports.some((i) => i.path === "net/http");
  }

  /**
   * Receivers whose type the syntax states as another package's type that is not a
   * database handle (`*elastic.Client`). Types of this package may embed `*sql.DB`.
   */
  private isKnownNonDatabase(receiver: Node): boolean {
    const type = this.typeTextOf(receiver);
    if (!type || !type.includes(".")) return false;
    return !/\b(sql|sqlx|pgx|pgxpool|pgconn)\.|\b(DB|Tx|Conn|Stmt|Pool|Querier|Queryer|DBTX|Executor)\b/.test(type);
  }

  private isHttpClient(receiver: Node): boolean {
    const r = unparen(receiver);
    if (r.type === "selector_expression" && r.text.replace(/\s/g, "") === `${this.httpName()}.DefaultClient`) return true;
    const type = this.typeTextOf(r);
    if (type) return /\bhttp\.(Client|Transport|RoundTripper)\b/.test(type) || /Client\b|Doer\b|RoundTripper\b/.test(type);
    const last = r.type === "selector_expression" ? field(r, "field")?.text ?? "" : r.text;
    return /client$/i.test(last) || /^(hc|cli|c)$/.test(last);
  }

  private httpName(): string {
    return this.file.imports.find((i) => i.path === "net/http")?.name ?? "http";
  }

  /** `resp, err := c.Get(u)` is an HTTP call when the function reads `resp.Body` or `resp.StatusCode`. */
  private resultUsedAsResponse(call: Node): boolean {
    const stmt = call.parent?.parent;
    if (!stmt || (stmt.type !== "short_var_declaration" && stmt.type !== "assignment_statement")) return false;
    const first = namedChildren(field(stmt, "left"))[0];
    if (!first || first.type !== "identifier" || first.text === "_") return false;
    const fn = enclosingFunction(stmt);
    const body = fn && field(fn, "body");
    if (!body) return false;
    return descendants(body, new Set(["selector_expression"]), true).some((s) => {
      const op = field(s, "operand");
      const f = field(s, "field")?.text;
      const isMethodCall = s.parent?.type === "call_expression" && field(s.parent, "function")?.id === s.id;
      return op?.type === "identifier" && op.text === first.text && !isMethodCall && (f === "Body" || f === "StatusCode" || f === "Status");
    });
  }

  // ---- types the syntax states ------------------------------------------------

  /** The declared type text of an expression (e.g. "*http.Client"), when the syntax says it. */
  typeTextOf(expr: Node): string | undefined {
    const e = unparen(expr);
    if (e.type === "identifier") return this.identifierType(e);
    if (e.type === "selector_expression") {
      const operand = field(e, "operand");
      const name = field(e, "field")?.text;
      if (!operand || !name) return undefined;
      const owner = operand.type === "identifier" ? this.identifierType(operand) : undefined;
      const ownerName = owner?.replace(/^\*/, "");
      if (ownerName && /^\w+$/.test(ownerName)) return this.pkg.fieldTypes.get(`${ownerName}.${name}`) ?? this.file.fieldTypes.get(`${ownerName}.${name}`);
    }
    return undefined;
  }

  /** A type declared in this package that an expression has, e.g. "Store" for `s` in `func (s *Store)`. */
  private namedTypeOf(expr: Node): string | undefined {
    const t = this.typeTextOf(expr)?.replace(/^\*/, "");
    return t && /^\w+$/.test(t) ? t : undefined;
  }

  private identifierType(id: Node): string | undefined {
    for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) {
      const hit = this.declarationBefore(fn, id);
      if (hit) return hit.type;
    }
    return this.pkg.packageVarTypes.get(id.text) ?? this.file.packageVarTypes.get(id.text);
  }

  /** The latest declaration of the identifier's name in `fn` before it; parameters sit at offset -1. */
  private declarationBefore(fn: Node, id: Node): { offset: number; type?: string } | undefined {
    return this.declarations(fn).get(id.text)?.filter((d) => d.offset < id.startIndex).at(-1);
  }

  private readonly declarationsByFunction = new Map<number, Map<string, { offset: number; type?: string }[]>>();

  /**
   * The names a function declares (receiver, parameters, results, `var`, `:=`,
   * range variables) with the type the syntax states, if any. Built once per
   * function: asking the tree again for every use is what made big packages slow.
   */
  private declarations(fn: Node): Map<string, { offset: number; type?: string }[]> {
    let table = this.declarationsByFunction.get(fn.id);
    if (table) return table;
    const t = new Map<string, { offset: number; type?: string }[]>();
    const add = (name: string, offset: number, type: string | undefined) => {
      if (name && name !== "_") t.set(name, [...(t.get(name) ?? []), { offset, type }]);
    };
    for (const list of [field(fn, "receiver"), field(fn, "parameters"), field(fn, "result")]) {
      for (const decl of namedChildren(list)) {
        const type = field(decl, "type")?.text;
        for (const n of decl.childrenForFieldName("name")) if (n) add(n.text, -1, type);
      }
    }
    const body = field(fn, "body");
    for (const spec of body ? descendants(body, new Set(["var_spec", "short_var_declaration", "range_clause"])) : []) {
      if (spec.type === "var_spec") {
        const type = field(spec, "type")?.text;
        for (const n of spec.childrenForFieldName("name")) if (n) add(n.text, spec.startIndex, type);
        continue;
      }
      const left = namedChildren(field(spec, "left"));
      const right = namedChildren(field(spec, "right"));
      if (spec.type === "range_clause" && spec.child(1)?.type !== ":=") continue;
      left.forEach((n, i) => add(n.text, spec.startIndex, right.length === left.length ? literalType(right[i]) : undefined));
    }
    this.declarationsByFunction.set(fn.id, t);
    return t;
  }

  // ---- what a use does ---------------------------------------------------------

  /**
   * Classifies one occurrence of a tracked variable. `x.Close()` releases;
   * returning, storing, sending, capturing in a goroutine and passing to a
   * function that keeps or closes it end the obligation; reading fields and
   * calling other methods change nothing.
   */
  effectOfUse(use: Node): UseEffect {
    let node = use;
    for (;;) {
      const parent = node.parent;
      if (!parent) return "none";
      switch (parent.type) {
        case "parenthesized_expression":
          node = parent;
          continue;
        case "unary_expression":
          if (parent.child(0)?.type === "&") {
            node = parent;
            continue;
          }
          return "none";
        case "type_assertion_expression": {
          // `cn.(*tls.Conn)` is the same connection: its uses decide. Not so `x, ok := cn.(*T)`,
          // which holds it only when ok: the uses of cn itself decide then.
          if (field(parent, "operand")?.id !== node.id) return "none";
          const list = parent.parent;
          const owner = list?.type === "expression_list" ? list.parent : undefined;
          if (owner && list && ASSIGNMENTS.has(owner.type) && namedChildren(field(owner, "left")).length > namedChildren(list).length) return "none";
          node = parent;
          continue;
        }
        case "selector_expression": {
          if (field(parent, "operand")?.id !== node.id) return "none";
          const name = field(parent, "field")?.text ?? "";
          const grand = parent.parent;
          if (grand?.type === "call_expression" && field(grand, "function")?.id === parent.id) {
            if (ANY_RELEASE_METHOD.has(name)) return "release";
            // `syscall.Close(int(f.Fd()))` closes the descriptor behind the file.
            if (name === "Fd" && closesDescriptor(grand)) return "release";
            return "none";
          }
          // `resp.Body` stands for the response: its uses decide.
          if (name === "Body") {
            node = parent;
            continue;
          }
          // `return f.Close, nil`: the release escapes as a method value.
          return ANY_RELEASE_METHOD.has(name) ? "handoff" : "none";
        }
        case "argument_list":
          return this.effectOfArgument(parent.parent!, namedChildren(parent).findIndex((c) => c.id === node.id));
        case "expression_list": {
          const owner = parent.parent;
          if (!owner) return "none";
          if (owner.type === "return_statement") return "return";
          if (owner.type === "short_var_declaration" || owner.type === "assignment_statement") {
            const left = field(owner, "left");
            if (left?.id === parent.id) return node.id === use.id ? "overwrite" : "none";
            const i = namedChildren(parent).findIndex((c) => c.id === node.id);
            const target = namedChildren(left)[i];
            return target && target.text === "_" ? "none" : "handoff";
          }
          if (owner.type === "var_spec") return "handoff";
          if (owner.type === "range_clause") return "none";
          return "none";
        }
        case "literal_element":
        case "keyed_element":
          return field(parent, "key")?.id === node.id ? "none" : "handoff";
        case "literal_value":
          return "handoff";
        case "send_statement":
          return field(parent, "value")?.id === node.id ? "handoff" : "none";
        case "return_statement":
          return "return";
        case "var_spec":
          return field(parent, "value")?.id === node.id ? "handoff" : "none";
        case "index_expression":
          return "none";
        case "range_clause":
          return field(parent, "right")?.id === node.id ? this.effectOfRangedValues(parent) : "none";
        default:
          return "none";
      }
    }
  }

  /** `for _, c := range closers { c.Close() }` releases what the ranged slice holds. */
  private effectOfRangedValues(range: Node): UseEffect {
    const vars = namedChildren(field(range, "left"));
    const value = vars[1] ?? undefined;
    const body = range.parent && field(range.parent, "body");
    if (!value || value.type !== "identifier" || !body) return "none";
    return this.effectOnName(body, value.text);
  }

  private effectOfArgument(call: Node, index: number): UseEffect {
    if (index < 0) return "none";
    const target = this.targetOf(call);
    switch (target.type) {
      case "literal":
        return this.effectOfArgumentToLiteral(target.fn, index);
      case "local":
        if (NON_CLOSING_BUILTINS.has(target.name)) return "none";
        // A local function value: `done := func(r *sql.Rows) { r.Close() }` decides by its body;
        // a callback parameter (`fn(tx)` with `fn func(*sql.Tx) error`) borrows what it is given.
        if (this.isDeclaredInFunctions(call)) {
          const literal = this.localFuncLiteral(call);
          return literal ? this.effectOfArgumentToLiteral(literal, index) : "none";
        }
        if (target.name === "append") return index === 0 ? "none" : "handoff";
        if (target.name === "panic") return "none";
        return this.fromSummary(target, index, "handoff");
      case "package": {
        const nonClosing = NON_CLOSING_FUNCTIONS[target.importPath];
        if (nonClosing === "*" || nonClosing?.has(target.name)) return "none";
        if (this.workspace.knowledge.closers.includes(`${target.importPath}.${target.name}`)) return "release";
        return this.fromSummary(target, index, "handoff");
      }
      case "method":
        if (NON_CLOSING_METHODS.has(target.name)) return "none";
        return this.fromSummary(target, index, "handoff");
      default:
        return "handoff";
    }
  }

  private fromSummary(target: Target, index: number, unknown: UseEffect): UseEffect {
    const summary = this.summaryOf(target);
    if (!summary || summary === IN_PROGRESS) return unknown;
    const effect = summary.params[Math.min(index, summary.params.length - 1)];
    return effect ?? unknown;
  }
}

/**
 * Parameter types a resource can be passed as: the resource types themselves,
 * the interfaces they satisfy that can close them, and the empty interface.
 * Walking a body for every parameter of every function costs more than the
 * rest of the analysis together; other parameters are never looked at.
 */
const RESOURCE_PARAM = /\b(Rows|Stmt|NamedStmt|Tx|Conn|Response|File|Listener|PacketConn|UDPConn|TCPConn|UnixConn|IPConn|TCPListener|UnixListener|Closer|ReadCloser|WriteCloser|ReadWriteCloser)\b|interface\s*\{\s*\}|^(\.\.\.)?\[?\]?any$/;

function mayHoldResource(type: string): boolean {
  return RESOURCE_PARAM.test(type);
}


function closesDescriptor(fdCall: Node): boolean {
  for (let n = fdCall.parent; n; n = n.parent) {
    if (n.type === "call_expression") {
      const callee = field(n, "function")?.text ?? "";
      if (/^(u?int(32|64)?|uintptr|syscall\.Handle)$/.test(callee)) continue;
      return /^(\w+\.)?(close|Close|CloseHandle|closesocket)$/.test(callee);
    }
    if (n.type !== "argument_list" && n.type !== "type_conversion_expression" && n.type !== "parenthesized_expression") return false;
  }
  return false;
}

function calleeLabel(call: Node): string {
  const fn = field(call, "function");
  const text = fn ? fn.text.replace(/\s+/g, "") : "call";
  const parts = text.split(".");
  return parts.length > 2 ? parts.slice(-2).join(".") : text;
}
