/**
 * client-per-call: an `http.Transport`, gRPC connection, Redis client or SQL
 * pool is a connection pool with goroutines of its own. Built in a handler, a
 * loop or a function that runs per call, every call opens a pool nobody
 * reuses; unless it is closed, its idle connections stay open until the
 * process dies. A gRPC service built `&http.Transport{}` per request and ran
 * out of file descriptors. The construction may sit in a module function the
 * per-call code calls: the function summaries carry it there.
 */
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { Fix, RelatedLocation } from "../../core/types";
import type { Construction } from "../constructions";
import type { GoContext } from "../context";
import { nameOfKey } from "../facts";
import type { GoFacts } from "../frontend";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { CLIENT_IMPORTS, ClientFate, clientFate, declaredNames, detectClientConstruction, isTestCode } from "../client-constructors";
import { Position, isOnceOnly, positionOf } from "../function-role";
import { calleeParts, descendants, field, lineIndent, namedChildren, parameters, rangeOf } from "../syntax";

export const clientPerCall: Rule<GoFacts, GoGate> = {
  meta: {
    id: "client-per-call",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "A pooled client (http.Transport, gRPC, Redis, SQL) is built per request, per call or per loop iteration.",
    fullDescription:
      "An http.Transport (a literal or a clone of http.DefaultTransport), a gRPC connection (grpc.Dial, grpc.NewClient), a Redis client, a database/sql or sqlx " +
      "pool, or a constructor listed in go.clientConstructors owns a connection pool. Built inside a handler, a loop or a function that runs on every call " +
      "(directly or through wrappers of the module), each call opens a new pool that is never reused, and unless it is closed its idle connections and " +
      "goroutines stay alive. Build it once (a package variable, init, main, a sync.Once, or a constructor that stores it) and share it.",
    docs: "docs/rules/client-per-call.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [],
  },

  // Clients come from a client package the file imports, or from functions of the package or module that build them.
  mayReport: (gate) =>
    !gate.isTestFile &&
    (gate.importsPath((p) => CLIENT_IMPORTS.has(p)) || gate.workspace.knowledge.clientConstructors.length > 0 || gate.mayCallConstructors()),

  check(context) {
    const { file } = context.facts;
    for (const { reported, construction, pos, fate, unit } of perCallClients(context.facts)) {
      const related: RelatedLocation[] = [];
      if (unit === "iteration of the loop" && pos.loop) related.push({ file: file.path, range: rangeOf(pos.loop), message: "the loop that builds it again" });
      const fix = hoistFix(reported, pos, context.facts.ctx);
      context.report({
        range: rangeOf(reported),
        message: messageFor(pos, construction, unit, fate, file.packageName),
        related,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

export interface PerCallClient {
  /** The construction (a call or a composite literal). */
  node: Node;
  /** Where it is reported: the construction, or the client literal that wraps an inline transport. */
  reported: Node;
  construction: Construction;
  pos: Position;
  fate: ClientFate;
  unit: Unit;
}

/** The constructions this rule reports; client-without-timeout leaves their clients to it. */
export function perCallClients(facts: GoFacts): PerCallClient[] {
  return facts.shared("client-per-call", () => {
    const { file, ctx } = facts;
    // Tests and test-support packages (httptest, testutil) build clients per case, against their own servers.
    if (isTestCode(file)) return [];
    const direct = file.imports.some((i) => CLIENT_IMPORTS.has(i.path)) || ctx.workspace.knowledge.clientConstructors.length > 0;
    const viaNames = clientBuildingNames(ctx);
    if (!direct && viaNames.size === 0) return [];
    const root = file.tree.rootNode;
    const nodes = direct ? goQuery("[(call_expression) (composite_literal type: (qualified_type))] @n").captures(root).map((c) => c.node) : [];
    if (!direct) {
      for (const c of goQuery("(call_expression) @n").captures(root)) nodes.push(c.node);
    }
    const once = new RunsOnce(ctx);
    const out: PerCallClient[] = [];
    for (const node of nodes) {
      const construction = constructionAt(node, ctx, viaNames);
      if (!construction) continue;
      const pos = positionOf(node, file);
      const fate = clientFate(node, pos.fn, ctx);
      const unit = reportedUnit(node, pos, fate, once);
      if (unit) out.push({ node, reported: reportedNode(node, ctx), construction, pos, fate, unit });
    }
    return out;
  });
}

/** The client a node builds: a construction itself, or a call to a module function that builds one for its caller. */
function constructionAt(node: Node, ctx: GoContext, viaNames: Set<string>): Construction | undefined {
  const found = detectClientConstruction(node, ctx);
  if (found) return { ...found, via: [] };
  if (node.type !== "call_expression") return undefined;
  const name = calleeParts(node)?.name;
  if (!name || !viaNames.has(name)) return undefined;
  return ctx.constructionsAt(node).find((c) => c.family === "client");
}

type Unit = "call" | "request" | "iteration of the loop";

/**
 * When the construction repeats and leaks (see the docs' "How leaklint decides"):
 * - in a loop, unless each item keeps its client (returned, stored, collected in
 *   a map or slice) or a closed client is built from the loop's item;
 * - in a handler, unless it is a nil-guarded lazy store or a per-key map entry
 *   (closing it does not help: no connection is ever reused);
 * - in any other function, unless the client is returned or stored (the caller
 *   or the object owns it), or the function runs once (a setup name, a command's
 *   Run callback, or only called from main, init and the like in this file).
 *   Closing the client before returning does not help: nothing is reused.
 */
function reportedUnit(node: Node, pos: Position, fate: ClientFate, once: RunsOnce): Unit | undefined {
  const kept = fate.returned || !!fate.stored;
  if (pos.loop) {
    if (kept || fate.collected) return undefined;
    if (fate.closed && variesPerIteration(node, pos.loop)) return undefined;
    return "iteration of the loop";
  }
  if (isOnceOnly(pos.role)) return undefined;
  if (pos.role === "handler") {
    if (fate.stored && fate.guarded) return undefined;
    return "request";
  }
  if (kept || !pos.fn || once.test(pos.fn)) return undefined;
  if (fate.closed && dialsCallState(node, pos.fn)) return undefined;
  return "call";
}

/**
 * A closed client whose callbacks capture the call's own locals (`Dial` into an
 * in-memory pipe, as `httputil.DumpRequestOut` does) cannot be shared: it is a
 * tool of this one call.
 */
function dialsCallState(node: Node, fn: Node): boolean {
  const body = field(fn, "body");
  const params = new Set(parameters(fn).map((p) => p.name));
  const locals = body ? declaredNames(body) : new Set<string>();
  return descendants(node, new Set(["func_literal"]), true).some((literal) =>
    descendants(literal, new Set(["identifier"]), true).some((id) => locals.has(id.text) && !params.has(id.text) && !declaredNames(literal).has(id.text)),
  );
}

/** cobra's `Run`/`RunE` and urfave/cli's `Action`: a command runs once per process. */
const COMMAND_CALLBACK = /^(Run|RunE|PreRun|PreRunE|PostRun|PostRunE|PersistentPreRun|PersistentPreRunE|PersistentPostRun|PersistentPostRunE|Action|Before|After)$/;

function isCommandCallback(literal: Node): boolean {
  const el = literal.parent;
  const keyed = el?.type === "literal_element" ? el.parent : undefined;
  return keyed?.type === "keyed_element" && field(keyed, "value")?.id === el!.id && COMMAND_CALLBACK.test(field(keyed, "key")?.text ?? "");
}

/** Setup code by its name: it wires the program together and runs once. */
const SETUP_NAME = /^(run|Run|serve|Serve|start|Start|main|Main|setup|Setup|init|Init|initialize|Initialize|configure|Configure|bootstrap|Bootstrap|register|Register|wire|Wire|listen|Listen|provision|Provision|mount|Mount|routes|Routes)([A-Z_0-9]|$)/;

/**
 * Whether a function runs once per process: named like setup code, or every
 * call in this file is in main, init, a package initializer, a sync.Once body
 * or a function that itself runs once (handed to `once.Do` or `sync.OnceValue`
 * counts as such a call). Without calls in this file it runs per call.
 */
class RunsOnce {
  private readonly known = new Map<number, boolean>();
  private byName?: Map<string, Node[]>;

  constructor(private readonly ctx: GoContext) {}

  test(fn: Node, depth = 0): boolean {
    if (fn.type === "func_literal") return isCommandCallback(fn);
    const cached = this.known.get(fn.id);
    if (cached !== undefined) return cached;
    const name = field(fn, "name")?.text ?? "";
    if (SETUP_NAME.test(name)) return true;
    this.known.set(fn.id, false);
    const refs = this.references(name, fn.type === "method_declaration").filter((r) => r.startIndex < fn.startIndex || r.startIndex >= fn.endIndex);
    const once =
      refs.length > 0 &&
      depth < 4 &&
      refs.every((ref) => {
        const pos = positionOf(ref, this.ctx.file);
        if (pos.loop || pos.role === "handler") return false;
        if (isOnceOnly(pos.role)) return true;
        return !!pos.fn && this.test(pos.fn, depth + 1);
      });
    this.known.set(fn.id, once);
    return once;
  }

  /** Uses of a function (identifiers) or method (selected fields) by name in this file. */
  private references(name: string, method: boolean): Node[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const { node } of goQuery("[(identifier) (field_identifier)] @id").captures(this.ctx.file.tree.rootNode)) {
        if (node.type === "field_identifier" && node.parent?.type !== "selector_expression") continue;
        const key = `${node.type === "field_identifier" ? "." : ""}${node.text}`;
        this.byName.set(key, [...(this.byName.get(key) ?? []), node]);
      }
    }
    return this.byName.get(method ? `.${name}` : name) ?? [];
  }
}

/** A closed client built from the loop's item (`sql.Open("postgres", dsn)` per configured DSN) is one per target, not one per repetition. */
function variesPerIteration(node: Node, loop: Node): boolean {
  const names = declaredNames(loop);
  const header = namedChildren(loop).find((c) => c.type === "range_clause" || c.type === "for_clause");
  for (const id of descendants(header ?? loop, new Set(["identifier"]))) if (header && id.parent?.type === "expression_list") names.add(id.text);
  return descendants(node, new Set(["identifier"]), true).some((id) => names.has(id.text) && !isLiteralKey(id));
}

function isLiteralKey(id: Node): boolean {
  const el = id.parent;
  return el?.type === "literal_element" && el.parent?.type === "keyed_element" && field(el.parent, "key")?.id === el.id;
}

/** A transport given inline to an `http.Client` literal is reported at the client, where the statement starts. */
function reportedNode(node: Node, ctx: GoContext): Node {
  let n: Node = node;
  if (n.parent?.type === "unary_expression") n = n.parent;
  const el = n.parent;
  const keyed = el?.type === "literal_element" ? el.parent : undefined;
  const client = keyed?.type === "keyed_element" ? keyed.parent?.parent : undefined;
  if (client?.type === "composite_literal" && field(keyed!, "key")?.text === "Transport") {
    const type = field(client, "type");
    const pkg = type?.type === "qualified_type" ? field(type, "package")?.text : undefined;
    if (pkg && ctx.file.importPath(pkg) === "net/http" && field(type!, "name")?.text === "Client") {
      return client.parent?.type === "unary_expression" ? client.parent : client;
    }
  }
  return n;
}

function messageFor(pos: Position, c: Construction, unit: Unit, fate: ClientFate, packageName: string): string {
  const notes: string[] = [];
  // A transport literal says what it is; a call or a clone says how it was built.
  if (!c.what.startsWith("&")) notes.push(c.what);
  // Summaries label functions `pkg.Name`; the file's own package goes without saying.
  if (c.via.length > 0) notes.push(`through ${c.via.map((v) => (v.startsWith(`${packageName}.`) ? v.slice(packageName.length + 1) : v)).join(" → ")}`);
  const what = `${c.detail ?? c.what}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
  const pool = fate.closed
    ? "each one opens its own connection pool that is closed again before any connection is reused"
    : "each one opens its own connection pool that is never reused or closed";
  return `${pos.fnName} builds a new ${what} on every ${unit}: ${pool}; create it once (package level or in the constructor) and share it`;
}

// ---- which module functions build a client for their caller ----------------------

/**
 * Names of the functions and methods (of this package and the module packages
 * this file imports) whose summaries build a client for their caller, so only
 * calls to those ask for the costlier resolution. Not cached: summaries change
 * as documents are edited.
 */
function clientBuildingNames(ctx: GoContext): Set<string> {
  const names = new Set<string>();
  addBuilders(ctx.pkg, names);
  for (const imp of ctx.file.imports) {
    if (!ctx.workspace.packageMayConstruct(imp.path, ctx.pkg.dir)) continue;
    const pkg = ctx.workspace.packageByImportPath(imp.path, ctx.pkg.dir);
    if (pkg) addBuilders(pkg, names);
  }
  return names;
}

function addBuilders(pkg: GoContext["pkg"], names: Set<string>): void {
  for (const [key, summary] of pkg.constructingSummaries()) {
    if (summary.constructs.some((c) => c.family === "client")) names.add(nameOfKey(key));
  }
  if (pkg.base) addBuilders(pkg.base, names);
}

// ---- suggestion: hoist to package level ------------------------------------------

/**
 * `tr := &http.Transport{...}` becomes `var tr = &http.Transport{...}` above the
 * top-level function, when the statement declares one name, its value uses no local name,
 * and the package has no top-level name it would collide with (otherwise the
 * new variable gets a free name and the function's uses follow it).
 */
function hoistFix(reported: Node, pos: Position, ctx: GoContext): Fix | undefined {
  const fn = pos.fn;
  if (!fn || pos.role === "package-init") return undefined;
  const stmt = declaringStatement(reported);
  if (!stmt) return undefined;
  const { name, value } = stmt;
  // A function literal sees the locals of the functions around it, and the variable goes above all of them.
  let top = fn;
  while (top.parent && top.parent.type !== "source_file") top = top.parent;
  const locals = declaredNames(top);
  const usesLocal = descendants(value, new Set(["identifier"]), true).some((id) => locals.has(id.text) && !isLiteralKey(id) && !isSelectedField(id));
  if (usesLocal || value.type === "func_literal") return undefined;
  const text = ctx.file.text;
  const taken = topLevelNames(ctx);
  let hoisted = name.text;
  for (let i = 1; taken.has(hoisted); i++) hoisted = `${name.text}Shared${i > 1 ? i : ""}`;
  const indent = lineIndent(text, stmt.node.startIndex);
  const initializer = text.slice(value.startIndex, value.endIndex).split("\n").map((l, i) => (i > 0 && l.startsWith(indent) ? l.slice(indent.length) : l)).join("\n");
  const declStart = topLevelStart(top, text);
  const lineStart = text.lastIndexOf("\n", stmt.node.startIndex - 1) + 1;
  const lineEnd = text.indexOf("\n", stmt.node.endIndex);
  const edits = [
    { start: declStart, end: declStart, newText: `var ${hoisted} = ${initializer}\n\n` },
    { start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1, newText: "" },
  ];
  if (hoisted !== name.text) {
    const body = field(fn, "body");
    for (const id of body ? descendants(body, new Set(["identifier"]), true) : []) {
      if (id.text === name.text && id.startIndex > stmt.node.endIndex) edits.push({ start: id.startIndex, end: id.endIndex, newText: hoisted });
    }
  }
  return { title: `Move \`${name.text}\` to a package-level variable`, kind: "suggestion", edits };
}

/** `name := value` or `var name = value` whose whole value is the reported expression (or contains it). */
function declaringStatement(reported: Node): { node: Node; name: Node; value: Node } | undefined {
  const list = reported.parent;
  if (list?.type !== "expression_list" || namedChildren(list).length !== 1) return undefined;
  const owner = list.parent;
  if (owner?.type === "short_var_declaration") {
    const left = namedChildren(field(owner, "left"));
    if (left.length !== 1 || left[0].type !== "identifier" || owner.parent?.type !== "statement_list") return undefined;
    return { node: owner, name: left[0], value: reported };
  }
  if (owner?.type === "var_spec") {
    const names = owner.childrenForFieldName("name").filter((n): n is Node => !!n);
    const decl = owner.parent;
    if (names.length !== 1 || field(owner, "type") || decl?.type !== "var_declaration" || decl.parent?.type !== "statement_list") return undefined;
    return { node: decl, name: names[0], value: reported };
  }
  return undefined;
}

function isSelectedField(id: Node): boolean {
  return id.parent?.type === "selector_expression" && field(id.parent, "field")?.id === id.id;
}

/** Top-level names of the package (as far as they are known) and the file's imports. */
function topLevelNames(ctx: GoContext): Set<string> {
  const names = new Set<string>([...ctx.pkg.packageVars, ...ctx.file.packageVars, ...ctx.file.imports.map((i) => i.name)]);
  for (const key of ctx.pkg.functionKeys()) if (!key.includes(".")) names.add(key);
  for (const f of ctx.file.functions) if (!f.receiver) names.add(f.name);
  for (const decl of namedChildren(ctx.file.tree.rootNode)) {
    if (decl.type !== "type_declaration" && decl.type !== "const_declaration") continue;
    for (const spec of namedChildren(decl)) {
      for (const n of spec.childrenForFieldName("name")) if (n) names.add(n.text);
    }
  }
  return names;
}

/** Where a top-level declaration starts, doc comment included. */
function topLevelStart(decl: Node, text: string): number {
  let start = decl.startIndex;
  for (let prev = decl.previousNamedSibling; prev?.type === "comment" && prev.endPosition.row >= rowOf(text, start) - 1; prev = prev.previousNamedSibling) {
    start = prev.startIndex;
  }
  return text.lastIndexOf("\n", start - 1) + 1;
}

function rowOf(text: string, offset: number): number {
  let row = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) row++;
  return row;
}
