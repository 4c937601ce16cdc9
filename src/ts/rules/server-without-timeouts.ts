/**
 * server-without-timeouts (TS/JS): Node's HTTP server protects itself with
 * built-in timeouts (60 s for a request's headers, 300 s for the whole
 * request, 5 s for an idle keep-alive connection). Setting one of them to 0
 * switches it off: a client that sends its request slowly (slowloris), or
 * never, or keeps an idle connection open, holds a socket and its buffers for
 * as long as it likes, and a few thousand such clients exhaust the server's
 * file descriptors.
 */
import ts = require("typescript");
import { Rule } from "../../core/rule";
import { Fix } from "../../core/types";
import { TsFile } from "../facts";
import { isTestFile } from "../function-role";
import { resolveName } from "../scopes";
import { calleeOf, rangeOf, skipOuter } from "../syntax";
import type { TsFacts } from "../frontend";

interface Setting {
  /** What the setting bounds, for the message. */
  bounds: string;
  /** Who then holds a socket forever. */
  who: string;
  /** Node's default, restored by the fix; undefined when the default is itself "none". */
  restore?: { value: string; says: string };
}

const SETTINGS: Record<string, Setting> = {
  headersTimeout: { bounds: "how long a client may take to send its request headers", who: "a client that sends its headers slowly, or never,", restore: { value: "60_000", says: "60 seconds" } },
  requestTimeout: { bounds: "how long a client may take to send its whole request", who: "a client that sends its request slowly, or never,", restore: { value: "300_000", says: "300 seconds" } },
  keepAliveTimeout: { bounds: "how long an idle keep-alive connection stays open", who: "a client that keeps an idle connection open", restore: { value: "5_000", says: "5 seconds" } },
  timeout: { bounds: "how long a connection may stay idle", who: "a client that stalls" },
};
/** Only these options of a server factory are timeouts of the server; `timeout` there means something else. */
const OPTION_NAMES = new Set(["headersTimeout", "requestTimeout", "keepAliveTimeout"]);
const SERVER_MODULES = new Set(["http", "https"]);
const SERVER_NAME = /^(server|srv|httpServer|httpsServer|webServer|apiServer|appServer|nodeServer)$/i;
const WEB_MODULES = ["http", "https", "express", "koa", "fastify", "@hapi/hapi", "hapi", "restify", "polka", "@nestjs/core", "next"];

export const serverWithoutTimeouts: Rule<TsFacts> = {
  meta: {
    id: "server-without-timeouts",
    languages: ["ts"],
    defaultSeverity: "warning",
    shortDescription: "An HTTP server has no ReadHeaderTimeout or ReadTimeout.",
    fullDescription:
      "Node's http and https servers bound how long a client may take to send its headers (headersTimeout, 60 s), its whole request (requestTimeout, 300 s) and how long an idle " +
      "keep-alive connection stays open (keepAliveTimeout, 5 s). Setting one of them to 0 (in the createServer options or on the server, also server.timeout = 0 and " +
      "server.setTimeout(0)) switches the limit off: a client that sends slowly or never holds a socket forever, and a few thousand such clients exhaust the server.",
    docs: "docs/rules/server-without-timeouts.md",
    fixable: "fix",
    nolintAliases: [],
    options: [],
  },

  check(context) {
    const { file } = context.facts;
    if (isTestFile(file.path) || !file.importsAny((m) => WEB_MODULES.includes(m))) return;
    const text = file.text;
    if (!/Timeout|timeout/.test(text)) return;
    const sf = file.sourceFile;
    const servers = new Servers(file);

    // `http.createServer({ requestTimeout: 0 }, handler)`, `new https.Server({ headersTimeout: 0 })`, `Fastify({ requestTimeout: 0 })`.
    for (const call of [...file.calls, ...file.news]) {
      const factory = servers.factoryName(call);
      if (!factory) continue;
      for (const arg of call.arguments ?? []) {
        const opts = optionsObject(arg);
        if (!opts) continue;
        for (const p of opts.properties) {
          if (!ts.isPropertyAssignment(p) || !OPTION_NAMES.has(p.name.getText(sf)) || !isZero(p.initializer)) continue;
          const name = p.name.getText(sf);
          context.report({ range: rangeOf(sf, p), message: messageFor(`\`${name}: 0\` in ${factory}`, name), fixes: restoreFix(name, p.initializer, sf) });
        }
      }
    }

    // `server.requestTimeout = 0`, `server.timeout = 0`.
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
        const name = n.left.name.text;
        if (name in SETTINGS && isZero(n.right) && servers.isServer(n.left.expression)) {
          context.report({ range: rangeOf(sf, n), message: messageFor(`\`${n.getText(sf)}\``, name), fixes: restoreFix(name, n.right, sf) });
        }
      }
      n.forEachChild(visit);
    };
    visit(sf);

    // `server.setTimeout(0)`
    for (const call of file.callsNamed("setTimeout")) {
      const callee = calleeOf(call);
      if (!ts.isPropertyAccessExpression(callee) || !call.arguments[0] || !isZero(call.arguments[0]) || !servers.isServer(callee.expression)) continue;
      context.report({ range: rangeOf(sf, call), message: messageFor(`\`${callee.getText(sf)}(0)\``, "timeout") });
    }
  },
};

function messageFor(what: string, setting: string): string {
  const s = SETTINGS[setting];
  const keep = s.restore ? `keep Node's default (${s.restore.says}) or set a limit` : "set a limit (for example 120 seconds)";
  return `${what} switches off the limit on ${s.bounds}: ${s.who} holds a socket and its buffers forever; ${keep}`;
}

/** Replaces the 0 with Node's default; the value keeps the file's numeric style. */
function restoreFix(setting: string, zero: ts.Expression, sf: ts.SourceFile): Fix[] {
  const restore = SETTINGS[setting].restore;
  const literal = skipOuter(zero);
  if (!restore || !ts.isNumericLiteral(literal)) return [];
  const value = /\d_\d/.test(sf.text) ? restore.value : restore.value.replace(/_/g, "");
  return [{ title: `Restore Node's default \`${setting}\` (${restore.says})`, kind: "fix", edits: [{ start: literal.getStart(sf), end: literal.end, newText: value }] }];
}

/** An options object literal, inline or held by a `const`. */
function optionsObject(arg: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const e = skipOuter(arg);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const r = resolveName(e, e.text);
  if (!r || !ts.isVariableDeclaration(r.decl) || !r.decl.initializer || (r.decl.parent.flags & ts.NodeFlags.Const) === 0) return undefined;
  const init = skipOuter(r.decl.initializer);
  return ts.isObjectLiteralExpression(init) ? init : undefined;
}

/** `0`, `0n`, or a `const` that holds 0. */
function isZero(expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  if (ts.isNumericLiteral(e)) return Number(e.text) === 0;
  if (ts.isIdentifier(e)) {
    const r = resolveName(e, e.text);
    if (r && ts.isVariableDeclaration(r.decl) && r.decl.initializer && (r.decl.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = skipOuter(r.decl.initializer);
      return ts.isNumericLiteral(init) && Number(init.text) === 0;
    }
  }
  return false;
}

/** Which values are Node HTTP servers. */
class Servers {
  constructor(private readonly file: TsFile) {}

  /** "http.createServer" when the call builds a Node HTTP server (or a framework that passes its options on). */
  factoryName(call: ts.CallExpression | ts.NewExpression): string | undefined {
    const callee = ts.isNewExpression(call) ? call.expression : calleeOf(call);
    const q = this.file.qualify(callee);
    if (!q || !("module" in q)) return undefined;
    if (SERVER_MODULES.has(q.module) && (q.name === "createServer" || q.name === "Server")) return `${q.module}.${q.name}`;
    if (q.module === "fastify" && (q.name === "default" || q.name === "fastify" || q.name === "Fastify")) return "fastify()";
    return undefined;
  }

  /**
   * A server: built by `http.createServer`, `new https.Server`, returned by an
   * app's `listen()`, `fastify.server`, or named like one in a web server file.
   */
  isServer(expr: ts.Expression, depth = 0): boolean {
    const e = skipOuter(expr);
    if (depth > 3) return false;
    if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
      if (this.factoryName(e)) return true;
      const callee = ts.isNewExpression(e) ? e.expression : calleeOf(e);
      return ts.isPropertyAccessExpression(callee) && callee.name.text === "listen" && this.file.importsAny((m) => ["express", "koa", "polka", "restify"].includes(m));
    }
    if (ts.isIdentifier(e)) {
      const r = resolveName(e, e.text);
      if (r && ts.isVariableDeclaration(r.decl) && r.decl.initializer) {
        const init = skipOuter(r.decl.initializer);
        if (ts.isCallExpression(init) || ts.isNewExpression(init) || ts.isIdentifier(init) || ts.isPropertyAccessExpression(init)) {
          if (this.isServer(init, depth + 1)) return true;
        }
      }
      if (r && (ts.isParameter(r.decl) || ts.isVariableDeclaration(r.decl)) && r.decl.type && /\b(http|https)?\.?Server\b/.test(r.decl.type.getText())) return true;
      return SERVER_NAME.test(e.text);
    }
    if (ts.isPropertyAccessExpression(e)) {
      // `fastify.server`, `this.server`, `app.httpServer`
      return SERVER_NAME.test(e.name.text);
    }
    return false;
  }
}
