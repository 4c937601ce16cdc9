/**
 * The Go values that must be released, how each is released, and which calls
 * produce them. Shared by the four must-close rules and by the package
 * summaries (a wrapper around `db.Query` produces rows too).
 */

import { GO_RESOURCE_KINDS } from "../core/config";

export type ResourceKind = (typeof GO_RESOURCE_KINDS)[number];

export interface KindInfo {
  ruleId: string;
  /** Methods that release the value; for `body` they are called on `x.Body`. */
  releaseMethods: string[];
  /** What the fix defers, given the variable name. */
  deferText: (name: string) => string;
  /** The subject of messages: "rows", "resp.Body". */
  subject: (name: string) => string;
  /** "is not closed" / "is neither committed nor rolled back". */
  notReleased: string;
  typeName: string;
}

export const KINDS: Record<ResourceKind, KindInfo> = {
  rows: {
    ruleId: "unclosed-rows",
    releaseMethods: ["Close"],
    deferText: (n) => `defer ${n}.Close()`,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "rows",
  },
  stmt: {
    ruleId: "unclosed-rows",
    releaseMethods: ["Close"],
    deferText: (n) => `defer ${n}.Close()`,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "prepared statement",
  },
  body: {
    ruleId: "unclosed-response-body",
    releaseMethods: ["Close"],
    deferText: (n) => `defer ${n}.Body.Close()`,
    subject: (n) => `${n}.Body`,
    notReleased: "is not closed",
    typeName: "response",
  },
  conn: {
    ruleId: "unreleased-connection",
    releaseMethods: ["Close"],
    deferText: (n) => `defer ${n}.Close()`,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "connection",
  },
  poolconn: {
    ruleId: "unreleased-connection",
    releaseMethods: ["Release"],
    deferText: (n) => `defer ${n}.Release()`,
    subject: (n) => n,
    notReleased: "is not released",
    typeName: "pooled connection",
  },
  tx: {
    ruleId: "unreleased-connection",
    releaseMethods: ["Commit", "Rollback"],
    deferText: (n) => `defer ${n}.Rollback()`,
    subject: (n) => n,
    notReleased: "is neither committed nor rolled back",
    typeName: "transaction",
  },
  handle: {
    ruleId: "unclosed-handle",
    releaseMethods: ["Close"],
    deferText: (n) => `defer ${n}.Close()`,
    subject: (n) => n,
    notReleased: "is not closed",
    typeName: "handle",
  },
};

/** Result types a function must declare to hand its caller a resource. */
export const RESOURCE_RESULT = /\b(Rows|Stmt|NamedStmt|Response|File|Conn|Tx|Listener|PacketConn|UDPConn|TCPConn|UnixConn|IPConn|TCPListener|UnixListener)\b/;

/** Any method that releases some kind: used where the kind of a parameter is unknown (summaries). */
export const ANY_RELEASE_METHOD = new Set(["Close", "Commit", "Rollback", "Release"]);

/** Package-level functions whose first result must be released. */
export const PACKAGE_FACTORIES: Record<string, Record<string, ResourceKind>> = {
  "net/http": { Get: "body", Post: "body", PostForm: "body", Head: "body" },
  os: { Open: "handle", Create: "handle", OpenFile: "handle", CreateTemp: "handle" },
  "io/ioutil": { TempFile: "handle" },
  net: {
    Dial: "handle",
    DialTimeout: "handle",
    DialTCP: "handle",
    DialUDP: "handle",
    DialUnix: "handle",
    DialIP: "handle",
    Listen: "handle",
    ListenTCP: "handle",
    ListenUDP: "handle",
    ListenUnix: "handle",
    ListenUnixgram: "handle",
    ListenPacket: "handle",
    ListenIP: "handle",
    ListenMulticastUDP: "handle",
  },
  "crypto/tls": { Dial: "handle", DialWithDialer: "handle", Listen: "handle" },
  "golang.org/x/net/context/ctxhttp": { Do: "body", Get: "body", Head: "body", Post: "body", PostForm: "body" },
};

/** Methods of types the syntax names (`var d net.Dialer`, `(&net.Dialer{}).DialContext`). */
export const TYPED_METHOD_FACTORIES: Record<string, Record<string, ResourceKind>> = {
  "net.Dialer": { Dial: "handle", DialContext: "handle" },
  "net.ListenConfig": { Listen: "handle", ListenPacket: "handle" },
  "crypto/tls.Dialer": { Dial: "handle", DialContext: "handle" },
  "net/http.Client": { Do: "body", Get: "body", Head: "body", Post: "body", PostForm: "body" },
  "net/http.Transport": { RoundTrip: "body" },
};

/**
 * Methods that produce a resource when called on a database handle. The receiver's
 * type is rarely visible in the syntax, so they count only in packages that import
 * a database driver API (see `isDatabaseImport`), and with the argument counts the
 * real signatures have; `u.Query()` on a URL has no argument and stays out.
 */
export const DATABASE_METHODS: Record<string, { kind: ResourceKind; minArgs: number; maxArgs?: number }> = {
  Query: { kind: "rows", minArgs: 1 },
  QueryContext: { kind: "rows", minArgs: 2 },
  Queryx: { kind: "rows", minArgs: 1 },
  QueryxContext: { kind: "rows", minArgs: 2 },
  NamedQuery: { kind: "rows", minArgs: 2, maxArgs: 2 },
  NamedQueryContext: { kind: "rows", minArgs: 3, maxArgs: 3 },
  Prepare: { kind: "stmt", minArgs: 1, maxArgs: 2 },
  PrepareContext: { kind: "stmt", minArgs: 2, maxArgs: 2 },
  Preparex: { kind: "stmt", minArgs: 1, maxArgs: 1 },
  PreparexContext: { kind: "stmt", minArgs: 2, maxArgs: 2 },
  PrepareNamed: { kind: "stmt", minArgs: 1, maxArgs: 1 },
  PrepareNamedContext: { kind: "stmt", minArgs: 2, maxArgs: 2 },
  Begin: { kind: "tx", minArgs: 0, maxArgs: 1 },
  BeginTx: { kind: "tx", minArgs: 2, maxArgs: 2 },
  Beginx: { kind: "tx", minArgs: 0, maxArgs: 0 },
  BeginTxx: { kind: "tx", minArgs: 2, maxArgs: 2 },
  MustBegin: { kind: "tx", minArgs: 0, maxArgs: 0 },
  MustBeginTx: { kind: "tx", minArgs: 2, maxArgs: 2 },
  Conn: { kind: "conn", minArgs: 1, maxArgs: 1 },
};

/** pgxpool's `Acquire` hands out a connection that goes back with `Release`. */
export const POOL_METHODS: Record<string, ResourceKind> = { Acquire: "poolconn" };

export function isDatabaseImport(path: string): boolean {
  return (
    path === "database/sql" ||
    path === "github.com/jmoiron/sqlx" ||
    /^github\.com\/jackc\/pgx(\/v\d+)?(\/pgxpool)?$/.test(path)
  );
}

export function isPgxPoolImport(path: string): boolean {
  return /^github\.com\/jackc\/pgx(\/v\d+)?\/pgxpool$/.test(path);
}

/** Methods of `*http.Client` (and `http.RoundTripper`) that return a response. */
export const HTTP_CLIENT_METHODS: Record<string, { minArgs: number; maxArgs: number }> = {
  Do: { minArgs: 1, maxArgs: 1 },
  Get: { minArgs: 1, maxArgs: 1 },
  Head: { minArgs: 1, maxArgs: 1 },
  Post: { minArgs: 3, maxArgs: 3 },
  PostForm: { minArgs: 2, maxArgs: 2 },
  RoundTrip: { minArgs: 1, maxArgs: 1 },
};

/**
 * Functions that take a reader or a resource and never close it. Passing a value
 * to any other function of another module hands it off (precision first); these
 * are the exceptions people call on bodies and rows every day.
 */
export const NON_CLOSING_FUNCTIONS: Record<string, Set<string> | "*"> = {
  io: new Set(["ReadAll", "Copy", "CopyN", "CopyBuffer", "ReadFull", "ReadAtLeast", "LimitReader", "TeeReader", "MultiReader", "MultiWriter", "NopCloser", "WriteString", "NewSectionReader"]),
  "io/ioutil": new Set(["ReadAll", "NopCloser"]),
  "encoding/json": new Set(["NewDecoder", "NewEncoder"]),
  "encoding/xml": new Set(["NewDecoder", "NewEncoder"]),
  "encoding/pem": new Set(["Encode"]),
  "text/tabwriter": new Set(["NewWriter"]),
  "archive/zip": new Set(["NewReader", "NewWriter"]),
  "io/fs": new Set(["ReadFile", "ReadDir", "Stat"]),
  "encoding/gob": new Set(["NewDecoder", "NewEncoder"]),
  "encoding/csv": new Set(["NewReader", "NewWriter"]),
  "encoding/json/v2": new Set(["UnmarshalRead"]),
  bufio: new Set(["NewReader", "NewReaderSize", "NewScanner", "NewWriter", "NewWriterSize", "NewReadWriter"]),
  "compress/gzip": new Set(["NewReader", "NewWriter"]),
  "compress/zlib": new Set(["NewReader", "NewWriter"]),
  "compress/flate": new Set(["NewReader", "NewWriter"]),
  "archive/tar": new Set(["NewReader", "NewWriter"]),
  "net/http/httputil": new Set(["DumpResponse", "DumpRequest", "DumpRequestOut"]),
  "net/http": new Set(["MaxBytesReader", "ReadResponse", "StatusText", "Error"]),
  fmt: "*",
  log: "*",
  errors: "*",
  strconv: "*",
  strings: "*",
  bytes: "*",
  sort: "*",
  reflect: "*",
  testing: "*",
  "github.com/stretchr/testify/assert": "*",
  "github.com/stretchr/testify/require": "*",
};

/** Builtins that look at a value without keeping it. */
export const NON_CLOSING_BUILTINS = new Set(["len", "cap", "print", "println", "new", "make", "delete", "copy", "clear", "min", "max", "string"]);

/**
 * Method names that only read or log their arguments, whatever the receiver:
 * `t.Logf("%v", rows)`, `buf.ReadFrom(resp.Body)`, `log.Printf`.
 */
export const NON_CLOSING_METHODS = new Set([
  "Print", "Printf", "Println", "Errorf", "Error", "Log", "Logf", "Info", "Infof", "Infow", "Debug", "Debugf", "Debugw",
  "Warn", "Warnf", "Warnw", "Warning", "Warningf", "Trace", "Tracef", "ReadFrom", "Scan", "Skip", "Skipf",
  "Equal", "NotNil", "Nil", "NoError", "True", "False", "Len", "Contains",
  "Execute", "ExecuteTemplate", "Encode", "Decode", "WriteTo", "Fprint", "Fprintf", "Fprintln",
]);

/** Calls after which the goroutine or process does not go on: no leak is reported on those paths. */
export const TERMINATING_PACKAGE_FUNCTIONS: Record<string, Set<string>> = {
  os: new Set(["Exit"]),
  log: new Set(["Fatal", "Fatalf", "Fatalln"]),
  runtime: new Set(["Goexit"]),
  syscall: new Set(["Exit"]),
};
export const TERMINATING_METHODS = new Set(["Fatal", "Fatalf", "Fatalln", "FailNow", "SkipNow", "Skip", "Skipf"]);
/** Panicking leaves the function; a recovered panic (net/http recovers per request) leaks what was open. */
export const PANICKING_PACKAGE_FUNCTIONS: Record<string, Set<string>> = {
  log: new Set(["Panic", "Panicf", "Panicln"]),
};
