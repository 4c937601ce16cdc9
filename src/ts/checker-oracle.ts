/**
 * A `TypeOracle` over a type checker: the one typescript-eslint hands out with
 * `parserOptions.projectService` (or `project`), or the program `--typed`
 * builds from tsconfig.json. Answers are best effort: a
 * type the checker could not resolve (`any`, `unknown`: the package has no
 * types installed) is no answer, so the rules fall back to what the syntax says.
 */
import ts = require("typescript");
import { TypeOracle } from "./types";

const UNRESOLVED = ts.TypeFlags.Any | ts.TypeFlags.Unknown;

export function checkerOracle(program: ts.Program): TypeOracle {
  const checker = program.getTypeChecker();
  return {
    typeText(node) {
      try {
        const type = checker.getTypeAtLocation(node);
        return type.flags & UNRESOLVED ? undefined : checker.typeToString(type);
      } catch {
        return undefined;
      }
    },
    declaringModule(node) {
      try {
        let symbol = checker.getSymbolAtLocation(node);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        const decl = symbol?.declarations?.[0];
        return decl ? moduleOf(decl) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** `declare module "pg"` names its module; otherwise the package under the last node_modules/ of the declaring file. */
function moduleOf(decl: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = decl.parent; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) return n.name.text.replace(/^node:/, "");
  }
  const file = decl.getSourceFile().fileName;
  const at = file.lastIndexOf("/node_modules/");
  if (at < 0) return undefined;
  const parts = file.slice(at + "/node_modules/".length).split("/");
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  // @types/pg declares pg; @types/scope__name declares @scope/name.
  if (name.startsWith("@types/")) {
    const bare = name.slice("@types/".length);
    return bare.includes("__") ? `@${bare.replace("__", "/")}` : bare;
  }
  return name;
}
