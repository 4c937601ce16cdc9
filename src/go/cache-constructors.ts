/** Cache constructors that preallocate or start goroutines per instance (cache-per-instance). */
import type { Node } from "./parser";
import type { GoContext } from "./context";
import { calleeParts } from "./syntax";

const CACHE_CONSTRUCTORS: Record<string, Set<string>> = {
  "github.com/allegro/bigcache": new Set(["New", "NewBigCache"]),
  "github.com/allegro/bigcache/v3": new Set(["New", "NewBigCache"]),
};

export function detectCacheConstruction(node: Node, ctx: GoContext) {
  if (node.type !== "call_expression") return undefined;
  const parts = calleeParts(node);
  if (!parts?.operand || parts.operand.type !== "identifier") return undefined;
  const importPath = ctx.file.importPath(parts.operand.text);
  if (!importPath) return undefined;
  const qualified = `${importPath}.${parts.name}`;
  if (CACHE_CONSTRUCTORS[importPath]?.has(parts.name) || ctx.workspace.knowledge.cacheConstructors.includes(qualified)) {
    return { family: "cache" as const, what: `${parts.operand.text}.${parts.name}` };
  }
  return undefined;
}
