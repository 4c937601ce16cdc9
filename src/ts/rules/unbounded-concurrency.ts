/**
 * unbounded-concurrency (TS/JS): a promise started for every element of
 * input of unknown size, with nothing that limits how many are in flight:
 * `Promise.all(items.map(async ...))`, `items.forEach(async ...)`, a call
 * started in a loop and not awaited there (pushed to an array for a later
 * `Promise.all`, or left floating), including the loop of a `setInterval`
 * poller whose previous round may still be running. Under load every element
 * opens its sockets, file descriptors and buffers at once: EMFILE, a
 * connection pool drained, a rate limit tripped, memory exhausted.
 *
 * Bounds it recognises: p-limit and other limiters wrapped around the work,
 * p-map's `concurrency`, chunked loops (`items.slice(i, i + 10)`, a `batch`
 * or `chunk` variable), a fixed worker count (`Array.from({ length: 4 },
 * worker)`, `for (let i = 0; i < concurrency; i++)`), literal lists and
 * collections of long-running components, an await of the started promise
 * (or of a limiter, a `Promise.race` of the running set, a sleep) within the
 * same iteration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import { Rule } from "../../core/rule";
import { Fix, RelatedLocation } from "../../core/types";
import { TsFile } from "../facts";
import { frequencyOf, isLiteralCollection, isTestFile } from "../function-role";
import { localFunction } from "../scopes";
import { parseTs } from "../parser";
import { isReference, resolveName } from "../scopes";
import { FunctionLike, calleeOf, isAsync, isFunctionLike, isLoop, lineOf, rangeBetween, rangeOf, skipOuter } from "../syntax";
import type { TsFacts } from "../frontend";

/** Collections that hold a fixed set of components, and the slices of a chunked loop (by the last word of the name). */
const DEFAULT_FIXED_COLLECTIONS = [
  "services", "servers", "listeners", "workers", "shards", "consumers", "producers", "pollers", "runners", "components", "daemons",
  "loops", "engines", "processors", "plugins", "hooks", "callbacks", "stages", "watchers", "reporters", "exporters", "sinks", "handlers",
  "observers", "replicas", "partitions", "analyzers", "checkers", "linters", "subscribers", "middlewares", "middleware", "modules", "providers", "extensions", "transports",
  "adapters", "initializers", "teardowns", "cleanups", "disposers", "disposables", "targets", "destinations", "streams", "stores", "creds", "credentials", "migrations", "seeds", "seeders", "brokers", "coordinators", "fields", "addresses", "scripts",
  // The program's own schema: as many as its model declares, not as much as its input brings.
  "indices", "indexes", "columns", "tables", "views", "constraints", "foreignkeys", "relations", "metadatas", "schemas", "triggers",
  "sequences", "enums",
];
const BATCH_NAME = /(^|[a-z_])(batch|chunk|page|window|slice|group|bucket)s?$/i;
/** Work that gives something back: bounded by what is already open. */
const CLEANUP = /^(close|destroy|end|stop|dispose|disconnect|quit|shutdown|terminate|kill|abort|cancel|release|unsubscribe|unref|flush|drain|unwatch|clearTimeout|clearInterval|removeListener|off)$/i;
/** Awaiting these within an iteration paces or limits the loop. */
const PACING = /^(sleep|delay|wait|waitFor\w*|setTimeout|timeout|throttle|acquire|acquireLock|lock|race|all|allSettled|any|onIdle|onEmpty|onSizeLessThan|drain|schedule|take|removeTokens|consume)$/;
/** Names of limiters, semaphores and queues: work wrapped in them is bounded. */
const LIMITER_NAME = /^(limit|limiter|rateLimit|throttle|throttled|sem|sema|semaphore|mutex|lock|queue|q|pool|bottleneck|pLimit|plimit|concurrency|limited|run)$/i;
const LIMITER_MODULES = new Set(["p-limit", "p-queue", "p-throttle", "bottleneck", "async-sema", "async-mutex", "p-all", "p-series", "limiter", "promise-limit"]);
const LIMITER_METHODS = /^(add|addAll|schedule|submit|run|runExclusive|use|wrap|push|enqueue|exec|acquire)$/;
/** Calls that return promises by their qualified name. */
const PROMISE_API =
  /^(global\.fetch|undici\.(fetch|request|stream)|node-fetch\.default|axios\.(default|get|post|put|patch|delete|head|options|request)|got\.(default|get|post|put|patch|delete|head)|ky\.\w+|fs\.promises\.\w+|dns\.promises\.\w+|stream\.promises\.\w+|execa\.(default|execa|execaCommand|\$)|node-fetch\.\w+|superagent\.\w+)$/;
const AXIOS_METHODS = /^(get|post|put|patch|delete|head|options|request)$/;
/** p-map and friends without a concurrency option run everything at once. */
const MAPPERS: Record<string, RegExp> = {
  "p-map": /^(default|pMap)$/,
  "p-map-series": /^$/,
  bluebird: /^(map|default\.map|Promise\.map|each)$/,
  async: /^(each|eachOf|forEach|forEachOf|map|mapValues|filter|reject|concat|detect|groupBy|default\.(each|eachOf|forEach|forEachOf|map|mapValues))$/,
};

export const unboundedConcurrency: Rule<TsFacts> = {
  meta: {
    id: "unbounded-concurrency",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "A goroutine is started for every element of input of unknown size, with no bound on how many run.",
    fullDescription:
      "Promise.all(items.map(async ...)), items.forEach(async ...), and promise-returning calls started in a loop without being awaited there (pushed for a later Promise.all, " +
      "or left floating, also in a setInterval poller) start one operation per element of input of unknown size, all at once. Under load the requests, sockets, file descriptors " +
      "and memory in flight grow without limit. Await in the loop, process the input in chunks, or limit concurrency with p-limit, p-map's concurrency option or a fixed number of workers.",
    docs: "docs/rules/unbounded-concurrency.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [
      {
        name: "fixedCollections",
        type: "string[]",
        description:
          'Extra names of collections that hold a fixed set of components (the last word of the name, e.g. "replicas"): starting one goroutine per element of them is not reported.',
      },
    ],
  },

  check(context) {
    const { file } = context.facts;
    if (isTestFile(file.path) || isMinified(file.path, file.text)) return;
    if (!/Promise\.|forEach|for\s*\(|while\s*\(|\.map\(|pMap|async/.test(file.text)) return;
    const extra = Array.isArray(context.options.fixedCollections) ? (context.options.fixedCollections as unknown[]).map(String) : [];
    const analysis = new Analysis(file, new Set([...DEFAULT_FIXED_COLLECTIONS, ...extra].map((n) => n.toLowerCase())));
    const reported = new Set<ts.Node>();
    for (const call of file.calls) {
      const found = analysis.examine(call);
      if (!found || reported.has(found.at) || analysis.inTeardownOrSetup(found.at)) continue;
      reported.add(found.at);
      context.report({ range: reportRange(file.sourceFile, found.at), message: found.message, related: found.related, fixes: found.fix ? [found.fix] : [] });
    }
    for (const n of file.news) {
      const found = analysis.examineNewPromise(n);
      if (!found || reported.has(found.at) || analysis.inTeardownOrSetup(found.at)) continue;
      reported.add(found.at);
      context.report({ range: rangeOf(file.sourceFile, found.at), message: found.message, related: found.related });
    }
  },
};

interface Found {
  at: ts.Node;
  message: string;
  related: RelatedLocation[];
  fix?: Fix;
}

/** Why a collection or loop is not bounded, for the message: "for every element of `users`". */
interface Unbounded {
  what: string;
  loop?: ts.Node;
}

class Analysis {
  private readonly promiseFns = new Map<ts.Node, boolean>();
  private mappersMemo?: boolean;

  constructor(
    private readonly file: TsFile,
    private readonly fixedNames: Set<string>,
  ) {}

  private get sf(): ts.SourceFile {
    return this.file.sourceFile;
  }

  /**
   * Code that closes what the program holds (`close`, `destroy`, `shutdown`)
   * or starts and connects its components (`connect`, `init`, `resubscribe`)
   * works on a set the program already keeps, one operation each.
   */
  inTeardownOrSetup(node: ts.Node): boolean {
    for (let fn = enclosingFn(node); fn; fn = enclosingFn(fn)) {
      const name = frequencyOf(this.file).nameOf(fn);
      if (TEARDOWN_OR_SETUP.test(name)) return true;
      if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) break;
      // `start() { setInterval(async () => ...) }`: the setup runs once, its callback on every tick.
      if (runsRepeatedly(fn)) break;
    }
    return false;
  }

  examine(call: ts.CallExpression): Found | undefined {
    // Cheap tests on the callee's name first: most calls are none of these, and most are in no loop.
    const callee = calleeOf(call);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
    if (/^(all|allSettled|any|race)$/.test(name) && call.arguments[0] && this.file.qualifiedName(callee)?.startsWith("global.Promise.")) return this.promiseAll(call);
    if (name === "forEach" && ts.isPropertyAccessExpression(callee)) return this.forEachAsync(call, callee);
    if ((name === "map" || name === "flatMap") && ts.isPropertyAccessExpression(callee) && isDiscarded(call)) return this.floatingMap(call, callee);
    if (this.usesMappers) {
      const q = this.file.qualify(callee);
      if (q && "module" in q && MAPPERS[q.module]?.test(q.name)) return this.mapper(call, q.module);
    }
    if (!innermostLoop(call)) return undefined;
    return this.loopStart(call);
  }

  private get usesMappers(): boolean {
    this.mappersMemo ??= this.file.importsAny((m) => m in MAPPERS);
    return this.mappersMemo;
  }

  // ---- Promise.all(items.map(...)) ----------------------------------------------------

  private promiseAll(all: ts.CallExpression): Found | undefined {
    let arg = skipOuter(all.arguments[0]);
    if (ts.isIdentifier(arg)) {
      const init = constInitializer(arg);
      if (!init) return undefined;
      arg = init;
    }
    const mapped = this.mappedCall(arg);
    if (!mapped) return undefined;
    const { source, fn } = mapped;
    if (!this.startsWork(fn)) return undefined;
    const unbounded = this.unknownSize(source);
    if (!unbounded) return undefined;
    const srcText = short(source.getText(this.sf));
    const who = this.who(all);
    const related: RelatedLocation[] = unbounded.loop ? [{ file: this.file.path, range: rangeOf(this.sf, unbounded.loop), message: "the loop that runs it again" }] : [];
    const name = `Promise.${(calleeOf(all) as ts.PropertyAccessExpression).name?.text ?? "all"}`;
    return {
      at: all,
      message: `${who} starts ${this.describe(fn)} ${unbounded.what} at once (${name} over ${srcText}.map): under load the number of operations in flight grows without limit; limit concurrency with p-limit or p-map's concurrency option, or process ${srcText} in chunks`,
      related,
    };
  }

  /** `xs.map(fn)`, `xs.flatMap(fn)`, `Array.from(xs, fn)`, with `.filter(...)` and the like after them. */
  private mappedCall(expr: ts.Expression): { source: ts.Expression; fn: ts.Expression; call: ts.CallExpression } | undefined {
    let e = skipOuter(expr);
    for (let i = 0; i < 4 && ts.isCallExpression(e); i++) {
      const c = calleeOf(e);
      if (ts.isPropertyAccessExpression(c) && (c.name.text === "map" || c.name.text === "flatMap") && e.arguments[0]) return { source: c.expression, fn: e.arguments[0], call: e };
      if (ts.isPropertyAccessExpression(c) && c.expression.getText(this.sf) === "Array" && c.name.text === "from" && e.arguments[1]) return { source: e.arguments[0], fn: e.arguments[1], call: e };
      if (ts.isPropertyAccessExpression(c) && /^(filter|concat|flat|slice|reverse|sort)$/.test(c.name.text)) {
        e = skipOuter(c.expression);
        continue;
      }
      return undefined;
    }
    return undefined;
  }

  // ---- items.forEach(async ...) -------------------------------------------------------

  private forEachAsync(call: ts.CallExpression, callee: ts.PropertyAccessExpression): Found | undefined {
    const fn = call.arguments[0] && skipOuter(call.arguments[0]);
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !isAsync(fn) || this.limited(fn)) return undefined;
    const unbounded = this.unknownSize(callee.expression);
    if (!unbounded) return undefined;
    const src = short(callee.expression.getText(this.sf));
    return {
      at: call,
      message: `${this.who(call)} runs an async callback ${unbounded.what} at once (${src}.forEach does not wait for it): under load the number of operations in flight grows without limit, and their errors are lost; use for...of with await, or limit concurrency with p-limit`,
      related: [],
    };
  }

  /** `items.map(async ...)` whose promises nobody keeps. */
  private floatingMap(call: ts.CallExpression, callee: ts.PropertyAccessExpression): Found | undefined {
    const fn = call.arguments[0] && skipOuter(call.arguments[0]);
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !isAsync(fn) || this.limited(fn)) return undefined;
    const unbounded = this.unknownSize(callee.expression);
    if (!unbounded) return undefined;
    return {
      at: call,
      message: `${this.who(call)} starts an async callback ${unbounded.what} at once and drops the promises: under load the number of operations in flight grows without limit; use for...of with await, or limit concurrency with p-limit`,
      related: [],
    };
  }

  // ---- p-map, bluebird, async ---------------------------------------------------------

  private mapper(call: ts.CallExpression, module: string): Found | undefined {
    const source = call.arguments[0];
    if (!source) return undefined;
    const opts = call.arguments.map((a) => skipOuter(a)).find((a) => ts.isObjectLiteralExpression(a)) as ts.ObjectLiteralExpression | undefined;
    const concurrency = opts?.properties.find((p) => p.name?.getText(this.sf) === "concurrency");
    if (concurrency && !(ts.isPropertyAssignment(concurrency) && /^(Infinity|Number\.POSITIVE_INFINITY)$/.test(concurrency.initializer.getText(this.sf)))) return undefined;
    if (module === "async" && call.arguments.length > 3) return undefined;
    const unbounded = this.unknownSize(source);
    if (!unbounded) return undefined;
    const name = calleeOf(call).getText(this.sf);
    const advice = module === "async" ? `use ${name}Limit` : "pass { concurrency: n }";
    return {
      at: call,
      message: `${this.who(call)} runs ${name} ${unbounded.what} with no concurrency limit: every element starts at once, and under load the number of operations in flight grows without limit; ${advice}`,
      related: [],
    };
  }

  // ---- promises started in a loop -------------------------------------------------------

  private loopStart(call: ts.CallExpression): Found | undefined {
    if (!this.destinationOf(call)) return undefined;
    if (!this.returnsPromise(call) && !this.collectedForAll(call)) return undefined;
    return this.started(call);
  }

  /** `pending.push(work(x))` where the function later awaits `Promise.all(pending)`: the author says it is a promise. */
  private collectedForAll(call: ts.CallExpression): boolean {
    const dest = this.destinationOf(call);
    if (dest?.kind !== "collected" || !dest.name || !this.mayStart(call)) return false;
    const fn = enclosingFn(call);
    const scope = fn?.body ?? this.sf;
    const collection = dest.name.text;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n) && /^Promise\.(all|allSettled|race|any)$/.test(calleeOf(n).getText(this.sf)) && n.arguments[0]) {
        const a = skipOuter(n.arguments[0]);
        const t = ts.isArrayLiteralExpression(a) && a.elements.length === 1 && ts.isSpreadElement(a.elements[0]) ? skipOuter(a.elements[0].expression) : a;
        if ((ts.isIdentifier(t) && t.text === collection) || (ts.isPropertyAccessExpression(t) && t.name.text === collection)) found = true;
      }
      n.forEachChild(visit);
    };
    visit(scope);
    return found;
  }

  examineNewPromise(n: ts.NewExpression): Found | undefined {
    if (!ts.isIdentifier(n.expression) || n.expression.text !== "Promise" || !innermostLoop(n) || this.file.isDeclared(n.expression)) return undefined;
    // An executor that only registers its resolve callbacks starts nothing.
    const executor = n.arguments?.[0] && skipOuter(n.arguments[0]);
    if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) || !startsSomething(executor)) return undefined;
    return this.started(n);
  }

  /** A promise-returning expression started in a loop of unknown size and not awaited within the iteration. */
  private started(start: ts.CallExpression | ts.NewExpression): Found | undefined {
    const dest = this.destinationOf(start);
    if (!dest) return undefined;
    const loop = innermostLoop(start);
    if (!loop) return undefined;
    const unbounded = this.loopSize(loop);
    if (!unbounded) return undefined;
    if (dest.kind !== "floating" && dest.name && this.awaitedInIteration(dest.name, loop, start)) return undefined;
    if (this.pacedIteration(loop)) return undefined;
    if (this.startsComponent(start)) return undefined;
    if (leavesRightAfter(start, loop)) return undefined;
    const text = short(start.getText(this.sf).replace(/\s+/g, " "), 50);
    const how =
      dest.kind === "floating" ? "without awaiting it" : dest.kind === "collected" ? `and collects the promise in ${dest.name!.text} for later` : `and keeps the promise in ${dest.name!.text} without awaiting it in the loop`;
    const related: RelatedLocation[] = [{ file: this.file.path, range: loopHeaderRange(this.sf, loop), message: `the loop that starts it ${unbounded.what}` }];
    return {
      at: start,
      message: `${this.who(start)} starts \`${text}\` ${unbounded.what} ${how}: under load the number of operations in flight grows without limit; await it in the loop, or limit concurrency with p-limit or a fixed number of workers`,
      related,
      fix: dest.kind === "floating" ? this.awaitFix(start, loop) : undefined,
    };
  }

  /** Where the promise goes: nowhere (floating), into a collection, into a variable; undefined when awaited or returned. */
  private destinationOf(start: ts.Expression): { kind: "floating" | "collected" | "kept"; name?: ts.Identifier } | undefined {
    let node: ts.Node = start;
    for (;;) {
      const p = node.parent;
      if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) {
        node = p;
        continue;
      }
      // `start.then(...)`, `start.catch(...)`: the chain is the promise.
      if (ts.isPropertyAccessExpression(p) && p.expression === node && /^(then|catch|finally)$/.test(p.name.text) && ts.isCallExpression(p.parent) && p.parent.expression === p) {
        node = p.parent;
        continue;
      }
      if (ts.isVoidExpression(p)) return ts.isExpressionStatement(p.parent) ? { kind: "floating" } : undefined;
      // `items.forEach((x) => send(x))`: forEach drops what the callback returns.
      if (ts.isArrowFunction(p) && p.body === node) {
        const call = p.parent;
        const c = ts.isCallExpression(call) ? calleeOf(call) : undefined;
        return c && ts.isPropertyAccessExpression(c) && c.name.text === "forEach" ? { kind: "floating" } : undefined;
      }
      if (ts.isExpressionStatement(p)) return { kind: "floating" };
      if (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) {
        const c = calleeOf(p);
        if (ts.isPropertyAccessExpression(c) && /^(push|unshift|add|set)$/.test(c.name.text)) {
          const target = skipOuter(c.expression);
          return ts.isIdentifier(target) ? { kind: "collected", name: target } : ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.name) ? { kind: "collected", name: target.name } : { kind: "collected" };
        }
        return undefined;
      }
      if (ts.isVariableDeclaration(p) && p.initializer === node && ts.isIdentifier(p.name)) return { kind: "kept", name: p.name };
      if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const t = skipOuter(p.left);
        if (ts.isElementAccessExpression(t) && ts.isIdentifier(skipOuter(t.expression))) return { kind: "collected", name: skipOuter(t.expression) as ts.Identifier };
        return ts.isIdentifier(t) ? { kind: "kept", name: t } : undefined;
      }
      return undefined;
    }
  }

  /** `await p`, `await Promise.all(pending)` (a flush when the batch is full), `await Promise.race(running)` in the same iteration. */
  private awaitedInIteration(name: ts.Identifier, loop: ts.Node, start: ts.Node): boolean {
    const body = loopBody(loop);
    if (!body) return false;
    const decl = resolveName(name, name.text)?.decl;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (isFunctionLike(n) && !inPlace(n)) return;
      if ((ts.isAwaitExpression(n) || ts.isReturnStatement(n) || ts.isYieldExpression(n)) && n.end > start.pos) {
        const mentions = (m: ts.Node): boolean =>
          (ts.isIdentifier(m) && m.text === name.text && (!decl || !isReference(m) || resolveName(m, m.text)?.decl === decl)) || !!m.forEachChild((c) => (mentions(c) ? true : undefined));
        if (n.expression && mentions(n.expression)) found = true;
      }
      n.forEachChild(visit);
    };
    visit(body);
    return found;
  }

  /**
   * `for (const sub of subscribers) sub.start()`: starting, connecting or
   * subscribing a component (one per node, shard or subscriber the program
   * holds) rather than working on an item of input.
   */
  private startsComponent(start: ts.Node): boolean {
    if (!ts.isCallExpression(start)) return false;
    const callee = calleeOf(start);
    return ts.isPropertyAccessExpression(callee) && LIFECYCLE.test(callee.name.text);
  }

  /** An await of a sleep, a limiter or a race in the iteration paces the loop. */
  private pacedIteration(loop: ts.Node): boolean {
    const body = loopBody(loop);
    if (!body) return false;
    let paced = false;
    const visit = (n: ts.Node): void => {
      if (paced) return;
      if (isFunctionLike(n) && !inPlace(n)) return;
      if (ts.isAwaitExpression(n)) {
        const e = skipOuter(n.expression);
        if (ts.isCallExpression(e)) {
          const c = calleeOf(e);
          const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : "";
          if (PACING.test(name) || this.isLimiterCallee(c)) paced = true;
        } else if (ts.isNewExpression(e)) {
          // `await new Promise((r) => setTimeout(r, 100))`
          if (/setTimeout|setImmediate/.test(e.getText(this.sf))) paced = true;
        }
      }
      n.forEachChild(visit);
    };
    visit(body);
    return paced;
  }

  /** `await` in the loop body before the next iteration, when the function is async: the suggestion. */
  private awaitFix(start: ts.Node, loop: ts.Node): Fix | undefined {
    if (!ts.isIterationStatement(loop, false)) return undefined;
    const fn = enclosingFn(start);
    if (!fn || !isAsync(fn) || enclosingFn(loop) !== fn) return undefined;
    let node: ts.Node = start;
    while (!ts.isExpressionStatement(node.parent) && !ts.isVoidExpression(node.parent)) node = node.parent;
    const v = ts.isVoidExpression(node.parent) ? node.parent : undefined;
    const edits = v
      ? [{ start: v.getStart(this.sf), end: v.expression.getStart(this.sf), newText: "await " }]
      : [{ start: start.getStart(this.sf), end: start.getStart(this.sf), newText: "await " }];
    return { title: `Await \`${short(start.getText(this.sf).replace(/\s+/g, " "), 40)}\` before starting the next one`, kind: "suggestion", edits };
  }

  // ---- does it start work, return a promise, run bounded ------------------------------

  /** The mapper starts an operation: an async function, a call, a function of the file that returns a promise. */
  private startsWork(fnExpr: ts.Expression): boolean {
    const e = skipOuter(fnExpr);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      if (this.limited(e)) return false;
      if (this.cleanup(e)) return false;
      const params = new Set<string>();
      for (const p of e.parameters) for (const id of boundIdentifiers(p.name)) params.add(id);
      // `commands.map(({ send }) => send())`, `hooks.map((h) => h())`: running functions the program registered, one each.
      const calls = returnedExpressions(e).map((x) => skipOuter(x)).filter((x): x is ts.CallExpression => ts.isCallExpression(x));
      const runsElement = (c: ts.CallExpression) => {
        const callee = calleeOf(c);
        if (ts.isIdentifier(callee)) return params.has(callee.text);
        // `(s) => s.start()`: a component started one each.
        const root = ts.isPropertyAccessExpression(callee) ? rootIdentifier(callee.expression) : undefined;
        return !!root && params.has(root.text) && LIFECYCLE.test((callee as ts.PropertyAccessExpression).name.text);
      };
      if (calls.length > 0 && calls.every(runsElement)) return false;
      // Commands queued on one connection (a pipeline), not operations of their own.
      if (calls.length > 0 && calls.every((c) => QUEUED.test(lastName(calleeOf(c))))) return false;
      if (isAsync(e)) return true;
      const results = returnedExpressions(e);
      return results.some((r) => {
        const x = skipOuter(r);
        return (ts.isCallExpression(x) && !this.isLimiterCall(x) && !isPureCall(x, this.sf)) || (ts.isNewExpression(x) && x.expression.getText(this.sf) === "Promise");
      });
    }
    if (ts.isIdentifier(e)) {
      const fn = localFunction(e);
      if (fn) return this.isPromiseFunction(fn) && !this.cleanupName(e.text);
      return !this.cleanupName(e.text) && !/^(String|Number|Boolean|parseInt|parseFloat|JSON|Object|Array)$/.test(e.text);
    }
    if (ts.isPropertyAccessExpression(e)) return !this.cleanupName(e.name.text) && !/^(resolve|reject|all)$/.test(e.name.text);
    return false;
  }

  /** The callback's work goes through a limiter: `limit(() => ...)`, `queue.add(...)`, `await sem.acquire()`. */
  private limited(fn: ts.ArrowFunction | ts.FunctionExpression): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n) && this.isLimiterCall(n)) found = true;
      n.forEachChild(visit);
    };
    visit(fn.body);
    return found;
  }

  private isLimiterCall(call: ts.CallExpression): boolean {
    return this.isLimiterCallee(calleeOf(call));
  }

  private isLimiterCallee(c: ts.Expression): boolean {
    if (ts.isIdentifier(c)) {
      if (LIMITER_NAME.test(c.text)) return true;
      const init = constInitializer(c);
      if (init && ts.isCallExpression(init)) {
        const q = this.file.qualify(calleeOf(init));
        if (q && "module" in q && LIMITER_MODULES.has(q.module)) return true;
      }
      return false;
    }
    if (ts.isPropertyAccessExpression(c) && LIMITER_METHODS.test(c.name.text)) {
      const recv = skipOuter(c.expression);
      const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : "";
      if (/limit|limiter|sem|semaphore|mutex|lock|queue|bottleneck|throttle|pool/i.test(recvName)) return true;
      const init = ts.isIdentifier(recv) ? constInitializer(recv) : undefined;
      if (init && (ts.isNewExpression(init) || ts.isCallExpression(init))) {
        const q = this.file.qualify(ts.isNewExpression(init) ? init.expression : calleeOf(init));
        if (q && "module" in q && LIMITER_MODULES.has(q.module)) return true;
      }
    }
    return false;
  }

  /** `(s) => s.close()`: giving back what is already open. */
  private cleanup(fn: ts.ArrowFunction | ts.FunctionExpression): boolean {
    const calls: ts.CallExpression[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) calls.push(n);
      n.forEachChild(visit);
    };
    visit(fn.body);
    if (calls.length === 0) return false;
    return calls.every((c) => {
      const callee = calleeOf(c);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
      return this.cleanupName(name) || /^(then|catch|finally|resolve|reject)$/.test(name);
    });
  }

  private cleanupName(name: string): boolean {
    return CLEANUP.test(name) || /^(close|destroy|dispose|stop|shutdown|disconnect|teardown|cleanup|unregister|unsubscribe|remove|delete|unlink|rm|clear)/i.test(name);
  }

  /**
   * A call that may start an operation: not a link of a promise chain
   * (`.then`), not `Promise.resolve(x)` and its siblings, not cleanup, not
   * work handed to a limiter, not a computation.
   */
  private mayStart(call: ts.CallExpression): boolean {
    const callee = calleeOf(call);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
    const qn = this.file.qualifiedName(callee);
    if (qn && PROMISE_API.test(qn)) return true;
    if (!name || /^(then|catch|finally)$/.test(name) || this.cleanupName(name)) return false;
    // `conn.send(...)`, `queue.push(...)`: written to one connection or queue, not an operation of its own.
    if (ts.isPropertyAccessExpression(callee) && QUEUED.test(name)) return false;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Promise" && !this.file.isDeclared(callee.expression)) return false;
    return !this.isLimiterCall(call) && !isPureCall(call, this.sf);
  }

  /** A call that returns a promise, by what it calls or how its result is used. */
  private returnsPromise(call: ts.CallExpression): boolean {
    const callee = calleeOf(call);
    // `(async () => { ... })()`
    const fnCallee = skipOuter(call.expression);
    if ((ts.isArrowFunction(fnCallee) || ts.isFunctionExpression(fnCallee)) && isAsync(fnCallee)) return true;
    if (!this.mayStart(call)) return false;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
    if (/^(emit|push|set|add|log|info|warn|error|debug|write|send)$/.test(name)) return false;
    const qn = this.file.qualifiedName(callee);
    if (qn && PROMISE_API.test(qn)) return true;
    if (ts.isIdentifier(callee)) {
      const fn = localFunction(callee);
      if (fn) return this.isPromiseFunction(fn);
      // `declare function send(): Promise<void>`, an overload signature.
      const r = resolveName(callee, callee.text);
      if (r && ts.isFunctionDeclaration(r.decl)) return isAsync(r.decl) || /^Promise\b/.test(r.decl.type?.getText(this.sf) ?? "");
      // `import { sendEmail } from "./mailer"`: the module of the project says.
      const b = this.file.bindingOf(callee);
      if (b && b.module.startsWith(".") && !b.typeOnly) return asyncExport(this.file.path, b.module, b.member || "default");
      const init = constInitializer(callee);
      if (init && ts.isCallExpression(init) && /^(promisify|util\.promisify)$/.test(calleeOf(init).getText(this.sf))) return true;
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const recv = skipOuter(callee.expression);
      if (recv.kind === ts.SyntaxKind.ThisKeyword) {
        const m = classMember(callee);
        if (m) return this.isPromiseFunction(m);
      }
      if (ts.isIdentifier(recv) && AXIOS_METHODS.test(callee.name.text)) {
        const init = constInitializer(recv);
        if (init && ts.isCallExpression(init) && /^axios\.(create|default\.create)$/.test(this.file.qualifiedName(calleeOf(init)) ?? "")) return true;
      }
    }
    // `x.then(...)` on the result, or `void x`: the author treats it as a promise.
    let n: ts.Node = call;
    while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
    const p = n.parent;
    if (ts.isPropertyAccessExpression(p) && /^(then|catch|finally)$/.test(p.name.text)) return true;
    if (ts.isVoidExpression(p)) return true;
    return false;
  }

  /** Declared `async`, annotated `Promise<...>`, or returning a promise-returning call. */
  private isPromiseFunction(fn: FunctionLike, depth = 0): boolean {
    const known = this.promiseFns.get(fn);
    if (known !== undefined) return known;
    this.promiseFns.set(fn, false);
    // An async generator returns an iterator, not a promise of work.
    if ((fn as ts.FunctionDeclaration).asteriskToken) {
      this.promiseFns.set(fn, false);
      return false;
    }
    let result = isAsync(fn) || /^Promise\b/.test(fn.type?.getText(this.sf) ?? "");
    if (!result && depth < 3) {
      result = returnedExpressions(fn).some((r) => {
        const e = skipOuter(r);
        if (ts.isNewExpression(e) && e.expression.getText(this.sf) === "Promise") return true;
        return ts.isCallExpression(e) && this.returnsPromise(e);
      });
    }
    this.promiseFns.set(fn, result);
    return result;
  }

  // ---- sizes ----------------------------------------------------------------------------

  /** Undefined when the collection has a known, small size; otherwise what to call it. */
  private unknownSize(expr: ts.Expression, depth = 0): Unbounded | undefined {
    const e = skipOuter(expr);
    const text = short(e.getText(this.sf));
    const every: Unbounded = { what: `for every element of \`${text}\`` };
    if (depth > 3) return every;
    if (isLiteralCollection(e)) return undefined;
    if (ts.isArrayLiteralExpression(e)) return undefined;
    if (ts.isSpreadElement(e)) return this.unknownSize(e.expression, depth + 1);
    if (ts.isCallExpression(e)) {
      const c = calleeOf(e);
      const ctext = c.getText(this.sf);
      // `Array.from({ length: 4 })`, `Array(n).fill()`, `new Array(n)`: a count, not data.
      if (/^(Array\.from|Array\.of|Array)$/.test(ctext)) {
        const a = e.arguments[0] && skipOuter(e.arguments[0]);
        if (ctext === "Array.of") return undefined;
        if (a && ts.isObjectLiteralExpression(a)) {
          const len = a.properties.find((p) => p.name?.getText(this.sf) === "length");
          return len && ts.isPropertyAssignment(len) && this.isCount(len.initializer) ? undefined : every;
        }
        if (a && ctext === "Array") return this.isCount(a) ? undefined : every;
        return a ? this.unknownSize(a, depth + 1) : undefined;
      }
      if (/^(Object\.)?(keys|values|entries)$/.test(ctext)) return e.arguments[0] ? this.unknownSize(e.arguments[0], depth + 1) : undefined;
      // `this._getConfigDirectories()`, `loadSettings().targets`: what the configuration lists.
      if (/config|options|settings/i.test(lastName(c))) return undefined;
      if (ts.isPropertyAccessExpression(c)) {
        const m = c.name.text;
        // `items.slice(i, i + 10)`, `queue.splice(0, 10)`: a window of known size.
        if ((m === "slice" || m === "splice") && e.arguments.length === 2 && this.isWindow(e.arguments[0], e.arguments[1])) return undefined;
        if (/^(fill|keys|values|entries|filter|map|concat|flat|sort|reverse|slice)$/.test(m)) return this.unknownSize(c.expression, depth + 1);
        if (/^(chunk|chunks|splitEvery|batch)$/i.test(m)) return undefined;
      }
      return every;
    }
    if (ts.isNewExpression(e) && e.expression.getText(this.sf) === "Array") return e.arguments?.[0] && this.isCount(e.arguments[0]) ? undefined : every;
    const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : ts.isElementAccessExpression(e) ? "" : "";
    if (name && (this.fixedName(name) || BATCH_NAME.test(name))) return undefined;
    if (ts.isPropertyAccessExpression(e) && CONFIG_NAME.test(lastName(e.expression))) return undefined;
    if (ts.isIdentifier(e)) {
      const r0 = resolveName(e, e.text);
      if (r0 && this.isConfigBinding(r0.decl)) return undefined;
      // The element of a bounded collection (a pipeline of a configured list) is bounded too.
      const loopOf = r0 && elementOf(r0.decl);
      if (loopOf && depth < 3) {
        const src = ts.isCallExpression(loopOf) ? (calleeOf(loopOf) as ts.PropertyAccessExpression).expression : ts.isForOfStatement(loopOf) ? loopOf.expression : undefined;
        if (src && !this.unknownSize(src, depth + 1)) return undefined;
      }
      const init = constInitializer(e);
      if (init) return this.unknownSize(init, depth + 1) && every;
      // The variable of a loop over chunks: `for (const batch of chunk(items, 10))`.
      const r = resolveName(e, e.text);
      const loop = r?.decl.parent?.parent;
      if (r && loop && ts.isForOfStatement(loop) && /chunk|batch|split|page/i.test(loop.expression.getText(this.sf))) return undefined;
    }
    return every;
  }

  /** A name destructured from an options bag parameter: `function ({ targets, pipelines, levels })`, `({ topics }: Config)`. */
  private isConfigBinding(decl: ts.Node): boolean {
    if (!ts.isBindingElement(decl)) return false;
    const pattern = decl.parent;
    const param = pattern.parent;
    if (!ts.isObjectBindingPattern(pattern) || !ts.isParameter(param)) return false;
    return pattern.elements.length >= 3 || /Config|Options|Settings|Opts|Props/.test(param.type?.getText(this.sf) ?? "");
  }

  /** `plugins`, `this.servers`, `addressList`, `migrationsToRun`: a collection named by a fixed set's word (first or last). */
  private fixedName(name: string): boolean {
    const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_$#]/g, " ").trim().toLowerCase().split(/\s+/);
    if (words.length > 1 && /^(list|array|arr|set|map|by\w*)$/.test(words[words.length - 1])) {
      words.pop();
      words[words.length - 1] = plural(words[words.length - 1]);
    }
    const first = words[0] ?? "";
    const last = words[words.length - 1] ?? "";
    // `brokerRequests`: one per broker.
    const firstOfMany = words.length > 1 && (this.fixedNames.has(first) || this.fixedNames.has(plural(first)));
    return this.fixedNames.has(last) || firstOfMany || this.fixedNames.has(name.toLowerCase());
  }

  /** A count that is not the size of data: a literal, a constant, a name like `concurrency` or `workers`. */
  private isCount(expr: ts.Expression): boolean {
    const e = skipOuter(expr);
    if (ts.isNumericLiteral(e)) return true;
    const text = e.getText(this.sf);
    if (/\.(length|size)\b|\bsize\(\)/.test(text)) return false;
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const name = ts.isIdentifier(e) ? e.text : e.name.text;
      if (/^[A-Z][A-Z0-9_]*$/.test(name) || /concurrency|parallel|workers?$|threads?$|limit|max|cpus|cores|slots|poolSize|numWorkers/i.test(name)) return true;
      if (ts.isIdentifier(e)) {
        const init = constInitializer(e);
        if (init) return this.isCount(init);
      }
    }
    if (ts.isCallExpression(e)) return /(cpus|availableParallelism)\b/.test(text) || /^Math\.(min|max)$/.test(calleeOf(e).getText(this.sf)) && e.arguments.some((a) => this.isCount(a) && /^Math\.min$/.test(calleeOf(e).getText(this.sf)));
    return false;
  }

  /** `(i, i + 10)`, `(0, 10)`, `(i, i + BATCH)`, `(start, Math.min(start + size, n))`. */
  private isWindow(from: ts.Expression, to: ts.Expression): boolean {
    const a = skipOuter(from);
    const b = skipOuter(to);
    if (ts.isNumericLiteral(a) && this.isCount(b)) return true;
    if (ts.isBinaryExpression(b) && b.operatorToken.kind === ts.SyntaxKind.PlusToken && b.left.getText(this.sf) === a.getText(this.sf)) return this.isCount(b.right) || BATCH_NAME.test(b.right.getText(this.sf)) || /size|step/i.test(b.right.getText(this.sf));
    if (ts.isCallExpression(b) && /^Math\.min$/.test(calleeOf(b).getText(this.sf))) return b.arguments.some((x) => this.isWindow(a, x));
    return false;
  }

  /** Undefined when the loop repeats a known, small number of times. */
  private loopSize(loop: ts.Node): Unbounded | undefined {
    if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) {
      const u = this.unknownSize(loop.expression);
      if (!u) return undefined;
      const what = ts.isForOfStatement(loop) && loop.awaitModifier ? `for every value of \`${short(loop.expression.getText(this.sf))}\`` : u.what;
      return { what, loop };
    }
    if (ts.isForStatement(loop)) {
      const cond = loop.condition && skipOuter(loop.condition);
      if (cond && ts.isBinaryExpression(cond) && /^[<>]=?$/.test(cond.operatorToken.getText(this.sf))) {
        const bound = /^</.test(cond.operatorToken.getText(this.sf)) ? cond.right : cond.left;
        if (this.isCount(bound)) return undefined;
        const b = skipOuter(bound);
        const m = /^(.*)\.(length|size)$/.exec(b.getText(this.sf));
        if (m && ts.isPropertyAccessExpression(b) && !this.unknownSize(b.expression)) return undefined;
        if (m) {
          // `i += chunk`: one start per chunk, not per element.
          const step = loop.incrementor && ts.isBinaryExpression(loop.incrementor) && loop.incrementor.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken;
          if (step) return undefined;
          return { what: `for every element of \`${short(m[1])}\``, loop };
        }
      }
      return { what: `on every iteration of the loop at line ${lineOf(this.sf, loop.getStart(this.sf)) + 1}`, loop };
    }
    if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return { what: `on every iteration of the loop at line ${lineOf(this.sf, loop.getStart(this.sf)) + 1}`, loop };
    if (ts.isCallExpression(loop)) {
      const c = calleeOf(loop);
      if (ts.isPropertyAccessExpression(c)) {
        const u = this.unknownSize(c.expression);
        return u ? { what: u.what, loop } : undefined;
      }
    }
    return undefined;
  }

  // ---- naming --------------------------------------------------------------------------

  private who(node: ts.Node): string {
    const fn = enclosingFn(node);
    if (!fn) return "this code";
    const name = frequencyOf(this.file).nameOf(fn);
    if (name !== "the function") return name;
    // `setInterval(async () => ...)`: "the setInterval callback"; `emitter.on("job", ...)`: "the 'job' listener".
    let n: ts.Node = fn;
    while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
    const call = n.parent;
    if (ts.isCallExpression(call) && call.arguments.includes(n as ts.Expression)) {
      const callee = calleeOf(call);
      const event = call.arguments[0] && ts.isStringLiteral(call.arguments[0]) ? call.arguments[0].text : undefined;
      if (ts.isPropertyAccessExpression(callee) && /^(on|once|addListener)$/.test(callee.name.text) && event) return `the '${event}' listener`;
      const callName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
      if (callName) return `the ${callName} callback`;
    }
    return "the callback";
  }

  private describe(fn: ts.Expression): string {
    const e = skipOuter(fn);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      if (isAsync(e)) return "an async callback";
      const r = returnedExpressions(e).map((x) => skipOuter(x)).find((x) => ts.isCallExpression(x)) as ts.CallExpression | undefined;
      return r ? `\`${short(calleeOf(r).getText(this.sf), 30)}(...)\`` : "the callback";
    }
    return `\`${short(e.getText(this.sf), 30)}\``;
  }
}

// ---- helpers ------------------------------------------------------------------------------

const MODULE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
/** Exported async functions of the project's modules, by resolved path (and modification time). */
const asyncExportsCache = new Map<string, { mtime: number; names: Set<string> }>();

/**
 * Whether `name`, exported by the relative module `specifier`, is declared
 * `async` or to return a Promise. The module is parsed once (syntax only).
 */
function asyncExport(fromFile: string, specifier: string, name: string): boolean {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, ...MODULE_EXTENSIONS.map((e) => stem + e), ...MODULE_EXTENSIONS.map((e) => path.join(base, "index" + e))];
  for (const file of candidates) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    if (!stat.isFile() || /\.d\.[cm]?ts$/.test(file) || stat.size > 1024 * 1024) continue;
    let entry = asyncExportsCache.get(file);
    if (!entry || entry.mtime !== stat.mtimeMs) {
      entry = { mtime: stat.mtimeMs, names: asyncExportNames(parseTs(file, fs.readFileSync(file, "utf8"))) };
      if (asyncExportsCache.size > 2000) asyncExportsCache.clear();
      asyncExportsCache.set(file, entry);
    }
    return entry.names.has(name);
  }
  return false;
}

function asyncExportNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const promising = (fn: FunctionLike) => !(fn as ts.FunctionDeclaration).asteriskToken && (isAsync(fn) || /^Promise\b/.test(fn.type?.getText(sf) ?? ""));
  const exported = (s: ts.Node) => !!ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (s: ts.Node) => !!ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const local = new Map<string, boolean>();
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s)) {
      if (s.name) local.set(s.name.text, promising(s));
      if (exported(s) && promising(s)) names.add(isDefault(s) ? "default" : s.name?.text ?? "default");
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer && skipOuter(d.initializer);
        if (!init || !ts.isIdentifier(d.name) || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init))) continue;
        local.set(d.name.text, promising(init));
        if (exported(s) && promising(init)) names.add(d.name.text);
      }
    } else if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const el of s.exportClause.elements) if (local.get((el.propertyName ?? el.name).getText(sf))) names.add(el.name.getText(sf));
    } else if (ts.isExportAssignment(s) && ts.isIdentifier(s.expression) && local.get(s.expression.text)) {
      names.add("default");
    } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const m = /^(?:module\.)?exports\.([\w$]+)$/.exec(s.expression.left.getText(sf).replace(/\s/g, ""));
      const right = skipOuter(s.expression.right);
      const isPromising = (ts.isArrowFunction(right) || ts.isFunctionExpression(right)) ? promising(right) : ts.isIdentifier(right) ? !!local.get(right.text) : false;
      if (m && isPromising) names.add(m[1]);
    }
  }
  return names;
}

const QUEUED = /^(send|write|sendCommand|addCommand|enqueue|queue|push|emit|publish)$/;
const TEARDOWN_OR_SETUP =
  /^[_#]*(close|destroy|dispose|shutdown|stop|end|quit|disconnect|teardown|cleanup|terminate|kill|reset|clear|unload|unregister|(re)?(connect|subscribe|start|init|initialize|setup|bootstrap|boot|listen|open))([A-Z_]|$)/i;

/** A callback given to `setInterval`, an event listener or a scheduler. */
function runsRepeatedly(fn: ts.Node): boolean {
  let outer: ts.Node = fn;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  const call = outer.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(outer as ts.Expression)) return false;
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
  return /^(setInterval|on|addListener|addEventListener|schedule|subscribe|every)$/.test(name);
}

function plural(word: string): string {
  return word.endsWith("s") && !word.endsWith("ss") ? word : /(s|x|z|ch|sh)$/.test(word) ? `${word}es` : `${word}s`;
}

/** A bundle or minified file: nothing in it is read by a person. */
function isMinified(path: string, text: string): boolean {
  if (/\.min\.[cm]?js$/.test(path)) return true;
  const lines = text.split("\n", 50);
  return lines.some((l) => l.length > 2000);
}

/** Methods that start, connect or subscribe a component: called once per component the program holds. */
const LIFECYCLE = /^[_#]*(start|stop|connect|init|initialize|run|listen|subscribe|ssubscribe|psubscribe|unsubscribe|ready|setup|warmup|warmUp|open|activate|boot|bootstrap)([A-Z_]|$)/;
/** A value that holds configuration: what it lists is chosen by the operator, not by the load. */
const CONFIG_NAME = /^(cfg|conf|config|configuration|settings|opts|options|flags|props)$/i;

function lastName(e: ts.Expression): string {
  const x = skipOuter(e);
  return ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : "";
}

function rootIdentifier(expr: ts.Expression): ts.Identifier | undefined {
  let e = skipOuter(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
  return ts.isIdentifier(e) ? e : undefined;
}

function boundIdentifiers(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : boundIdentifiers(el.name)));
}

/**
 * The loop whose element a declaration is: the variable of `for (const x of xs)`
 * (also destructured), or a parameter of the callback of `xs.forEach/map(...)`.
 */
function elementOf(decl: ts.Node): ts.Node | undefined {
  let d: ts.Node = decl;
  while (ts.isBindingElement(d) || ts.isObjectBindingPattern(d) || ts.isArrayBindingPattern(d)) d = d.parent;
  if (ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && (ts.isForOfStatement(d.parent.parent) || ts.isForInStatement(d.parent.parent))) return d.parent.parent;
  if (ts.isParameter(d)) {
    const fn = d.parent;
    let o: ts.Node = fn;
    while (ts.isParenthesizedExpression(o.parent)) o = o.parent;
    const call = o.parent;
    if (ts.isCallExpression(call) && call.arguments[0] === o) {
      const c = calleeOf(call);
      if (ts.isPropertyAccessExpression(c) && /^(forEach|map|flatMap)$/.test(c.name.text)) return call;
    }
  }
  return undefined;
}

/** The executor calls something other than its own resolve/reject, outside nested functions. */
function startsSomething(executor: ts.ArrowFunction | ts.FunctionExpression): boolean {
  const own = new Set(executor.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : "")));
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || (isFunctionLike(n) && n !== executor)) return;
    if (ts.isCallExpression(n)) {
      const c = calleeOf(n);
      if (!(ts.isIdentifier(c) && own.has(c.text))) found = true;
    }
    n.forEachChild(visit);
  };
  visit(executor.body);
  return found;
}

function short(text: string, max = 40): string {
  const t = text.replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}

function isDiscarded(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isExpressionStatement(n.parent) || ts.isVoidExpression(n.parent);
}

/** `const x = <init>` when `x` is a `const` (or a never-reassigned `let`) of the file. */
function constInitializer(id: ts.Identifier): ts.Expression | undefined {
  const r = resolveName(id, id.text);
  if (!r || !ts.isVariableDeclaration(r.decl) || !r.decl.initializer || !ts.isIdentifier(r.decl.name)) return undefined;
  if ((r.decl.parent.flags & ts.NodeFlags.Const) === 0) return undefined;
  return skipOuter(r.decl.initializer);
}

function returnedExpressions(fn: FunctionLike): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    n.forEachChild(visit);
  };
  fn.body.forEachChild(visit);
  return out;
}

/** Calls that compute rather than start work: `String(x)`, `x.toString()`, `Math.max(...)`. */
function isPureCall(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  const text = calleeOf(call).getText(sf);
  return /^(String|Number|Boolean|BigInt|JSON\.\w+|Math\.\w+|Object\.\w+|Array\.\w+|parseInt|parseFloat|Symbol|Date\.\w+|path\.\w+|encodeURIComponent|decodeURIComponent)$/.test(text) || /\.(toString|toFixed|trim|toLowerCase|toUpperCase|slice|split|join|concat|map|filter|reduce|includes|indexOf|replace|get|has|at|valueOf|toJSON|find|findIndex|findLast|some|every|flat|flatMap|sort|keys|values|entries)$/.test(text);
}

function classMember(access: ts.PropertyAccessExpression): FunctionLike | undefined {
  for (let n: ts.Node | undefined = access.parent; n; n = n.parent) {
    if (!ts.isClassLike(n)) continue;
    for (const m of n.members) {
      if (!m.name || m.name.getText() !== access.name.text) continue;
      if (ts.isMethodDeclaration(m) && m.body) return m;
      if (ts.isPropertyDeclaration(m) && m.initializer) {
        const init = skipOuter(m.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
    }
    return undefined;
  }
  return undefined;
}

/** The function a node runs in, skipping callbacks that run in place. */
function enclosingFn(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) && !inPlace(n)) return n;
  return undefined;
}

/** An IIFE or a promise executor: runs where it is written. */
function inPlace(fn: ts.Node): boolean {
  let n = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isCallExpression(p) && p.expression === n) return true;
  return ts.isNewExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === "Promise";
}

/**
 * The innermost loop around `node` within its function: a loop statement
 * whose body holds it, or a `forEach` callback (and the callback of a
 * discarded `map`), seen through IIFEs.
 */
function innermostLoop(node: ts.Node): ts.Node | undefined {
  let child: ts.Node = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (isLoop(n) && (child === n.statement || (ts.isForStatement(n) && (child === n.condition || child === n.incrementor)) || ((ts.isWhileStatement(n) || ts.isDoStatement(n)) && child === n.expression))) return n;
    if (!isFunctionLike(n)) continue;
    if (inPlace(n)) continue;
    let outer: ts.Node = n;
    while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
    const call = outer.parent;
    if (ts.isCallExpression(call) && call.arguments[0] === outer) {
      const c = calleeOf(call);
      if (ts.isPropertyAccessExpression(c) && c.name.text === "forEach") return call;
      // A setInterval callback is a loop only through the loops inside it.
    }
    return undefined;
  }
  return undefined;
}

function loopBody(loop: ts.Node): ts.Node | undefined {
  if (isLoop(loop)) return loop.statement;
  if (ts.isCallExpression(loop)) {
    const fn = loop.arguments[0] && skipOuter(loop.arguments[0]);
    return fn && isFunctionLike(fn) ? fn.body : undefined;
  }
  return undefined;
}

/** `start(); break;` or `return start();` right after: one per loop, not one per element. */
function leavesRightAfter(start: ts.Node, loop: ts.Node): boolean {
  let stmt: ts.Node = start;
  while (stmt.parent && !ts.isBlock(stmt.parent) && stmt.parent !== loop) stmt = stmt.parent;
  const block = stmt.parent;
  if (!block || !ts.isBlock(block)) return false;
  const i = block.statements.indexOf(stmt as ts.Statement);
  const next = block.statements[i + 1];
  return !!next && (ts.isBreakStatement(next) || ts.isReturnStatement(next));
}

/** A method call is reported from its name on: `.forEach(` of a chain spread over lines is where the work starts. */
function reportRange(sf: ts.SourceFile, node: ts.Node) {
  if (ts.isCallExpression(node)) {
    const c = calleeOf(node);
    if (ts.isPropertyAccessExpression(c) && /^(forEach|map|flatMap)$/.test(c.name.text)) return rangeBetween(sf, c.name.getStart(sf), node.end);
  }
  return rangeOf(sf, node);
}

function loopHeaderRange(sf: ts.SourceFile, loop: ts.Node) {
  return isLoop(loop) ? rangeBetween(sf, loop.getStart(sf), loop.statement.getStart(sf)) : rangeOf(sf, loop);
}
