/**
 * Settings a package applies to pools and servers anywhere in its files, for
 * the rules that ask "does this value get configured somewhere in its
 * package?": `x.SetConnMaxLifetime(d)` (sql-pool-without-lifetime) and
 * `x.ReadHeaderTimeout = d` (server-without-timeouts). Packages collect them
 * while they load, because their trees are gone afterwards; only the few files
 * that mention one of the members are queried.
 */
import type { Node } from "./parser";
import { GoFile } from "./facts";
import { goQuery } from "./parser";
import { FUNCTION_TYPES, descendants, field, namedChildren, parameters, resultNames, unparen } from "./syntax";

export type Setting = "lifetime" | "timeout";

export interface ConfiguredUse {
  setting: Setting;
  /** The file and offset of the setter, so a file being edited can replace its own entries. */
  file: string;
  offset: number;
  /** The top-level function it is in: "F", "Recv.M", or "" at package level. */
  fn: string;
  /** The receiver's root identifier: `s` in `s.db.SetConnMaxLifetime`; "" for calls and index expressions. */
  root: string;
  /** The selector names after the root: `s.db.DB` → ["db", "DB"]. */
  fields: string[];
  /** What the root is where the setter runs; a local belongs to that function alone. */
  rootKind: "local" | "param" | "receiver" | "package" | "other";
  /** For a parameter of the top-level function: its index; otherwise -1. */
  param: number;
  /** The named type a receiver or parameter root is declared with (`Store` for `s *Store`), when the syntax says it. */
  rootType?: string;
}

const MENTIONS = /SetConnMax|SetMaxIdleConns|ReadHeaderTimeout|ReadTimeout/;

const CALL_QUERY = `(call_expression
  function: (selector_expression operand: (_) @recv field: (field_identifier) @member)
  arguments: (argument_list) @args
  (#any-of? @member "SetConnMaxLifetime" "SetConnMaxIdleTime" "SetMaxIdleConns"))`;

const ASSIGN_QUERY = `(assignment_statement
  left: (expression_list (selector_expression operand: (_) @recv field: (field_identifier) @member))
  right: (expression_list) @args
  (#any-of? @member "ReadHeaderTimeout" "ReadTimeout"))`;

const cache = new WeakMap<GoFile, ConfiguredUse[]>();

/** Whether a file's text names a setting at all: only those files are parsed for them. */
export function mentionsConfiguration(text: string): boolean {
  return MENTIONS.test(text);
}

/** The settings one file applies. A zero duration is no setting: it means "never expire". */
export function configuredUses(file: GoFile): ConfiguredUse[] {
  let uses = cache.get(file);
  if (uses) return uses;
  uses = [];
  if (MENTIONS.test(file.text)) {
    const root = file.tree.rootNode;
    for (const query of [CALL_QUERY, ASSIGN_QUERY]) {
      for (const match of goQuery(query).matches(root)) {
        const recv = match.captures.find((c) => c.name === "recv")?.node;
        const member = match.captures.find((c) => c.name === "member")?.node;
        const args = match.captures.find((c) => c.name === "args")?.node;
        if (!recv || !member || !args) continue;
        const use = describe(file, recv, member.text, args);
        if (use) uses.push(use);
      }
    }
  }
  cache.set(file, uses);
  return uses;
}

function describe(file: GoFile, recv: Node, member: string, args: Node): ConfiguredUse | undefined {
  const value = settingValue(recv, member, args);
  if (value === undefined) return undefined;
  if (member === "SetMaxIdleConns") {
    // Keeping no idle connections also keeps no dead ones.
    if (!/^(0|-\d+)$/.test(value)) return undefined;
  } else if (value === "0") {
    return undefined;
  }
  // `s.db.DB.SetConnMaxLifetime`, and through accessors: `gormDB.DB().SetConnMaxLifetime`.
  const fields: string[] = [];
  let r = unparen(recv);
  for (;;) {
    const fn = r.type === "call_expression" ? field(r, "function") : null;
    if (fn?.type === "selector_expression" && namedChildren(field(r, "arguments")).length === 0) r = fn;
    if (r.type !== "selector_expression") break;
    fields.unshift(field(r, "field")?.text ?? "");
    r = unparen(field(r, "operand") ?? r);
  }
  const rootName = r.type === "identifier" ? r.text : "";
  const functions: Node[] = [];
  for (let n = recv.parent; n; n = n.parent) if (FUNCTION_TYPES.has(n.type)) functions.push(n);
  const top = functions[functions.length - 1];
  const { kind, param, type } = rootName ? classify(rootName, functions) : { kind: "other" as const, param: -1, type: undefined };
  return {
    setting: member.startsWith("Read") ? "timeout" : "lifetime",
    file: file.path,
    offset: recv.startIndex,
    fn: top ? functionKey(top) : "",
    root: rootName,
    fields,
    rootKind: kind,
    param,
    rootType: type,
  };
}

/** The argument of a setter call, or the value assigned to the field. */
function settingValue(recv: Node, member: string, args: Node): string | undefined {
  const values = namedChildren(args);
  if (member.startsWith("Set")) return values[0]?.text;
  const left = namedChildren(recv.parent?.parent ?? null);
  const index = left.findIndex((n) => n.startIndex === recv.parent?.startIndex);
  return values[index]?.text;
}

/** Where `name` is declared, searching the enclosing functions from the innermost out. */
export function classify(name: string, functions: Node[]): { kind: ConfiguredUse["rootKind"]; param: number; type?: string } {
  for (const fn of functions) {
    const params = parameters(fn);
    const index = params.findIndex((p) => p.name === name);
    if (index >= 0) return { kind: "param", param: fn === functions[functions.length - 1] ? index : -1, type: namedType(params[index].type) };
    if (receiverName(fn) === name) return { kind: "receiver", param: -1, type: namedType(field(namedChildren(field(fn, "receiver"))[0], "type")?.text) };
    if (resultNames(fn).includes(name) || declaresLocally(fn, name)) return { kind: "local", param: -1 };
  }
  return { kind: "package", param: -1 };
}

/** `*Store` → "Store"; qualified, generic and composite types → undefined. */
export function namedType(type: string | undefined): string | undefined {
  const t = type?.replace(/^\*/, "");
  return t && /^\w+$/.test(t) ? t : undefined;
}

export function receiverName(fn: Node): string | undefined {
  if (fn.type !== "method_declaration") return undefined;
  const decl = namedChildren(field(fn, "receiver"))[0];
  return decl ? field(decl, "name")?.text : undefined;
}

const DECLARATIONS = new Set(["short_var_declaration", "var_spec", "range_clause", "type_switch_statement"]);

function declaresLocally(fn: Node, name: string): boolean {
  const body = field(fn, "body");
  if (!body) return false;
  for (const decl of descendants(body, DECLARATIONS)) {
    if (decl.type === "var_spec") {
      if (decl.childrenForFieldName("name").some((n) => n?.text === name)) return true;
      continue;
    }
    const left = decl.type === "type_switch_statement" ? field(decl, "alias") : field(decl, "left");
    if (namedChildren(left).some((n) => n.text === name)) return true;
  }
  return false;
}

/** "F" for a function, "Recv.M" for a method, as package summaries key them. */
export function functionKey(decl: Node): string {
  const name = field(decl, "name")?.text ?? "";
  if (decl.type !== "method_declaration") return name;
  const recv = field(decl, "receiver")?.descendantsOfType("type_identifier")[0]?.text;
  return recv ? `${recv}.${name}` : name;
}
