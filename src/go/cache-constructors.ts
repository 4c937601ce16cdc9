/**
 * Cache constructors that preallocate memory or start goroutines per instance
 * (cache-per-instance). Each library knows how to read the memory a call
 * preallocates from a literal config, so the estimate travels in the
 * Construction's `detail` through the summaries to whoever calls the wrapper.
 */
import type { Node } from "./parser";
import type { GoContext } from "./context";
import { GoFile } from "./facts";
import { GoKnowledge } from "../core/config";
import { positionOf } from "./function-role";
import { callArguments, descendants, enclosingFunction, field, namedChildren, parameterNames, resultNames, stripAddress, unparen } from "./syntax";

/** Reads what one call preallocates from its arguments; undefined when nothing literal says so. */
type Estimator = (args: Node[], ctx: GoContext, call: Node) => string | undefined;

interface CacheLibrary {
  paths: string[];
  constructors: Record<string, Estimator>;
}

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

const LIBRARIES: CacheLibrary[] = [
  {
    paths: ["github.com/allegro/bigcache", "github.com/allegro/bigcache/v2", "github.com/allegro/bigcache/v3"],
    constructors: { New: bigcacheEstimate, NewBigCache: bigcacheEstimate },
  },
  {
    paths: ["github.com/coocood/freecache"],
    constructors: { NewCache: freecacheEstimate, NewCacheCustomTimer: freecacheEstimate, NewSyncCache: freecacheEstimate },
  },
  {
    paths: ["github.com/VictoriaMetrics/fastcache"],
    constructors: { New: (args, ctx) => fastcacheEstimate(args[0], ctx), LoadFromFileOrNew: (args, ctx) => fastcacheEstimate(args[1], ctx) },
  },
  {
    paths: ["github.com/dgraph-io/ristretto", "github.com/dgraph-io/ristretto/v2"],
    constructors: { NewCache: ristrettoEstimate },
  },
  {
    paths: ["github.com/patrickmn/go-cache"],
    constructors: { New: goCacheEstimate, NewFrom: goCacheEstimate },
  },
  {
    paths: ["github.com/hashicorp/golang-lru", "github.com/hashicorp/golang-lru/v2"],
    constructors: { New: lruEstimate, NewWithEvict: lruEstimate, New2Q: lruEstimate, New2QParams: lruEstimate, NewARC: lruEstimate },
  },
  {
    paths: ["github.com/hashicorp/golang-lru/simplelru", "github.com/hashicorp/golang-lru/v2/simplelru"],
    constructors: { NewLRU: lruEstimate },
  },
  {
    paths: ["github.com/hashicorp/golang-lru/arc/v2"],
    constructors: { NewARC: lruEstimate },
  },
  {
    paths: ["github.com/hashicorp/golang-lru/v2/expirable"],
    constructors: { NewLRU: expirableEstimate },
  },
  {
    paths: ["github.com/jellydator/ttlcache/v3"],
    constructors: { New: ttlcacheV3Estimate },
  },
  {
    // v2 and the original ReneKroon module start an expiration goroutine in the constructor.
    paths: ["github.com/jellydator/ttlcache", "github.com/jellydator/ttlcache/v2", "github.com/ReneKroon/ttlcache", "github.com/ReneKroon/ttlcache/v2"],
    constructors: { NewCache: () => "starts an expiration goroutine per instance that runs until Close", New: () => "starts an expiration goroutine per instance that runs until Close" },
  },
];

const BY_PATH = new Map<string, Record<string, Estimator>>();
for (const lib of LIBRARIES) for (const p of lib.paths) BY_PATH.set(p, lib.constructors);

/**
 * Names by which this file can call a cache constructor directly (a cache library,
 * or a package that owns a constructor from `go.cacheConstructors`), so a rule can
 * skip files that cannot.
 */
export function cacheImportNames(file: GoFile, knowledge: GoKnowledge): Set<string> {
  const out = new Set<string>();
  for (const imp of file.imports) if (isCacheImport(imp.path, knowledge)) out.add(imp.name);
  return out;
}

/** A cache library, or a package that owns a constructor from `go.cacheConstructors`. */
export function isCacheImport(importPath: string, knowledge: GoKnowledge): boolean {
  return BY_PATH.has(importPath) || knowledge.cacheConstructors.some((c) => c.startsWith(`${importPath}.`) && !c.slice(importPath.length + 1).includes("/"));
}

/**
 * `pkg.Name(args)` of a call, or of a generic instantiation with one argument,
 * which tree-sitter reads as a conversion: `lru.New[string, int](128)`.
 */
function callShape(node: Node): { operand: Node; name: string; args: Node[] } | undefined {
  if (node.type === "call_expression") {
    const fn = field(node, "function");
    const f = fn && unparen(fn);
    if (f?.type !== "selector_expression") return undefined;
    const operand = field(f, "operand");
    const name = field(f, "field")?.text;
    return operand?.type === "identifier" && name ? { operand, name, args: callArguments(node) } : undefined;
  }
  if (node.type === "type_conversion_expression") {
    const generic = field(node, "type");
    const qualified = generic?.type === "generic_type" ? field(generic, "type") : null;
    if (qualified?.type !== "qualified_type") return undefined;
    const operand = field(qualified, "package");
    const name = field(qualified, "name")?.text;
    const arg = field(node, "operand");
    return operand && name && arg ? { operand, name, args: [arg] } : undefined;
  }
  return undefined;
}

/** A function of the package that `detectCacheConstruction` reports, configured ones aside. */
export function isCacheConstructor(importPath: string, member: string): boolean {
  return !!BY_PATH.get(importPath)?.[member];
}

export function detectCacheConstruction(node: Node, ctx: GoContext) {
  const shape = callShape(node);
  if (!shape) return undefined;
  const importPath = ctx.file.importPath(shape.operand.text);
  if (!importPath) return undefined;
  const estimator = BY_PATH.get(importPath)?.[shape.name];
  if (!estimator && !ctx.workspace.knowledge.cacheConstructors.includes(`${importPath}.${shape.name}`)) return undefined;
  if (isShadowed(shape.operand) || isBuiltOnce(node, ctx)) return undefined;
  const detail = estimator?.(shape.args, ctx, node);
  return { family: "cache" as const, what: `${shape.operand.text}.${shape.name}`, ...(detail ? { detail } : {}) };
}

/**
 * A cache built inside a function literal that does not run in place (a handler
 * it returns, a callback it registers) is built when that literal runs, not
 * when the function is called: its callers' summaries do not carry it.
 */
export function cacheReachesCaller(node: Node, ctx: GoContext): boolean {
  return positionOf(node, ctx.file).fn?.type !== "func_literal";
}

/**
 * A parameter, result or local declared before `id` in a block around it hides the
 * package of the same name (`cache *Store`). `cache := cache.New(...)` does not:
 * the new variable's scope starts after the statement.
 */
function isShadowed(id: Node, name = id.text): boolean {
  for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) {
    if (parameterNames(fn).includes(name) || resultNames(fn).includes(name)) return true;
    const body = field(fn, "body");
    if (!body) continue;
    for (const decl of descendants(body, DECLARATIONS)) {
      if (decl.endIndex > id.startIndex) break;
      const names = decl.type === "var_spec" ? decl.childrenForFieldName("name") : namedChildren(field(decl, "left"));
      if (!names.some((n) => n?.text === name)) continue;
      const scope = decl.type === "var_spec" ? decl.parent?.parent : decl.parent;
      if (scope && scope.startIndex <= id.startIndex && id.endIndex <= scope.endIndex) return true;
    }
  }
  return false;
}

/**
 * Built once however often the code around it runs: inside a `sync.Once` body, or
 * straight into a package variable (the one shared instance, replaced rather than
 * multiplied).
 */
function isBuiltOnce(call: Node, ctx: GoContext): boolean {
  if (positionOf(call, ctx.file).role === "once") return true;
  const list = call.parent;
  const assign = list?.type === "expression_list" ? list.parent : undefined;
  if (assign?.type !== "assignment_statement" || field(assign, "right")?.id !== list!.id) return false;
  const left = namedChildren(field(assign, "left"));
  const target = left[left.length === namedChildren(list).length ? namedChildren(list).findIndex((n) => n.id === call.id) : 0];
  if (target?.type !== "identifier" || !(ctx.pkg.packageVars.has(target.text) || ctx.file.packageVars.has(target.text))) return false;
  return !isShadowed(call, target.text);
}

const DECLARATIONS = new Set(["var_spec", "short_var_declaration"]);

// ---- estimates -----------------------------------------------------------------

/** bigcache's DefaultConfig, the fields that size its preallocation. */
const BIGCACHE_DEFAULTS: BigcacheSizing = { Shards: 1024, MaxEntriesInWindow: 1000 * 10 * 60, MaxEntrySize: 500, HardMaxCacheSize: 0 };
const BIGCACHE_ZERO: BigcacheSizing = { Shards: 0, MaxEntriesInWindow: 0, MaxEntrySize: 0, HardMaxCacheSize: 0 };
type BigcacheField = "Shards" | "MaxEntriesInWindow" | "MaxEntrySize" | "HardMaxCacheSize";
/** A field is a number when literal, null when the code sets it to something we cannot evaluate. */
type BigcacheSizing = Record<BigcacheField, number | null>;

/**
 * Every shard preallocates a byte queue of max(MaxEntriesInWindow / Shards, 10)
 * x MaxEntrySize bytes, capped at HardMaxCacheSize MB / Shards when a hard
 * maximum is set (bigcache's initNewShard).
 */
function bigcacheEstimate(args: Node[], ctx: GoContext, call: Node): string | undefined {
  const config = args[args.length - 1];
  const sizing = config && bigcacheSizing(config, ctx, call);
  if (!sizing) return undefined;
  const { Shards: shards, MaxEntriesInWindow: window, MaxEntrySize: entry, HardMaxCacheSize: hardMax } = sizing;
  if (shards === null || shards <= 0) return undefined;
  if (window === null || entry === null || hardMax === null) return `${shards} shards, each preallocating its own entry queue`;
  let perShard = Math.max(Math.floor(window / shards), 10) * entry;
  if (hardMax > 0) perShard = Math.min(perShard, Math.floor((hardMax * MB) / shards));
  if (perShard * shards < KB) return undefined;
  return `about ${formatBytes(perShard * shards)} preallocated per call (${shards} shards x ${formatBytes(perShard)})`;
}

/** The sizing fields of a bigcache config expression: a literal, DefaultConfig(...), or a local built from them. */
function bigcacheSizing(expr: Node, ctx: GoContext, call: Node, depth = 0): BigcacheSizing | undefined {
  const e = stripAddress(expr);
  if (e.type === "composite_literal" && /(^|\.)Config$/.test(field(e, "type")?.text ?? "")) {
    const sizing = { ...BIGCACHE_ZERO };
    for (const [key, value] of keyedElements(e)) if (key in sizing) sizing[key as BigcacheField] = evalNumber(value, ctx);
    return sizing;
  }
  if (e.type === "call_expression" && /(^|\.)DefaultConfig$/.test(field(e, "function")?.text ?? "")) return { ...BIGCACHE_DEFAULTS };
  if (e.type !== "identifier" || depth > 2) return undefined;
  const local = localValue(e, call);
  if (!local) return undefined;
  const sizing = bigcacheSizing(local.value, ctx, call, depth + 1);
  if (!sizing) return undefined;
  // `cfg.Shards = 1024` between the declaration and the call; the last one wins.
  for (const assign of local.assignments) {
    const target = namedChildren(field(assign, "left"))[0];
    const fieldName = target?.type === "selector_expression" ? field(target, "field")?.text : undefined;
    const value = namedChildren(field(assign, "right"))[0];
    if (fieldName && fieldName in sizing && value) sizing[fieldName as BigcacheField] = evalNumber(value, ctx);
  }
  return sizing;
}

/** freecache splits `size` bytes (at least 512 KB) over 256 segments and allocates them all up front. */
function freecacheEstimate(args: Node[], ctx: GoContext): string | undefined {
  const size = args[0] ? evalNumber(args[0], ctx) : null;
  if (size === null) return "preallocates its whole size up front";
  return `${formatBytes(Math.max(size, 512 * KB))} preallocated per call`;
}

/** fastcache has 512 buckets of 64 KB chunks; each bucket gets at least one chunk. */
function fastcacheEstimate(arg: Node | undefined, ctx: GoContext): string | undefined {
  const size = arg ? evalNumber(arg, ctx) : null;
  if (size === null) return "allocates up to its maxBytes in 64 KB chunks";
  return `up to ${formatBytes(Math.max(size, 512 * 64 * KB))} per call`;
}

/**
 * ristretto preallocates a count-min sketch of 4 rows of NumCounters/2 bytes (rounded
 * up to a power of two) and a bloom filter of about 9.6 bits per counter, and starts
 * its own goroutines.
 */
function ristrettoEstimate(args: Node[], ctx: GoContext): string | undefined {
  const config = args[0] && stripAddress(args[0]);
  if (config?.type !== "composite_literal") return "starts its own goroutines per instance";
  const fields = new Map(keyedElements(config));
  const counters = fields.get("NumCounters");
  const maxCost = fields.get("MaxCost");
  const n = counters ? evalNumber(counters, ctx) : null;
  const parts: string[] = [];
  if (n !== null && n > 0) {
    const bytes = 2 * nextPowerOfTwo(n) + nextPowerOfTwo(Math.max(n * 9.585, 512)) / 8;
    parts.push(`about ${formatBytes(bytes)} of admission counters preallocated per call (NumCounters ${counters!.text})`);
  }
  if (maxCost) parts.push(`MaxCost ${maxCost.text}`);
  parts.push("its own goroutines");
  return parts.join(", ");
}

/** go-cache starts a janitor goroutine per instance when cleanupInterval > 0. */
function goCacheEstimate(args: Node[], ctx: GoContext, call: Node): string | undefined {
  const interval = args[1];
  if (!interval) return undefined;
  const text = interval.text.replace(/\s+/g, "");
  const pkg = calleePackage(call);
  if (pkg && (text === `${pkg}.NoExpiration` || text === `${pkg}.DefaultExpiration`)) return undefined;
  const value = evalNumber(interval, ctx);
  if (value !== null && value <= 0) return undefined;
  return `starts a janitor goroutine per instance (cleanup every ${interval.text})`;
}

function lruEstimate(args: Node[], ctx: GoContext): string | undefined {
  const size = args[0];
  if (!size) return undefined;
  const n = evalNumber(size, ctx);
  return n !== null ? `holds up to ${n} entries` : undefined;
}

/** expirable.NewLRU with a TTL starts a goroutine that never exits (golang-lru v2). */
function expirableEstimate(args: Node[], ctx: GoContext): string | undefined {
  const size = lruEstimate(args, ctx);
  const ttl = args[2] ? evalNumber(args[2], ctx) : null;
  if (ttl !== null && ttl <= 0) return size;
  return [size, "starts an expiry goroutine per instance that never exits"].filter(Boolean).join(", ");
}

/** ttlcache v3: `WithCapacity[K, V](n)` bounds it; its goroutine only runs after `go cache.Start()`. */
function ttlcacheV3Estimate(args: Node[], ctx: GoContext): string | undefined {
  for (const arg of args) {
    const shape = callShape(unparen(arg));
    if (shape?.name === "WithCapacity" && shape.args[0]) {
      const n = evalNumber(shape.args[0], ctx);
      if (n !== null) return `holds up to ${n} entries`;
    }
  }
  return undefined;
}

// ---- literal values --------------------------------------------------------------

function keyedElements(literal: Node): [string, Node][] {
  const out: [string, Node][] = [];
  for (const el of namedChildren(field(literal, "body"))) {
    if (el.type !== "keyed_element") continue;
    const [key, value] = namedChildren(el);
    const k = key?.type === "literal_element" ? namedChildren(key)[0] : key;
    const v = value?.type === "literal_element" ? namedChildren(value)[0] : value;
    if (k && v) out.push([k.text, v]);
  }
  return out;
}

/** The value a local was declared with before `use`, and the `name.Field = ...` assignments between. */
function localValue(id: Node, use: Node): { value: Node; assignments: Node[] } | undefined {
  const fn = enclosingFunction(use);
  const body = fn && field(fn, "body");
  if (!body) return undefined;
  let value: Node | undefined;
  let assignments: Node[] = [];
  for (const stmt of descendants(body, LOCAL_STATEMENTS)) {
    if (stmt.startIndex >= use.startIndex) break;
    if (stmt.type === "assignment_statement") {
      const target = namedChildren(field(stmt, "left"))[0];
      const operand = target?.type === "selector_expression" ? field(target, "operand") : undefined;
      if (value && operand?.type === "identifier" && operand.text === id.text) assignments.push(stmt);
      if (target?.type === "identifier" && target.text === id.text) {
        value = namedChildren(field(stmt, "right"))[0];
        assignments = [];
      }
      continue;
    }
    const names = stmt.type === "var_spec" ? stmt.childrenForFieldName("name") : namedChildren(field(stmt, "left"));
    const i = names.findIndex((n) => n?.text === id.text);
    if (i < 0) continue;
    value = namedChildren(field(stmt, stmt.type === "var_spec" ? "value" : "right"))[i];
    assignments = [];
  }
  if (value) return { value, assignments };
  if (isShadowed(id)) return undefined;
  // A package-level `var defaultConfig = bigcache.Config{...}` of this file.
  for (const spec of namedChildren(use.tree.rootNode).filter((d) => d.type === "var_declaration").flatMap((d) => descendants(d, VAR_SPECS))) {
    const i = spec.childrenForFieldName("name").findIndex((n) => n?.text === id.text);
    const v = i >= 0 ? namedChildren(field(spec, "value"))[i] : undefined;
    if (v) return { value: v, assignments: [] };
  }
  return undefined;
}

const VAR_SPECS = new Set(["var_spec"]);

const LOCAL_STATEMENTS = new Set(["var_spec", "short_var_declaration", "assignment_statement"]);

/** A constant number: literals, arithmetic, conversions and constants declared in the file or function. */
export function evalNumber(expr: Node, ctx: GoContext, depth = 0): number | null {
  if (depth > 8) return null;
  const e = unparen(expr);
  switch (e.type) {
    case "int_literal":
    case "float_literal": {
      const n = Number(e.text.replace(/_/g, "").replace(/^0([0-7]+)$/, "0o$1"));
      return Number.isFinite(n) ? n : null;
    }
    case "unary_expression": {
      const operand = field(e, "operand");
      const v = operand ? evalNumber(operand, ctx, depth + 1) : null;
      const op = e.child(0)?.type;
      return v === null ? null : op === "-" ? -v : op === "+" ? v : null;
    }
    case "binary_expression": {
      const l = field(e, "left");
      const r = field(e, "right");
      const a = l ? evalNumber(l, ctx, depth + 1) : null;
      const b = r ? evalNumber(r, ctx, depth + 1) : null;
      if (a === null || b === null) return null;
      switch (field(e, "operator")?.type ?? e.child(1)?.type) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return b === 0 ? null : Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
        case "<<":
          return a * 2 ** b;
        case ">>":
          return Math.floor(a / 2 ** b);
        default:
          return null;
      }
    }
    case "call_expression": {
      // `int64(16 << 20)`, `uint64(size)`
      const callee = field(e, "function")?.text ?? "";
      const args = callArguments(e);
      return /^(u?int(8|16|32|64)?|float(32|64)|uintptr|time\.Duration)$/.test(callee) && args.length === 1 ? evalNumber(args[0], ctx, depth + 1) : null;
    }
    case "identifier": {
      const value = constantValue(e, ctx);
      return value ? evalNumber(value, ctx, depth + 1) : null;
    }
    case "selector_expression": {
      const unit = TIME_UNITS[field(e, "field")?.text ?? ""];
      const operand = field(e, "operand");
      return unit !== undefined && operand?.type === "identifier" && ctx.file.importPath(operand.text) === "time" ? unit : null;
    }
    default:
      return null;
  }
}

/** time.Duration units in nanoseconds, so `10 * time.Minute` evaluates (its sign is what matters). */
const TIME_UNITS: Record<string, number> = { Nanosecond: 1, Microsecond: 1e3, Millisecond: 1e6, Second: 1e9, Minute: 60e9, Hour: 3600e9 };

function calleePackage(call: Node): string | undefined {
  const fn = field(call, "function");
  const operand = fn?.type === "selector_expression" ? field(fn, "operand") : undefined;
  return operand?.text;
}

/** The value of a `const` declared in the enclosing functions or at the top of the file. */
function constantValue(id: Node, ctx: GoContext): Node | undefined {
  const scopes: Node[] = [];
  for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) {
    const body = field(fn, "body");
    if (body) scopes.push(body);
  }
  for (const scope of scopes) {
    const found = constIn(descendants(scope, CONST_SPECS), id.text);
    if (found) return found;
  }
  return constIn(
    namedChildren(ctx.file.tree.rootNode)
      .filter((d) => d.type === "const_declaration")
      .flatMap((d) => namedChildren(d).filter((s) => s.type === "const_spec")),
    id.text,
  );
}

function constIn(specs: Node[], name: string): Node | undefined {
  for (const spec of specs) {
    const names = spec.childrenForFieldName("name");
    const i = names.findIndex((n) => n?.text === name);
    if (i >= 0) return namedChildren(field(spec, "value"))[i];
  }
  return undefined;
}

const CONST_SPECS = new Set(["const_spec"]);

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Binary units, as the libraries count them: 524288000 bytes is "500 MB". */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [GB, "GB"],
    [MB, "MB"],
    [KB, "KB"],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : Math.round(v * 10) / 10} ${unit}`;
    }
  }
  return `${Math.round(n)} bytes`;
}
