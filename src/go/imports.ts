/** Edits that make an import available to a fix's new code. */
import { TextEdit } from "../core/types";
import { GoFile } from "./facts";
import { field, namedChildren } from "./syntax";

/**
 * The edit that imports `path`, or undefined when the file already imports it
 * under its default name. Adds to the first import block (keeping it sorted
 * within the block's first group), turns a single import into a block, or adds
 * a block after the package clause.
 */
export function addImportEdit(file: GoFile, importPath: string): TextEdit | undefined {
  if (file.imports.some((i) => i.path === importPath)) return undefined;
  const root = file.tree.rootNode;
  const decls = namedChildren(root).filter((n) => n.type === "import_declaration");
  const quoted = `"${importPath}"`;
  for (const decl of decls) {
    const list = namedChildren(decl).find((n) => n.type === "import_spec_list");
    if (!list) continue;
    const specs = namedChildren(list).filter((n) => n.type === "import_spec");
    const indent = specs.length ? file.text.slice(file.text.lastIndexOf("\n", specs[0].startIndex) + 1, specs[0].startIndex) : "\t";
    const after = specs.find((s) => (field(s, "path")?.text ?? "") > quoted && !field(s, "name"));
    if (after) {
      const lineStart = file.text.lastIndexOf("\n", after.startIndex) + 1;
      return { start: lineStart, end: lineStart, newText: `${indent}${quoted}\n` };
    }
    const last = specs[specs.length - 1];
    const at = last ? last.endIndex : list.startIndex + 1;
    return { start: at, end: at, newText: `\n${indent}${quoted}` };
  }
  const single = decls[0];
  if (single) {
    const spec = namedChildren(single).find((n) => n.type === "import_spec");
    if (spec) {
      const existing = spec.text;
      const lines = [existing, quoted].sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
      return { start: single.startIndex, end: single.endIndex, newText: `import (\n\t${lines.join("\n\t")}\n)` };
    }
  }
  const pkg = namedChildren(root).find((n) => n.type === "package_clause");
  const at = pkg ? pkg.endIndex : 0;
  return { start: at, end: at, newText: `\n\nimport ${quoted}` };
}

function pathOf(spec: string): string {
  return spec.replace(/^\w+\s+/, "");
}
