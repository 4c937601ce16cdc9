/**
 * Clients that own a connection pool (client-per-call): an `http.Transport`
 * (a literal or a clone), gRPC connections, Redis, SQL and other pooled
 * clients. Building one per call opens a pool nobody reuses; unless it is
 * closed, its idle connections and goroutines live on.
 *
 * Besides recognising the constructions, this module decides what becomes of
 * the value a construction produces inside its function (its "fate"): returned
 * or stored somewhere that outlives the call, closed, or left to leak. The rule
 * reports by that fate, and function summaries only carry to callers the
 * constructions whose value reaches them (see `clientReachesCaller`).
 */
import type { Node } from "./parser";
import type { GoContext } from "./context";
import type { GoFile } from "./facts";
import { positionOf } from "./function-role";
import { calleeParts, descendants, enclosingFunction, field, namedChildren, parameters, resultNames, unparen } from "./syntax";

/** Package functions that return a new pooled client, by import path; the value names what is built. */
const CALL_CONSTRUCTORS: Record<string, Record<string, string>> = {
  "google.golang.org/grpc": { Dial: "gRPC connection", DialContext: "gRPC connection", NewClient: "gRPC connection" },
  "database/sql": { Open: "database pool", OpenDB: "database pool" },
  "github.com/jmoiron/sqlx": { Open: "database pool", Connect: "database pool", ConnectContext: "database pool", MustOpen: "database pool", MustConnect: "database pool" },
  "github.com/jackc/pgx/v5/pgxpool": { New: "pgx pool", NewWithConfig: "pgx pool" },
  "github.com/jackc/pgx/v4/pgxpool": { Connect: "pgx pool", ConnectConfig: "pgx pool" },
  "go.mongodb.org/mongo-driver/mongo": { Connect: "MongoDB client", NewClient: "MongoDB client" },
  "go.mongodb.org/mongo-driver/v2/mongo": { Connect: "MongoDB client" },
  "github.com/hashicorp/go-cleanhttp": { DefaultPooledTransport: "http.Transport", DefaultPooledClient: "http.Transport" },
  "github.com/hashicorp/go-retryablehttp": { NewClient: "retryablehttp client (with its own http.Transport)" },
};

const REDIS_CONSTRUCTORS = ["NewClient", "NewClusterClient", "NewFailoverClient", "NewFailoverClusterClient", "NewRing", "NewUniversalClient"];
for (const path of ["github.com/redis/go-redis/v9", "github.com/go-redis/redis/v8", "github.com/go-redis/redis/v7", "github.com/go-redis/redis", "gopkg.in/redis.v5", "gopkg.in/redis.v4"]) {
  CALL_CONSTRUCTORS[path] = Object.fromEntries(REDIS_CONSTRUCTORS.map((n) => [n, "Redis client"]));
}

/** Struct types whose literal is a pool of its own. */
const LITERAL_CONSTRUCTORS: Record<string, string> = {
  "net/http.Transport": "http.Transport",
  "golang.org/x/net/http2.Transport": "http2.Transport",
  "github.com/gomodule/redigo/redis.Pool": "Redis pool",
};

/** Import paths whose presence lets a file build a client directly. */
export const CLIENT_IMPORTS = new Set([...Object.keys(CALL_CONSTRUCTORS), ...Object.keys(LITERAL_CONSTRUCTORS).map((t) => t.slice(0, t.lastIndexOf(".")))]);

/** A function or literal type of the package that `detectClientConstruction` reports, configured ones aside. */
export function isClientConstructor(importPath: string, member: string): boolean {
  return !!CALL_CONSTRUCTORS[importPath]?.[member] || `${importPath}.${member}` in LITERAL_CONSTRUCTORS;
}

export function detectClientConstruction(node: Node, ctx: GoContext) {
  if (node.type === "composite_literal") {
    const type = field(node, "type");
    if (type?.type !== "qualified_type") return undefined;
    const pkg = field(type, "package")?.text ?? "";
    const name = field(type, "name")?.text ?? "";
    const detail = LITERAL_CONSTRUCTORS[`${ctx.file.importPath(pkg)}.${name}`];
    return detail ? { family: "client" as const, what: `&${pkg}.${name}{}`, detail } : undefined;
  }
  if (node.type !== "call_expression") return undefined;
  const parts = calleeParts(node);
  if (!parts?.operand) return undefined;
  if (parts.name === "Clone" && isHttpTransport(parts.operand, ctx)) {
    return { family: "client" as const, what: `${parts.operand.text.replace(/\s+/g, "")}.Clone()`, detail: "http.Transport" };
  }
  if (parts.operand.type !== "identifier") return undefined;
  const importPath = ctx.file.importPath(parts.operand.text);
  if (!importPath) return undefined;
  const what = `${parts.operand.text}.${parts.name}`;
  const known = CALL_CONSTRUCTORS[importPath]?.[parts.name];
  if (known) return { family: "client" as const, what, detail: known };
  if (ctx.workspace.knowledge.clientConstructors.includes(`${importPath}.${parts.name}`)) return { family: "client" as const, what, detail: `client (${what})` };
  return undefined;
}

/** `http.DefaultTransport.(*http.Transport)`, or a value the syntax types as `*http.Transport`. */
function isHttpTransport(expr: Node, ctx: GoContext): boolean {
  const e = unparen(expr);
  const type = e.type === "type_assertion_expression" ? field(e, "type")?.text : (ctx.typeTextOf(e) ?? assertedType(e));
  if (!type) return false;
  const m = /^\*\s*(\w+)\.Transport$/.exec(type.replace(/\s+/g, ""));
  return !!m && ctx.file.importPath(m[1]) === "net/http";
}

/** The type of `x` after `x := y.(*T)` (or `x, ok := y.(*T)`) in its function. */
function assertedType(id: Node): string | undefined {
  if (id.type !== "identifier") return undefined;
  const fn = enclosingFunction(id);
  const body = fn && field(fn, "body");
  if (!body) return undefined;
  for (const decl of descendants(body, SHORT_VAR, true)) {
    if (decl.startIndex > id.startIndex) break;
    const left = namedChildren(field(decl, "left"));
    const right = namedChildren(field(decl, "right")).map(unparen);
    if (left[0]?.text === id.text && right.length === 1 && right[0].type === "type_assertion_expression") return field(right[0], "type")?.text;
  }
  return undefined;
}

// ---- what becomes of the value -------------------------------------------------

export interface ClientFate {
  /** The variable or field that holds the value, when a statement names one: "tr", "s.client". */
  name?: string;
  /** The value (or something built from it) is returned to the caller. */
  returned: boolean;
  /** The value is kept beyond the call: in a field, a package variable, a map or sent on a channel. */
  stored?: "field" | "global" | "map" | "channel";
  /** The store sits behind a nil check of its target (lazy initialisation). */
  guarded: boolean;
  /** The function closes the value (or a client built from it). */
  closed: boolean;
  /** The value goes into a local collection (`m[k] = c`, `list = append(list, c)`): one kept per item of a loop. */
  collected: boolean;
}

const SHORT_VAR = new Set(["short_var_declaration"]);
const IDENT = new Set(["identifier"]);
const DECLS = new Set(["short_var_declaration", "var_spec", "range_clause", "parameter_declaration", "variadic_parameter_declaration"]);
const CLOSERS = new Set(["Close", "CloseIdleConnections"]);
/** Calls whose result carries their argument: `pb.NewGreeterClient(conn)`, `otelhttp.NewTransport(tr)`, `append(list, c)`. */
const WRAPPING_CALL = /^(New|new|Wrap|wrap|With|with|append$)/;

/**
 * What `fn` does with the value of `node`: follows it through locals, struct
 * literals and wrapping constructors to a return, a store, a close, or nowhere.
 */
export function clientFate(node: Node, fn: Node | undefined, ctx: GoContext): ClientFate {
  const fate: ClientFate = { returned: false, guarded: false, closed: false, collected: false };
  const body = fn && field(fn, "body");
  if (!fn || !body) return { ...fate, stored: "global", guarded: true };
  const locals = declaredNames(fn);
  const results = new Set(resultNames(fn));
  const tainted: string[] = [];
  const follow = (value: Node) => {
    const target = destination(value);
    if (!target) return;
    if (target.kind === "return") fate.returned = true;
    else if (target.kind === "send") fate.stored ??= "channel";
    else if (target.kind === "into") into(target.receiver);
    else if (target.kind === "assign") {
      if (target.appended) fate.collected = true;
      assignTo(target.left);
    }
  };
  const assignTo = (left: Node) => {
    if (left.type === "identifier") {
      if (left.text === "_") return;
      if (!locals.has(left.text) && ctx.pkg.packageVars.has(left.text)) return store("global", left.text);
      if (results.has(left.text)) fate.returned = true;
      if (!tainted.includes(left.text)) tainted.push(left.text);
      fate.name ??= left.text;
      return;
    }
    const root = rootIdentifier(left);
    if (root && locals.has(root.text) && !isParameter(fn, root.text)) {
      if (left.type === "index_expression") fate.collected = true;
      if (!tainted.includes(root.text)) tainted.push(root.text);
      fate.name ??= left.text;
      return;
    }
    const kind = left.type === "index_expression" ? "map" : root && !locals.has(root.text) && ctx.pkg.packageVars.has(root.text) ? "global" : "field";
    store(kind, left.text);
  };
  // `app.Use(tr)`, `mux.Handle("/", proxy)`: the object the method belongs to may keep the value.
  const into = (receiver: Node) => {
    const root = rootIdentifier(receiver);
    if (!root || (ctx.file.importPath(root.text) && !locals.has(root.text))) return;
    if (locals.has(root.text) && !isParameter(fn, root.text)) {
      if (!tainted.includes(root.text)) tainted.push(root.text);
      return;
    }
    store(!locals.has(root.text) && ctx.pkg.packageVars.has(root.text) ? "global" : "field", receiver.text);
  };
  const store = (kind: NonNullable<ClientFate["stored"]>, name: string) => {
    if (fate.stored && fate.stored !== "channel") return;
    fate.stored = kind;
    fate.name ??= name;
    fate.guarded = kind === "map" || hasNilCheck(body, name);
  };

  follow(node);
  const uses = tainted.length > 0 ? descendants(body, IDENT, true) : [];
  for (let i = 0; i < tainted.length && i < 32; i++) {
    const name = tainted[i];
    for (const use of uses) {
      if (use.text !== name || isAssignedTo(use)) continue;
      const parent = use.parent!;
      const call = parent.type === "selector_expression" ? parent.parent : undefined;
      if (call?.type === "call_expression" && field(call, "function")?.id === parent.id && CLOSERS.has(field(parent, "field")?.text ?? "")) {
        fate.closed = true;
        continue;
      }
      if (parent.type === "argument_list" && closesArgument(parent.parent!)) {
        fate.closed = true;
        continue;
      }
      // A closure that captures the client keeps it as long as the closure lives.
      const closure = capturingLiteral(use, body);
      if (closure) {
        follow(closure);
        continue;
      }
      if (parent.type === "selector_expression" || parent.type === "binary_expression") continue;
      follow(use);
    }
  }
  return fate;
}

/** `defer closeQuietly(db)`, `mustClose(conn)`: a deferred call or a closer by name. */
function closesArgument(call: Node): boolean {
  if (call.parent?.type === "defer_statement") return true;
  return /close|shutdown|release/i.test(calleeParts(call)?.name ?? "");
}

/** The outermost function literal between a use and the function body, unless it runs in place. */
function capturingLiteral(use: Node, body: Node): Node | undefined {
  let literal: Node | undefined;
  for (let n = use.parent; n && n.id !== body.id; n = n.parent) if (n.type === "func_literal") literal = n;
  const runsInPlace = literal?.parent?.type === "call_expression" && field(literal.parent, "function")?.id === literal.id;
  return runsInPlace ? undefined : literal;
}

type Destination = { kind: "return" } | { kind: "send" } | { kind: "assign"; left: Node; appended: boolean } | { kind: "into"; receiver: Node };

/** Where a value goes: climbs through `&`, parentheses, literals it is an element of and wrapping calls. */
function destination(value: Node): Destination | undefined {
  let n = value;
  let appended = false;
  for (;;) {
    const p = n.parent;
    if (!p) return undefined;
    switch (p.type) {
      case "parenthesized_expression":
      case "literal_element":
      case "literal_value":
      case "composite_literal":
        n = p;
        continue;
      case "keyed_element":
        if (field(p, "key")?.id === n.id) return undefined;
        n = p;
        continue;
      case "unary_expression":
        if (p.child(0)?.type !== "&") return undefined;
        n = p;
        continue;
      case "argument_list": {
        const call = p.parent;
        const parts = call && calleeParts(call);
        const name = parts?.name;
        if (!call || !name) return undefined;
        if (!WRAPPING_CALL.test(name)) return parts.operand && n.id !== parts.operand.id ? { kind: "into", receiver: parts.operand } : undefined;
        if (name === "append") appended = true;
        n = call;
        continue;
      }
      case "return_statement":
        return { kind: "return" };
      case "send_statement":
        return field(p, "value")?.id === n.id ? { kind: "send" } : undefined;
      case "expression_list": {
        const owner = p.parent;
        if (!owner) return undefined;
        if (owner.type === "return_statement") return { kind: "return" };
        if (owner.type === "short_var_declaration" || owner.type === "assignment_statement") {
          if (field(owner, "right")?.id !== p.id) return undefined;
          const right = namedChildren(p);
          const left = namedChildren(field(owner, "left"));
          const i = right.length === 1 ? 0 : right.findIndex((r) => r.id === n.id);
          return left[i] ? { kind: "assign", left: left[i], appended } : undefined;
        }
        if (owner.type === "var_spec") {
          const i = namedChildren(p).findIndex((r) => r.id === n.id);
          const names = owner.childrenForFieldName("name");
          const left = names[namedChildren(p).length === 1 ? 0 : i];
          return left ? { kind: "assign", left, appended } : undefined;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

/** `x` in `x = ...`, `x := ...`, `x.f = ...`, `x[k] = ...`: a write, not a use of the value. */
function isAssignedTo(id: Node): boolean {
  let n = id;
  while (n.parent && (n.parent.type === "selector_expression" || n.parent.type === "index_expression") && namedChildren(n.parent)[0]?.id === n.id) n = n.parent;
  const list = n.parent;
  const owner = list?.parent;
  return list?.type === "expression_list" && !!owner && (owner.type === "assignment_statement" || owner.type === "short_var_declaration") && field(owner, "left")?.id === list.id;
}

function rootIdentifier(expr: Node): Node | undefined {
  let n = unparen(expr);
  while (n.type === "selector_expression" || n.type === "index_expression" || n.type === "unary_expression") {
    const next = namedChildren(n)[0];
    if (!next) return undefined;
    n = unparen(next);
  }
  return n.type === "identifier" ? n : undefined;
}

/** Names declared in a function: receiver, parameters, results and every local (nested literals included). */
export function declaredNames(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const decl of descendants(fn, DECLS, true)) {
    if (decl.type === "short_var_declaration" || decl.type === "range_clause") {
      for (const n of namedChildren(field(decl, "left"))) if (n.type === "identifier") names.add(n.text);
    } else {
      for (const n of decl.childrenForFieldName("name")) if (n) names.add(n.text);
    }
  }
  return names;
}

function isParameter(fn: Node, name: string): boolean {
  if (parameters(fn).some((p) => p.name === name)) return true;
  const recv = field(fn, "receiver");
  return !!recv && namedChildren(recv).some((d) => d.childrenForFieldName("name").some((n) => n?.text === name));
}

/** `if s.client == nil` (or `!= nil`) somewhere in the function: the store is a lazy initialisation. */
function hasNilCheck(body: Node, target: string): boolean {
  const want = target.replace(/\s+/g, "");
  return descendants(body, new Set(["binary_expression"]), true).some((b) => {
    const op = field(b, "operator")?.text;
    if (op !== "==" && op !== "!=") return false;
    const l = field(b, "left")?.text.replace(/\s+/g, "");
    const r = field(b, "right")?.text.replace(/\s+/g, "");
    return (l === want && r === "nil") || (r === want && l === "nil");
  });
}

/**
 * Whether a client built at `node` reaches the callers of its function, so that
 * a call to the function builds one for the caller: the value is returned, or
 * stored in a field of the receiver or a parameter. Constructions in a
 * `sync.Once` body, in function literals that run later, behind a nil-guarded
 * lazy initialisation, closed before returning, kept in package variables or
 * left to leak inside the function (reported there) do not.
 */
export function clientReachesCaller(node: Node, ctx: GoContext): boolean {
  const pos = positionOf(node, ctx.file);
  if (!pos.fn || pos.fn.type === "func_literal") return false;
  if (pos.role === "init" || pos.role === "main") return false;
  const fate = clientFate(node, pos.fn, ctx);
  // A lazily built shared client (`if c.cc == nil { c.cc = dial() }; return c.cc`) is the same one on every call.
  if (fate.closed || (fate.stored && fate.guarded)) return false;
  return fate.returned || fate.stored === "field";
}

// ---- code that serves requests -------------------------------------------------------

/** Test files and test-support packages (httptest, iotest, testutil, testhelpers, ...). */
export function isTestCode(file: GoFile): boolean {
  return file.path.endsWith("_test.go") || /test(s|util|utils|ing|helpers?|kit|support)?$/.test(file.packageName);
}

/** The framework imports whose presence makes a file a server's. */
const SERVER_IMPORTS = /^(github\.com\/(gin-gonic\/gin|labstack\/echo(\/v\d+)?|gofiber\/fiber(\/v\d+)?|go-chi\/chi(\/v\d+)?|gorilla\/mux|julienschmidt\/httprouter))$/;

/**
 * A file serves requests when it defines handlers (a parameter of type
 * `http.ResponseWriter`), registers them (`http.HandleFunc`, `mux.Handle("/x", ...)`),
 * runs a server, or imports a web framework. A package serves when one of its
 * files runs a server (`ListenAndServe`, `http.Serve`, `grpc.NewServer`).
 */
export function servesRequests(ctx: GoContext): boolean {
  const file = ctx.file;
  const cached = fileServes.get(file);
  if (cached !== undefined) return cached;
  const h = file.imports.find((i) => i.path === "net/http")?.name ?? "http";
  const own = new RegExp(
    `\\b${h}\\.(ListenAndServe|ListenAndServeTLS|Serve|ServeTLS|Handle|HandleFunc)\\s*\\(|\\.(ListenAndServe|ListenAndServeTLS)\\s*\\(|\\.(HandleFunc|Handle)\\s*\\(\\s*"|\\b${h}\\.ResponseWriter\\b|\\bgrpc\\.NewServer\\s*\\(`,
  );
  const serves = own.test(file.text) || file.imports.some((i) => SERVER_IMPORTS.test(i.path)) || packageRunsServer(ctx);
  fileServes.set(file, serves);
  return serves;
}

const fileServes = new WeakMap<GoFile, boolean>();

/** `http.DefaultClient.Timeout = d` or `http.DefaultClient = &http.Client{...}` somewhere in the package. */
export function defaultClientConfigured(ctx: GoContext): boolean {
  return DEFAULT_CLIENT_SET.test(ctx.file.text) || packageText(ctx).setsDefaultClient;
}

function packageRunsServer(ctx: GoContext): boolean {
  return packageText(ctx).runsServer;
}

const DEFAULT_CLIENT_SET = /\bDefaultClient(\.Timeout)?\s*=[^=]/;
const RUNS_SERVER = /\bhttp\.(ListenAndServe|ListenAndServeTLS|Serve|ServeTLS)\s*\(|\.(ListenAndServe|ListenAndServeTLS)\s*\(|\bgrpc\.NewServer\s*\(/;

const packageTexts = new WeakMap<object, { runsServer: boolean; setsDefaultClient: boolean }>();

/**
 * What the package's non-test files say as text (their trees are gone; an
 * open document's text in the editor), read once per package; the answers are kept, not the texts, which for as
 * long as the package is known would hold the whole workspace.
 */
function packageText(ctx: GoContext): { runsServer: boolean; setsDefaultClient: boolean } {
  let facts = packageTexts.get(ctx.pkg);
  if (!facts) {
    const clause = new RegExp(`^package\\s+${ctx.file.packageName}\\b`, "m");
    const texts = ctx.workspace.sourcesOf(ctx.pkg.dir).filter((t) => clause.test(t));
    facts = { runsServer: texts.some((t) => RUNS_SERVER.test(t)), setsDefaultClient: texts.some((t) => DEFAULT_CLIENT_SET.test(t)) };
    packageTexts.set(ctx.pkg, facts);
  }
  return facts;
}
