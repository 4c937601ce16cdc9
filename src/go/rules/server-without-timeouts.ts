/**
 * server-without-timeouts: an `http.Server` without `ReadHeaderTimeout` or
 * `ReadTimeout` (and `http.ListenAndServe`, `http.Serve`, which use one) waits
 * forever for a client's request headers. A client that sends them slowly, or
 * never (slowloris, a stuck proxy, a half-open connection), holds a connection,
 * a file descriptor and a goroutine for as long as it likes; enough of them and
 * the server runs out of descriptors or memory.
 */
import { escapeRegExp } from "../../core/regexp";
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { Fix, Range, TextEdit } from "../../core/types";
import type { GoFacts } from "../frontend";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { GoFile } from "../facts";
import { ConfigurationCheck, Destination, isStandardLibrary } from "../configuration";
import { functionKey } from "../configured";
import { addImportEdit } from "../imports";
import { callArguments, field, lineIndent, namedChildren } from "../syntax";

const TIMEOUT_FIELDS = new Set(["ReadHeaderTimeout", "ReadTimeout"]);
const OTHER_TIMEOUTS = new Set(["WriteTimeout", "IdleTimeout"]);
const SERVE_FUNCTIONS = new Set(["ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"]);
/** Functions of other modules known to leave a server's timeouts alone. */
const NON_CONFIGURING = new Set(["golang.org/x/net/http2.ConfigureServer"]);

const PACKAGE_CALLS = `(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  (#any-of? @fn "ListenAndServe" "ListenAndServeTLS" "Serve" "ServeTLS")) @call`;
const LITERALS = `(composite_literal type: (qualified_type package: (package_identifier) @pkg name: (type_identifier) @name) (#eq? @name "Server")) @value`;
const NEWS = `(call_expression function: (identifier) @new
  arguments: (argument_list . (qualified_type package: (package_identifier) @pkg name: (type_identifier) @name) .)
  (#eq? @new "new") (#eq? @name "Server")) @value`;
const VARS = `(var_spec type: (qualified_type package: (package_identifier) @pkg name: (type_identifier) @name) (#eq? @name "Server")) @value`;

export const serverWithoutTimeouts: Rule<GoFacts, GoGate> = {
  meta: {
    id: "server-without-timeouts",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "An HTTP server has no ReadHeaderTimeout or ReadTimeout.",
    fullDescription:
      "http.ListenAndServe, http.Serve and an http.Server without ReadHeaderTimeout or ReadTimeout wait forever for a client's request headers. " +
      "A client that sends them slowly (slowloris) or never holds a connection, a file descriptor and a goroutine for as long as it likes; " +
      "a few thousand such clients exhaust the server. Set ReadHeaderTimeout on every server.",
    docs: "docs/rules/server-without-timeouts.md",
    fixable: "fix",
    nolintAliases: [],
    options: [],
  },
  mayReport: (gate) => !gate.isTestFile && gate.importsPath((p) => p === "net/http"),

  check(context) {
    const { file, ctx } = context.facts;
    // Test servers (httptest, literals in tests) never face slow clients.
    if (file.path.endsWith("_test.go")) return;
    const http = file.imports.find((i) => i.path === "net/http")?.name;
    if (!http || http === "_" || http === ".") return;
    const root = file.tree.rootNode;
    const ofHttp = (captures: { name: string; node: Node }[]) => captures.find((c) => c.name === "pkg")?.node.text === http;

    for (const m of goQuery(PACKAGE_CALLS).matches(root)) {
      const call = m.captures.find((c) => c.name === "call")?.node;
      const fn = m.captures.find((c) => c.name === "fn")?.node.text ?? "";
      if (!call || !ofHttp(m.captures)) continue;
      context.report({
        range: rangeBetween(call, field(call, "function") ?? call),
        message: `http.${fn} serves with no ReadHeaderTimeout or ReadTimeout: a client that sends headers slowly holds a connection and a goroutine forever; use an http.Server with ReadHeaderTimeout`,
        fixes: packageCallFix(file, call, fn, http),
      });
    }

    let check: ConfigurationCheck | undefined;
    const values: { node: Node; kind: "literal" | "new" | "var" }[] = [];
    for (const [query, kind] of [[LITERALS, "literal"], [NEWS, "new"], [VARS, "var"]] as const) {
      for (const m of goQuery(query).matches(root)) {
        const node = m.captures.find((c) => c.name === "value")?.node;
        if (node && ofHttp(m.captures)) values.push({ node, kind });
      }
    }
    for (const { node, kind } of values) {
      // A positional http.Server literal is not something people write; leave it alone.
      if (kind === "literal" && (setsTimeout(node) || namedChildren(field(node, "body")).some((e) => e.type === "literal_element"))) continue;
      if (kind === "var" && field(node, "value")) continue;
      check ??= new ConfigurationCheck(ctx, {
        setting: "timeout",
        // Code we cannot see may set the timeouts; the standard library never does, and httptest servers are for tests.
        foreignCallConfigures: (importPath, name) =>
          importPath === "net/http/httptest" || !importPath || (!isStandardLibrary(importPath) && !NON_CONFIGURING.has(`${importPath}.${name}`)),
        followResults: false,
      });
      const { top } = ConfigurationCheck.functionsAround(node);
      const targets = kind === "var" ? varTargets(node, top) : [{ dest: check.destinationOf(node), text: assignedText(node) }];
      for (const { dest, text } of targets) {
        if (dest.type === "unknown" || check.judge(dest, top, tuned(node, kind, text, top))) continue;
        const what = text ? `the http.Server ${text}` : kind === "new" ? "new(http.Server)" : "the http.Server literal";
        const where = top && top.type !== "func_literal" ? ` in ${functionKey(top)}` : "";
        context.report({
          range: rangeBetween(node, kind === "var" ? node : (field(node, kind === "new" ? "arguments" : "type") ?? node)),
          message: `${what}${where} never gets ReadHeaderTimeout or ReadTimeout: a client that sends headers slowly holds a connection and a goroutine forever; set ReadHeaderTimeout`,
          fixes: kind === "literal" ? literalFix(file, node) : kind === "new" ? newFix(file, node, http) : [],
        });
      }
    }
  },
};

/** Other timeouts set where the server is built: that is where its timeouts are decided. */
function tuned(node: Node, kind: "literal" | "new" | "var", name: string | undefined, top: Node | undefined): boolean {
  if (kind === "literal" && keyedElements(node).some(({ key, value }) => OTHER_TIMEOUTS.has(key) && value.text !== "0")) return true;
  return !!name && !!top && new RegExp(`(^|[^\\w.])${escapeRegExp(name)}\\.(${[...OTHER_TIMEOUTS].join("|")})\\s*=[^=]`).test(top.text);
}


/** A timeout in the literal itself; zero means none. */
function setsTimeout(literal: Node): boolean {
  return keyedElements(literal).some(({ key, value }) => TIMEOUT_FIELDS.has(key) && value.text !== "0");
}

function keyedElements(literal: Node): { key: string; value: Node }[] {
  const out: { key: string; value: Node }[] = [];
  for (const el of namedChildren(field(literal, "body"))) {
    if (el.type !== "keyed_element") continue;
    const key = field(el, "key")?.text;
    const value = field(el, "value");
    if (key && value) out.push({ key, value });
  }
  return out;
}

/** `var srv http.Server` declares each name as a server. */
function varTargets(spec: Node, top: Node | undefined): { dest: Destination; text: string }[] {
  return spec
    .childrenForFieldName("name")
    .filter((n): n is Node => !!n && n.text !== "_")
    .map((n) => ({ dest: top ? { type: "local", name: n.text } : { type: "package-var", name: n.text }, text: n.text }));
}

/** The name or field the value is assigned to, for the message. */
function assignedText(value: Node): string | undefined {
  let node = value;
  while (node.parent && (node.parent.type === "parenthesized_expression" || node.parent.type === "unary_expression")) node = node.parent;
  const list = node.parent;
  const stmt = list?.parent;
  if (list?.type !== "expression_list" || !stmt) return undefined;
  const values = namedChildren(list);
  const targets = stmt.type === "var_spec" ? stmt.childrenForFieldName("name") : namedChildren(field(stmt, "left"));
  return values.length === targets.length ? targets[values.findIndex((v) => v.id === node.id)]?.text : undefined;
}

function rangeBetween(start: Node, end: Node): Range {
  return {
    start: { line: start.startPosition.row, column: start.startPosition.column, offset: start.startIndex },
    end: { line: end.endPosition.row, column: end.endPosition.column, offset: end.endIndex },
  };
}

// ---- fixes ----------------------------------------------------------------------

/** The name this file uses for package time, and the import edit when it has none. */
function timeUnit(file: GoFile, unit: string): { expr: string; edits: TextEdit[] } {
  const imported = file.imports.find((i) => i.path === "time");
  if (imported && imported.name === ".") return { expr: unit, edits: [] };
  if (imported && imported.name !== "_") return { expr: `${imported.name}.${unit}`, edits: [] };
  const edit = addImportEdit(file, "time");
  return { expr: `time.${unit}`, edits: edit ? [edit] : [] };
}

/**
 * `http.ListenAndServe(addr, h)` → `(&http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: ...}).ListenAndServe()`.
 * The handler moves before the listener or certificate arguments; when both
 * sides call functions, that reorders their side effects, so it is only a suggestion.
 */
function packageCallFix(file: GoFile, call: Node, fn: string, http: string): Fix[] {
  const args = callArguments(call);
  const arity = { ListenAndServe: 2, ListenAndServeTLS: 4, Serve: 2, ServeTLS: 4 }[fn];
  if (!SERVE_FUNCTIONS.has(fn) || args.length !== arity || field(call, "arguments")?.text.includes("...")) return [];
  const text = (n: Node) => n.text;
  const listens = fn.startsWith("ListenAndServe");
  const handler = fn === "ServeTLS" ? args[1] : args[args.length - 1];
  const methodArgs = fn === "ListenAndServe" ? [] : fn === "ListenAndServeTLS" ? args.slice(1, 3) : fn === "Serve" ? [args[0]] : [args[0], args[2], args[3]];
  const time = timeUnit(file, "Second");
  const fields = [...(listens ? [`Addr: ${text(args[0])}`] : []), ...(handler.text === "nil" ? [] : [`Handler: ${text(handler)}`]), `ReadHeaderTimeout: 10 * ${time.expr}`];
  const newText = `(&${http}.Server{${fields.join(", ")}}).${fn}(${methodArgs.map(text).join(", ")})`;
  const reordered = handler.text !== "nil" && methodArgs.length > 0 && hasCall(handler) && methodArgs.some(hasCall);
  return [
    {
      title: `Serve with an http.Server that sets ReadHeaderTimeout`,
      kind: reordered ? "suggestion" : "fix",
      edits: [{ start: call.startIndex, end: call.endIndex, newText }, ...time.edits],
    },
  ];
}

function hasCall(node: Node): boolean {
  return node.type === "call_expression" || node.descendantsOfType(["call_expression", "unary_expression"]).some((n) => n?.type === "call_expression" || n?.text.startsWith("<-"));
}

/** Adds `ReadHeaderTimeout: 10 * time.Second` to the literal: a new line in a multi-line literal, inline otherwise. */
function literalFix(file: GoFile, literal: Node): Fix[] {
  const body = field(literal, "body");
  if (!body) return [];
  const time = timeUnit(file, "Second");
  const value = `10 * ${time.expr}`;
  const zero = keyedElements(literal).find((e) => e.key === "ReadHeaderTimeout");
  const elements = namedChildren(body);
  if (elements.some((e) => e.type !== "keyed_element")) return [];
  const text = file.text;
  let edit: TextEdit;
  if (zero) {
    edit = { start: zero.value.startIndex, end: zero.value.endIndex, newText: value };
  } else if (elements.length === 0) {
    const multiLine = body.text.includes("\n");
    const indent = lineIndent(text, literal.startIndex);
    const lineEnd = text.indexOf("\n", body.startIndex);
    edit = multiLine
      ? { start: lineEnd, end: lineEnd, newText: `\n${indent}\tReadHeaderTimeout: ${value},` }
      : { start: body.startIndex + 1, end: body.startIndex + 1, newText: `ReadHeaderTimeout: ${value}` };
  } else {
    const last = elements[elements.length - 1];
    const closeOnOwnLine = text.slice(last.endIndex, body.endIndex - 1).includes("\n");
    if (closeOnOwnLine) {
      const lineEnd = text.indexOf("\n", last.endIndex);
      edit = { start: lineEnd, end: lineEnd, newText: `\n${lineIndent(text, last.startIndex)}ReadHeaderTimeout: ${value},` };
    } else {
      edit = { start: last.endIndex, end: last.endIndex, newText: `, ReadHeaderTimeout: ${value}` };
    }
  }
  return [{ title: "Add `ReadHeaderTimeout: 10 * time.Second`", kind: "fix", edits: [edit, ...time.edits] }];
}

/** `new(http.Server)` → `&http.Server{ReadHeaderTimeout: 10 * time.Second}`. */
function newFix(file: GoFile, call: Node, http: string): Fix[] {
  const time = timeUnit(file, "Second");
  const newText = `&${http}.Server{ReadHeaderTimeout: 10 * ${time.expr}}`;
  return [{ title: "Build the server with `ReadHeaderTimeout: 10 * time.Second`", kind: "fix", edits: [{ start: call.startIndex, end: call.endIndex, newText }, ...time.edits] }];
}
