/** Clients that own a connection pool: building one per call leaks the pool (client-per-call). */
import type { Node } from "./parser";
import type { GoContext } from "./context";
import { field } from "./syntax";

export function detectClientConstruction(node: Node, ctx: GoContext) {
  if (node.type !== "composite_literal") return undefined;
  const type = field(node, "type")?.text ?? "";
  const [qualifier, name] = type.split(".");
  if (name === "Transport" && ctx.file.importPath(qualifier) === "net/http") return { family: "client" as const, what: `&${type}{}` };
  return undefined;
}
