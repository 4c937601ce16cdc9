/**
 * The TypeScript/JavaScript values that must be released, how each one is
 * released, and what the four must-release rules say about them. The calls
 * that produce them are recognised in context.ts.
 */
import { TS_RESOURCE_KINDS } from "../core/config";

/** User-facing kinds (config `ts.resourceFactories`) plus the internal refinements of them. */
export type ConfigKind = (typeof TS_RESOURCE_KINDS)[number];

export type TsKind =
  | "response" // fetch Response (WHATWG): body consumed or cancelled
  | "undiciResponse" // undici request(): { statusCode, body }, body is a Node Readable with body mixins
  | "body" // a response body on its own: `const { body } = await request(u)`
  | "incoming" // http.IncomingMessage in a http.get/request callback
  | "poolClient" // pg pool.connect(), mysql2 getConnection(): release()
  | "queryRunner" // TypeORM createQueryRunner(): release()
  | "fileHandle" // fs.promises.open: close()
  | "fd" // fs.openSync / fs.open callback: fs.close(fd)
  | "socket" // net.connect / tls.connect: end() or destroy()
  | "cursor" // pg-cursor, mongodb cursors: close() (mongodb: or exhaust)
  | "stream"; // pg-query-stream, mysql2 query streams: consume or destroy

export interface TsKindInfo {
  ruleId: string;
  /** Methods on the value that release it (or hand its content to a consumer that will). */
  releaseMethods: Set<string>;
  /** Listener registrations (`on`, `once`, ...) whose event consumes the value: `res.on("data", ...)`. */
  consumingEvents?: Set<string>;
  /** `for (await) (const x of value)` consumes it. */
  iterationReleases: boolean;
  /**
   * A throw from an awaited call between acquisition and release leaks: the
   * value stays checked out of a pool or keeps a descriptor. For bodies,
   * cursors and sockets only explicit exits count.
   */
  implicitThrows: boolean;
  /** What messages call it, given the variable name: "res.body", "client". */
  subject: (name: string) => string;
  notReleased: string;
  typeName: string;
}

const STREAM_CONSUMERS = ["pipe", "resume", "destroy", "read", "unpipe"];
const DATA_EVENTS = new Set(["data", "readable"]);

export const TS_KINDS: Record<TsKind, TsKindInfo> = {
  response: {
    ruleId: "unclosed-response-body",
    releaseMethods: new Set(["json", "text", "arrayBuffer", "blob", "formData", "bytes", "buffer", "textConverted"]),
    iterationReleases: false,
    implicitThrows: false,
    subject: (n) => `${n}.body`,
    notReleased: "is neither consumed nor cancelled",
    typeName: "response",
  },
  undiciResponse: {
    ruleId: "unclosed-response-body",
    releaseMethods: new Set(),
    iterationReleases: false,
    implicitThrows: false,
    subject: (n) => `${n}.body`,
    notReleased: "is neither consumed nor destroyed",
    typeName: "response",
  },
  body: {
    ruleId: "unclosed-response-body",
    releaseMethods: new Set(["json", "text", "arrayBuffer", "blob", "formData", "bytes", "dump", "cancel", "getReader", "pipeTo", "pipeThrough", "tee", ...STREAM_CONSUMERS]),
    consumingEvents: DATA_EVENTS,
    iterationReleases: true,
    implicitThrows: false,
    subject: (n) => n,
    notReleased: "is neither consumed nor cancelled",
    typeName: "response body",
  },
  incoming: {
    ruleId: "unclosed-response-body",
    releaseMethods: new Set(STREAM_CONSUMERS),
    consumingEvents: DATA_EVENTS,
    iterationReleases: true,
    implicitThrows: false,
    subject: (n) => n,
    notReleased: "is never consumed (resume(), on('data') or pipe())",
    typeName: "response",
  },
  poolClient: {
    ruleId: "unreleased-connection",
    releaseMethods: new Set(["release", "destroy", "end"]),
    iterationReleases: false,
    implicitThrows: true,
    subject: (n) => n,
    notReleased: "is not released",
    typeName: "pooled connection",
  },
  queryRunner: {
    ruleId: "unreleased-connection",
    releaseMethods: new Set(["release"]),
    iterationReleases: false,
    implicitThrows: true,
    subject: (n) => n,
    notReleased: "is not released",
    typeName: "query runner",
  },
  fileHandle: {
    ruleId: "unclosed-handle",
    releaseMethods: new Set(["close", "createReadStream", "createWriteStream"]),
    iterationReleases: false,
    implicitThrows: true,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "file handle",
  },
  fd: {
    ruleId: "unclosed-handle",
    releaseMethods: new Set(),
    iterationReleases: false,
    implicitThrows: true,
    subject: (n) => `file descriptor ${n}`,
    notReleased: "is not closed",
    typeName: "file descriptor",
  },
  socket: {
    ruleId: "unclosed-handle",
    releaseMethods: new Set(["end", "destroy", "destroySoon", "resetAndDestroy"]),
    iterationReleases: false,
    implicitThrows: false,
    subject: (n) => n,
    notReleased: "is not closed (end() or destroy())",
    typeName: "socket",
  },
  cursor: {
    ruleId: "unclosed-rows",
    // `explain()` runs its own command: the cursor itself is never opened.
    releaseMethods: new Set(["close", "toArray", "forEach", "stream", "pipe", "destroy", "explain"]),
    iterationReleases: true,
    implicitThrows: false,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "cursor",
  },
  stream: {
    ruleId: "unclosed-rows",
    releaseMethods: new Set([...STREAM_CONSUMERS, "close"]),
    consumingEvents: DATA_EVENTS,
    iterationReleases: true,
    implicitThrows: false,
    subject: (n) => n,
    notReleased: "is neither consumed nor destroyed",
    typeName: "query stream",
  },
};

/** The internal kind a config kind stands for. */
export const CONFIG_KINDS: Record<ConfigKind, TsKind> = {
  response: "response",
  body: "body",
  connection: "poolClient",
  handle: "fileHandle",
  fd: "fd",
  socket: "socket",
  cursor: "cursor",
  stream: "stream",
};

/** Every method that releases some kind: what a helper's parameter is checked against when its kind is unknown. */
export const ANY_RELEASE_METHOD = new Set(Object.values(TS_KINDS).flatMap((k) => [...k.releaseMethods]));

/** Modules whose default export (or `fetch` export) is a WHATWG-style fetch. */
export const FETCH_MODULES: Record<string, "whatwg" | "node"> = {
  undici: "whatwg",
  "@whatwg-node/fetch": "whatwg",
  "cross-fetch": "node",
  "isomorphic-fetch": "node",
  "isomorphic-unfetch": "node",
  "node-fetch": "node",
  "node-fetch-native": "whatwg",
  "make-fetch-happen": "node",
  "@web-std/fetch": "whatwg",
};

export const PG_MODULES = new Set(["pg", "pg-pool", "@neondatabase/serverless", "@vercel/postgres"]);
export const MYSQL_MODULES = new Set(["mysql", "mysql2", "mariadb"]);

/** fs functions that use a descriptor without closing it. */
export const FD_BORROWERS = new Set([
  "read",
  "readSync",
  "write",
  "writeSync",
  "readv",
  "readvSync",
  "writev",
  "writevSync",
  "fstat",
  "fstatSync",
  "fsync",
  "fsyncSync",
  "fdatasync",
  "fdatasyncSync",
  "ftruncate",
  "ftruncateSync",
  "fchmod",
  "fchmodSync",
  "fchown",
  "fchownSync",
  "futimes",
  "futimesSync",
  "readFileSync",
  "writeFileSync",
  "appendFileSync",
  "readFile",
  "writeFile",
  "appendFile",
]);

/** Global functions and namespaces that never keep or release what they are given. */
export const NON_CLOSING_GLOBALS = new Set([
  "String",
  "Number",
  "Boolean",
  "JSON.stringify",
  "JSON.parse",
  "Object.keys",
  "Object.values",
  "Object.entries",
  "Object.freeze",
  "Object.getPrototypeOf",
  "Array.isArray",
  "isNaN",
  "parseInt",
  "parseFloat",
  "clearTimeout",
  "clearInterval",
  "structuredClone",
  "expect",
  "assert",
  "describe",
  "it",
  "test",
  "Reflect.has",
  "Symbol",
]);

/** Modules whose functions only look at what they are given. */
export const NON_CLOSING_MODULES: Record<string, Set<string> | "*"> = {
  assert: "*",
  util: new Set(["inspect", "format", "isDeepStrictEqual", "promisify", "types.isPromise"]),
  events: new Set(["once", "on", "getEventListeners"]),
  "stream.promises": new Set(["finished"]),
  stream: new Set(["finished", "promises.finished", "isReadable", "isErrored", "isDisturbed"]),
  chai: "*",
  "node:test": "*",
  vitest: "*",
};

/** Logging-style method names: `console.log(res)`, `logger.warn(..., res)`. */
export const LOGGING_METHODS = new Set(["log", "info", "debug", "warn", "error", "trace", "fatal", "dir", "table", "verbose", "silly"]);

/** Array callbacks run before the call returns: a closure passed to them does not outlive the statement. */
export const SYNC_CALLBACK_METHODS = new Set([
  "forEach",
  "map",
  "filter",
  "reduce",
  "reduceRight",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "flatMap",
  "sort",
  "toSorted",
]);

/** Calls that end the process: the path stops without a leak. */
export const TERMINATING_CALLS = new Set(["global.process.exit", "global.process.abort", "process.exit", "process.abort"]);
