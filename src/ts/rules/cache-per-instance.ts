/**
 * cache-per-instance (TS/JS): a cache built in a class constructor, a field
 * initializer, a method, a request handler or a loop is built once per
 * object, call, request or item instead of once. Each instance holds its own
 * entries (the hit rate collapses and memory multiplies), and node-cache and
 * @isaacs/ttlcache start a timer per instance that keeps running, with the
 * cache, after the object is gone. A function or class of the file that
 * builds a cache for its caller carries the construction to its callers.
 */
import ts = require("typescript");
import { Rule } from "../../core/rule";
import { RelatedLocation } from "../../core/types";
import { Fate, fateOf } from "../constructions";
import { TsFile } from "../facts";
import { Frequency, Position, className, frequencyOf, isSingletonClass, isTestFile } from "../function-role";
import { localFunction, parseConfiguredName } from "../scopes";
import { isReference, resolveName } from "../scopes";
import { FunctionLike, calleeOf, enclosingFunction, isFunctionLike, rangeOf, skipOuter, stringValue } from "../syntax";
import type { TsFacts } from "../frontend";

interface CacheKind {
  /** How messages name the constructor: "new LRUCache", "caching". */
  what: string;
  /** What one instance costs beyond its entries, when that is worth saying. */
  detail?: (call: ts.NewExpression | ts.CallExpression) => string | undefined;
}

const lru: CacheKind = { what: "LRUCache", detail: lruDetail };
const nodeCache: CacheKind = {
  what: "NodeCache",
  detail: (call) => (numberOption(call, "checkperiod") === 0 ? undefined : "node-cache starts a check timer per instance, which keeps the cache alive after its owner is gone"),
};
const ttlCache: CacheKind = { what: "TTLCache", detail: () => "@isaacs/ttlcache keeps a purge timer per instance" };
const keyv: CacheKind = {
  what: "Keyv",
  detail: (call) => {
    const uri = call.arguments?.[0] && stringValue(skipOuter(call.arguments[0]));
    const scheme = uri && /^(\w+):/.exec(uri)?.[1];
    return scheme ? `each one opens its own ${scheme} connection` : undefined;
  },
};
const cacheManager: CacheKind = { what: "cache-manager cache" };

/** `new` of these module members, by module. */
const NEW_CACHES: Record<string, Record<string, CacheKind>> = {
  "lru-cache": { default: lru, LRUCache: lru, "default.LRUCache": lru },
  "node-cache": { default: nodeCache, NodeCache: nodeCache },
  "quick-lru": { default: { what: "QuickLRU" } },
  "@alloc/quick-lru": { default: { what: "QuickLRU" } },
  keyv: { default: keyv, Keyv: keyv },
  "@keyv/redis": { default: { what: "KeyvRedis", detail: () => "each one opens its own Redis connection" } },
  "@isaacs/ttlcache": { default: ttlCache },
  lru_map: { LRUMap: { what: "LRUMap" } },
  mnemonist: { LRUCache: { what: "mnemonist LRUCache" }, LRUMap: { what: "mnemonist LRUMap" } },
  "mnemonist/lru-cache": { default: { what: "mnemonist LRUCache" } },
  "tiny-lru": { LRU: { what: "tiny-lru LRU" } },
  "memory-cache": { Cache: { what: "memory-cache Cache" } },
};

/** Calls of these module members. */
const CALL_CACHES: Record<string, Record<string, CacheKind>> = {
  "cache-manager": { caching: cacheManager, createCache: cacheManager, multiCaching: cacheManager },
  "tiny-lru": { lru: { what: "tiny-lru lru" }, default: { what: "tiny-lru lru" } },
};

/** Class names of types a program has one of: their constructors and setup methods run once (as in the Go rule). */
const ONE_PER_PROCESS =
  /(Server|Service|Svc|App|Application|Store|Storage|Repository|Repo|Registry|Manager|Mgr|Router|Controller|Module|Provider|Engine|Gateway|Proxy|Daemon|Backend|DB|Db|Database|Config|Hub|Factory|Pool|Client|API|Api|System|Scheduler|Dispatcher|Broker|Bus|Loader|Resolver|Limiter|Directory|Catalog|Cluster|Supervisor|Coordinator|Orchestrator|Runtime|Platform|Plugin|Container|Env|Environment|Handler|Handlers|Deps|Dependencies|Middleware|Adapter|Driver|Agent|Bot|Worker|[^su]s)$/;
/** A wrapper that is the cache itself: whoever constructs it decides how often. */
const CACHE_TYPE = /(Cache|Cacher|Caches|LRU|Lru|Memo|Memoizer|Map|Store)$/;

export const cachePerInstance: Rule<TsFacts> = {
  meta: {
    id: "cache-per-instance",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "A cache is constructed per object, per request or per loop iteration instead of once.",
    fullDescription:
      "new LRUCache (lru-cache), new NodeCache (node-cache, which starts a check timer per instance), QuickLRU, Keyv, @isaacs/ttlcache and cache-manager's caching/createCache " +
      "(or a constructor listed in ts.cacheConstructors) built in a class constructor or field initializer of a per-object class, a method, a request handler or a loop " +
      "is built once per object, call, request or item: each holds its own entries, the hit rate collapses, memory multiplies and timers pile up. Build the cache once and share it.",
    docs: "docs/rules/cache-per-instance.md",
    fixable: "none",
    nolintAliases: [],
    options: [],
  },

  check(context) {
    const { file, ctx } = context.facts;
    if (isTestFile(file.path)) return;
    const recognise = new Recognizer(file, ctx.knowledge.cacheConstructors);
    if (!recognise.mayConstruct()) return;
    const freq = frequencyOf(file);
    const judge = new Judge(file, recognise, freq);
    for (const node of [...file.news, ...file.calls]) {
      const found = judge.siteOf(node);
      if (!found) continue;
      const { built, pos, when } = found;
      const related: RelatedLocation[] = [];
      if (pos.loop && when.startsWith("on every")) related.push({ file: file.path, range: rangeOf(file.sourceFile, pos.loop.node), message: "the loop that repeats the construction" });
      if (built.origin) related.push({ file: file.path, range: rangeOf(file.sourceFile, built.origin), message: `${built.via[built.via.length - 1]} builds the cache here` });
      const site = pos.cls && pos.role === "constructor" ? judge.perCallSite.get(pos.cls) : undefined;
      if (site) related.push({ file: file.path, range: rangeOf(file.sourceFile, site), message: `${className(pos.cls!)} is constructed here on every ${freq.positionOf(site).loop?.unit ?? (freq.positionOf(site).unit || "call")}` });
      context.report({ range: rangeOf(file.sourceFile, node), message: messageFor(pos, built, when), related });
    }
  },
};

interface Built {
  kind: CacheKind;
  node: ts.NewExpression | ts.CallExpression;
  /** The functions or classes of the file it goes through, outermost first. */
  via: string[];
  origin?: ts.Node;
}

// ---- what builds a cache -------------------------------------------------------------

class Recognizer {
  private readonly configured: { module?: string; name: string }[];

  constructor(
    private readonly file: TsFile,
    configured: string[],
  ) {
    this.configured = configured.map(parseConfiguredName);
  }

  mayConstruct(): boolean {
    return this.configured.length > 0 || this.file.importsAny((m) => m in NEW_CACHES || m in CALL_CACHES);
  }

  kindOf(node: ts.Node): Built | undefined {
    const isNew = ts.isNewExpression(node);
    if (!isNew && !ts.isCallExpression(node)) return undefined;
    const call = node as ts.NewExpression | ts.CallExpression;
    const callee = isNew ? (node as ts.NewExpression).expression : calleeOf(node as ts.CallExpression);
    const q = this.file.qualify(callee);
    for (const c of this.configured) {
      const hit = c.module === undefined ? ts.isPropertyAccessExpression(callee) && callee.name.text === c.name : !!q && "module" in q && q.module === c.module && q.name === c.name;
      if (hit) return { kind: { what: c.name }, node: call, via: [] };
    }
    if (!q || !("module" in q)) return undefined;
    const kind = (isNew ? NEW_CACHES : CALL_CACHES)[q.module]?.[q.name];
    return kind ? { kind, node: call, via: [] } : undefined;
  }
}

/**
 * How often each construction runs (see the docs' "How leaklint decides").
 * A construction is reported where it repeats: in a handler, a loop, a
 * method, a per-object class, or a function that drops it when it returns.
 * A function that returns a cache, or a class that keeps one, is a builder:
 * its per-request or per-item callers are reported instead.
 */
class Judge {
  private readonly builders = new Map<ts.Node, Built | null>();
  private readonly perObject = new Map<ts.ClassLikeDeclaration, boolean>();
  /** Where the file constructs a per-object class per request, call or item. */
  readonly perCallSite = new Map<ts.ClassLikeDeclaration, ts.NewExpression>();

  constructor(
    private readonly file: TsFile,
    private readonly recognise: Recognizer,
    private readonly freq: Frequency,
  ) {}

  siteOf(node: ts.Node): { built: Built; pos: Position; when: string } | undefined {
    const direct = this.recognise.kindOf(node);
    const built = direct ?? this.through(node);
    if (!built) return undefined;
    if (direct && wrapsGivenStore(direct.node)) return undefined;
    const pos = this.freq.positionOf(node);
    const fate = fateOf(node as ts.Expression, enclosingFunction(node), (c) => this.file.qualifiedName(c));
    if (fate.wrappers.some((w) => this.recognise.kindOf(w) || this.through(w))) return undefined;
    const when = this.repeats(node, pos, fate, !direct);
    return when ? { built, pos, when } : undefined;
  }

  private repeats(node: ts.Node, pos: Position, fate: Fate, viaBuilder: boolean): string | undefined {
    const loop = pos.loop;
    if (loop && !loop.fixed && (pos.role !== "once" || !ts.isIterationStatement(loop.node, false))) {
      // `caches.set(region, new LRUCache(...))`, `shards.push(...)`: the loop fills one structure.
      if (fate.collected || fate.returned || leavesLoop(node, loop.node)) return undefined;
      return `on every ${loop.unit}`;
    }
    switch (pos.role) {
      case "once":
        return undefined;
      case "handler":
        if ((fate.stored && fate.guarded) || fate.collectedOutside) return undefined;
        return `on every ${pos.unit}`;
      case "constructor": {
        if (!pos.cls || !this.isPerObject(pos.cls)) return undefined;
        if (injectable(node, pos)) return undefined;
        return `for every ${className(pos.cls)} it creates`;
      }
      case "method": {
        if (fate.returned) return undefined;
        // A lazily built or replaced field: one cache per object at a time (reported at the constructor when the class is per object).
        if (fate.stored && !fate.collected) return undefined;
        if (fate.handedOff && !viaBuilder) return undefined;
        return "on every call";
      }
      default: {
        // `function createWidget(id) { const cache = ...; return { render: () => cache.get(id) } }`: one cache per widget.
        const made = pos.fn && this.perObjectFactory(pos.fn);
        if (made && (fate.returnedInside || fate.captured)) return `for every ${made} it creates`;
        if (fate.returned || fate.stored || fate.handedOff) return undefined;
        return "on every call";
      }
    }
  }

  /**
   * A class instantiated per object. A DI singleton is not; a class the
   * file constructs is per object when one of those constructions runs per
   * request, call or item; otherwise its name decides (`Room`, `Session` are
   * per object; `UserService`, `Server`, `UserCache` are one per process).
   */
  private isPerObject(cls: ts.ClassLikeDeclaration): boolean {
    const known = this.perObject.get(cls);
    if (known !== undefined) return known;
    this.perObject.set(cls, false);
    let result: boolean;
    const sites = this.instantiations(cls);
    const name = className(cls);
    if (isSingletonClass(cls)) result = false;
    else if (sites.length > 0) {
      const perCall = sites.find((s) => !this.runsOnce(s));
      if (perCall) this.perCallSite.set(cls, perCall);
      result = !!perCall;
    }
    else result = name !== "the class" && perObjectName(name);
    this.perObject.set(cls, result);
    return result;
  }

  /** "Widget" for `createWidget`, `makeSession`, `newRoom` when that names a per-object type; undefined otherwise. */
  private perObjectFactory(fn: FunctionLike): string | undefined {
    const m = /^(create|make|build|new)([A-Z]\w*)$/.exec(this.freq.nameOf(fn));
    return m && perObjectName(m[2]) ? m[2] : undefined;
  }

  private runsOnce(site: ts.Node): boolean {
    const pos = this.freq.positionOf(site);
    return pos.role === "once" && (!pos.loop || pos.loop.fixed);
  }

  private instantiations(cls: ts.ClassLikeDeclaration): ts.NewExpression[] {
    const decl = cls.name ? cls : undefined;
    if (!decl) return [];
    return this.file.news.filter((n) => {
      const e = skipOuter(n.expression);
      return ts.isIdentifier(e) && resolveName(e, e.text)?.decl === decl;
    });
  }

  // ---- builders ------------------------------------------------------------------------

  /** A call of a function of the file that returns a cache, or `new` of a class that keeps one. */
  through(node: ts.Node, depth = 0): Built | undefined {
    if (depth > 3) return undefined;
    let target: ts.Node | undefined;
    let name = "";
    if (ts.isNewExpression(node)) {
      const e = skipOuter(node.expression);
      if (ts.isIdentifier(e)) {
        const r = resolveName(e, e.text);
        if (r && ts.isClassLike(r.decl)) target = r.decl;
        name = e.text;
      }
    } else if (ts.isCallExpression(node)) {
      const c = calleeOf(node);
      if (ts.isIdentifier(c)) {
        target = localFunction(c);
        name = c.text;
      }
    }
    if (!target) return undefined;
    const built = this.builds(target, depth);
    return built ? { kind: built.kind, node: node as ts.NewExpression | ts.CallExpression, via: [name, ...built.via], origin: built.origin ?? built.node } : undefined;
  }

  private builds(target: ts.Node, depth: number): Built | undefined {
    const known = this.builders.get(target);
    if (known !== undefined) return known ?? undefined;
    this.builders.set(target, null);
    let found: Built | undefined;
    const visit = (root: ts.Node, want: (f: Fate, n: ts.Node) => boolean) => {
      const walk = (n: ts.Node): void => {
        if (found) return;
        if (n !== root && (isFunctionLike(n) || ts.isClassLike(n))) return;
        if (ts.isNewExpression(n) || ts.isCallExpression(n)) {
          const b = this.recognise.kindOf(n) ?? this.through(n, depth + 1);
          if (b) {
            const fate = fateOf(n, enclosingFunction(n), (c) => this.file.qualifiedName(c));
            if (want(fate, n) && !fate.guarded) found = b;
          }
        }
        n.forEachChild(walk);
      };
      walk(root);
    };
    // Classes report their own constructors (see isPerObject); functions that return a cache are judged at their calls.
    if (isFunctionLike(target) && target.body && this.freq.functionRole(target as FunctionLike).role !== "once") {
      visit(target.body, (f) => f.returned && !f.returnedInside);
    }
    this.builders.set(target, found ?? null);
    return found;
  }
}

function perObjectName(name: string): boolean {
  return !ONE_PER_PROCESS.test(name) && !CACHE_TYPE.test(name);
}

/** `new Keyv({ store })` over a store someone else built: a namespace, not a new cache. */
function wrapsGivenStore(call: ts.NewExpression | ts.CallExpression): boolean {
  const opts = call.arguments?.[0] && skipOuter(call.arguments[0]);
  if (!opts || !ts.isObjectLiteralExpression(opts)) return false;
  return opts.properties.some((p) => {
    if (p.name?.getText() !== "store") return false;
    if (ts.isShorthandPropertyAssignment(p)) return true;
    const v = ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
    return !!v && !ts.isNewExpression(v) && !ts.isCallExpression(v);
  });
}

/**
 * The caller decides: a default for a cache the constructor accepts
 * (`cache ?? new LRUCache()`, or the same field assigned from a parameter),
 * or a cache sized by a constructor parameter (`new LRUCache({ max })`): a
 * container the caller configures, judged where it is constructed.
 */
function injectable(node: ts.Node, pos: Position): boolean {
  const ctor = pos.fn && ts.isConstructorDeclaration(pos.fn) ? pos.fn : undefined;
  if (!ctor) return false;
  const params = new Set(ctor.parameters.map((p) => p.name));
  const fromParam = (e: ts.Node): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && isReference(n)) {
        const r = resolveName(n, n.text);
        if (r && (params.has(r.decl as ts.BindingName) || (ts.isParameter(r.decl) && r.decl.parent === ctor))) found = true;
        return;
      }
      n.forEachChild(visit);
    };
    visit(e);
    return found;
  };
  let value: ts.Node = node;
  while (ts.isParenthesizedExpression(value.parent) || ts.isAwaitExpression(value.parent)) value = value.parent;
  const p = value.parent;
  if (ts.isBinaryExpression(p) && p.right === value && /^(\?\?|\|\|)$/.test(p.operatorToken.getText()) && fromParam(p.left)) return true;
  const call = node as ts.NewExpression | ts.CallExpression;
  const opts = call.arguments?.[0] && skipOuter(call.arguments[0]);
  if (opts && ts.isObjectLiteralExpression(opts)) {
    for (const prop of opts.properties) {
      if (!/^(max|maxSize|maxEntries|maxKeys|size|capacity)$/.test(prop.name?.getText() ?? "")) continue;
      if (ts.isShorthandPropertyAssignment(prop) ? fromParam(prop.name) : ts.isPropertyAssignment(prop) && fromParam(prop.initializer)) return true;
    }
  } else if (opts && fromParam(opts)) {
    return true;
  }
  // `this.cache = new Keyv(); if (adapter) this.cache = adapter;`
  if (ts.isBinaryExpression(p) && p.right === value && ts.isPropertyAccessExpression(p.left) && p.left.expression.kind === ts.SyntaxKind.ThisKeyword && ctor.body) {
    const field = p.left.name.text;
    let injected = false;
    const visit = (n: ts.Node): void => {
      if (injected) return;
      if (ts.isBinaryExpression(n) && n !== p && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text === field && fromParam(n.right)) injected = true;
      n.forEachChild(visit);
    };
    visit(ctor.body);
    if (injected) return true;
  }
  return false;
}

/** `for (...) { const c = new LRUCache(); if (ok(c)) return c; }` keeps at most one. */
function leavesLoop(node: ts.Node, loop: ts.Node): boolean {
  let value: ts.Node = node;
  while (ts.isAwaitExpression(value.parent) || ts.isParenthesizedExpression(value.parent)) value = value.parent;
  return ts.isReturnStatement(value.parent) && value.parent.pos > loop.pos && value.parent.end <= loop.end;
}

// ---- the report ----------------------------------------------------------------------

function messageFor(pos: Position, built: Built, when: string): string {
  const via = built.via.length > 0 ? ` (via ${built.via.join(" → ")})` : "";
  const origin = (built.origin ?? built.node) as ts.NewExpression | ts.CallExpression;
  const detail = built.kind.detail?.(origin);
  const subject = pos.fnName !== "module scope" ? pos.fnName : pos.loop && !ts.isIterationStatement(pos.loop.node, false) ? "the callback" : "this code";
  const callee = (ts.isNewExpression(origin) ? origin.expression : calleeOf(origin)).getText().replace(/\s+/g, "");
  const what = ts.isNewExpression(origin) ? `new ${callee}` : `${callee}()`;
  let advice: string;
  if (pos.loop && when.includes(pos.loop.unit)) advice = "build it once before the loop and share it";
  else if (pos.role === "handler") advice = "build one cache at startup and share it across requests";
  else if (pos.role === "constructor") advice = "build one cache at startup and pass it in, or share a module-level one";
  else advice = "build one cache at startup and share it across calls";
  return `${subject} builds a cache with ${what}${via} ${when}${detail ? `: ${detail}` : ""}; ${advice}`;
}

function numberOption(call: ts.NewExpression | ts.CallExpression, key: string): number | undefined {
  const opts = call.arguments?.[0] && skipOuter(call.arguments[0]);
  if (!opts || !ts.isObjectLiteralExpression(opts)) return undefined;
  for (const p of opts.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === key) {
      const v = skipOuter(p.initializer);
      if (ts.isNumericLiteral(v)) return Number(v.text.replace(/_/g, ""));
    }
  }
  return undefined;
}

function lruDetail(call: ts.NewExpression | ts.CallExpression): string | undefined {
  const opts = call.arguments?.[0] && skipOuter(call.arguments[0]);
  const autopurge = !!opts && ts.isObjectLiteralExpression(opts) && opts.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText() === "ttlAutopurge" && p.initializer.kind === ts.SyntaxKind.TrueKeyword);
  const max = numberOption(call, "max");
  const parts: string[] = [];
  if (max !== undefined) parts.push(`each one holds up to ${max.toLocaleString("en-US")} entries of its own`);
  if (autopurge) parts.push("ttlAutopurge sets a timer per entry");
  return parts.length > 0 ? parts.join(", and ") : undefined;
}
