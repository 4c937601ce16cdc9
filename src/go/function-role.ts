/**
 * Where a piece of code runs, as the design rules (client-per-call,
 * cache-per-instance, client-without-timeout, ...) need to know it: once per
 * process (package initializers, `init`, `main`, a `sync.Once` body), once per
 * request (handlers), once per object (methods, per-object constructors), or
 * once per iteration (loops).
 */
import type { Node } from "./parser";
import { GoFile } from "./facts";
import { calleeParts, field, namedChildren, parameters } from "./syntax";

export type FunctionRole =
  /** A package-level `var x = ...` initializer: runs once. */
  | "package-init"
  /** `func init()`. */
  | "init"
  /** `func main()` of package main. */
  | "main"
  /** A function literal given to `sync.Once.Do`, `sync.OnceFunc`, `sync.OnceValue(s)`. */
  | "once"
  /** An HTTP, gin, echo, fiber handler or a gRPC-style service method: runs per request. */
  | "handler"
  /** A method (not a handler). */
  | "method"
  /** A package function named `New...`/`new...`/`Open...`/`Must...` that builds a value. */
  | "constructor"
  | "function";

export interface Position {
  role: FunctionRole;
  /** The function whose role it is (a declaration or a literal); undefined at package level. */
  fn?: Node;
  /** Name for messages: "Init", "(*Room).Init", "the handler literal". */
  fnName: string;
  /** The innermost loop around the node that runs with it (through immediately run literals). */
  loop?: Node;
}

const ONCE_CALLS = new Set(["Do", "OnceFunc", "OnceValue", "OnceValues"]);

/** Where `node` runs. */
export function positionOf(node: Node, file: GoFile): Position {
  let loop: Node | undefined;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === "for_statement" && !loop) loop = n;
    if (n.type === "func_literal") {
      const literalRole = literalRoleOf(n, file);
      if (literalRole) return { role: literalRole, fn: n, fnName: literalName(literalRole), loop };
      // A literal that runs right here (called, deferred, `go`) runs in its enclosing function's role.
      if (!runsInPlace(n)) return { role: "function", fn: n, fnName: "the function literal", loop };
      continue;
    }
    if (n.type === "function_declaration" || n.type === "method_declaration") {
      return { ...declarationRole(n, file), fn: n, loop };
    }
    if (n.type === "var_declaration" && n.parent?.type === "source_file") {
      return { role: "package-init", fnName: "a package-level initializer", loop };
    }
  }
  return { role: "package-init", fnName: "package level", loop };
}

function literalName(role: FunctionRole): string {
  return role === "handler" ? "the handler literal" : role === "once" ? "the sync.Once body" : "the function literal";
}

/** `func() { ... }()`, also under `go` and `defer`. */
function runsInPlace(literal: Node): boolean {
  const p = literal.parent;
  return p?.type === "call_expression" && field(p, "function")?.id === literal.id;
}

function literalRoleOf(literal: Node, file: GoFile): FunctionRole | undefined {
  if (isHandlerSignature(literal, file)) return "handler";
  const args = literal.parent;
  const call = args?.type === "argument_list" ? args.parent : undefined;
  if (call?.type === "call_expression") {
    const parts = calleeParts(call);
    if (parts && ONCE_CALLS.has(parts.name)) {
      const pkg = parts.operand?.type === "identifier" ? file.importPath(parts.operand.text) : undefined;
      if (pkg === "sync" || (parts.name === "Do" && parts.operand)) return "once";
    }
  }
  return undefined;
}

function declarationRole(decl: Node, file: GoFile): { role: FunctionRole; fnName: string } {
  const name = field(decl, "name")?.text ?? "";
  if (decl.type === "method_declaration") {
    const recv = field(decl, "receiver")?.text.replace(/^\(\s*\w*\s*/, "").replace(/\)$/, "") ?? "";
    const fnName = `(${recv}).${name}`;
    return { role: isHandlerSignature(decl, file) || isServiceMethod(decl, recv) ? "handler" : "method", fnName };
  }
  if (name === "init") return { role: "init", fnName: name };
  if (name === "main" && file.packageName === "main") return { role: "main", fnName: name };
  if (isHandlerSignature(decl, file)) return { role: "handler", fnName: name };
  if (/^(New|new|Open|open|Must|must|Setup|setup|Make|make|Build|build|Create|create)([A-Z_]|$)/.test(name)) return { role: "constructor", fnName: name };
  return { role: "function", fnName: name };
}

/** `(w http.ResponseWriter, r *http.Request)`, `(c *gin.Context)`, `(c echo.Context)`, `(c *fiber.Ctx)`. */
export function isHandlerSignature(fn: Node, file: GoFile): boolean {
  const types = parameters(fn).map((p) => p.type.replace(/^\*/, ""));
  const qualified = types.map((t) => {
    const [q, n] = t.includes(".") ? t.split(".", 2) : ["", t];
    return q ? `${file.importPath(q) ?? q}.${n}` : n;
  });
  if (qualified.includes("net/http.ResponseWriter") && qualified.includes("net/http.Request")) return true;
  return qualified.some((t) =>
    ["github.com/gin-gonic/gin.Context", "github.com/labstack/echo/v4.Context", "github.com/labstack/echo.Context", "github.com/gofiber/fiber/v2.Ctx", "github.com/gofiber/fiber.Ctx"].includes(t),
  );
}

/** gRPC-style: a method of a `...Server`/`...Service` type taking a context and a request. */
function isServiceMethod(decl: Node, receiver: string): boolean {
  const params = parameters(decl);
  const results = namedChildren(field(decl, "result"));
  return /(Server|Service|Handler)$/.test(receiver.replace(/^\*/, "")) && params.length === 2 && params[0].type === "context.Context" && results.length === 2;
}

export function isOnceOnly(role: FunctionRole): boolean {
  return role === "package-init" || role === "init" || role === "main" || role === "once";
}
