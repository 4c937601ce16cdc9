/**
 * client-without-timeout: an `http.Client` without `Timeout` waits forever for
 * a server that accepted the connection and never answers. In code that
 * serves requests, every such wait holds the request's goroutine and a pooled
 * connection; they pile up until the process runs out of one or the other.
 * `http.Get` and friends use `http.DefaultClient`, which has no timeout.
 */
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import { PerCallClient, perCallClients } from "./client-per-call";
import { Fix, TextEdit } from "../../core/types";
import type { GoContext } from "../context";
import type { GoFacts } from "../frontend";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { GoFile } from "../facts";
import { addImportEdit } from "../imports";
import { defaultClientConfigured, isTestCode, servesRequests } from "../client-constructors";
import { Position, isOnceOnly, positionOf } from "../function-role";
import { callArguments, calleeParts, descendants, enclosingFunction, field, lineIndent, namedChildren, parameters, rangeOf, unparen } from "../syntax";

export const clientWithoutTimeout: Rule<GoFacts, GoGate> = {
  meta: {
    id: "client-without-timeout",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "An http.Client has no Timeout, or code that serves requests uses http.DefaultClient (http.Get, http.Post, ...).",
    fullDescription:
      "An http.Client without Timeout waits forever for a server that accepts the connection and never answers, and so does http.DefaultClient, which " +
      "http.Get, http.Post, http.Head and http.PostForm use. In a server every such wait holds the request's goroutine and a connection until the process " +
      "runs out of them. Set Timeout on the client, or bound each request with a context deadline.",
    docs: "docs/rules/client-without-timeout.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [],
  },

  mayReport: (gate) => !gate.isTestFile && gate.importsPath((p) => p === "net/http"),

  check(context) {
    const { file, ctx } = context.facts;
    // Tests and test-support packages (httptest, testutil) talk to their own servers; a hang fails the test run.
    if (isTestCode(file)) return;
    const http = file.imports.find((i) => i.path === "net/http");
    if (!http || http.name === "_" || http.name === ".") return;
    const h = http.name;
    if (!file.text.includes(`${h}.`)) return;
    const root = file.tree.rootNode;

    const perCall = perCallClients(context.facts);
    const literals = goQuery('[(composite_literal type: (qualified_type)) (call_expression function: (identifier) @fn (#eq? @fn "new"))] @n');
    for (const { name: capture, node } of literals.captures(root)) {
      if (capture !== "n") continue;
      if (!isClientLiteral(node, h) || hasTimeout(node)) continue;
      // A client built per call is client-per-call's finding; a second one on the same lines is noise.
      if (wrapsPerCallTransport(node, perCall)) continue;
      const pos = positionOf(node, file);
      const holder = holderOf(node);
      if (holder && timeoutAssigned(holder, pos.fn, file)) continue;
      if (holder && pos.fn && onlyBoundedRequests(holder, pos.fn, ctx)) continue;
      const subject = holder
        ? `the http.Client ${holder.replace(/\s+/g, "")}${pos.fn ? ` in ${pos.fnName}` : " (package level)"}`
        : `the http.Client built ${pos.fn ? `in ${pos.fnName}` : "at package level"}`;
      context.report({
        range: rangeOf(node.parent?.type === "unary_expression" ? node.parent : node),
        message: `${subject} has no Timeout: a server that accepts the connection and never answers holds the request, its goroutine and its connection forever; set Timeout (for example 30 * time.Second)`,
        fixes: [timeoutFix(node, file, h)],
      });
    }

    let serves: boolean | undefined;
    for (const { node: call } of goQuery("(call_expression function: (selector_expression)) @call").captures(root)) {
      const label = defaultClientCall(call, h);
      if (!label) continue;
      const pos = positionOf(call, file);
      if (pos.role !== "handler") {
        if (isOnceOnly(pos.role)) continue;
        serves ??= servesRequests(ctx);
        if (!serves) continue;
      }
      if (label.endsWith(".Do") && pos.fn && requestIsBounded(callArguments(call)[0], pos, ctx)) continue;
      // `http.DefaultClient.Timeout = d` at startup bounds every request through it.
      if (defaultClientConfigured(ctx)) continue;
      const unit = pos.role === "handler" ? "this request's" : "the calling request's";
      context.report({
        range: rangeOf(call),
        message:
          `${pos.fnName} sends a request with ${label}${label.includes(".DefaultClient.") ? "" : " (http.DefaultClient)"}, which has no timeout: a slow or silent upstream holds ${unit} ` +
          "goroutine and connection forever; use an http.Client with a Timeout, or a request built with http.NewRequestWithContext and a context deadline",
      });
    }
  },
};

// ---- client literals ---------------------------------------------------------------

/** The literal is the per-call client itself, or its `Transport:` is one built per call in the same function. */
function wrapsPerCallTransport(literal: Node, perCall: PerCallClient[]): boolean {
  const transport = namedChildren(field(literal, "body")).find((e) => e.type === "keyed_element" && e.namedChild(0)?.text === "Transport");
  const value = transport?.namedChild(1);
  return perCall.some(
    (c) =>
      c.reported.startIndex === literal.startIndex ||
      (value !== undefined && value !== null && (c.node.startIndex >= value.startIndex && c.node.endIndex <= value.endIndex || (c.fate.name !== undefined && value.text === c.fate.name))),
  );
}

/** `http.Client{...}` or `new(http.Client)`. */
function isClientLiteral(node: Node, h: string): boolean {
  const type = node.type === "composite_literal" ? field(node, "type") : namedChildren(field(node, "arguments"))[0];
  return !!type && type.text.replace(/\s+/g, "") === `${h}.Client`;
}

function hasTimeout(literal: Node): boolean {
  if (literal.type !== "composite_literal") return false;
  return namedChildren(field(literal, "body")).some((el) => el.type === "keyed_element" && field(el, "key")?.text === "Timeout");
}

/**
 * What holds the client: `c` in `c := &http.Client{}`, `s.client` in
 * `s.client = ...`, `svc.hc` in `svc := &Service{hc: &http.Client{}}`.
 */
function holderOf(node: Node): string | undefined {
  let n = node;
  const fields: string[] = [];
  for (;;) {
    const p = n.parent;
    if (!p) return undefined;
    if (p.type === "unary_expression" || p.type === "parenthesized_expression" || p.type === "literal_value") {
      n = p;
      continue;
    }
    if (p.type === "literal_element" && p.parent?.type === "keyed_element") {
      const key = field(p.parent, "key")?.text;
      if (!key || field(p.parent, "value")?.id !== p.id) return undefined;
      fields.unshift(key);
      n = p.parent.parent!;
      if (n.type !== "literal_value" || n.parent?.type !== "composite_literal") return undefined;
      n = n.parent;
      continue;
    }
    if (p.type === "expression_list") {
      const owner = p.parent;
      const values = namedChildren(p);
      const i = values.findIndex((v) => v.id === n.id);
      let left: Node | undefined;
      if ((owner?.type === "short_var_declaration" || owner?.type === "assignment_statement") && field(owner, "right")?.id === p.id) {
        left = namedChildren(field(owner, "left"))[i];
      } else if (owner?.type === "var_spec") {
        left = owner.childrenForFieldName("name")[i] ?? undefined;
      }
      if (!left || left.text === "_") return undefined;
      return [left.text, ...fields].join(".");
    }
    return undefined;
  }
}

/** `c.Timeout = d` in the function (or anywhere in the file for a package-level client). */
function timeoutAssigned(holder: string, fn: Node | undefined, file: GoFile): boolean {
  const want = `${holder.replace(/\s+/g, "")}.Timeout`;
  const scope = fn ?? file.tree.rootNode;
  return descendants(scope, new Set(["assignment_statement"]), true).some((a) =>
    namedChildren(field(a, "left")).some((l) => l.text.replace(/\s+/g, "") === want),
  );
}

/** A local client used only for `c.Do(req)` with requests that carry a deadline never waits forever. */
function onlyBoundedRequests(holder: string, fn: Node, ctx: GoContext): boolean {
  if (!/^\w+$/.test(holder)) return false;
  const body = field(fn, "body");
  if (!body) return false;
  const pos = positionOf(body, ctx.file);
  let uses = 0;
  for (const id of descendants(body, new Set(["identifier"]), true)) {
    if (id.text !== holder) continue;
    const sel = id.parent;
    if (sel?.type === "expression_list" && sel.parent && field(sel.parent, "left")?.id === sel.id) continue;
    const call = sel?.type === "selector_expression" ? sel.parent : undefined;
    if (!call || call.type !== "call_expression" || field(sel!, "field")?.text !== "Do") return false;
    if (!requestIsBounded(callArguments(call)[0], { ...pos, fn }, ctx)) return false;
    uses++;
  }
  return uses > 0;
}

function timeoutFix(node: Node, file: GoFile, h: string): Fix {
  const timeImport = file.imports.find((i) => i.path === "time");
  const t = timeImport && timeImport.name !== "_" && timeImport.name !== "." ? timeImport.name : "time";
  const setting = `Timeout: 30 * ${t}.Second`;
  const edits: TextEdit[] = [];
  if (node.type === "call_expression") {
    edits.push({ start: node.startIndex, end: node.endIndex, newText: `&${h}.Client{${setting}}` });
  } else {
    const body = field(node, "body")!;
    const elements = namedChildren(body);
    const text = file.text;
    if (elements.length === 0) {
      edits.push({ start: body.startIndex, end: body.endIndex, newText: `{${setting}}` });
    } else if (body.startPosition.row === body.endPosition.row || elements[elements.length - 1].endPosition.row === body.endPosition.row) {
      const last = elements[elements.length - 1];
      edits.push({ start: last.endIndex, end: last.endIndex, newText: `, ${setting}` });
    } else {
      const indent = lineIndent(text, elements[0].startIndex);
      const closeLine = text.lastIndexOf("\n", body.endIndex - 1) + 1;
      edits.push({ start: closeLine, end: closeLine, newText: `${indent}${setting},\n` });
    }
  }
  if (!timeImport) {
    const imp = addImportEdit(file, "time");
    if (imp) edits.push(imp);
  }
  return { title: "Add `Timeout: 30 * time.Second` to the client", kind: "suggestion", edits };
}

// ---- requests through http.DefaultClient ---------------------------------------------

const PACKAGE_REQUESTS = new Set(["Get", "Post", "Head", "PostForm"]);
const CLIENT_REQUESTS = new Set([...PACKAGE_REQUESTS, "Do"]);

/** "http.Get" for `http.Get(u)`, "http.DefaultClient.Do" for `http.DefaultClient.Do(req)`. */
function defaultClientCall(call: Node, h: string): string | undefined {
  const parts = calleeParts(call);
  if (!parts?.operand) return undefined;
  const op = unparen(parts.operand);
  if (op.type === "identifier" && op.text === h && PACKAGE_REQUESTS.has(parts.name) && !isShadowed(op)) return `${h}.${parts.name}`;
  if (op.type === "selector_expression" && CLIENT_REQUESTS.has(parts.name) && op.text.replace(/\s+/g, "") === `${h}.DefaultClient`) {
    const pkg = field(op, "operand");
    if (pkg && !isShadowed(pkg)) return `${h}.DefaultClient.${parts.name}`;
  }
  return undefined;
}

/** A parameter or result named like the package hides it. */
function isShadowed(id: Node): boolean {
  for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) {
    if (parameters(fn).some((p) => p.name === id.text)) return true;
  }
  return false;
}

/**
 * Whether a request carries a deadline: built with a context from
 * `context.WithTimeout`/`WithDeadline`, from the incoming request
 * (`r.Context()`), or from a parameter (the caller's context), directly or
 * through `req.WithContext(ctx)`. `context.Background()`, `context.TODO()` and
 * `http.NewRequest` carry none.
 */
function requestIsBounded(req: Node | undefined, pos: Position, ctx: GoContext): boolean {
  if (!req || !pos.fn) return false;
  const r = unparen(req);
  if (r.type === "call_expression") return requestCallIsBounded(r, pos, ctx, 0);
  if (r.type !== "identifier") return true;
  if (isParameterOf(r.text, r)) return true;
  const values = assignedValues(r.text, pos.fn, r.startIndex);
  if (values.length === 0) return true;
  return values.some((v) => unparen(v).type !== "call_expression" || requestCallIsBounded(unparen(v), pos, ctx, 0));
}

function requestCallIsBounded(call: Node, pos: Position, ctx: GoContext, depth: number): boolean {
  const parts = calleeParts(call);
  if (!parts) return true;
  const args = callArguments(call);
  if (parts.name === "NewRequest" && parts.operand && ctx.file.importPath(parts.operand.text) === "net/http") return false;
  if (parts.name === "NewRequestWithContext" || parts.name === "WithContext" || parts.name === "Clone") return contextIsBounded(args[0], pos, ctx, depth);
  return true;
}

function contextIsBounded(expr: Node | undefined, pos: Position, ctx: GoContext, depth: number): boolean {
  if (!expr || depth > 4) return true;
  const e = unparen(expr);
  if (e.type === "call_expression") {
    const parts = calleeParts(e);
    const pkg = parts?.operand?.type === "identifier" ? ctx.file.importPath(parts.operand.text) : undefined;
    if (pkg === "context") {
      if (parts!.name === "Background" || parts!.name === "TODO") return false;
      if (parts!.name === "WithTimeout" || parts!.name === "WithDeadline" || parts!.name === "WithTimeoutCause" || parts!.name === "WithDeadlineCause") return true;
      // WithCancel, WithValue, WithoutCancel...: as bounded as their parent.
      if (parts!.name === "WithoutCancel") return false;
      return contextIsBounded(callArguments(e)[0], pos, ctx, depth + 1);
    }
    return true;
  }
  if (e.type !== "identifier" || isParameterOf(e.text, e)) return true;
  const values = assignedValues(e.text, pos.fn!, e.startIndex);
  if (values.length === 0) return true;
  return values.every((v) => contextIsBounded(v, pos, ctx, depth + 1));
}

function isParameterOf(name: string, from: Node): boolean {
  for (let fn = enclosingFunction(from); fn; fn = enclosingFunction(fn)) {
    if (parameters(fn).some((p) => p.name === name)) return true;
  }
  return false;
}

/** The values assigned to `name` in the function before `before` (first result of a multi-value call). */
function assignedValues(name: string, fn: Node, before: number): Node[] {
  const body = field(fn, "body");
  if (!body) return [];
  const out: Node[] = [];
  for (const stmt of descendants(body, new Set(["short_var_declaration", "assignment_statement", "var_spec"]), true)) {
    if (stmt.startIndex > before) continue;
    const left = stmt.type === "var_spec" ? stmt.childrenForFieldName("name").filter((n): n is Node => !!n) : namedChildren(field(stmt, "left"));
    const right = namedChildren(field(stmt, stmt.type === "var_spec" ? "value" : "right"));
    const i = left.findIndex((l) => l.text === name);
    if (i < 0) continue;
    const value = right.length === left.length ? right[i] : right.length === 1 && i === 0 ? right[0] : undefined;
    if (value) out.push(value);
  }
  return out;
}
