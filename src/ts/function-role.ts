/**
 * Where a piece of TS/JS code runs, as the design rules (client-per-call,
 * cache-per-instance) need to know it: once per process (module scope, static
 * members, setup functions, startup callbacks), once per request (route
 * handlers of Express, Fastify, Koa, Next.js and plain `http.createServer`,
 * NestJS controller methods, Lambda handlers), once per object (constructors,
 * field initializers, methods) or once per iteration (loops, array callbacks,
 * `setInterval` and cron callbacks). Computed once per file (`frequencyOf`).
 *
 * Syntax only: a handler is known by where it is registered (`app.get(path,
 * fn)`, also by name when `fn` is a function of the file), by its parameters
 * (`(req, res)`, `(request, reply)`, `(ctx, next)`, a `Request` annotation) or
 * by its export name (`GET`, `POST`, `handler`).
 */
import ts = require("typescript");
import { TsFile } from "./facts";
import { isReference, localFunction, resolveName } from "./scopes";
import { FunctionLike, calleeOf, isFunctionLike, isLoop, lineOf, skipOuter, stringValue } from "./syntax";
import { SYNC_CALLBACK_METHODS } from "./resources";

export type Role =
  /** Module scope, a static member, a setup function or a startup callback: runs once. */
  | "once"
  /** Runs per request, connection or message. */
  | "handler"
  /** A class constructor or an instance field initializer: runs per object. */
  | "constructor"
  /** A method or accessor (not a handler). */
  | "method"
  /** Any other function: how often it runs is decided by its callers. */
  | "function";

export interface Loop {
  node: ts.Node;
  /** "iteration of the loop at line 12", "element of `items`", "tick of the setInterval timer". */
  unit: string;
  /** What to call it in related locations. */
  label: string;
  /** A loop over a literal list or a fixed count: it repeats a known, small number of times. */
  fixed: boolean;
}

export interface Position {
  role: Role;
  /** The function whose role it is; undefined at module scope. */
  fn?: FunctionLike;
  /** The class of a constructor, field initializer or method. */
  cls?: ts.ClassLikeDeclaration;
  /** For messages: "the `GET /users` handler", "Room's constructor", "fetchQuote". */
  fnName: string;
  /** For handlers: what one run serves ("request", "connection", "message"). */
  unit: string;
  /** The innermost loop around the node that runs with it (through callbacks that run in place). */
  loop?: Loop;
}

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all", "options", "head", "use", "route"]);
const EXPORTED_HANDLER_NAMES = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|handler|loader|action)$/;
const ROUTE_DECORATORS = /^(Get|Post|Put|Patch|Delete|All|Options|Head|MessagePattern|EventPattern|Query|Mutation|Subscription|ResolveField|SubscribeMessage|Process)$/;
const TICK_DECORATORS = /^(Cron|Interval)$/;
const ONCE_DECORATORS = /^(Injectable|Controller|Module|Service|Resolver|Component|Singleton|Provide)$/;
/** Events that fire per request, connection or message. */
const PER_REQUEST_EVENTS: Record<string, string> = {
  request: "request",
  connection: "connection",
  secureConnection: "connection",
  upgrade: "request",
  stream: "stream",
  message: "message",
  data: "chunk",
  job: "job",
};
/** Events that fire once, or once per (re)connection of a long-lived client. */
const ONCE_EVENTS = /^(SIG\w+|exit|beforeExit|listening|ready|close|open|connect|reconnect|end|finish|error|disconnect|shutdown|online)$/;
/** Callbacks of these run once when the program starts or stops. */
const STARTUP_METHODS = new Set(["listen", "once", "whenReady", "ready", "register", "after", "onReady", "onClose", "beforeAll", "before", "afterAll", "after"]);
/** Setup code by its name: it wires the program together and runs once. */
const SETUP_NAME =
  /^(main|run|serve|start|setup|init|initialize|configure|bootstrap|register|wire|listen|provision|mount|routes|createApp|buildApp|createServer|buildServer|startServer|onModuleInit|onApplicationBootstrap|onModuleDestroy|connectDb|connectDatabase|initDb|initDatabase)([A-Z_0-9]|$)/;
/** Parameters that make a function a plugin or route wiring function: it runs once, at registration. */
const WIRING_PARAM = /^(app|router|server|fastify|instance|api|routes|program|cli|bot|io)$/;

/** Names of the first and second parameters of request handlers. */
const REQUEST_PARAM = /^(req|request|_req|_request)$/;
const RESPONSE_PARAM = /^(res|response|reply|h|_res|_response|_reply)$/;
const REQUEST_TYPE = /^(express\.)?(Request|NextRequest|FastifyRequest|IncomingMessage|http\.IncomingMessage|NextApiRequest|APIGatewayProxyEvent(V2)?|ALBEvent)\b/;
const KOA_CONTEXT_TYPE = /^(Koa\.)?(Context|ParameterizedContext|RouterContext|Koa\.Context)\b/;

export function isTestFile(path: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(path) || /[\\/](__tests__|__mocks__)[\\/]/.test(path);
}

const cache = new WeakMap<TsFile, Frequency>();

/** The file's frequency analysis, built on first use and shared by the rules. */
export function frequencyOf(file: TsFile): Frequency {
  let f = cache.get(file);
  if (!f) {
    f = new Frequency(file);
    cache.set(file, f);
  }
  return f;
}

export class Frequency {
  private readonly positions = new Map<ts.Node, Position>();
  private readonly registered = new Map<ts.Node, { role: Role; unit: string; name?: string; tick?: string }>();
  private readonly onceMemo = new Map<ts.Node, boolean>();
  private referenceIndex?: Map<string, ts.Identifier[]>;
  private servesMemo?: boolean;

  constructor(readonly file: TsFile) {
    this.collectRegistrations();
  }

  get sourceFile(): ts.SourceFile {
    return this.file.sourceFile;
  }

  /** Where `node` runs. */
  positionOf(node: ts.Node): Position {
    let loop: Loop | undefined;
    let child: ts.Node = node;
    for (let n = node.parent; n; child = n, n = n.parent) {
      if (!loop && isLoop(n) && repeatsChild(n, child)) loop = this.loopOf(n);
      if (ts.isPropertyDeclaration(n) && n.initializer === child && ts.isClassLike(n.parent)) {
        const isStatic = !!n.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        if (isStatic) continue;
        if (isFunctionLike(skipOuter(n.initializer))) continue;
        const cls = n.parent;
        return { role: "constructor", cls, fnName: `${className(cls)}'s field \`${n.name.getText(this.sourceFile)}\``, unit: "object", loop };
      }
      if (ts.isClassStaticBlockDeclaration(n)) continue;
      if (!isFunctionLike(n)) continue;
      const role = this.functionPosition(n);
      if (role === "in-place") continue;
      if (role === "loop" || role === "tick") {
        loop ??= role === "tick" ? this.tickLoop(n) : this.callbackLoop(n);
        continue;
      }
      return { ...role, loop };
    }
    return { role: "once", fnName: "module scope", unit: "", loop };
  }

  /** The position of a whole function: what its body runs as. */
  functionRole(fn: FunctionLike): Position {
    let p = this.positions.get(fn);
    if (!p) {
      const body = fn.body;
      p = body ? this.positionOf(body) : { role: "function", fn, fnName: this.nameOf(fn), unit: "call" };
      this.positions.set(fn, p);
    }
    return p;
  }

  /** Code that defines or registers handlers, or imports a web framework: a server, where per-call work is per request. */
  servesRequests(): boolean {
    if (this.servesMemo !== undefined) return this.servesMemo;
    const frameworks = ["express", "fastify", "koa", "@koa/router", "koa-router", "hapi", "@hapi/hapi", "next", "next/server", "@nestjs/common", "restify", "polka", "h3", "hono", "elysia"];
    this.servesMemo =
      frameworks.some((m) => this.file.imports(m)) ||
      [...this.registered.values()].some((r) => r.role === "handler") ||
      this.file.functions.some((f) => isFunctionLike(f) && this.hasHandlerSignature(f));
    return this.servesMemo;
  }

  // ---- functions ------------------------------------------------------------------

  private functionPosition(fn: FunctionLike): Position | "in-place" | "loop" | "tick" {
    const sf = this.sourceFile;
    const reg = this.registered.get(fn);
    if (reg?.tick) return "tick";
    if (reg) return { role: reg.role, fn, fnName: reg.name ?? this.nameOf(fn), unit: reg.unit };
    if (ts.isConstructorDeclaration(fn)) {
      const cls = fn.parent;
      return { role: "constructor", fn, cls, fnName: `${className(cls)}'s constructor`, unit: "object" };
    }
    const decorators = decoratorNames(fn);
    if (decorators.some((d) => TICK_DECORATORS.test(d))) return "tick";
    if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
      const owner = fn.parent;
      const name = fn.name.getText(sf);
      if (ts.isClassLike(owner)) {
        const isStatic = !!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        const fnName = `${className(owner)}.${name}`;
        if (decorators.some((d) => ROUTE_DECORATORS.test(d))) return { role: "handler", fn, cls: owner, fnName, unit: "request" };
        if (this.hasHandlerSignature(fn)) return { role: "handler", fn, cls: owner, fnName, unit: "request" };
        if (SETUP_NAME.test(name)) return { role: "once", fn, cls: owner, fnName, unit: "" };
        return { role: isStatic ? "function" : "method", fn, cls: owner, fnName, unit: "call" };
      }
      // A method of an object literal: `export default { async fetch(request, env) { ... } }` (workers).
      if (ts.isObjectLiteralExpression(owner) && name === "fetch" && ts.isExportAssignment(owner.parent)) return { role: "handler", fn, fnName: "the fetch handler", unit: "request" };
    }
    if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
      const cb = this.callbackPosition(fn);
      if (cb) return cb;
    }
    const name = this.nameOf(fn);
    if (this.hasHandlerSignature(fn) || (EXPORTED_HANDLER_NAMES.test(name) && this.isExported(fn))) {
      return { role: "handler", fn, fnName: name === "the function" ? "the request handler" : name, unit: "request" };
    }
    // A class field holding an arrow function is a method.
    const field = ts.isPropertyDeclaration(fn.parent) ? fn.parent : undefined;
    if (field && ts.isClassLike(field.parent)) return { role: "method", fn, cls: field.parent, fnName: `${className(field.parent)}.${field.name.getText(sf)}`, unit: "call" };
    if (this.runsOnce(fn)) return { role: "once", fn, fnName: name, unit: "" };
    return { role: "function", fn, fnName: name, unit: "call" };
  }

  /** What a function literal given to a call runs as, when the call says. */
  private callbackPosition(fn: ts.ArrowFunction | ts.FunctionExpression): Position | "in-place" | "loop" | "tick" | undefined {
    let node: ts.Node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const parent = node.parent;
    if (ts.isCallExpression(parent) && parent.expression === node) return "in-place";
    if (ts.isNewExpression(parent) && parent.arguments?.[0] === node && ts.isIdentifier(parent.expression) && parent.expression.text === "Promise") return "in-place";
    if (!ts.isCallExpression(parent) || !parent.arguments.includes(node as ts.Expression)) return undefined;
    const callee = calleeOf(parent);
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
    if (ts.isPropertyAccessExpression(callee) && SYNC_CALLBACK_METHODS.has(method)) return "loop";
    if (method === "then" || method === "catch" || method === "finally") return "in-place";
    return "in-place";
  }

  /**
   * Handlers, tick callbacks and startup callbacks by where they are
   * registered; function names passed there count as well as literals.
   */
  private collectRegistrations(): void {
    const mark = (arg: ts.Expression, entry: { role: Role; unit: string; name?: string; tick?: string }) => {
      for (const fn of this.functionsOf(arg)) if (!this.registered.has(fn)) this.registered.set(fn, entry);
    };
    for (const call of this.file.calls) {
      const callee = calleeOf(call);
      const q = this.file.qualify(callee);
      const qn = q ? ("global" in q ? q.global : `${q.module}.${q.name}`) : undefined;
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
      const args = call.arguments;
      if (qn === "setInterval" || qn === "timers.setInterval" || (q && "module" in q && /^(node-cron|cron)$/.test(q.module) && /schedule|^job$|CronJob/.test(q.name))) {
        if (args[0]) mark(args[qn?.endsWith("setInterval") ? 0 : 1] ?? args[0], { role: "function", unit: "tick", tick: "the setInterval timer" });
        continue;
      }
      if (q && "module" in q && /^(http|https|http2|net|tls)$/.test(q.module) && /^(createServer|createSecureServer)$/.test(q.name)) {
        const unit = q.module === "net" || q.module === "tls" ? "connection" : "request";
        for (const a of args) mark(a, { role: "handler", unit, name: unit === "request" ? "the request handler" : "the connection handler" });
        continue;
      }
      if (!ts.isPropertyAccessExpression(callee)) continue;
      if ((method === "on" || method === "addListener" || method === "prependListener") && args.length >= 2) {
        const event = stringValue(args[0]);
        if (event === undefined) continue;
        if (ONCE_EVENTS.test(event)) mark(args[1], { role: "once", unit: "" });
        else mark(args[1], { role: "handler", unit: PER_REQUEST_EVENTS[event] ?? `'${event}' event`, name: `the '${event}' listener` });
        continue;
      }
      if (STARTUP_METHODS.has(method)) {
        for (const a of args) mark(a, { role: "once", unit: "" });
        continue;
      }
      if (method === "addHook" || method === "addMiddleware") {
        for (const a of args.slice(1)) mark(a, { role: "handler", unit: "request", name: "the hook" });
        continue;
      }
      if (HTTP_METHODS.has(method)) {
        const route = this.routeOf(call, method);
        if (!route) continue;
        for (const a of args) {
          const e = skipOuter(a);
          if (method === "route" && ts.isObjectLiteralExpression(e)) {
            for (const p of e.properties) {
              const key = p.name && ts.isIdentifier(p.name) ? p.name.text : "";
              if (!/^(handler|preHandler|onRequest|preValidation)$/.test(key)) continue;
              if (ts.isPropertyAssignment(p)) mark(p.initializer, { role: "handler", unit: "request", name: route });
              else if (ts.isMethodDeclaration(p)) this.registered.set(p, { role: "handler", unit: "request", name: route });
            }
            continue;
          }
          mark(a, { role: "handler", unit: "request", name: route });
        }
      }
    }
  }

  /** "the `GET /users` handler" when the call registers a route; undefined otherwise. */
  private routeOf(call: ts.CallExpression, method: string): string | undefined {
    const first = call.arguments[0] && skipOuter(call.arguments[0]);
    const path = first ? stringValue(first) : undefined;
    const hasFn = call.arguments.some((a) => this.functionsOf(a).length > 0 || ts.isObjectLiteralExpression(skipOuter(a)));
    if (!hasFn) return undefined;
    if (path !== undefined && /^[/*]/.test(path)) return method === "use" ? `the \`${path}\` middleware` : `the \`${method.toUpperCase()} ${path}\` handler`;
    if (first && (ts.isRegularExpressionLiteral(first) || ts.isArrayLiteralExpression(first))) return `the ${method === "use" ? "middleware" : "route handler"}`;
    if (method === "route" && first && ts.isObjectLiteralExpression(first)) {
      const prop = (key: string) => {
        const p = first.properties.find((x) => ts.isPropertyAssignment(x) && x.name.getText(this.sourceFile) === key) as ts.PropertyAssignment | undefined;
        return p ? stringValue(skipOuter(p.initializer)) : undefined;
      };
      const url = prop("url") ?? prop("path");
      if (url !== undefined) return `the \`${(prop("method") ?? "").toUpperCase()} ${url}\``.replace("` ", "`") + " handler";
    }
    const recv = skipOuter((calleeOf(call) as ts.PropertyAccessExpression).expression);
    const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : "";
    const webby = /^(app|router|server|fastify|api|routes|route|koa|r|instance|web|http)$/i.test(recvName) || /(App|Router|Server)$/.test(recvName);
    if (method === "route" && webby) return "the route handler";
    if (method === "use" && webby) {
      // `app.use(express.json())` registers no function of the file; `app.use(async (ctx, next) => ...)` does.
      return "the middleware";
    }
    return undefined;
  }

  /** Function literals, or functions of the file an identifier / `this.m` / `obj.m` names. */
  private functionsOf(arg: ts.Expression): ts.Node[] {
    const e = skipOuter(arg);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return [e];
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => this.functionsOf(x));
    if (ts.isCallExpression(e)) {
      // `asyncHandler(async (req, res) => ...)`, `wrap(fn)`: wrappers pass the function on.
      return e.arguments.flatMap((x) => (ts.isArrowFunction(skipOuter(x)) || ts.isFunctionExpression(skipOuter(x)) || ts.isIdentifier(skipOuter(x)) ? this.functionsOf(x) : []));
    }
    if (ts.isIdentifier(e)) {
      const fn = localFunction(e);
      return fn ? [fn] : [];
    }
    if (ts.isPropertyAccessExpression(e)) {
      const recv = skipOuter(e.expression);
      if (ts.isIdentifier(recv)) {
        const r = resolveName(recv, recv.text);
        const init = r && ts.isVariableDeclaration(r.decl) && r.decl.initializer ? skipOuter(r.decl.initializer) : undefined;
        if (init && ts.isObjectLiteralExpression(init)) {
          for (const p of init.properties) {
            if (p.name?.getText(this.sourceFile) !== e.name.text) continue;
            if (ts.isMethodDeclaration(p)) return [p];
            if (ts.isPropertyAssignment(p)) return this.functionsOf(p.initializer);
          }
        }
      }
      if (recv.kind === ts.SyntaxKind.ThisKeyword) {
        for (let n: ts.Node | undefined = e.parent; n; n = n.parent) {
          if (!ts.isClassLike(n)) continue;
          for (const m of n.members) {
            if (m.name?.getText(this.sourceFile) !== e.name.text) continue;
            if (ts.isMethodDeclaration(m)) return [m];
            if (ts.isPropertyDeclaration(m) && m.initializer) return this.functionsOf(m.initializer);
          }
          break;
        }
      }
    }
    return [];
  }

  private hasHandlerSignature(fn: FunctionLike): boolean {
    const params = fn.parameters;
    const sf = this.sourceFile;
    const nameOf = (i: number) => (params[i] && ts.isIdentifier(params[i].name) ? (params[i].name as ts.Identifier).text : "");
    const typeOf = (i: number) => params[i]?.type?.getText(sf) ?? "";
    if (params.length >= 1 && REQUEST_TYPE.test(typeOf(0)) && (params.length === 1 || RESPONSE_PARAM.test(nameOf(1)) || /Response|Reply|Context/.test(typeOf(1)))) return true;
    if (params.length >= 2 && REQUEST_PARAM.test(nameOf(0)) && RESPONSE_PARAM.test(nameOf(1))) return true;
    // Koa middleware: `(ctx, next)`; a typed Koa context.
    if (params.length >= 1 && /^ctx$/.test(nameOf(0)) && (nameOf(1) === "next" || KOA_CONTEXT_TYPE.test(typeOf(0)))) return true;
    return false;
  }

  private isExported(fn: FunctionLike): boolean {
    if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
    const decl = variableOf(fn);
    const stmt = decl?.parent?.parent;
    if (stmt && ts.isVariableStatement(stmt) && stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
    // `exports.handler = ...`, `module.exports.handler = ...`
    let n: ts.Node = fn;
    while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
    const p = n.parent;
    if (ts.isBinaryExpression(p) && p.right === n && ts.isPropertyAccessExpression(p.left)) {
      const target = p.left.expression.getText(this.sourceFile);
      return target === "exports" || target === "module.exports";
    }
    return ts.isExportAssignment(p);
  }

  /** The function's own name, the variable or property it is assigned to, or "the function". */
  nameOf(fn: FunctionLike): string {
    const sf = this.sourceFile;
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
    if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return fn.name.getText(sf);
    if (ts.isConstructorDeclaration(fn)) return "constructor";
    const decl = variableOf(fn);
    if (decl && ts.isIdentifier(decl.name)) return decl.name.text;
    let n: ts.Node = fn;
    while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
    const p = n.parent;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
    if (ts.isBinaryExpression(p) && p.right === n && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
    return "the function";
  }

  // ---- runs once ---------------------------------------------------------------------

  /**
   * A function runs once when its name says it is setup code, when it
   * takes the app or router it wires, or when every use of it in the file is
   * in code that runs once (module scope, startup callbacks, other such
   * functions), outside loops. Without uses in the file it runs per call.
   */
  runsOnce(fn: FunctionLike, depth = 0): boolean {
    const known = this.onceMemo.get(fn);
    if (known !== undefined) return known;
    const name = this.nameOf(fn);
    if (SETUP_NAME.test(name)) return true;
    const first = fn.parameters[0];
    if (first && ts.isIdentifier(first.name) && WIRING_PARAM.test(first.name.text) && !this.hasHandlerSignature(fn)) return true;
    this.onceMemo.set(fn, false);
    const decl = ts.isFunctionDeclaration(fn) ? fn : variableOf(fn);
    const id = decl?.name && ts.isIdentifier(decl.name) ? decl.name : undefined;
    if (!id || depth > 4) return false;
    const refs = this.referencesTo(id.text, decl!).filter((r) => r.pos < fn.pos || r.end > fn.end);
    // Exported, or kept in a value (an exports object, a property): callers elsewhere decide.
    const called = (ref: ts.Identifier) => {
      let n: ts.Node = ref;
      while (ts.isParenthesizedExpression(n.parent) || ts.isAwaitExpression(n.parent)) n = n.parent;
      const p = n.parent;
      return ((ts.isCallExpression(p) || ts.isNewExpression(p)) && (p.expression === n || !!p.arguments?.includes(n as ts.Expression)));
    };
    const once =
      refs.length > 0 &&
      !this.isExported(fn) &&
      refs.every((ref) => {
        if (!called(ref)) return false;
        const pos = this.positionOf(ref);
        if (pos.loop && !pos.loop.fixed) return false;
        if (pos.role === "once") return true;
        return pos.role === "function" && !!pos.fn && this.runsOnce(pos.fn, depth + 1);
      });
    this.onceMemo.set(fn, once);
    return once;
  }

  private referencesTo(name: string, decl: ts.Node): ts.Identifier[] {
    if (!this.referenceIndex) {
      this.referenceIndex = new Map();
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) {
          if (isReference(n)) {
            const list = this.referenceIndex!.get(n.text);
            if (list) list.push(n);
            else this.referenceIndex!.set(n.text, [n]);
          }
          return;
        }
        if (ts.isTypeNode(n)) return;
        n.forEachChild(visit);
      };
      visit(this.sourceFile);
    }
    return (this.referenceIndex.get(name) ?? []).filter((r) => resolveName(r, name)?.decl === decl);
  }

  // ---- loops --------------------------------------------------------------------------

  private loopOf(loop: ts.IterationStatement): Loop {
    const line = lineOf(this.sourceFile, loop.getStart(this.sourceFile)) + 1;
    return { node: loop, unit: `iteration of the loop at line ${line}`, label: "the loop that builds it again", fixed: fixedLoop(loop) };
  }

  private callbackLoop(fn: ts.Node): Loop {
    let node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const call = node.parent as ts.CallExpression;
    const recv = skipOuter((calleeOf(call) as ts.PropertyAccessExpression).expression);
    const text = recv.getText(this.sourceFile);
    const short = text.length > 30 ? `${text.slice(0, 27)}...` : text;
    return { node: call, unit: `element of \`${short}\``, label: "the callback that runs per element", fixed: isLiteralCollection(recv) };
  }

  private tickLoop(fn: ts.Node): Loop {
    let node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const call = ts.isCallExpression(node.parent) ? node.parent : fn;
    const decorated = isFunctionLike(fn) && decoratorNames(fn).length > 0;
    return { node: call, unit: decorated ? "run of the scheduled job" : "tick of the timer", label: "the timer that runs it again", fixed: false };
  }
}

/** The loop repeats `child`: its body, or the condition and incrementor of a `for`. */
function repeatsChild(loop: ts.IterationStatement, child: ts.Node): boolean {
  if (child === loop.statement) return true;
  if (ts.isForStatement(loop)) return child === loop.condition || child === loop.incrementor;
  if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return child === loop.expression;
  return false;
}

/** `for (const x of ["a", "b"])`, `for (let i = 0; i < 4; i++)`, or a local const holding a literal list. */
function fixedLoop(loop: ts.IterationStatement): boolean {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return isLiteralCollection(skipOuter(loop.expression));
  if (ts.isForStatement(loop) && loop.condition && ts.isBinaryExpression(loop.condition)) {
    const bound = skipOuter(loop.condition.right);
    return ts.isNumericLiteral(bound) || (ts.isIdentifier(bound) && /^[A-Z_0-9]+$|concurrency|workers|limit|max|count|size|parallel/i.test(bound.text) && !/length|size\(/.test(bound.getText()));
  }
  return false;
}

/** A literal array or object, directly or through a `const` that holds one (also `Object.keys(LITERAL)`). */
export function isLiteralCollection(expr: ts.Expression): boolean {
  let e = skipOuter(expr);
  if (ts.isCallExpression(e) && /^Object\.(keys|values|entries)$/.test(calleeOf(e).getText()) && e.arguments[0]) e = skipOuter(e.arguments[0]);
  if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) return true;
  if (ts.isIdentifier(e)) {
    const r = resolveName(e, e.text);
    if (r && ts.isVariableDeclaration(r.decl) && r.decl.initializer && (r.decl.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = skipOuter(r.decl.initializer);
      return ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init);
    }
  }
  return false;
}

export function className(cls: ts.ClassLikeDeclaration): string {
  if (cls.name) return cls.name.text;
  const p = cls.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  return "the class";
}

export function decoratorNames(node: ts.Node): string[] {
  const mods = ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
  return mods.map((d) => {
    const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
    return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : "";
  });
}

/** A DI container builds one instance: `@Injectable()`, `@Controller()`, `@Service()`. */
export function isSingletonClass(cls: ts.ClassLikeDeclaration): boolean {
  return decoratorNames(cls).some((d) => ONCE_DECORATORS.test(d));
}

/** `const f = () => ...` → the declaration. */
function variableOf(fn: ts.Node): ts.VariableDeclaration | undefined {
  let n: ts.Node = fn;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  return ts.isVariableDeclaration(n.parent) && n.parent.initializer === n ? n.parent : undefined;
}

