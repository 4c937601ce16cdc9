/**
 * What a TS/JS file's code means for ownership: which calls acquire a
 * resource, what one use of a variable does to the obligation to release it,
 * and the function summaries (same file, and exported functions of relative
 * modules through the workspace) that carry both across functions.
 */
import ts = require("typescript");
import { TsKnowledge } from "../core/config";
import { TsFile } from "./facts";
import {
  ANY_RELEASE_METHOD,
  CONFIG_KINDS,
  ConfigKind,
  FD_BORROWERS,
  FETCH_MODULES,
  LOGGING_METHODS,
  MYSQL_MODULES,
  NON_CLOSING_GLOBALS,
  NON_CLOSING_MODULES,
  PG_MODULES,
  SYNC_CALLBACK_METHODS,
  TS_KINDS,
  TsKind,
} from "./resources";
import { isReference, localFunction, parseConfiguredName, resolveName } from "./scopes";
import { FunctionLike, calleeOf, isFunctionLike, skipAwait, skipOuter, stringValue } from "./syntax";
import { TypeOracle, declaredTypeText, enclosingClass } from "./types";
import type { TsWorkspace } from "./workspace";

export interface Acquisition {
  kind: TsKind;
  /** How the call reads in messages: "fetch", "pool.connect", "fs.promises.open", "getJson". */
  label: string;
  /** The call or `new` expression. */
  node: ts.CallExpression | ts.NewExpression;
  /** The call returns a promise of the resource: only an awaited (or `.then`ed) result is the resource. */
  async: boolean;
  /** For responses: WHATWG bodies are cancelled, node-fetch bodies (Node streams) resumed, undici `request` bodies dumped. */
  flavor?: Flavor;
  /**
   * A mongodb cursor opens its server-side cursor on the first `next()`/`hasNext()`/`tryNext()`:
   * until then (created, explained, returned unread) it holds nothing.
   */
  lazy?: boolean;
}

/** `injected`: a fetch passed in or configured, which may be node-fetch as well as the global one. */
export type Flavor = "whatwg" | "node" | "undici" | "injected";

/** A resource produced by a callback's parameter: `http.get(url, (res) => ...)`, `pool.getConnection((err, conn) => ...)`. */
export interface CallbackAcquisition {
  acquisition: Acquisition;
  fn: FunctionLike;
  param: ts.ParameterDeclaration;
  /** The node-style error parameter: the resource is absent when it is set. */
  errParam?: ts.ParameterDeclaration;
  /** pg's `done`/`release` callback parameter: calling it releases the client. */
  releaseParam?: ts.ParameterDeclaration;
}

/** What one occurrence of a tracked variable does to the obligation to release it. */
export type UseEffect = "none" | "release" | "handoff" | "return" | "overwrite";
export type ParamEffect = "release" | "handoff" | "none";

export interface FunctionSummary {
  /** The function returns (a promise of) a fresh resource its caller must release. */
  returns?: { kind: TsKind; async: boolean; flavor?: Flavor };
  /** What the function does with each parameter. */
  params: ParamEffect[];
}

/** A variable whose uses are classified: its declaration and what it holds (`any` in summaries: kind unknown). */
export interface VarRef {
  decl: ts.Node;
  name: string;
  kind: TsKind | "any";
}

const IN_PROGRESS: FunctionSummary = { params: [] };
const LISTENER_METHODS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);
/** Methods on a response body (`res.body.x()`) that do not consume it. */
const NON_CONSUMING_BODY_METHODS = new Set(["setEncoding", "pause", "removeListener", "off", "removeAllListeners", "emit", "listenerCount", "isPaused"]);
/** Builder methods of cursors and promise chains that pass the same value on. */
export const CURSOR_BUILDERS = new Set([
  "sort",
  "limit",
  "skip",
  "project",
  "batchSize",
  "filter",
  "hint",
  "maxTimeMS",
  "collation",
  "min",
  "max",
  "comment",
  "addCursorFlag",
  "allowDiskUse",
  "withReadPreference",
  "map",
  "lean",
]);
const MONGO_CURSOR_METHODS = new Set(["find", "aggregate", "listCollections", "listIndexes", "watch"]);
/** Method names some acquisition has: every other method call (`arr.push`, `res.json`) is not one, unless on `this`. */
const ACQUIRING_METHODS = new Set([
  "fetch",
  "request",
  "open",
  "openSync",
  "connect",
  "createConnection",
  "getConnection",
  "createQueryRunner",
  "query",
  "find",
  "aggregate",
  "listCollections",
  "listIndexes",
  "cursor",
  "stream",
  "default",
]);
/** Callee names of callback-style acquisitions. */
const CALLBACK_ACQUIRERS = new Set(["get", "request", "on", "once", "getConnection", "connect", "open"]);

function rank(e: UseEffect): number {
  return e === "release" ? 3 : e === "handoff" || e === "return" ? 2 : 0;
}

export function strongest(a: UseEffect, b: UseEffect): UseEffect {
  return rank(b) > rank(a) ? b : a;
}

export class TsContext {
  private readonly summaries = new Map<ts.Node, FunctionSummary>();
  private readonly factories: { module?: string; name: string; kind: TsKind }[];
  /** Method names of the configured factories (`*.scanAll`, `@acme/db#Client.open`). */
  private readonly factoryMethods: Set<string>;

  constructor(
    readonly file: TsFile,
    readonly workspace: TsWorkspace | undefined,
    readonly knowledge: TsKnowledge,
    readonly oracle?: TypeOracle,
  ) {
    this.factories = knowledge.resourceFactories.map((f) => ({ ...parseConfiguredName(f.function), kind: CONFIG_KINDS[f.kind as ConfigKind] }));
    this.factoryMethods = new Set(this.factories.map((f) => f.name.split(".").pop()!));
  }

  get sourceFile(): ts.SourceFile {
    return this.file.sourceFile;
  }

  private names?: Set<string>;

  /** Names a plain call may acquire through: imports, functions declared in the file, fetch and the configured factories. */
  private get callableNames(): Set<string> {
    if (this.names) return this.names;
    const names = new Set<string>(["fetch"]);
    for (const decl of this.file.bindings.keys()) {
      const n = (decl as ts.NamedDeclaration).name;
      if (n && ts.isIdentifier(n)) names.add(n.text);
      else if (ts.isImportClause(decl) && decl.name) names.add(decl.name.text);
    }
    for (const fn of this.file.functions) {
      if (ts.isFunctionDeclaration(fn) && fn.name) names.add(fn.name.text);
      else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) names.add(fn.parent.name.text);
    }
    // `const fetch = options.fetch ?? globalThis.fetch` and other local aliases of fetch.
    if (this.sourceFile.text.includes("fetch")) {
      for (const call of this.file.calls) {
        const c = calleeOf(call);
        if (ts.isIdentifier(c) && /fetch/i.test(c.text)) names.add(c.text);
      }
    }
    this.names = names;
    return names;
  }

  // ---- acquisitions ---------------------------------------------------------------

  /** The resource a call or `new` expression produces, if it produces one. */
  acquisitionOf(expr: ts.Expression): Acquisition | null {
    const e = skipOuter(expr);
    if (ts.isNewExpression(e)) return this.newAcquisition(e);
    if (!ts.isCallExpression(e)) return null;
    const callee = calleeOf(e);
    // Most calls are method calls on names no acquisition has: decided without resolving anything.
    if (ts.isPropertyAccessExpression(callee) && !ACQUIRING_METHODS.has(callee.name.text) && !this.factoryMethods.has(callee.name.text)) {
      if (skipOuter(callee.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
    } else if (ts.isIdentifier(callee)) {
      // A plain call can acquire only through an import, a function of this file, or `fetch`.
      if (!this.callableNames.has(callee.text)) return null;
    } else if (!ts.isPropertyAccessExpression(callee)) {
      return null;
    }
    const q = this.file.qualify(callee);
    const self = this;
    const acq = (kind: TsKind, async: boolean, flavor?: Flavor): Acquisition => ({
      kind,
      get label() {
        return self.labelOf(callee);
      },
      node: e,
      async,
      flavor,
    });

    for (const f of this.factories) {
      if (f.module === undefined ? ts.isPropertyAccessExpression(callee) && callee.name.text === f.name : q && "module" in q && q.module === f.module && q.name === (f.name === "default" ? "default" : f.name)) {
        return acq(f.kind, true);
      }
    }
    if (q && "global" in q) {
      if (q.global === "fetch") return this.isHeadRequest(e) ? null : acq("response", true, "whatwg");
    } else if (q) {
      const flavor = FETCH_MODULES[q.module];
      if (flavor && (q.name === "default" || q.name === "fetch")) return this.isHeadRequest(e) ? null : acq("response", true, flavor);
      if (q.module === "undici" && q.name === "request") return acq("undiciResponse", true, "undici");
      if (q.module === "fs" && q.name === "promises.open") return acq("fileHandle", true);
      if (q.module === "fs" && q.name === "openSync") return acq("fd", false);
      if ((q.module === "net" || q.module === "tls") && (q.name === "connect" || q.name === "createConnection")) return acq("socket", false);
    }
    // An injected fetch: `function make(fetch) { ... fetch(url) }`, or
    // `const fetch = options.fetch || globalThis.fetch`.
    if (ts.isIdentifier(callee) && !q) {
      const r = resolveName(callee, callee.text);
      const injected = r && ts.isParameter(r.decl) && callee.text === "fetch";
      const fallback = r && ts.isVariableDeclaration(r.decl) && r.decl.initializer && this.fallsBackToFetch(r.decl.initializer);
      if (injected || fallback) return this.isHeadRequest(e) ? null : acq("response", true, "injected");
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const receiver = callee.expression;
      if (method === "connect" && e.arguments.length === 0 && this.isPool(receiver, PG_MODULES)) return acq("poolClient", true);
      if (method === "getConnection" && e.arguments.length === 0 && this.isPool(receiver, MYSQL_MODULES)) return acq("poolClient", true);
      if (method === "createQueryRunner") return acq("queryRunner", false);
      if (method === "query" && e.arguments.length >= 1) {
        const sub = skipOuter(e.arguments[0]);
        if (ts.isNewExpression(sub)) {
          const inner = this.newAcquisition(sub);
          if (inner) return { ...acq(inner.kind, false), label: `${this.labelOf(callee)}(new ${inner.label})` };
        }
      }
      if (MONGO_CURSOR_METHODS.has(method) && method !== "watch" && this.isMongoCollection(receiver, e)) return { ...acq("cursor", false), lazy: true };
      if (method === "cursor" && e.arguments.length <= 1 && this.file.imports("mongoose") && ts.isCallExpression(skipOuter(receiver))) return { ...acq("cursor", false), lazy: true };
      if (method === "stream" && this.file.importsAny((m) => MYSQL_MODULES.has(m))) {
        const r = skipOuter(receiver);
        if (ts.isCallExpression(r) && ts.isPropertyAccessExpression(calleeOf(r)) && (calleeOf(r) as ts.PropertyAccessExpression).name.text === "query") {
          return acq("stream", false);
        }
      }
    }
    const returns = this.calleeReturns(e);
    return returns ? acq(returns.kind, returns.async, returns.flavor) : null;
  }

  private newAcquisition(e: ts.NewExpression): Acquisition | null {
    const q = this.file.qualify(e.expression);
    if (!q || !("module" in q)) return null;
    const label = `${this.labelOf(e.expression)}`;
    if (q.module === "pg-cursor" && q.name === "default") return { kind: "cursor", label, node: e, async: false };
    if (q.module === "pg-query-stream" && q.name === "default") return { kind: "stream", label, node: e, async: false };
    return null;
  }

  /** `options.fetch ?? globalThis.fetch`: an expression one of whose alternatives is the global (or a library's) fetch. */
  private fallsBackToFetch(init: ts.Expression): boolean {
    const e = skipOuter(init);
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      return this.fallsBackToFetch(e.left) || this.fallsBackToFetch(e.right);
    }
    if (ts.isConditionalExpression(e)) return this.fallsBackToFetch(e.whenTrue) || this.fallsBackToFetch(e.whenFalse);
    if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return false;
    const q = this.file.qualify(e);
    if (!q) return false;
    if ("global" in q) return q.global === "fetch";
    return !!FETCH_MODULES[q.module] && (q.name === "default" || q.name === "fetch");
  }

  /** `fetch(url, { method: "HEAD" })` has no body to consume. */
  private isHeadRequest(call: ts.CallExpression): boolean {
    return !!call.arguments[1] && this.isHeadOptions(call.arguments[1]);
  }

  private isHeadOptions(arg: ts.Expression): boolean {
    const opts = skipOuter(arg);
    if (!ts.isObjectLiteralExpression(opts)) return false;
    return opts.properties.some(
      (p) => ts.isPropertyAssignment(p) && p.name.getText(this.sourceFile) === "method" && /^head$/i.test(stringValue(skipOuter(p.initializer)) ?? ""),
    );
  }

  /**
   * A pg or mysql pool: declared or constructed as one (`pool: Pool`,
   * `new pg.Pool()`, `mysql.createPool()`), or named like one in a file that
   * uses the driver, or named `pool`/`...Pool` anywhere.
   */
  private isPool(receiver: ts.Expression, drivers: Set<string>): boolean {
    const type = declaredTypeText(this.sourceFile, receiver, this.oracle);
    if (type !== undefined) return /\bPool\b|Pool$/.test(type.replace(/<.*$/, ""));
    const init = this.initializerOf(receiver);
    if (init && ts.isCallExpression(init)) {
      const q = this.file.qualify(calleeOf(init));
      if (q && "module" in q && drivers.has(q.module) && /^(createPool|createPoolCluster)$/.test(q.name)) return true;
    }
    const r = skipOuter(receiver);
    const name = ts.isPropertyAccessExpression(r) ? r.name.text : ts.isIdentifier(r) ? r.text : "";
    if (/pool$/i.test(name)) return true;
    // A client or connection connects itself (pg's Client.connect() resolves to nothing); anything
    // else is a pool when the file uses the driver, or when the function releases what it got.
    if (/client|conn|runner|session|socket/i.test(name)) return false;
    if (/pool/i.test(name) || this.file.importsAny((m) => drivers.has(m))) return true;
    // `getConnection()` is distinctive enough that releasing its kept result settles it; a bare
    // `connect()` is not (many things connect): there only a type says so.
    if (drivers !== MYSQL_MODULES) return false;
    const fn = enclosingFunctionOf(receiver);
    return !!fn?.body && isKept(receiver.parent.parent) && this.sourceFile.text.slice(fn.body.pos, fn.body.end).includes(".release(");
  }

  /** The initializer of a local `const x = ...` the expression names. */
  private initializerOf(expr: ts.Expression): ts.Expression | undefined {
    const e = skipOuter(expr);
    if (!ts.isIdentifier(e)) return undefined;
    const r = resolveName(e, e.text);
    return r && ts.isVariableDeclaration(r.decl) && r.decl.initializer ? skipAwait(r.decl.initializer) : undefined;
  }

  /**
   * `collection.find(query)` in a file that imports mongodb, whose arguments
   * are not callbacks (that is `Array.prototype.find`).
   */
  private isMongoCollection(receiver: ts.Expression, call: ts.CallExpression): boolean {
    if (call.arguments.some((a) => isFunctionLike(skipOuter(a)))) return false;
    const r = skipOuter(receiver);
    if (ts.isArrayLiteralExpression(r)) return false;
    const type = declaredTypeText(this.sourceFile, receiver, this.oracle);
    if (type !== undefined) return /\b(Collection|Db)\b/.test(type);
    // `db.collection("users").find(...)` (or a variable holding `db.collection(...)`, or one named
    // like a collection): the driver's own API, whatever the file imports.
    const isCollectionCall = (e: ts.Expression | undefined) =>
      !!e && ts.isCallExpression(e) && ts.isPropertyAccessExpression(calleeOf(e)) && (calleeOf(e) as ts.PropertyAccessExpression).name.text === "collection";
    if (isCollectionCall(r) || isCollectionCall(this.initializerOf(r))) return true;
    const name = ts.isPropertyAccessExpression(r) ? r.name.text : ts.isIdentifier(r) ? r.text : "";
    if (/collection$/i.test(name) && !this.file.imports("mongoose")) return true;
    // Mongoose models answer find() and aggregate() with queries, not cursors.
    return this.file.imports("mongodb") && !this.file.imports("mongoose");
  }

  /** `pool.connect`, `fs.promises.open`, `this.getJson`: the callee as written, shortened to its last two names. */
  labelOf(callee: ts.Expression): string {
    const text = callee.getText(this.sourceFile).replace(/\s+/g, "").replace(/^\(0,(.*)\)$/, "$1");
    const parts = text.split(".");
    return parts.length > 3 ? parts.slice(-2).join(".") : text;
  }

  /** Callback-style acquisitions in the file, found once. */
  callbackAcquisitions(): CallbackAcquisition[] {
    const out: CallbackAcquisition[] = [];
    for (const call of this.file.calls) {
      const found = this.callbackAcquisition(call);
      if (found) out.push(found);
    }
    return out;
  }

  private callbackAcquisition(call: ts.CallExpression): CallbackAcquisition | null {
    const callee = calleeOf(call);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
    if (!CALLBACK_ACQUIRERS.has(name)) return null;
    const last = call.arguments.length > 0 ? this.callbackFunction(call.arguments[call.arguments.length - 1]) : undefined;
    if (!last) return null;
    const params = last.parameters;
    const self = this;
    const make = (kind: TsKind, index: number, errIndex?: number, releaseIndex?: number): CallbackAcquisition | null => {
      const param = params[index];
      if (!param || !ts.isIdentifier(param.name)) return null;
      return {
        acquisition: {
          kind,
          get label() {
            return self.labelOf(callee);
          },
          node: call,
          async: false,
        },
        fn: last,
        param,
        errParam: errIndex !== undefined && params[errIndex] && ts.isIdentifier(params[errIndex].name) ? params[errIndex] : undefined,
        releaseParam: releaseIndex !== undefined && params[releaseIndex] && ts.isIdentifier(params[releaseIndex].name) ? params[releaseIndex] : undefined,
      };
    };
    if (this.isHttpRequestCall(call)) return make("incoming", 0);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      if ((method === "on" || method === "once") && stringValue(call.arguments[0]) === "response" && call.arguments.length === 2) {
        const r = skipOuter(callee.expression);
        const source = ts.isCallExpression(r) ? r : this.initializerOf(r);
        if (source && ts.isCallExpression(source) && this.isHttpRequestCall(source, true)) return make("incoming", 0);
      }
      if (method === "getConnection" && call.arguments.length === 1 && this.isPool(callee.expression, MYSQL_MODULES)) return make("poolClient", 1, 0);
      if (method === "connect" && call.arguments.length === 1 && this.isPool(callee.expression, PG_MODULES)) return make("poolClient", 1, 0, 2);
    }
    const q = this.file.qualify(callee);
    if (q && "module" in q && q.module === "fs" && q.name === "open" && call.arguments.length >= 2) return make("fd", 1, 0);
    return null;
  }

  /** A callback argument: a function written in place, or a function of this file passed by name (`https.get(url, onResponse)`). */
  callbackFunction(arg: ts.Expression): FunctionLike | undefined {
    const e = skipOuter(arg);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
    if (ts.isIdentifier(e)) {
      const fn = localFunction(e);
      return fn?.body ? fn : undefined;
    }
    return undefined;
  }

  /** `http.get(url, cb)`, `https.request(opts, cb)`; with `anyArgs`, also without a callback. */
  private isHttpRequestCall(call: ts.CallExpression, anyArgs = false): boolean {
    const q = this.file.qualify(calleeOf(call));
    if (!q || !("module" in q)) return false;
    const http = q.module === "http" || q.module === "https" || (q.module === "follow-redirects" && /^https?\./.test(q.name));
    if (!http || !/(^|\.)(get|request)$/.test(q.name)) return false;
    if (anyArgs) return true;
    const last = call.arguments[call.arguments.length - 1];
    if (!last || !this.callbackFunction(last)) return false;
    // A HEAD request has no body to read.
    return !call.arguments.some((a) => this.isHeadOptions(a));
  }

  // ---- what a use does --------------------------------------------------------------

  /**
   * Classifies one reference to a tracked variable. A release method (or, for
   * a response, consuming or cancelling its body) releases; returning,
   * storing, and passing to a function that keeps or releases it end the
   * obligation; reading properties and calling other methods change nothing.
   */
  effectOfUse(id: ts.Identifier, v: VarRef): UseEffect {
    let node: ts.Node = id;
    let viaBody = false;
    for (;;) {
      const p = node.parent;
      if (!p) return "none";
      switch (p.kind) {
        case ts.SyntaxKind.ParenthesizedExpression:
        case ts.SyntaxKind.AsExpression:
        case ts.SyntaxKind.NonNullExpression:
        case ts.SyntaxKind.SatisfiesExpression:
        case ts.SyntaxKind.TypeAssertionExpression:
        case ts.SyntaxKind.AwaitExpression:
          node = p;
          continue;
        case ts.SyntaxKind.PropertyAccessExpression: {
          const pa = p as ts.PropertyAccessExpression;
          if (pa.expression !== node) return "none";
          const name = pa.name.text;
          const call = pa.parent;
          if (ts.isCallExpression(call) && call.expression === pa) return this.methodEffect(v.kind, name, call, viaBody);
          if (!viaBody && name === "body" && (v.kind === "response" || v.kind === "undiciResponse" || v.kind === "any")) {
            viaBody = true;
            node = pa;
            continue;
          }
          // `cleanup(client.release)`: the release escapes as a method value.
          if (!viaBody && this.releaseMethods(v.kind).has(name) && isValuePosition(pa)) return "handoff";
          return "none";
        }
        case ts.SyntaxKind.CallExpression: {
          const call = p as ts.CallExpression;
          if (call.expression === node) return "none";
          const index = call.arguments.indexOf(node as ts.Expression);
          return index < 0 ? "none" : this.effectOfArgument(call, index, v);
        }
        case ts.SyntaxKind.NewExpression:
          return "handoff";
        case ts.SyntaxKind.ReturnStatement:
          return "return";
        case ts.SyntaxKind.ArrowFunction:
          return (p as ts.ArrowFunction).body === node ? "return" : "none";
        case ts.SyntaxKind.YieldExpression:
          return "return";
        case ts.SyntaxKind.VariableDeclaration: {
          const d = p as ts.VariableDeclaration;
          if (d.initializer !== node) return "none";
          if (ts.isIdentifier(d.name)) return "handoff";
          // Destructuring reads fields; taking the body of a response takes the response's obligation.
          if (ts.isObjectBindingPattern(d.name) && !viaBody && (v.kind === "response" || v.kind === "undiciResponse" || v.kind === "any")) {
            return d.name.elements.some((el) => (el.propertyName ?? el.name).getText(this.sourceFile) === "body" || !!el.dotDotDotToken) ? "handoff" : "none";
          }
          return "none";
        }
        case ts.SyntaxKind.BinaryExpression: {
          const b = p as ts.BinaryExpression;
          const op = b.operatorToken.kind;
          if (isAssignmentOperator(op)) {
            if (b.left === node) return node === id ? "overwrite" : "none";
            return "handoff";
          }
          if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
            if (b.left === node) return "none";
            node = p;
            continue;
          }
          if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
            node = p;
            continue;
          }
          if (op === ts.SyntaxKind.CommaToken && b.right === node) {
            node = p;
            continue;
          }
          return "none";
        }
        case ts.SyntaxKind.ConditionalExpression:
          if ((p as ts.ConditionalExpression).condition === node) return "none";
          node = p;
          continue;
        case ts.SyntaxKind.ShorthandPropertyAssignment:
        case ts.SyntaxKind.ArrayLiteralExpression:
        case ts.SyntaxKind.SpreadElement:
        case ts.SyntaxKind.SpreadAssignment:
        case ts.SyntaxKind.JsxExpression:
        case ts.SyntaxKind.JsxSpreadAttribute:
        case ts.SyntaxKind.ExportAssignment:
        case ts.SyntaxKind.ThrowStatement:
          return "handoff";
        case ts.SyntaxKind.PropertyAssignment:
        case ts.SyntaxKind.PropertyDeclaration:
          return (p as ts.PropertyAssignment).initializer === node ? "handoff" : "none";
        case ts.SyntaxKind.ForOfStatement:
          if ((p as ts.ForOfStatement).expression !== node) return "none";
          return viaBody || (v.kind !== "any" && TS_KINDS[v.kind].iterationReleases) || v.kind === "any" ? "release" : "none";
        default:
          return "none";
      }
    }
  }

  private releaseMethods(kind: TsKind | "any"): Set<string> {
    return kind === "any" ? ANY_RELEASE_METHOD : TS_KINDS[kind].releaseMethods;
  }

  private methodEffect(kind: TsKind | "any", name: string, call: ts.CallExpression, viaBody: boolean): UseEffect {
    if (LISTENER_METHODS.has(name)) {
      const event = stringValue(call.arguments[0]);
      const events = viaBody || kind === "any" ? new Set(["data", "readable"]) : TS_KINDS[kind].consumingEvents;
      return event !== undefined && events?.has(event) ? "release" : "none";
    }
    if (viaBody) return NON_CONSUMING_BODY_METHODS.has(name) ? "none" : "release";
    return this.releaseMethods(kind).has(name) ? "release" : "none";
  }

  private effectOfArgument(call: ts.CallExpression, index: number, v: VarRef): UseEffect {
    const effect = this.argumentEffect(call, index, v);
    // `if (!isValid(socket))`: a predicate looks at what it is given.
    return effect === "handoff" && isTested(call) ? "none" : effect;
  }

  private argumentEffect(call: ts.CallExpression, index: number, v: VarRef): UseEffect {
    const callee = calleeOf(call);
    const q = this.file.qualify(callee);
    if (q && "global" in q) {
      if (NON_CLOSING_GLOBALS.has(q.global) || q.global.startsWith("console.") || q.global.startsWith("Math.")) return "none";
      return "handoff";
    }
    if (q) {
      const closer = `${q.module}#${q.name}`;
      if (index === 0 && this.knowledge.closers.includes(closer)) return "release";
      if (q.module === "fs") {
        if (index === 0 && (q.name === "closeSync" || q.name === "close")) return "release";
        if (FD_BORROWERS.has(q.name)) return "none";
      }
      const nonClosing = NON_CLOSING_MODULES[q.module];
      if (nonClosing === "*" || nonClosing?.has(q.name)) return "none";
      if (q.module.startsWith(".") && this.workspace) {
        const s = this.workspace.exportSummary(this.file.path, q.module, q.name);
        if (s) return s.params[Math.min(index, s.params.length - 1)] ?? "handoff";
      }
      return "handoff";
    }
    if (ts.isIdentifier(callee)) {
      const fn = localFunction(callee);
      if (fn) return this.paramEffect(fn, index);
      return "handoff";
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const recv = skipOuter(callee.expression);
      if (LOGGING_METHODS.has(method) && /log|console/i.test(recv.getText(this.sourceFile))) return "none";
      if (recv.kind === ts.SyntaxKind.ThisKeyword) {
        const m = this.classMethod(callee);
        if (m) return this.paramEffect(m, index);
      }
      // `client.query(cursor)` submits a cursor or stream; the caller still owns it.
      // `client.query(cursor)` submits a cursor or stream and returns it: the caller still owns it,
      // under the new name when the result is kept (`const stream = client.query(query)`).
      if (method === "query" && (v.kind === "cursor" || v.kind === "stream")) return ts.isExpressionStatement(call.parent) ? "none" : "handoff";
      return "handoff";
    }
    return "handoff";
  }

  private paramEffect(fn: FunctionLike, index: number): ParamEffect {
    const s = this.summaryOf(fn);
    if (s === IN_PROGRESS) return "handoff";
    const p = fn.parameters[Math.min(index, fn.parameters.length - 1)];
    if (!p) return "none";
    if (p.dotDotDotToken) return s.params[fn.parameters.length - 1] ?? "handoff";
    return s.params[Math.min(index, s.params.length - 1)] ?? "handoff";
  }


  /** `this.m` inside a class: the method (or arrow-function field) `m`. */
  classMethod(access: ts.PropertyAccessExpression): FunctionLike | undefined {
    const cls = enclosingClass(access);
    if (!cls) return undefined;
    const name = access.name.text;
    for (const m of cls.members) {
      if (!m.name || m.name.getText(this.sourceFile) !== name) continue;
      if (ts.isMethodDeclaration(m) && m.body) return m;
      if (ts.isPropertyDeclaration(m) && m.initializer) {
        const init = skipOuter(m.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
    }
    return undefined;
  }

  /** The function a call calls, when the file declares it (`f()`, `this.m()`). */
  private calleeFunction(call: ts.CallExpression): FunctionLike | undefined {
    const callee = calleeOf(call);
    if (ts.isIdentifier(callee)) return localFunction(callee);
    if (ts.isPropertyAccessExpression(callee) && skipOuter(callee.expression).kind === ts.SyntaxKind.ThisKeyword) return this.classMethod(callee);
    return undefined;
  }

  /** The summary of whatever a call calls, when the file (or a relative module) declares it. */
  calleeSummary(call: ts.CallExpression): FunctionSummary | undefined {
    const fn = this.calleeFunction(call);
    if (fn) {
      const s = this.summaryOf(fn);
      return s === IN_PROGRESS ? undefined : s;
    }
    const q = this.workspace && this.file.qualify(calleeOf(call));
    if (!q || !("module" in q) || !q.module.startsWith(".")) return undefined;
    return this.workspace!.exportSummary(this.file.path, q.module, q.name);
  }

  /** The resource a call returns, if what it calls is a factory of this file or of a relative module. Cheaper than the full summary. */
  calleeReturns(call: ts.CallExpression): FunctionSummary["returns"] {
    const fn = this.calleeFunction(call);
    if (fn) return this.returnsOf(fn);
    const q = this.workspace && this.file.qualify(calleeOf(call));
    if (!q || !("module" in q) || !q.module.startsWith(".")) return undefined;
    return this.workspace!.exportReturns(this.file.path, q.module, q.name);
  }

  // ---- summaries ----------------------------------------------------------------------

  summaryOf(fn: FunctionLike): FunctionSummary {
    const done = this.summaries.get(fn);
    if (done) return done;
    this.summaries.set(fn, IN_PROGRESS);
    const summary: FunctionSummary = { params: [] };
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name) || !fn.body) {
        summary.params.push("handoff");
        continue;
      }
      const e = this.effectOnName(fn.body, { decl: p, name: p.name.text, kind: "any" });
      summary.params.push(e === "release" ? "release" : e === "none" || e === "overwrite" ? "none" : "handoff");
    }
    summary.returns = this.returnsOf(fn);
    this.summaries.set(fn, summary);
    return summary;
  }

  private readonly returns = new Map<ts.Node, FunctionSummary["returns"] | "pending">();

  /** What a function returns, as far as resources go; recursion through a cycle answers "nothing". */
  returnsOf(fn: FunctionLike): FunctionSummary["returns"] {
    const done = this.returns.get(fn);
    if (done === "pending") return undefined;
    if (done !== undefined || this.returns.has(fn)) return done;
    this.returns.set(fn, "pending");
    const r = this.returnedResource(fn);
    this.returns.set(fn, r);
    return r;
  }

  /** `return fetch(u)`, `return await pool.connect()`, or `const res = await fetch(u); ...; return res`. */
  private returnedResource(fn: FunctionLike): FunctionSummary["returns"] {
    if (!fn.body) return undefined;
    const fnAsync = !!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const results: ts.Expression[] = [];
    if (!ts.isBlock(fn.body)) results.push(fn.body);
    else forEachReturn(fn.body, (r) => r.expression && results.push(r.expression));
    // `return given || create()`: a function that may return what it was given is not a factory.
    const returnsParameter = results.some((r) => {
      const e = skipAwait(r);
      const id = ts.isIdentifier(e) ? e : ts.isBinaryExpression(e) && ts.isIdentifier(skipOuter(e.left)) ? (skipOuter(e.left) as ts.Identifier) : undefined;
      const d = id && resolveName(id, id.text)?.decl;
      return !!d && ts.isParameter(d) && d.parent === fn;
    });
    if (returnsParameter) return undefined;
    for (const r of results) {
      const raw = skipOuter(r);
      const awaited = ts.isAwaitExpression(raw);
      const e = skipAwait(r);
      const acq = ts.isCallExpression(e) || ts.isNewExpression(e) ? this.acquisitionOf(e) : null;
      if (acq) return { kind: acq.kind, async: fnAsync || (acq.async && !awaited), flavor: acq.flavor };
      if (ts.isIdentifier(e)) {
        const res = resolveName(e, e.text);
        const d = res?.decl;
        if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name)) {
          const initRaw = skipOuter(d.initializer);
          const init = skipAwait(d.initializer);
          const a = ts.isCallExpression(init) || ts.isNewExpression(init) ? this.acquisitionOf(init) : null;
          if (a && (!a.async || ts.isAwaitExpression(initRaw))) return { kind: a.kind, async: fnAsync, flavor: a.flavor };
        }
      }
    }
    return undefined;
  }

  /**
   * The strongest effect of any use of a variable inside `root`: a release
   * anywhere counts, then hand-offs. A closure that captures the variable and
   * outlives the call (registered, stored, passed on) owns it.
   */
  effectOnName(root: ts.Node, v: VarRef): UseEffect {
    let out: UseEffect = "none";
    for (const id of this.referencesIn(root, v)) {
      const closure = escapingClosure(id, root);
      out = strongest(out, closure ? "handoff" : this.effectOfUse(id, v));
      if (out === "release") break;
    }
    return out;
  }

  /** References to the variable inside `root`, nested functions included. */
  referencesIn(root: ts.Node, v: VarRef): ts.Identifier[] {
    const out: ts.Identifier[] = [];
    const text = this.sourceFile.text;
    if (!text.slice(root.pos, root.end).includes(v.name)) return out;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        if (n.text === v.name && isReference(n) && resolveName(n, n.text)?.decl === v.decl) out.push(n);
        return;
      }
      if (ts.isTypeNode(n)) return;
      n.forEachChild(visit);
    };
    visit(root);
    return out;
  }
}

/** A call whose (awaited) result is assigned to a variable. */
function isKept(call: ts.Node): boolean {
  let n = call;
  while (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return (ts.isVariableDeclaration(n.parent) && n.parent.initializer === n) || (ts.isBinaryExpression(n.parent) && n.parent.right === n);
}

function enclosingFunctionOf(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
  return undefined;
}

function isAssignmentOperator(op: ts.SyntaxKind): boolean {
  return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
}

/** A call whose result is only tested: an `if`/`while` condition, a `!` operand, a ternary's test. */
function isTested(call: ts.Node): boolean {
  let n: ts.Node = call;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAwaitExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) return true;
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === n) return true;
  if (ts.isConditionalExpression(p) && p.condition === n) return true;
  if (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return isTested(p) || p.left === n;
  }
  return false;
}

/** A property access used as a value (passed, stored, returned), not called or read. */
function isValuePosition(node: ts.Node): boolean {
  const p = node.parent;
  return (
    (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) ||
    ts.isReturnStatement(p) ||
    (ts.isVariableDeclaration(p) && p.initializer === node) ||
    (ts.isBinaryExpression(p) && p.right === node && isAssignmentOperator(p.operatorToken.kind)) ||
    ts.isPropertyAssignment(p)
  );
}

/** Every return statement of a function body, nested functions excluded. */
export function forEachReturn(body: ts.Node, f: (r: ts.ReturnStatement) => void): void {
  // Returns are statements: only statements that contain statements are entered.
  const visit = (n: ts.Node): void => {
    switch (n.kind) {
      case ts.SyntaxKind.ReturnStatement:
        f(n as ts.ReturnStatement);
        return;
      case ts.SyntaxKind.Block:
      case ts.SyntaxKind.IfStatement:
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
      case ts.SyntaxKind.LabeledStatement:
      case ts.SyntaxKind.WithStatement:
      case ts.SyntaxKind.TryStatement:
      case ts.SyntaxKind.CatchClause:
      case ts.SyntaxKind.SwitchStatement:
      case ts.SyntaxKind.CaseBlock:
      case ts.SyntaxKind.CaseClause:
      case ts.SyntaxKind.DefaultClause:
        n.forEachChild(visit);
        return;
      default:
        return;
    }
  };
  body.forEachChild(visit);
}

/**
 * The innermost function between `id` and `root` that outlives the statement
 * it appears in: not invoked on the spot, not a synchronous array callback,
 * not a Promise executor. Undefined when the use runs in place.
 */
export function escapingClosure(id: ts.Node, root: ts.Node): FunctionLike | undefined {
  for (let n = id.parent; n && n !== root; n = n.parent) {
    if (isFunctionLike(n)) return runsInPlace(n) ? undefined : n;
  }
  return undefined;
}

/** `(() => ...)()`, `items.forEach(x => ...)`, `new Promise((resolve) => ...)`. */
export function runsInPlace(fn: ts.Node): boolean {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  const { node, parent } = outerOf(fn);
  if (ts.isCallExpression(parent) && parent.expression === node) return true;
  if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
    const c = calleeOf(parent);
    return ts.isPropertyAccessExpression(c) && SYNC_CALLBACK_METHODS.has(c.name.text);
  }
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === node) {
    return ts.isIdentifier(parent.expression) && parent.expression.text === "Promise";
  }
  return false;
}

function outerOf(n: ts.Node): { node: ts.Node; parent: ts.Node } {
  let node = n;
  while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return { node, parent: node.parent };
}
