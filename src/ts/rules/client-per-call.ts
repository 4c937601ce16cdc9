/**
 * client-per-call (TS/JS): an `http.Agent`, an undici `Agent` or `Pool`, a pg
 * pool, a Redis or Mongo client, a PrismaClient owns sockets (and, for the
 * database clients, a pool of connections). Built inside a request handler, a
 * loop or a function that runs per call, every call opens connections nobody
 * reuses, and unless the client is closed they stay open: a service that
 * passed `new https.Agent({ keepAlive: true })` to every request ran out of
 * sockets, and one `new PrismaClient()` per request exhausts the database's
 * connection limit within minutes. A function or class of the file that
 * builds a client for its caller carries the construction to its callers.
 */
import ts = require("typescript");
import { Rule } from "../../core/rule";
import { Fix, RelatedLocation, TextEdit } from "../../core/types";
import { Fate, fateOf } from "../constructions";
import { TsFile } from "../facts";
import { Frequency, Position, frequencyOf, isTestFile } from "../function-role";
import { localFunction, parseConfiguredName } from "../scopes";
import { declarationsOf, isReference, resolveName } from "../scopes";
import { FunctionLike, calleeOf, enclosingFunction, isFunctionLike, lineIndent, rangeOf, skipOuter } from "../syntax";
import type { TsFacts } from "../frontend";

interface ClientKind {
  /** How messages name it: "https.Agent", "pg.Pool", "PrismaClient". */
  what: string;
  /** What each construction opens: "connection pool", "database connection". */
  owns: string;
  /** Replaces "each one opens its own <owns> ..." when the client owns no connections itself. */
  consequence?: string;
  /** A single connection (pg.Client, mysql createConnection): opening and closing it per call is a connection storm, not a leak. */
  single?: boolean;
}

const POOL = "connection pool";
/** `new` of these module members, by module. */
const NEW_CLIENTS: Record<string, Record<string, ClientKind>> = {
  http: { Agent: { what: "http.Agent", owns: "socket pool" } },
  https: { Agent: { what: "https.Agent", owns: "socket pool" } },
  undici: {
    Agent: { what: "undici Agent", owns: POOL },
    Pool: { what: "undici Pool", owns: POOL },
    Client: { what: "undici Client", owns: "connection" },
    BalancedPool: { what: "undici BalancedPool", owns: POOL },
    ProxyAgent: { what: "undici ProxyAgent", owns: POOL },
    EnvHttpProxyAgent: { what: "undici EnvHttpProxyAgent", owns: POOL },
    RetryAgent: { what: "undici RetryAgent", owns: POOL },
  },
  pg: {
    Pool: { what: "pg.Pool", owns: POOL },
    Client: { what: "pg.Client", owns: "database connection", single: true },
    "native.Pool": { what: "pg.Pool", owns: POOL },
    "native.Client": { what: "pg.Client", owns: "database connection", single: true },
  },
  "pg-pool": { default: { what: "pg.Pool", owns: POOL } },
  "@neondatabase/serverless": { Pool: { what: "Neon Pool", owns: POOL } },
  ioredis: {
    default: { what: "ioredis client", owns: "Redis connection" },
    Redis: { what: "ioredis client", owns: "Redis connection" },
    Cluster: { what: "ioredis Cluster", owns: "set of Redis connections" },
    "default.Cluster": { what: "ioredis Cluster", owns: "set of Redis connections" },
    "Redis.Cluster": { what: "ioredis Cluster", owns: "set of Redis connections" },
  },
  mongodb: { MongoClient: { what: "MongoClient", owns: POOL } },
  "@prisma/client": { PrismaClient: { what: "PrismaClient", owns: "query engine and connection pool" } },
  agentkeepalive: {
    default: { what: "agentkeepalive Agent", owns: "socket pool" },
    HttpsAgent: { what: "agentkeepalive HttpsAgent", owns: "socket pool" },
    "default.HttpsAgent": { what: "agentkeepalive HttpsAgent", owns: "socket pool" },
  },
  "https-proxy-agent": { HttpsProxyAgent: { what: "HttpsProxyAgent", owns: "socket pool" } },
  "http-proxy-agent": { HttpProxyAgent: { what: "HttpProxyAgent", owns: "socket pool" } },
  "socks-proxy-agent": { SocksProxyAgent: { what: "SocksProxyAgent", owns: "socket pool" } },
  hpagent: { HttpsProxyAgent: { what: "HttpsProxyAgent", owns: "socket pool" }, HttpProxyAgent: { what: "HttpProxyAgent", owns: "socket pool" } },
  "@elastic/elasticsearch": { Client: { what: "Elasticsearch Client", owns: POOL } },
  "@opensearch-project/opensearch": { Client: { what: "OpenSearch Client", owns: POOL } },
  sequelize: { Sequelize: { what: "Sequelize", owns: POOL }, default: { what: "Sequelize", owns: POOL } },
};

const AXIOS: ClientKind = {
  what: "axios instance (axios.create)",
  owns: "agents",
  consequence: "each one is configured from scratch, and the agents it carries never reuse a connection",
};

/** Calls of these module members. */
const CALL_CLIENTS: Record<string, Record<string, ClientKind>> = {
  axios: { create: AXIOS, "default.create": AXIOS },
  redis: { createClient: { what: "node-redis client (createClient)", owns: "Redis connection" }, createCluster: { what: "node-redis cluster (createCluster)", owns: "set of Redis connections" } },
  "@redis/client": { createClient: { what: "node-redis client (createClient)", owns: "Redis connection" } },
  mysql: { createPool: { what: "mysql pool", owns: POOL }, createPoolCluster: { what: "mysql pool cluster", owns: POOL }, createConnection: { what: "mysql connection", owns: "database connection", single: true } },
  mysql2: { createPool: { what: "mysql2 pool", owns: POOL }, createPoolCluster: { what: "mysql2 pool cluster", owns: POOL }, createConnection: { what: "mysql2 connection", owns: "database connection", single: true } },
  mongodb: { "MongoClient.connect": { what: "MongoClient (MongoClient.connect)", owns: POOL } },
  knex: { default: { what: "knex instance", owns: POOL }, knex: { what: "knex instance", owns: POOL } },
  mongoose: { createConnection: { what: "mongoose connection (createConnection)", owns: POOL } },
};

/** AWS SDK v3 service clients (`new S3Client(...)`) each keep their own socket pool. */
const AWS_CLIENT = /^@aws-sdk\/client-/;

export const clientPerCall: Rule<TsFacts> = {
  meta: {
    id: "client-per-call",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "A pooled client (http.Transport, gRPC, Redis, SQL) is built per request, per call or per loop iteration.",
    fullDescription:
      "An http.Agent or https.Agent, an undici Agent, Pool or Client, an axios instance, a pg Pool or Client, an ioredis or node-redis client, a PrismaClient, a MongoClient " +
      "(or a constructor listed in ts.clientConstructors) owns sockets or a connection pool. Built inside a request handler (Express, Fastify, Koa, Next.js route handlers, " +
      "http.createServer), a loop or a function that runs on every call, each call opens connections that are never reused, and unless the client is closed they stay open. " +
      "Build it once at module scope (or in the constructor of a service created once) and share it.",
    docs: "docs/rules/client-per-call.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [],
  },

  check(context) {
    const { file, ctx } = context.facts;
    if (isTestFile(file.path)) return;
    const configured = ctx.knowledge.clientConstructors;
    const recognise = new Recognizer(file, configured);
    if (!recognise.mayConstruct()) return;
    const freq = frequencyOf(file);
    const builders = new Builders(file, recognise, freq);
    const sites: ts.Expression[] = [...file.news, ...file.calls];
    for (const node of sites) {
      const built = recognise.kindOf(node) ?? builders.through(node);
      if (!built) continue;
      const pos = freq.positionOf(node);
      const fate = fateOf(node, enclosingFunction(node), (c) => file.qualifiedName(c));
      // `axios.create({ httpsAgent: new https.Agent() })`: the outer client is the one reported.
      if (fate.wrappers.some((w) => recognise.kindOf(w) || builders.through(w))) continue;
      const unit = reportedUnit(node, pos, fate, built.kind, freq);
      if (!unit) continue;
      const related: RelatedLocation[] = [];
      if (pos.loop && unit === pos.loop.unit) related.push({ file: file.path, range: rangeOf(file.sourceFile, pos.loop.node), message: pos.loop.label });
      if (built.origin) related.push({ file: file.path, range: rangeOf(file.sourceFile, built.origin), message: `${built.via[built.via.length - 1]} builds it here` });
      const fix = hoistFix(file, node, pos, fate);
      context.report({
        range: rangeOf(file.sourceFile, node),
        message: messageFor(pos, built, unit, fate),
        related,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

interface Built {
  kind: ClientKind;
  /** The functions or classes of the file it goes through, outermost first. */
  via: string[];
  /** The construction inside the innermost of them. */
  origin?: ts.Node;
}

// ---- what builds a client ----------------------------------------------------------

class Recognizer {
  private readonly configured: { module?: string; name: string }[];

  constructor(
    private readonly file: TsFile,
    configured: string[],
  ) {
    this.configured = configured.map(parseConfiguredName);
  }

  /** Cheap test: the file imports a client library (or the config names constructors). */
  mayConstruct(): boolean {
    if (this.configured.length > 0) return true;
    return this.file.importsAny((m) => m in NEW_CLIENTS || m in CALL_CLIENTS || AWS_CLIENT.test(m) || /prisma/i.test(m));
  }

  kindOf(node: ts.Node): Built | undefined {
    const isNew = ts.isNewExpression(node);
    if (!isNew && !ts.isCallExpression(node)) return undefined;
    const callee = isNew ? (node as ts.NewExpression).expression : calleeOf(node as ts.CallExpression);
    const q = this.file.qualify(callee);
    for (const c of this.configured) {
      const hit = c.module === undefined ? ts.isPropertyAccessExpression(callee) && callee.name.text === c.name : !!q && "module" in q && q.module === c.module && q.name === c.name;
      if (hit) return { kind: { what: c.module ? `${c.name} (${c.module})` : c.name, owns: POOL }, via: [] };
    }
    if (!q || !("module" in q)) return undefined;
    const table = isNew ? NEW_CLIENTS : CALL_CLIENTS;
    const kind = table[q.module]?.[q.name];
    if (kind) return { kind, via: [] };
    if (isNew && /(^|\.)PrismaClient$/.test(q.name)) return { kind: NEW_CLIENTS["@prisma/client"].PrismaClient, via: [] };
    if (isNew && AWS_CLIENT.test(q.module) && /^\w+Client$/.test(q.name)) return { kind: { what: `${q.name} (${q.module})`, owns: "socket pool" }, via: [] };
    return undefined;
  }
}

/**
 * Functions and classes of the file that build a client for their caller: a
 * function that returns one, a class whose constructor or fields keep one.
 * A call of them is a construction "through" them.
 */
class Builders {
  private readonly memo = new Map<ts.Node, Built | null>();

  constructor(
    private readonly file: TsFile,
    private readonly recognise: Recognizer,
    private readonly freq: Frequency,
  ) {}

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
      } else if (ts.isPropertyAccessExpression(c) && skipOuter(c.expression).kind === ts.SyntaxKind.ThisKeyword) {
        target = methodOf(c);
        name = `this.${c.name.text}`;
      }
    }
    if (!target) return undefined;
    const built = this.builds(target, depth);
    return built ? { kind: built.kind, via: [name, ...built.via], origin: built.origin } : undefined;
  }

  /** What a function returns or a class keeps, when it is a client it builds. */
  private builds(target: ts.Node, depth: number): Built | undefined {
    const known = this.memo.get(target);
    if (known !== undefined) return known ?? undefined;
    this.memo.set(target, null);
    let found: Built | undefined;
    const consider = (node: ts.Node, scope: FunctionLike | undefined, want: (f: Fate) => boolean) => {
      if (found) return;
      const built = this.recognise.kindOf(node) ?? this.through(node, depth + 1);
      if (!built) return;
      const fate = fateOf(node as ts.Expression, scope, (c) => this.file.qualifiedName(c));
      if (!want(fate) || fate.guarded) return;
      // A client kept in a module variable is one shared client, not one per call.
      if (fate.stored && !fate.returned && storesOutsideClass(node, scope)) return;
      found = { kind: built.kind, via: built.via, origin: built.origin ?? node };
    };
    const visit = (root: ts.Node, scope: FunctionLike | undefined, want: (f: Fate) => boolean) => {
      const walk = (n: ts.Node): void => {
        if (found) return;
        if (n !== root && (isFunctionLike(n) || ts.isClassLike(n))) return;
        if (ts.isNewExpression(n) || ts.isCallExpression(n)) consider(n, scope, want);
        n.forEachChild(walk);
      };
      walk(root);
    };
    if (ts.isClassLike(target)) {
      for (const m of target.members) {
        if (ts.isConstructorDeclaration(m) && m.body) visit(m.body, m, (f) => f.stored);
        else if (ts.isPropertyDeclaration(m) && m.initializer && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) visit(m.initializer, undefined, () => true);
      }
    } else if (isFunctionLike(target) && target.body) {
      if (this.freq.functionRole(target).role === "once") {
        this.memo.set(target, null);
        return undefined;
      }
      visit(target.body, target, (f) => f.returned);
    }
    this.memo.set(target, found ?? null);
    return found;
  }
}

/** `x = new Pool()` into a module variable (not `this.x`): one shared client. */
function storesOutsideClass(node: ts.Node, scope: FunctionLike | undefined): boolean {
  let n = node;
  while (n.parent && (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (!ts.isBinaryExpression(p) || p.right !== n) return false;
  const t = skipOuter(p.left);
  if (ts.isPropertyAccessExpression(t) && skipOuter(t.expression).kind === ts.SyntaxKind.ThisKeyword) return false;
  return !!scope;
}

function methodOf(access: ts.PropertyAccessExpression): FunctionLike | undefined {
  for (let n: ts.Node | undefined = access.parent; n; n = n.parent) {
    if (!ts.isClassLike(n)) continue;
    for (const m of n.members) {
      if (m.name && ts.isIdentifier(m.name) && m.name.text === access.name.text && ts.isMethodDeclaration(m) && m.body) return m;
    }
    return undefined;
  }
  return undefined;
}

// ---- when it repeats -----------------------------------------------------------------

/**
 * When a construction repeats and leaks (see the docs' "How leaklint decides"):
 * - in a loop, unless each item keeps its client (returned, stored, collected)
 *   or a closed client is built from the loop's item;
 * - in a handler, unless it is a guarded lazy store or a per-key map entry;
 * - given to a single request as its agent, wherever that runs per call;
 * - in a constructor or any other function, unless the client is returned,
 *   stored or handed to code that may keep it, or the function runs once. A
 *   closed client is reported there only in code that serves requests, and
 *   a single connection (pg.Client) opened and closed never.
 */
function reportedUnit(node: ts.Node, pos: Position, fate: Fate, kind: ClientKind, freq: Frequency): string | undefined {
  const kept = fate.returned || fate.stored;
  if (pos.loop && !pos.loop.fixed) {
    if (kept || fate.collected) return undefined;
    if (fate.closed && variesPerIteration(node, pos.loop.node)) return undefined;
    return pos.loop.unit;
  }
  if (pos.role === "once") return undefined;
  if (pos.role === "handler") {
    if ((fate.stored && fate.guarded) || fate.collectedOutside) return undefined;
    if (kept && fate.guarded) return undefined;
    return pos.unit;
  }
  if (fate.usedPerCall) return pos.role === "constructor" ? pos.unit : "call";
  if (kept || fate.handedOff) return undefined;
  // Open, use, close in a command-line tool or a library is fine; in a server every request dials anew.
  if (fate.closed && (kind.single || !freq.servesRequests())) return undefined;
  return pos.role === "constructor" ? pos.unit : "call";
}

/** A closed client built from the loop's own item (one per configured database) is one per target, not one per repetition. */
function variesPerIteration(node: ts.Node, loop: ts.Node): boolean {
  const names = new Set<ts.Node>();
  if ((ts.isForOfStatement(loop) || ts.isForInStatement(loop) || ts.isForStatement(loop)) && loop.initializer && ts.isVariableDeclarationList(loop.initializer)) {
    for (const d of loop.initializer.declarations) names.add(d);
  }
  if (ts.isCallExpression(loop)) {
    const fn = loop.arguments.map((a) => skipOuter(a)).find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a)) as FunctionLike | undefined;
    for (const p of fn?.parameters ?? []) names.add(p);
  }
  let varies = false;
  const visit = (n: ts.Node): void => {
    if (varies) return;
    if (ts.isIdentifier(n) && isReference(n)) {
      const r = resolveName(n, n.text);
      if (r && [...names].some((d) => r.decl === d || (r.decl.pos >= d.pos && r.decl.end <= d.end))) varies = true;
      return;
    }
    n.forEachChild(visit);
  };
  visit(node);
  return varies;
}

function messageFor(pos: Position, built: Built, unit: string, fate: Fate): string {
  const through = built.via.length > 0 ? ` (through ${built.via.join(" → ")})` : "";
  const { what, owns } = built.kind;
  const consequence = built.kind.consequence
    ? built.kind.consequence
    : fate.usedPerCall
    ? `each request gets its own ${owns}, so no connection is ever reused`
    : fate.closed
      ? `each one opens its own ${owns} that is closed again before any connection is reused`
      : `each one opens its own ${owns} that is never reused or closed`;
  const subject = pos.fnName !== "module scope" ? pos.fnName : pos.loop && !ts.isIterationStatement(pos.loop.node, false) ? "the callback" : "this code";
  return `${subject} builds a new ${what}${through} on every ${unit}: ${consequence}; create it once (module scope or a constructor that runs once) and share it`;
}

// ---- suggestion: hoist to module scope ---------------------------------------------

/**
 * `const agent = new https.Agent({...})` inside a function becomes a module
 * constant above the function's top-level statement, when the statement
 * declares one name and the value uses no local name, `this` or `await`. An
 * inline construction (`fetch(u, { dispatcher: new Agent() })`) is hoisted
 * into a new constant named after its option. A name taken at module scope
 * gets a `Shared` suffix.
 */
function hoistFix(file: TsFile, node: ts.Node, pos: Position, fate: Fate): Fix | undefined {
  if (!pos.fn || fate.closed || connectsPerCall(node)) return undefined;
  const sf = file.sourceFile;
  const text = sf.text;
  const top = topLevelStatement(node);
  if (!top) return undefined;
  if (usesLocals(node, top) || containsAwait(node)) return undefined;
  let value: ts.Node = node;
  while (ts.isAwaitExpression(value.parent) || ts.isParenthesizedExpression(value.parent)) value = value.parent;
  const decl = value.parent;
  const moduleNames = declarationsOf(sf);
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; moduleNames.has(name) || nameUsedIn(pos.fn!, name); i++) name = `${base}Shared${i > 2 ? i : ""}`;
    return name;
  };
  const initializer = reindent(text.slice(node.getStart(sf), node.end), lineIndent(text, node.getStart(sf)));
  const insertAt = statementStart(sf, top);
  const edits: TextEdit[] = [];
  let title: string;
  if (ts.isVariableDeclaration(decl) && decl.initializer === value && ts.isIdentifier(decl.name) && !decl.type && ts.isVariableDeclarationList(decl.parent) && decl.parent.declarations.length === 1 && ts.isVariableStatement(decl.parent.parent) && ts.isBlock(decl.parent.parent.parent)) {
    const stmt = decl.parent.parent;
    const original = decl.name.text;
    const name = moduleNames.has(original) ? unique(`${original}`) : original;
    const keyword = (decl.parent.flags & ts.NodeFlags.Let) !== 0 ? "let" : "const";
    edits.push({ start: insertAt, end: insertAt, newText: `${keyword} ${name} = ${initializer};\n\n` });
    const lineStart = text.lastIndexOf("\n", stmt.getStart(sf) - 1) + 1;
    const lineEnd = text.indexOf("\n", stmt.end);
    edits.push({ start: lineStart, end: lineEnd < 0 ? text.length : lineEnd + 1, newText: "" });
    if (name !== original) {
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n) && n.text === original && isReference(n) && resolveName(n, original)?.decl === decl) edits.push({ start: n.getStart(sf), end: n.end, newText: name });
        else n.forEachChild(visit);
      };
      visit(pos.fn);
    }
    title = `Move \`${original}\` to module scope`;
  } else {
    if (!ts.isExpression(value) || ts.isExpressionStatement(value.parent)) return undefined;
    const prop = value.parent;
    const base = (ts.isPropertyAssignment(prop) && ts.isIdentifier(prop.name) ? prop.name.text : "") || "sharedClient";
    const name = unique(base === "agent" || base === "dispatcher" || base === "httpAgent" || base === "httpsAgent" ? `shared${base[0].toUpperCase()}${base.slice(1)}` : base);
    edits.push({ start: insertAt, end: insertAt, newText: `const ${name} = ${initializer};\n\n` });
    edits.push({ start: node.getStart(sf), end: node.end, newText: name });
    title = `Move the client to a module constant \`${name}\``;
  }
  return { title, kind: "suggestion", edits };
}

/** `await client.connect()` on the local: moving the client would connect a shared client again on every call. */
function connectsPerCall(node: ts.Node): boolean {
  let value: ts.Node = node;
  while (ts.isAwaitExpression(value.parent) || ts.isParenthesizedExpression(value.parent)) value = value.parent;
  const decl = value.parent;
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
  const fn = enclosingFunction(decl);
  if (!fn) return false;
  let found = false;
  const name = decl.name.text;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && /^(connect|\$connect|open|close|end|quit|disconnect|\$disconnect|destroy)$/.test(n.name.text)) {
      const recv = skipOuter(n.expression);
      if (ts.isIdentifier(recv) && recv.text === name && resolveName(recv, name)?.decl === decl) found = true;
    }
    n.forEachChild(visit);
  };
  visit(fn);
  return found;
}

function topLevelStatement(node: ts.Node): ts.Statement | undefined {
  let n = node;
  while (n.parent && !ts.isSourceFile(n.parent)) n = n.parent;
  return n.parent && ts.isSourceFile(n.parent) ? (n as ts.Statement) : undefined;
}

/** Where the statement starts, its leading comments included, at the start of its line. */
function statementStart(sf: ts.SourceFile, stmt: ts.Statement): number {
  const comments = ts.getLeadingCommentRanges(sf.text, stmt.getFullStart()) ?? [];
  // The file's header comment belongs to the file, not to the statement.
  const own = comments.filter((c) => stmt.getFullStart() > 0 || c.pos > 0);
  const start = own.length > 0 ? own[0].pos : stmt.getStart(sf);
  return sf.text.lastIndexOf("\n", start - 1) + 1;
}

/** The value names something declared inside the top-level statement (a parameter, a local), or `this`. */
function usesLocals(node: ts.Node, top: ts.Statement): boolean {
  let uses = false;
  const visit = (n: ts.Node): void => {
    if (uses) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || n.kind === ts.SyntaxKind.SuperKeyword) {
      uses = true;
      return;
    }
    if (ts.isIdentifier(n) && isReference(n)) {
      const r = resolveName(n, n.text);
      if (r && r.decl.pos >= top.pos && r.decl.end <= top.end) uses = true;
      return;
    }
    n.forEachChild(visit);
  };
  visit(node);
  return uses;
}

function containsAwait(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || isFunctionLike(n)) return;
    if (ts.isAwaitExpression(n)) found = true;
    else n.forEachChild(visit);
  };
  visit(node);
  return found;
}

function nameUsedIn(fn: ts.Node, name: string): boolean {
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(n) && n.text === name) used = true;
    else n.forEachChild(visit);
  };
  visit(fn);
  return used;
}

/** Continuation lines lose the indentation of the statement they came from. */
function reindent(text: string, indent: string): string {
  return text
    .split("\n")
    .map((l, i) => (i > 0 && l.startsWith(indent) ? l.slice(indent.length) : l))
    .join("\n");
}
