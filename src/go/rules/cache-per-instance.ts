/**
 * cache-per-instance: a cache built by a method, a per-object constructor, a
 * handler or a loop is built once per object, request or item. bigcache and
 * freecache preallocate their whole arena up front (hundreds of MB per
 * instance is common); go-cache, ristretto, expirable LRUs and ttlcache start
 * goroutines per instance. A service that gave every room its own cache grew
 * by gigabytes. The construction may sit several wrappers and packages away:
 * the function summaries carry it to the call in the per-instance code.
 */
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { RelatedLocation } from "../../core/types";
import type { Construction } from "../constructions";
import type { GoContext } from "../context";
import type { GoFacts } from "../frontend";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { cacheImportNames, isCacheImport } from "../cache-constructors";
import { functionKey } from "../facts";
import { FunctionRole, Position, isOnceOnly, positionOf } from "../function-role";
import { calleeParts, descendants, field, namedChildren, rangeOf } from "../syntax";

export const cachePerInstance: Rule<GoFacts, GoGate> = {
  meta: {
    id: "cache-per-instance",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "A cache is constructed per object, per request or per loop iteration instead of once.",
    fullDescription:
      "bigcache, freecache, fastcache and ristretto preallocate their memory when they are built, and go-cache, expirable LRUs, ristretto and ttlcache " +
      "start goroutines per instance. Building one in a method, a per-object constructor, an HTTP handler or a loop (directly or through wrappers in " +
      "other packages of the module) multiplies that cost by the number of objects or requests: a service whose rooms each built a 1024-shard bigcache " +
      "grew by gigabytes. Build the cache once and share it.",
    docs: "docs/rules/cache-per-instance.md",
    fixable: "none",
    nolintAliases: [],
    options: [],
  },

  mayReport: (gate) => !gate.isTestFile && (gate.importsPath((p) => isCacheImport(p, gate.workspace.knowledge)) || gate.mayCallConstructors()),

  check(context) {
    const { file, ctx } = context.facts;
    // Tests and benchmarks build caches on purpose, once per case.
    if (file.path.endsWith("_test.go")) return;
    const candidates = cacheCallees(ctx);
    if (!candidates) return;
    const calls = goQuery("[(call_expression) (type_conversion_expression type: (generic_type))] @call")
      .captures(file.tree.rootNode)
      .map((c) => c.node);
    const sites = constructionSites(ctx, calls, candidates);
    if (sites.length === 0) return;
    const frequency = new Frequency(ctx, calls);
    for (const { call, constructions } of sites) {
      const pos = frequency.reportedAt(call);
      if (!pos) continue;
      const shown = mostTelling(constructions);
      const related: RelatedLocation[] = [];
      if (pos.loop) related.push({ file: file.path, range: rangeOf(pos.loop), message: "the loop that repeats the construction" });
      const origin = originInFile(ctx, shown);
      if (origin) related.push({ file: file.path, range: rangeOf(origin), message: `${shown.what} builds the cache here` });
      context.report({
        range: rangeOf(field(call, "function") ?? field(call, "type") ?? call),
        message: messageFor(pos, shown, constructions.length, file.text),
        related,
      });
    }
  },
};

interface Site {
  call: Node;
  constructions: Construction[];
}

/** The names through which this file can reach a cache constructor. */
interface Callees {
  /** Local names of cache libraries (and packages of configured constructors). */
  direct: Set<string>;
  /** Functions of this package that build one. */
  functions: Set<string>;
  /** Method names of this package that build one. */
  methods: Set<string>;
  /** Local package name to its functions that build one, for packages of the module. */
  imported: Map<string, Set<string>>;
}

/** Undefined when no call of the file can build a cache: the summaries say which callees can. */
function cacheCallees(ctx: GoContext): Callees | undefined {
  const direct = cacheImportNames(ctx.file, ctx.workspace.knowledge);
  const { functions, methods } = cacheBuildingFunctions(ctx);
  const imported = new Map<string, Set<string>>();
  for (const imp of ctx.file.imports) {
    if (direct.has(imp.name) || !ctx.workspace.packageMayConstruct(imp.path, ctx.pkg.dir)) continue;
    const pkg = ctx.workspace.packageByImportPath(imp.path, ctx.pkg.dir);
    const names = pkg ? pkg.constructingSummaries().filter(([key, s]) => !key.includes(".") && buildsCache(s.constructs)).map(([key]) => key) : [];
    if (names.length > 0) imported.set(imp.name, new Set(names));
  }
  if (direct.size === 0 && functions.size === 0 && methods.size === 0 && imported.size === 0) return undefined;
  return { direct, functions, methods, imported };
}

/** Calls that build a cache; only calls of the candidate callees ask for the (costlier) resolution. */
function constructionSites(ctx: GoContext, calls: Node[], callees: Callees): Site[] {
  const out: Site[] = [];
  for (const call of calls) {
    if (!mayBuildCache(call, callees)) continue;
    const constructions = dedupe(constructionsOf(ctx, call));
    if (constructions.length > 0) out.push({ call, constructions });
  }
  return out;
}

/**
 * What a call builds. A generic call with one argument (`cachekit.New[string](8)`)
 * parses as a conversion, which the context does not resolve: its summary is looked up here.
 */
function constructionsOf(ctx: GoContext, call: Node): Construction[] {
  const direct = ctx.constructionsAt(call);
  if (direct.length > 0 || call.type !== "type_conversion_expression") return direct.filter((c) => c.family === "cache");
  const generic = genericCallee(call);
  if (!generic) return [];
  const importPath = generic.pkg ? ctx.file.importPath(generic.pkg) : undefined;
  const pkg = generic.pkg ? (importPath ? ctx.workspace.packageByImportPath(importPath, ctx.pkg.dir) : undefined) : ctx.pkg;
  return (pkg?.summary(generic.name)?.constructs ?? []).filter((c) => c.family === "cache");
}

function genericCallee(conversion: Node): { pkg?: string; name: string } | undefined {
  const generic = field(conversion, "type");
  const type = generic && field(generic, "type");
  if (type?.type === "type_identifier") return { name: type.text };
  if (type?.type !== "qualified_type") return undefined;
  const pkg = field(type, "package")?.text;
  const name = field(type, "name")?.text;
  return pkg && name ? { pkg, name } : undefined;
}

function mayBuildCache(call: Node, { direct, imported, functions, methods }: Callees): boolean {
  if (call.type === "type_conversion_expression") {
    const generic = genericCallee(call);
    if (!generic) return false;
    return generic.pkg ? direct.has(generic.pkg) || !!imported.get(generic.pkg)?.has(generic.name) : functions.has(generic.name);
  }
  const parts = calleeParts(call);
  if (!parts) return false;
  if (!parts.operand) return functions.has(parts.name);
  if (parts.operand.type === "identifier" && (direct.has(parts.operand.text) || imported.get(parts.operand.text)?.has(parts.name))) return true;
  return methods.has(parts.name);
}

const packageCaches = new WeakMap<object, { functions: Set<string>; methods: Set<string> }>();

/** Functions and method names of this package whose summaries build a cache. */
function cacheBuildingFunctions(ctx: GoContext): { functions: Set<string>; methods: Set<string> } {
  const cached = packageCaches.get(ctx.pkg);
  if (cached) return cached;
  const found = { functions: new Set<string>(), methods: new Set<string>() };
  for (const [key, summary] of ctx.pkg.constructingSummaries()) {
    if (!buildsCache(summary.constructs)) continue;
    const dot = key.indexOf(".");
    if (dot < 0) found.functions.add(key);
    else found.methods.add(key.slice(dot + 1));
  }
  packageCaches.set(ctx.pkg, found);
  return found;
}

function buildsCache(constructs: Construction[]): boolean {
  return constructs.some((c) => c.family === "cache");
}

function dedupe(constructions: Construction[]): Construction[] {
  const seen = new Set<string>();
  return constructions.filter((c) => {
    const key = `${c.what}\0${c.via.join("\0")}\0${c.detail ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- how often code runs ---------------------------------------------------------

/**
 * once: runs once per process (main, init, sync.Once, package initializers, or
 *   only ever called from there).
 * root: runs per object or request by its nature (a handler, a method, a
 *   per-object constructor): constructions in it are reported there.
 * inner: a helper that a reported call in this file runs; the call is the report.
 * quiet: a helper of unknown frequency; only its loops are reported.
 */
type Status = "once" | "root" | "inner" | "quiet";

class Frequency {
  private readonly status = new Map<number, Status>();
  private byName?: Map<string, Node[]>;

  constructor(
    private readonly ctx: GoContext,
    private readonly calls: Node[],
  ) {}

  /** Where a construction at `site` runs, when it runs per object, request or iteration and is reported there. */
  reportedAt(site: Node): Position | undefined {
    const pos = positionOf(site, this.ctx.file);
    const status = this.statusAt(pos);
    const loops = !!pos.loop && (status === "quiet" || (status === "once" && pos.role !== "package-init" && this.isEventLoop(pos.loop)));
    const repeated = status === "root" || (loops && !fillsCollection(site, pos.loop!) && !leavesLoop(site, pos.loop!));
    if (!repeated || this.calleeReportsItself(site)) return undefined;
    // `if s.cache == nil { s.cache = ... }` in a method of the one Server builds one cache.
    if (!pos.loop && pos.role === "method" && pos.fn && !perObjectType(receiverType(pos.fn)) && lazilyBuilt(site)) return undefined;
    return pos;
  }

  private statusAt(pos: Position): Status {
    if (isOnceOnly(pos.role) || !pos.fn) return "once";
    if (pos.fn.type === "func_literal") return pos.role === "handler" ? "root" : "quiet";
    return this.statusOf(pos.fn, pos.role);
  }

  private statusOf(decl: Node, role: FunctionRole): Status {
    const known = this.status.get(decl.id);
    if (known) return known;
    // Recursion (direct or mutual) settles on "quiet".
    this.status.set(decl.id, "quiet");
    const sites = this.callSitesOf(decl);
    const statuses = sites.map((site) => {
      const pos = positionOf(site, this.ctx.file);
      const status = this.statusAt(pos);
      // A call in main's accept loop runs per connection, not once.
      return status === "once" && pos.loop && this.isEventLoop(pos.loop) ? "quiet" : status;
    });
    let result: Status;
    if (sites.length > 0 && statuses.every((s) => s === "once")) result = "once";
    else if (perInstanceByNature(decl, role)) result = "root";
    else if (sites.some((site, i) => statuses[i] !== "once" && (statuses[i] === "inner" || this.reportedAt(site)) && this.buildsCache(site))) result = "inner";
    else result = "quiet";
    this.status.set(decl.id, result);
    return result;
  }

  /**
   * A loop that runs per event rather than over a fixed list: `for { conn, err := ln.Accept() ... }`,
   * `for sc.Scan()`, or a range over a channel. In main these repeat; `for _, r := range regions` does not.
   */
  private isEventLoop(loop: Node): boolean {
    const clause = namedChildren(loop)[0];
    if (!clause || clause.type === "block") return true;
    if (clause.type === "for_clause") return false;
    if (clause.type !== "range_clause") return true;
    const ranged = field(clause, "right");
    return !!ranged && /^(<-)?\s*chan\b/.test(this.ctx.typeTextOf(ranged) ?? "");
  }

  private buildsCache(call: Node): boolean {
    return this.ctx.constructionsAt(call).some((c) => c.family === "cache");
  }

  /** A call of a method or per-object constructor of this package that is reported inside its own body. */
  private calleeReportsItself(site: Node): boolean {
    const parts = site.type === "call_expression" ? calleeParts(site) : null;
    if (!parts) return false;
    const method = !!parts.operand && !(parts.operand.type === "identifier" && cacheImportPathOf(this.ctx, parts.operand.text));
    if (parts.operand && !method) return false;
    const local = this.ctx.file.functions.filter((f) => f.name === parts.name && !!f.receiver === method);
    if (local.length > 0) {
      return local.some((f) => {
        const body = field(f.node, "body");
        return !!body && this.statusAt(positionOf(body, this.ctx.file)) === "root" && buildsCache(this.ctx.pkg.summary(functionKey(f))?.constructs ?? []);
      });
    }
    // Declared in another file of the package: judged by its name, as that file's report will be.
    for (const [key, summary] of this.ctx.pkg.constructingSummaries()) {
      const dot = key.indexOf(".");
      const [receiver, name] = dot < 0 ? ["", key] : [key.slice(0, dot), key.slice(dot + 1)];
      if (name !== parts.name || !!receiver !== method || !buildsCache(summary.constructs)) continue;
      if (method ? !WIRING_METHOD.test(name) && (perObjectType(receiver) || !SETUP_METHOD.test(name)) : CONSTRUCTOR_NAME.test(name) && perObjectType(name.replace(CONSTRUCTOR_NAME, ""))) return true;
    }
    return false;
  }

  /** Calls of a function or method by its name in this file, outside its own body. */
  private callSitesOf(decl: Node): Node[] {
    const name = field(decl, "name")?.text;
    if (!name) return [];
    if (!this.byName) {
      this.byName = new Map();
      for (const call of this.calls) {
        const parts = call.type === "call_expression" ? calleeParts(call) : null;
        if (parts) this.byName.set(parts.name, [...(this.byName.get(parts.name) ?? []), call]);
      }
    }
    const method = decl.type === "method_declaration";
    return (this.byName.get(name) ?? []).filter((call) => {
      if (call.startIndex >= decl.startIndex && call.endIndex <= decl.endIndex) return false;
      return !!calleeParts(call)?.operand === method;
    });
  }
}

function cacheImportPathOf(ctx: GoContext, name: string): boolean {
  return !!ctx.file.importPath(name) || cacheImportNames(ctx.file, ctx.workspace.knowledge).has(name);
}

/** Types a program has one of: their constructors and setup methods run once. */
const ONE_PER_PROCESS =
  /(Server|Service|Svc|App|Application|Store|Storage|Repository|Repo|Registry|Manager|Mgr|Router|Mux|Controller|Module|Provider|Engine|Gateway|Proxy|Daemon|Backend|DB|Database|Config|Hub|Factory|Pool|Client|API|Api|System|Scheduler|Dispatcher|Broker|Bus|Loader|Resolver|Limiter|Directory|Catalog|Cluster|Supervisor|Coordinator|Orchestrator|Runtime|Platform|Plugin|Container|Env|Environment|Handler|Handlers|Deps|Dependencies|[^su]s)$/;
/** A wrapper that builds the cache itself: whoever calls it decides how often. */
const CACHE_TYPE = /(Cache|Cacher|Caches|LRU|Lru|ARC|Memo|Memoizer)$/;
/** Methods that wire a program together: they run once whatever their receiver. */
const WIRING_METHOD = /^(routes|Routes|registerRoutes|RegisterRoutes|setupRoutes|SetupRoutes|mount|Mount|registerHandlers|RegisterHandlers)$/;
const SETUP_METHOD = /^(init|Init|setup|Setup|start|Start|open|Open|load|Load|configure|Configure|bootstrap|Bootstrap|run|Run|serve|Serve|listen|Listen|register|Register|prepare|Prepare|connect|Connect|provision|Provision|wire|Wire)([A-Z_]|$)/;
const HANDLER_RESULT = /\b(Handler|HandlerFunc|Middleware|MiddlewareFunc)\b|^func\s*\(.*\b(ResponseWriter|gin\.Context|echo\.Context|fiber\.Ctx)\b/;
const CONSTRUCTOR_NAME = /^(New|new|Open|open|Must|must|Setup|setup|Make|make|Build|build|Create|create)(?=[A-Z_]|$)/;

function perObjectType(type: string): boolean {
  const name = type.charAt(0).toUpperCase() + type.slice(1);
  return name !== "" && !ONE_PER_PROCESS.test(name) && !CACHE_TYPE.test(name);
}

/** Handlers, methods (but the setup methods of one-per-process types) and constructors of per-object types. */
function perInstanceByNature(decl: Node, role: FunctionRole): boolean {
  // `func (s *Server) handleSearch() http.HandlerFunc` runs when routes are registered; the handler it returns runs per request.
  if (HANDLER_RESULT.test(field(decl, "result")?.text ?? "")) return false;
  switch (role) {
    case "handler":
      return true;
    case "method": {
      const name = field(decl, "name")?.text ?? "";
      // `(c Config) NewCache()` is a factory: its callers decide how often it runs.
      if (CONSTRUCTOR_NAME.test(name) && CACHE_TYPE.test(resultType(decl))) return false;
      if (WIRING_METHOD.test(name)) return false;
      return perObjectType(receiverType(decl)) || !SETUP_METHOD.test(name);
    }
    case "constructor":
      return perObjectType(constructedType(decl));
    default:
      return false;
  }
}

function receiverType(decl: Node): string {
  return field(decl, "receiver")?.descendantsOfType("type_identifier")[0]?.text ?? "";
}

/** "Room" for `func NewRoom(...) (*Room, error)`; from the name when the result says nothing. */
function constructedType(decl: Node): string {
  return resultType(decl) || (field(decl, "name")?.text ?? "").replace(CONSTRUCTOR_NAME, "");
}

/** The named type of the first result, or of its elements: "Cache" for `[]*lru.Cache[K, V]`. */
function resultType(decl: Node): string {
  const result = field(decl, "result");
  const first = result?.type === "parameter_list" ? namedChildren(result)[0] : result;
  const typeNode = first?.type === "parameter_declaration" ? field(first, "type") : first;
  // The element of a slice, array or map: `[]*T`, `map[K]*T`, `[4]T`.
  const text = (typeNode?.text ?? "").replace(/^(\s|\*|\[[^\]]*\]|map\[[^\]]*\])+/, "").replace(/\[.*$/s, "");
  const name = text.slice(text.lastIndexOf(".") + 1);
  return /^[A-Za-z_]\w*$/.test(name) && name !== "error" && name !== "any" && name !== "interface" ? name : "";
}

/**
 * `shards[i] = lru.New(n)` or `append(shards, c)` in a loop fills one sharded
 * structure (or one cache per key of a fixed set) rather than repeating work per item.
 */
function fillsCollection(call: Node, loop: Node): boolean {
  const list = call.parent;
  if (list?.type === "argument_list" && field(list.parent!, "function")?.text === "append") return true;
  const assign = list?.type === "expression_list" ? list.parent : undefined;
  if (!assign || (assign.type !== "assignment_statement" && assign.type !== "short_var_declaration")) return false;
  const targets = namedChildren(field(assign, "left"));
  if (targets.some((t) => t.type === "index_expression")) return true;
  const name = targets[0]?.type === "identifier" ? targets[0].text : undefined;
  if (!name || name === "_") return false;
  const body = field(loop, "body");
  if (!body) return false;
  for (const later of descendants(body, STORES)) {
    if (later.startIndex < assign.endIndex) continue;
    if (later.type === "assignment_statement") {
      const intoIndex = namedChildren(field(later, "left")).some((t) => t.type === "index_expression");
      if (intoIndex && namedChildren(field(later, "right")).some((v) => v.type === "identifier" && v.text === name)) return true;
    } else if (field(later, "function")?.text === "append" && namedChildren(field(later, "arguments")).slice(1).some((a) => a.text === name)) {
      return true;
    }
  }
  return false;
}

const STORES = new Set(["assignment_statement", "call_expression"]);

/** The call is assigned to a field inside `if <that field> == nil { ... }`. */
function lazilyBuilt(call: Node): boolean {
  const list = call.parent;
  const assign = list?.type === "expression_list" ? list.parent : undefined;
  if (assign?.type !== "assignment_statement") return false;
  const target = namedChildren(field(assign, "left"))[0];
  if (target?.type !== "selector_expression") return false;
  const guard = `${target.text.replace(/\s+/g, "")}==nil`;
  for (let n = assign.parent; n && n.type !== "function_declaration" && n.type !== "method_declaration" && n.type !== "func_literal"; n = n.parent) {
    if (n.type === "if_statement" && (field(n, "condition")?.text.replace(/\s+/g, "") ?? "").split("||").includes(guard)) return true;
  }
  return false;
}

/** `for attempt := ...; { c, err := New(); if err == nil { return c, nil } }` builds at most one that survives. */
function leavesLoop(call: Node, loop: Node): boolean {
  const list = call.parent;
  if (list?.type === "expression_list" && list.parent?.type === "return_statement") return true;
  const assign = list?.type === "expression_list" ? list.parent : undefined;
  if (!assign || (assign.type !== "assignment_statement" && assign.type !== "short_var_declaration")) return false;
  const target = namedChildren(field(assign, "left"))[0];
  if (target?.type !== "identifier" || target.text === "_") return false;
  const body = field(loop, "body");
  return !!body && descendants(body, RETURNS).some((ret) => ret.startIndex > assign.endIndex && descendants(ret, IDENTIFIERS).some((id) => id.text === target.text));
}

const RETURNS = new Set(["return_statement"]);
const IDENTIFIERS = new Set(["identifier"]);

// ---- the report ------------------------------------------------------------------

/** The construction that says the most: a memory estimate beats a goroutine beats nothing. */
function mostTelling(constructions: Construction[]): Construction {
  const score = (c: Construction) => (c.detail?.includes("preallocated") ? 2 : c.detail ? 1 : 0);
  return constructions.reduce((best, c) => (score(c) > score(best) ? c : best), constructions[0]);
}

function messageFor(pos: Position, c: Construction, count: number, text: string): string {
  const via = c.via.length > 0 ? ` (via ${c.via.join(" → ")})` : "";
  const detail = c.detail ? `: ${c.detail}` : "";
  const more = count > 1 ? ` (and ${count - 1} more cache${count > 2 ? "s" : ""})` : "";
  let when: string;
  let advice: string;
  if (pos.loop) {
    when = `on every iteration of the loop at line ${lineOf(text, pos.loop.startIndex)}`;
    advice = "build it once before the loop and share it";
  } else if (pos.role === "handler") {
    when = "on every request";
    advice = "build one cache at startup and share it across requests";
  } else if (pos.role === "constructor" && pos.fn) {
    const type = constructedType(pos.fn);
    when = type ? `for every ${type} it creates` : "on every call";
    advice = "build one cache at startup and pass it in, or share a package-level one";
  } else {
    when = "on every call";
    advice = "build one cache at startup and share it across instances";
  }
  return `${pos.fnName} builds a cache with ${c.what}${via} ${when}${detail}${more}; ${advice}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** The direct construction inside the innermost wrapper, when that wrapper is in this file. */
function originInFile(ctx: GoContext, c: Construction): Node | undefined {
  const innermost = c.via[c.via.length - 1];
  if (!innermost) return undefined;
  const fn = ctx.file.functions.find((f) => `${ctx.file.packageName}.${f.name}` === innermost);
  const body = fn && field(fn.node, "body");
  if (!body) return undefined;
  return descendants(body, CALLS, true).find((n) => ctx.constructionsAt(n).some((d) => d.family === "cache" && d.via.length === 0 && d.what === c.what));
}

const CALLS = new Set(["call_expression", "type_conversion_expression"]);
