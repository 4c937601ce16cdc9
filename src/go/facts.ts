/**
 * Per-file facts of the Go front end: the import table, top-level declarations
 * (functions, methods, struct field types, package variables) and comments.
 * Computed once per parse and shared by every rule.
 */
import { parseGo, type Node, type Range, type Tree } from "./parser";
import { Comment } from "../core/suppression";
import { field, literalType, namedChildren } from "./syntax";
import { detached } from "../core/detach";
import { DeclarationText, SkeletonDrop, declarationsOf, skeletonDrops } from "./skeleton";

export interface GoImport {
  path: string;
  /** The name the file uses for it: the alias, or the last path element. `.` and `_` imports keep theirs. */
  name: string;
}

export interface GoFunction {
  node: Node;
  name: string;
  /** Receiver type name without `*`, for methods. */
  receiver?: string;
}

/** A top-level function a partial parse left out of the tree. */
export interface OmittedFunction {
  key: string;
  /** The line of its `func`. */
  row: number;
}

/** How summaries name a function: "F", or "Recv.M" for a method. */
export function functionKey(fn: { name: string; receiver?: string }): string {
  return fn.receiver ? `${fn.receiver}.${fn.name}` : fn.name;
}

/** The function's or method's own name in a summary key: "M" of "Recv.M". */
export function nameOfKey(key: string): string {
  return key.slice(key.indexOf(".") + 1);
}

export class GoFile {
  readonly packageName: string;
  readonly imports: GoImport[] = [];
  /** Local name to import path. */
  readonly importsByName = new Map<string, string>();
  readonly functions: GoFunction[] = [];
  /** `StructName.fieldName` to the field's type node text, e.g. `Store.db` → `*sql.DB`. */
  readonly fieldTypes = new Map<string, string>();
  readonly packageVars = new Set<string>();
  /** Package variables whose type the declaration states: `var client = &http.Client{}`. */
  readonly packageVarTypes = new Map<string, string>();
  readonly generated: boolean;
  private readonly firstDeclLine: number;
  private commentList?: Comment[];

  constructor(
    readonly path: string,
    readonly text: string,
    readonly tree: Tree,
    /** Functions of `text` the tree leaves out (see `parseGoFile`): `functions` is not all of them. */
    readonly omitted: readonly OmittedFunction[] = [],
    /** How much of `text` the tree holds. */
    readonly parsedLength = text.length,
  ) {
    const root = tree.rootNode;
    this.packageName = "";
    let firstDeclLine = Number.MAX_SAFE_INTEGER;
    for (const decl of namedChildren(root)) {
      switch (decl.type) {
        case "package_clause":
          this.packageName = namedChildren(decl)[0]?.text ?? "";
          break;
        case "import_declaration":
          for (const spec of decl.descendantsOfType("import_spec")) if (spec) this.addImport(spec);
          break;
        case "function_declaration":
        case "method_declaration":
          firstDeclLine = Math.min(firstDeclLine, decl.startPosition.row);
          this.functions.push(this.describeFunction(decl));
          break;
        case "type_declaration":
          firstDeclLine = Math.min(firstDeclLine, decl.startPosition.row);
          this.addTypes(decl);
          break;
        case "var_declaration":
          firstDeclLine = Math.min(firstDeclLine, decl.startPosition.row);
          // The declaration's own specs: a function literal in a value declares locals, not package variables.
          for (const spec of namedChildren(decl).flatMap((c) => (c.type === "var_spec_list" ? namedChildren(c) : [c]))) {
            if (spec.type !== "var_spec") continue;
            const names = spec.childrenForFieldName("name").filter((n): n is Node => !!n);
            const values = namedChildren(field(spec, "value"));
            const declared = field(spec, "type")?.text;
            names.forEach((n, i) => {
              this.packageVars.add(n.text);
              const type = declared ?? (values[i] ? literalType(values[i]) : undefined);
              if (type) this.packageVarTypes.set(n.text, type);
            });
          }
          break;
        case "const_declaration":
          firstDeclLine = Math.min(firstDeclLine, decl.startPosition.row);
          break;
      }
    }
    for (const fn of omitted) firstDeclLine = Math.min(firstDeclLine, fn.row);
    this.firstDeclLine = firstDeclLine;
    // Go's convention: the marker line comes before the package clause.
    const header = text.slice(0, root.namedChildren.find((n) => n?.type === "package_clause")?.startIndex ?? 0);
    this.generated = /^\/\/ Code generated .* DO NOT EDIT\.$/m.test(header);
  }

  private addImport(spec: Node): void {
    const pathNode = field(spec, "path");
    if (!pathNode) return;
    const importPath = pathNode.text.replace(/^["`]|["`]$/g, "");
    const alias = field(spec, "name")?.text;
    const name = alias ?? defaultImportName(importPath);
    this.imports.push({ path: importPath, name });
    this.importsByName.set(name, importPath);
  }

  private describeFunction(decl: Node): GoFunction {
    const name = field(decl, "name")?.text ?? "";
    if (decl.type !== "method_declaration") return { node: decl, name };
    const recvType = field(decl, "receiver")?.descendantsOfType("type_identifier")[0]?.text;
    return { node: decl, name, receiver: recvType ?? undefined };
  }

  private addTypes(decl: Node): void {
    for (const spec of namedChildren(decl)) {
      if (spec.type !== "type_spec") continue;
      const typeName = field(spec, "name")?.text;
      const type = field(spec, "type");
      if (!typeName || type?.type !== "struct_type") continue;
      for (const f of type.descendantsOfType("field_declaration")) {
        if (!f) continue;
        const fieldType = field(f, "type")?.text;
        if (!fieldType) continue;
        for (const n of f.childrenForFieldName("name")) if (n) this.fieldTypes.set(`${typeName}.${n.text}`, fieldType);
      }
    }
  }

  /** The file's comments, read from the tree on first use (only files with findings need them). */
  get comments(): Comment[] {
    this.commentList ??= this.collectComments(this.tree.rootNode, this.firstDeclLine);
    return this.commentList;
  }

  private collectComments(root: Node, firstDeclLine: number): Comment[] {
    const comments: Comment[] = [];
    for (const c of root.descendantsOfType("comment")) {
      if (!c) continue;
      const lineStart = this.text.lastIndexOf("\n", c.startIndex - 1) + 1;
      const ownLine = this.text.slice(lineStart, c.startIndex).trim() === "";
      comments.push({
        text: c.text,
        line: c.startPosition.row,
        endLine: c.endPosition.row,
        ownLine,
        beforeFirstDeclaration: c.startPosition.row < firstDeclLine,
      });
    }
    return comments;
  }

  /** Whether the tree leaves out the function or method `key`. */
  omits(key: string): boolean {
    return this.omitted.some((fn) => fn.key === key);
  }

  /** The import path behind a package name used in this file, if it is one. */
  importPath(name: string): string | undefined {
    return this.importsByName.get(name);
  }

  importsAny(paths: (p: string) => boolean): boolean {
    return this.imports.some((i) => paths(i.path));
  }
}

/**
 * Parses `text` without the top-level functions `keep` turns down, each of
 * which costs as much to parse as its share of the text. What is left
 * (package clause, imports, types, variables, constants, comments, the
 * functions kept) is valid Go, and its nodes keep their offsets and positions
 * in `text`.
 */
export function parseGoFile(file: string, text: string, keep?: (fn: DeclarationText) => boolean): GoFile {
  const omitted = keep ? declarationsOf(text).filter((fn) => !keep(fn)) : [];
  return parseWithout(file, text, omitted.map((fn) => ({ from: fn.start, to: fn.end, key: fn.key })));
}

/**
 * Parses the function or method `key` of `text` (every declaration of it)
 * with no more of the rest than a package's facts need: its declaration
 * skeleton, which is a small part of most files.
 */
export function parseFunctionOf(file: string, text: string, key: string): GoFile {
  return parseWithout(file, text, skeletonDrops(text).filter((d) => d.key !== key));
}

/** A parse of `text` without the `drops` (in order, not overlapping); those with a key are functions. */
function parseWithout(file: string, text: string, drops: SkeletonDrop[]): GoFile {
  if (drops.length === 0) return new GoFile(file, text, parseGo(text));
  const ranges: Range[] = [];
  const omitted: OmittedFunction[] = [];
  // Rows and columns of each boundary, counted in one pass over the text.
  let row = 0;
  let lineStart = 0;
  const pointAt = (index: number) => {
    for (let nl = text.indexOf("\n", lineStart); nl >= 0 && nl < index; nl = text.indexOf("\n", lineStart)) {
      row++;
      lineStart = nl + 1;
    }
    return { row, column: index - lineStart };
  };
  let from = 0;
  let fromPoint = pointAt(0);
  for (const drop of drops) {
    const start = pointAt(drop.from);
    if (drop.from > from) ranges.push({ startIndex: from, endIndex: drop.from, startPosition: fromPoint, endPosition: start });
    if (drop.key) omitted.push({ key: drop.key, row: start.row });
    from = drop.to;
    fromPoint = pointAt(drop.to);
  }
  if (from < text.length) ranges.push({ startIndex: from, endIndex: text.length, startPosition: fromPoint, endPosition: pointAt(text.length) });
  if (ranges.length === 0) return new GoFile(file, text, parseGo(text));
  const parsedLength = ranges.reduce((n, r) => n + r.endIndex - r.startIndex, 0);
  return new GoFile(file, text, parseGo(text, undefined, ranges), omitted, parsedLength);
}

/** Packages whose name the import path does not say (goimports would write an alias for them). */
const PACKAGE_NAMES: Record<string, string> = {
  "github.com/hashicorp/golang-lru": "lru",
  "github.com/hashicorp/golang-lru/v2": "lru",
};

const importNames = new Map<string, string>();

/** `github.com/jackc/pgx/v5` is used as `pgx`; `gopkg.in/yaml.v3` as `yaml`. */
export function defaultImportName(importPath: string): string {
  let name = importNames.get(importPath);
  if (name === undefined) {
    name = PACKAGE_NAMES[importPath] ?? nameFromPath(importPath);
    // A workspace imports a few thousand paths at most.
    if (importNames.size < 10_000) importNames.set(detached(importPath), detached(name));
  }
  return name;
}

function nameFromPath(importPath: string): string {
  const parts = importPath.split("/");
  let last = parts[parts.length - 1];
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  last = last.replace(/\.v\d+$/, "");
  if (last.startsWith("go-")) last = last.slice(3);
  return last.replace(/[.-]/g, "_");
}
