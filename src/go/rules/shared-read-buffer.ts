/**
 * shared-read-buffer: a buffer reused across reads hands out slices of one
 * backing array: `buf[:n]` after `conn.Read(buf)` in a loop, `readBuf.Next(n)`
 * on a `bytes.Buffer` the loop keeps refilling, a `bufio.Reader`'s `Peek` or
 * `ReadSlice`, a `bufio.Scanner`'s `Bytes`. A slice that is sent to another
 * goroutine, appended to a slice that outlives the iteration, or stored still
 * points into that array when the next read overwrites it, so its reader sees
 * the next packet's bytes. A TCP framework sent each packet, whose `Data` was
 * `readBuf.Next(n)`, to a new goroutine: protobuf decoding failed at random
 * with "unexpected EOF".
 *
 * The rule follows values through local assignments, struct literals, field
 * stores, `append` and the `bytes` functions that return sub-slices, and through
 * the module's functions by a summary (this file registers it with
 * SUMMARY_EXTENSIONS): a method that returns a slice of its receiver's buffer
 * (`c.ParsePackage()`), a function whose result aliases its []byte parameter
 * (a frame decoder), a function that sends its parameter to another goroutine.
 */
import { addCallers, type DirDerivation, type GoGate } from "../gate";
import { DeclarationText, declarationsOf, signatureOf } from "../skeleton";
import { Report, Rule, RuleContext } from "../../core/rule";
import { Fix, Range, RelatedLocation, TextEdit } from "../../core/types";
import { GoContext, SUMMARY_EXTENSIONS } from "../context";
import { defaultImportName, nameOfKey } from "../facts";
import type { GoFacts } from "../frontend";
import { addImportEdit } from "../imports";
import type { Node } from "../parser";
import { goQuery } from "../parser";
import { FUNCTION_TYPES, callArguments, callsNamed, calleeParts, descendants, enclosingFunction, field, lineIndent, literalType, namedChildren, parameters, rangeOf, statementsOf, stripAddress, unparen } from "../syntax";
import type { FunctionSummary, GoPackage, GoWorkspace } from "../workspace";

const RULE_ID = "shared-read-buffer";

export const sharedReadBuffer: Rule<GoFacts, GoGate> = {
  meta: {
    id: RULE_ID,
    languages: ["go"],
    defaultSeverity: "error",
    shortDescription: "A slice of a buffer reused across reads escapes (channel, goroutine, outer slice, field) without a copy.",
    fullDescription:
      "A buffer that a loop reads into again and again (conn.Read(buf), io.ReadFull, ReadFromUDP, a bytes.Buffer drained with Next or Bytes, " +
      "bufio.Reader.Peek/ReadSlice/ReadLine, bufio.Scanner.Bytes) hands out slices of one backing array. A slice that is sent on a channel, given to a " +
      "goroutine, appended to a slice that outlives the iteration, or stored in a field, map or package variable still points into that array when the " +
      "next read overwrites it: the receiver decodes the next packet's bytes. Copy the slice before it escapes (bytes.Clone), or allocate the buffer inside the loop.",
    docs: "docs/rules/shared-read-buffer.md",
    fixable: "fix",
    nolintAliases: [],
    options: [],
  },

  // A reused buffer starts at a read call in this file, or at a call of a function of the package or of a module package that may hand out a view.
  mayReport(gate) {
    if (SOURCE_CALL_TEXT.test(gate.text)) return true;
    if (BYTES_CALL_TEXT.test(gate.text) && (BUFFER_RESET_TEXT.test(gate.text) || SCANNER_TEXT.test(gate.text) || gate.dirDerived(MENTIONS_SCANNER))) return true;
    return candidateCalls(gate).some((calls) => calls.test(gate.text));
  },

  // The escapes are looked for in the function of the source's call.
  mayReportIn(gate) {
    const candidates = candidateCalls(gate);
    return (text) => SOURCE_CALL_TEXT.test(text) || BYTES_CALL_TEXT.test(text) || candidates.some((calls) => calls.test(text));
  },

  check(context) {
    const { file, ctx } = context.facts;
    const tree = file.tree.rootNode;
    const analysis = new Analysis(ctx, "check");
    // Functions of the module that hand out views or read into their argument, by name.
    // Only those this file calls where a source could start (`mayStartAt`) are summarized to learn which they are.
    const imported = file.imports.flatMap((imp) => {
      const dir = ctx.workspace.dirOfImport(imp.path, ctx.pkg.dir);
      return dir ? [{ path: imp.path, candidates: viewCandidates(ctx.workspace, dir) }] : [];
    });
    const own = viewCandidates(ctx.workspace, ctx.pkg.dir);
    const candidateNames = [...calledNames(file.text)].filter((n) => own.names.has(n) || imported.some((i) => i.candidates.names.has(n)));
    const called = new Set(callsNamed(tree, candidateNames, false).flatMap((call) => (analysis.mayStartAt(call) ? [calleeParts(call)!.name] : [])));
    const special = analysis.special;
    for (const name of specialNames(ctx.pkg, called, ctx.workspace)) special.add(name);
    for (const imp of imported) {
      // A module package none of whose candidates this file calls is not even loaded.
      if (!callsAny(called, imp.candidates)) continue;
      const pkg = ctx.workspace.packageByImportPath(imp.path, ctx.pkg.dir);
      if (pkg) for (const name of specialNames(pkg, called, ctx.workspace)) special.add(name);
    }
    const direct = SOURCE_TEXT.test(file.text);
    const viaModule = special.size > 0 && namesPattern(special).test(file.text);
    if (!direct && !viaModule) return;
    const roots = new Map<number, { fn: Node; calls: Node[] }>();
    const mark = (call: Node) => {
      const top = topLevel(call);
      if (!top) return;
      const root = roots.get(top.id) ?? { fn: top, calls: [] };
      root.calls.push(call);
      roots.set(top.id, root);
    };
    if (direct) for (const call of callsNamed(tree, SOURCE_NAMES, true)) mark(call);
    if (viaModule) for (const call of callsNamed(tree, special, false)) mark(call);
    const reported = new Set<string>();
    const found: { report: Report; esc: Escape; group?: string }[] = [];
    for (const { fn, calls } of roots.values()) {
      // Most reads are into fresh buffers or outside loops: only a real source makes the escapes worth finding.
      const from = analysis.firstSource(calls);
      if (from === undefined) continue;
      analysis.findEscapes(fn, (esc, taint, info) => {
        if (!analysis.escapes(esc, taint, info)) return;
        const key = `${esc.node.startIndex}:${esc.node.endIndex}:${taint.source.buffer}`;
        if (reported.has(key)) return;
        reported.add(key);
        const report = buildReport(context, esc, taint);
        const holder = taint.carrier?.node ?? esc.node;
        const decl = holder.type === "identifier" ? info.resolve(holder.text, esc.stmt.startIndex) : undefined;
        found.push({ report, esc, group: report.copiesBefore && decl ? `${decl.start}:${holder.text}:${taint.source.node.id}` : undefined });
      }, (node) => node.endIndex > from);
    }
    shareFieldCopies(found);
    for (const f of found) context.report(f.report);
  },
};

/**
 * A variable escaping twice in an iteration needs copying once (`pkg.Data =
 * bytes.Clone(pkg.Data)`, `data = bytes.Clone(data)`): the later findings take
 * the first one's edit when its block encloses them.
 */
function shareFieldCopies(found: { report: Report; esc: Escape; group?: string }[]): void {
  const groups = new Map<string, { report: Report; esc: Escape }[]>();
  for (const f of found) if (f.group) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.sort((a, b) => a.esc.stmt.startIndex - b.esc.stmt.startIndex);
    const block = members[0].esc.stmt.parent;
    if (!block || !members.every((m) => within(block, m.esc.stmt.startIndex))) continue;
    for (const m of members.slice(1)) m.report.fixes = members[0].report.fixes;
  }
}

// ---- vocabulary ----------------------------------------------------------------

/** Methods that read into a buffer argument: which argument, with the argument counts of the real signatures. */
const READ_METHODS: Record<string, { arg: number; args: number[]; needsBytes?: boolean }> = {
  Read: { arg: 0, args: [1] },
  ReadAt: { arg: 0, args: [2] },
  // PacketConn.ReadFrom(p []byte); io.ReaderFrom.ReadFrom(r io.Reader) is told apart by the argument.
  ReadFrom: { arg: 0, args: [1], needsBytes: true },
  ReadFromUDP: { arg: 0, args: [1] },
  ReadFromUDPAddrPort: { arg: 0, args: [1] },
  ReadMsgUDP: { arg: 0, args: [2] },
  ReadMsgUDPAddrPort: { arg: 0, args: [2] },
  ReadFromIP: { arg: 0, args: [1] },
  ReadMsgIP: { arg: 0, args: [2] },
  ReadFromUnix: { arg: 0, args: [1] },
  ReadMsgUnix: { arg: 0, args: [2] },
};

/** Package functions that read into their argument: import path.name → the buffer argument. */
const READ_FUNCTIONS: Record<string, number> = {
  "io.ReadFull": 1,
  "io.ReadAtLeast": 1,
  "syscall.Read": 1,
  "syscall.Pread": 1,
  "syscall.Recvfrom": 1,
  "golang.org/x/sys/unix.Read": 1,
  "golang.org/x/sys/unix.Pread": 1,
  "golang.org/x/sys/unix.Recvfrom": 1,
};

/** Methods of the buffering types that return a view of their internal buffer, by receiver type. */
const VIEW_METHODS: Record<string, Record<string, number>> = {
  "bytes.Buffer": { Next: 1, Bytes: 0 },
  "bufio.Reader": { Peek: 1, ReadSlice: 1, ReadLine: 0 },
  "bufio.ReadWriter": { Peek: 1, ReadSlice: 1, ReadLine: 0 },
  "bufio.Scanner": { Bytes: 0 },
};

/** Calls that write into a buffer they are given. */
const WRITER_CALL = /(^|\.)(Copy\w*|Fprint\w*|Encode\w*|Write\w*|NewEncoder|NewWriter\w*|Marshal\w*|Execute\w*|ReadFrom)$/;
const VIEW_NAMES = new Set(Object.values(VIEW_METHODS).flatMap((m) => Object.keys(m)));
const SOURCE_NAMES = [...new Set([...Object.keys(READ_METHODS), "ReadFull", "ReadAtLeast", "Pread", "Recvfrom", "Next", "Bytes", "Peek", "ReadSlice", "ReadLine"])];
const SOURCE_TEXT = new RegExp(`\\.(${SOURCE_NAMES.join("|")})\\(`);
const ZERO_ARGUMENT_SOURCES = SOURCE_NAMES.filter((n) => Object.values(VIEW_METHODS).some((m) => m[n] === 0));
/**
 * A read or view call with the arguments its real signature takes: `it.Next()`
 * on an iterator is no `bytes.Buffer.Next(n)`. What else a call of these names
 * could be (a module type's method handing out a view) the gate finds among
 * the view candidates. `Bytes()` apart (BYTES_CALL_TEXT): a bytes.Buffer's is
 * a source only where the buffer is reset (Reset, Truncate), and a
 * bufio.Scanner has to be named in the package (`bufio.NewScanner`, a
 * `*bufio.Scanner` field) for the rule to type one.
 */
const SOURCE_CALL_TEXT = new RegExp(
  `\\.(${ZERO_ARGUMENT_SOURCES.filter((n) => n !== "Bytes").join("|")})\\(\\s*\\)|\\.(${SOURCE_NAMES.filter((n) => !ZERO_ARGUMENT_SOURCES.includes(n)).join("|")})\\(\\s*[^\\s)]`,
);
const BYTES_CALL_TEXT = /\.Bytes\(\s*\)/;
const BUFFER_RESET_TEXT = /\.(Reset|Truncate)\(/;
const SCANNER_TEXT = /Scanner\b/;
const MENTIONS_SCANNER: DirDerivation<boolean, boolean> = {
  key: "shared-read-buffer:mentions-scanner",
  ofFile: (text) => SCANNER_TEXT.test(text),
  combine: (parts) => parts.some((p) => p),
};

/** `bytes` functions whose result is a sub-slice of their first argument. */
const BYTES_SUBSLICE = new Set(["TrimSpace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "TrimFunc", "TrimLeftFunc", "TrimRightFunc"]);
/** `bytes` functions whose result holds sub-slices of (or reads from) their first argument. */
const BYTES_HOLDERS = new Set(["Split", "SplitN", "SplitAfter", "SplitAfterN", "Fields", "FieldsFunc", "NewReader", "NewBuffer"]);

const BYTES_TYPE = /^(\[\]byte|\[\]uint8|json\.RawMessage)$/;
/** Parameter types that cannot hold a byte slice. */
const PLAIN_TYPE = /^(\.\.\.)?(string|bool|byte|rune|u?int(8|16|32|64)?|uintptr|float(32|64)|complex(64|128)|error|context\.Context|time\.(Time|Duration)|func\b.*)$/;

const SCOPES = new Set([
  "block",
  "for_statement",
  "if_statement",
  "expression_switch_statement",
  "type_switch_statement",
  "select_statement",
  "communication_case",
  "expression_case",
  "type_case",
  "default_case",
  "func_literal",
  "function_declaration",
  "method_declaration",
]);
const DEF_QUERY = "[(short_var_declaration) (var_spec) (assignment_statement) (range_clause)] @d";
const ESCAPE_QUERY = "[(send_statement) (go_statement) (call_expression) (assignment_statement)] @e";
const CAPTURE_QUERY = "[(identifier) (selector_expression)] @x";
const CALL_QUERY = "(call_expression) @c";
const ASSIGN_QUERY = "[(assignment_statement) (short_var_declaration)] @a";
const RETURN_QUERY = "(return_statement) @r";
const VIEW_DEFINITIONS = new Set(["short_var_declaration", "var_spec"]);

// ---- what the analysis tracks -------------------------------------------------------

/** The reused storage a value aliases. */
interface Source {
  /** How messages name it: "buf", "c.readBuf", "sc's buffer". */
  buffer: string;
  /** What overwrites it: "the next conn.Read". */
  overwriter: string;
  /** The read, or the call that hands out the view. */
  node: Node;
  /** Check mode: the loop whose next iteration overwrites it. Undefined: the next call does (a field or package buffer). */
  loop?: Node;
  /** The buffer is a local of the function: once the loop is left, nothing overwrites it. */
  local: boolean;
  /** The object the buffer belongs to (`c` for `c.readBuf`), when it is a field. */
  owner?: string;
  /** A whole array variable is copied when used without slicing. */
  array?: boolean;
  /** "returned by c.ParsePackage". */
  via?: string;
  /** Callee texts whose calls overwrite the buffer (for uses that come after them). */
  overwrites: (callee: string) => boolean;
  /** Summary mode: the receiver's buffer (field path, "" for the receiver itself) and what overwrites it for a caller. */
  receiver?: { field: string; by: "call" | "write" };
  /** Summary mode: the parameter the value is. */
  param?: number;
  /** Summary mode: a view of a buffering parameter, and which view method. */
  paramBuffer?: { index: number; family: string; method: string };
}

interface Taint {
  source: Source;
  /** `bytes`: the value is a []byte into the buffer. `holder`: a struct, pointer, reader or slice that holds such bytes. */
  shape: "bytes" | "holder";
  /** Holder: the fields that alias, when known. */
  fields?: string[];
  /** Holder: built fresh (a literal), so re-cloning its fields is safe. */
  fresh?: boolean;
  /** Holder: the []byte expression, in this function, to copy instead. */
  wrap?: Node;
  /** Holder: further []byte expressions of the same literal to copy with `wrap`. */
  alsoWrap?: Node[];
  /** Holder built around a variable whose fields hold the view (`Inbound{Pkg: pkg}`). */
  carrier?: { node: Node; fields: string[] };
}

interface Escape {
  kind: "send" | "go" | "capture" | "append" | "store" | "stale" | "call";
  /** The escaping expression (reported, and wrapped by the fix). */
  node: Node;
  /** The statement it escapes in. */
  stmt: Node;
  /** "is sent on ch". */
  how: string;
  /** Reaches another goroutine (the other kinds outlive the iteration). */
  cross: boolean;
  /** Append/store/stale: where the value is kept. */
  target?: Node;
}

/** How the storage behind a buffer is reused where a view of it is taken. */
interface Reuse {
  loop?: Node;
  callReuse: boolean;
  local: boolean;
  receiverField?: string;
  /** The object the buffer is a field of (`c` for `c.readBuf`). */
  owner?: string;
}

/** A view a call returns as result `index`. */
interface View {
  source: Source;
  index: number;
  holder?: ResultAlias;
}

interface ResultAlias {
  result: number;
  holder: boolean;
  fields: string[];
  fresh: boolean;
}

/** What shared-read-buffer knows about a function, for its callers. */
interface AliasSummary {
  /** Results that alias a buffer the receiver reuses across calls (`buffer` is its field path). */
  receiver?: (ResultAlias & { buffer: string; by: "call" | "write" })[];
  /** Results that alias a []byte parameter. */
  params?: (ResultAlias & { param: number })[];
  /** Results that are views of a buffering parameter (`func parse(b *bytes.Buffer)` returning `b.Next(n)`). */
  bufferViews?: (ResultAlias & { param: number; family: string; method: string })[];
  /** []byte parameters the function reads into (`io.ReadFull(r, buf)`). */
  reads?: number[];
  /** Parameters the function hands to another goroutine or keeps. */
  escapes?: { param: number; how: string }[];
  /** The package type of the first result (`*Reader` → "Reader"), so a constructor's result finds its methods. */
  resultType?: string;
}

interface Def {
  start: number;
  end: number;
  scope: [number, number];
  /** `var x T`: the stated type. */
  type?: string;
  rhs?: Node;
  index: number;
  multi: boolean;
  range: boolean;
  decl: boolean;
}

interface Store {
  start: number;
  end: number;
  field: string;
  rhs: Node;
}

interface ReadCall {
  call: Node;
  root: Node;
  rootText: string;
}

/** Names, definitions and reads of one function (declaration or literal), not counting nested literals. */
class FnInfo {
  readonly defs = new Map<string, Def[]>();
  readonly stores = new Map<string, Store[]>();
  readonly params = new Map<string, { index: number; type: string }>();
  receiver?: { name: string; type: string };
  reads?: ReadCall[];
  private outerFn?: Node | null;

  constructor(readonly fn: Node) {
    parameters(fn).forEach((p, index) => p.name && this.params.set(p.name, { index, type: p.type.replace(/\s+/g, "") }));
    for (const decl of namedChildren(field(fn, "result"))) {
      for (const n of decl.childrenForFieldName("name")) if (n) this.params.set(n.text, { index: -1, type: field(decl, "type")?.text ?? "" });
    }
    const recv = namedChildren(field(fn, "receiver"))[0];
    const recvName = recv?.childrenForFieldName("name")[0];
    if (recv && recvName) this.receiver = { name: recvName.text, type: field(recv, "type")?.text ?? "" };
    const body = field(fn, "body");
    if (body) for (const { node } of ownedCaptures(body, fn, DEF_QUERY, false)) this.addDefs(node);
  }

  get outer(): Node | null {
    if (this.outerFn === undefined) this.outerFn = this.fn.type === "func_literal" ? enclosingFunction(this.fn) : null;
    return this.outerFn;
  }

  /** The definition of `name` that reaches `at` (the latest one before it whose variable is visible there). */
  resolve(name: string, at: number): Def | undefined {
    const list = this.defs.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const d = list[i];
      if (d.end <= at && d.scope[0] <= at && at < d.scope[1]) return d;
    }
    return undefined;
  }

  /** The declaration of the local `name` visible at `at`, if it is a local of this function. */
  declaration(name: string, at: number): Def | undefined {
    const list = this.defs.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const d = list[i];
      if (d.decl && d.start <= at && d.scope[0] <= at && at < d.scope[1]) return d;
    }
    return undefined;
  }

  isLocal(name: string, at: number): boolean {
    return this.params.has(name) || this.receiver?.name === name || this.declaration(name, at) !== undefined;
  }

  private addDefs(n: Node): void {
    switch (n.type) {
      case "short_var_declaration":
        this.addNames(n, namedChildren(field(n, "left")), namedChildren(field(n, "right")), true);
        return;
      case "var_spec":
        this.addNames(n, n.childrenForFieldName("name").filter((x): x is Node => !!x), namedChildren(field(n, "value")), true, field(n, "type")?.text);
        return;
      case "range_clause": {
        const loop = n.parent;
        const right = field(n, "right");
        const declares = n.children.some((c) => c?.type === ":=");
        namedChildren(field(n, "left")).forEach((id, index) => {
          if (id.type !== "identifier") return;
          const scope: [number, number] = declares && loop ? [loop.startIndex, loop.endIndex] : this.scopeOfAssigned(id.text, n.startIndex);
          this.push(id.text, { start: n.startIndex, end: n.endIndex, scope, rhs: right ?? undefined, index, multi: false, range: true, decl: declares });
        });
        return;
      }
      case "assignment_statement": {
        if (field(n, "operator")?.text !== "=") return;
        const left = namedChildren(field(n, "left"));
        const right = namedChildren(field(n, "right"));
        left.forEach((l, i) => {
          const rhs = right.length === left.length ? right[i] : right[0];
          if (!rhs) return;
          if (l.type === "selector_expression" || l.type === "index_expression") {
            const operand = unparen(field(l, "operand") ?? l);
            if (operand.type !== "identifier" || right.length !== left.length) return;
            const f = l.type === "selector_expression" ? field(l, "field")?.text ?? "" : "";
            const list = this.stores.get(operand.text) ?? [];
            list.push({ start: n.startIndex, end: n.endIndex, field: f, rhs });
            this.stores.set(operand.text, list);
          }
        });
        this.addNames(n, left, right, false);
        return;
      }
    }
  }

  private addNames(stmt: Node, names: Node[], values: Node[], decl: boolean, type?: string): void {
    const scope = decl ? scopeOf(stmt) : undefined;
    names.forEach((id, i) => {
      if (id.type !== "identifier" || id.text === "_") return;
      const same = values.length === names.length;
      this.push(id.text, {
        start: stmt.startIndex,
        end: stmt.endIndex,
        scope: scope ?? this.scopeOfAssigned(id.text, stmt.startIndex),
        type,
        rhs: same ? values[i] : values[0],
        index: same ? 0 : i,
        multi: !same && values.length === 1,
        range: false,
        decl,
      });
    });
  }

  /** An assignment reaches as far as the variable it assigns is visible. */
  private scopeOfAssigned(name: string, at: number): [number, number] {
    return this.declaration(name, at)?.scope ?? [this.fn.startIndex, this.fn.endIndex];
  }

  private push(name: string, d: Def): void {
    const list = this.defs.get(name) ?? [];
    list.push(d);
    this.defs.set(name, list);
  }
}

function scopeOf(stmt: Node): [number, number] | undefined {
  for (let p = stmt.parent; p; p = p.parent) if (SCOPES.has(p.type)) return [p.startIndex, p.endIndex];
  return undefined;
}

// ---- the analysis -----------------------------------------------------------------

type Mode = "check" | "summary";

/**
 * Which expressions alias a reused buffer, and where they escape. In check mode
 * a buffer counts as reused by a loop (declared outside it and read inside) or
 * by the next call (a field or package buffer). In summary mode the sources are
 * the function's parameters and its receiver's buffers, and no loop is needed.
 */
class Analysis {
  private readonly infos = new Map<number, FnInfo>();
  private readonly memo = new Map<string, Taint | null>();
  private readonly calls = new Map<number, View[]>();
  private readonly reads = new Map<number, Source | null>();
  private readonly types = new Map<number, string | null>();
  private readonly fresh = new Map<string, boolean>();

  constructor(
    readonly ctx: GoContext,
    readonly mode: Mode,
    /** Names of module functions and methods (this package and the file's imports) that can start an alias. */
    readonly special: Set<string> = new Set(),
  ) {}

  /**
   * Whether a source could start at this call, whatever its callee turns out
   * to read or hand out: every source needs a loop around the call or a buffer
   * (an argument, the receiver) that outlives the call. This is `reuseOf`'s
   * `callReuse` widened so it needs no function index: a field, the receiver
   * of any enclosing method, a package variable, or a local defined as a view
   * of other storage (`b := c.buf[:0]`, which `reuseOf` follows).
   */
  mayStartAt(call: Node): boolean {
    let top: Node | undefined;
    const receivers = new Set<string>();
    for (let n = call.parent; n; n = n.parent) {
      if (n.type === "for_statement") return true;
      if (!FUNCTION_TYPES.has(n.type)) continue;
      top = n;
      const recv = namedChildren(field(n, "receiver"))[0]?.childrenForFieldName("name")[0];
      if (recv) receivers.add(recv.text);
    }
    if (!top) return false;
    const parts = calleeParts(call);
    for (const e of [...callArguments(call), ...(parts?.operand ? [parts.operand] : [])]) {
      for (const b of [stripAddress(e), rootOf(e)]) {
        const base = b && leftmostIdentifier(b);
        if (!b || !base) continue;
        if (b.type === "selector_expression" || receivers.has(base.text) || this.ctx.pkg.packageVars.has(base.text) || this.ctx.file.packageVars.has(base.text)) return true;
        if (b.type === "identifier" && this.viewDefinitions(top).has(b.text)) return true;
      }
    }
    return false;
  }

  private readonly views = new Map<number, Set<string>>();

  /** Names a function (literals included) defines as a view of other storage: `b := c.buf[:0]`, `var b = buf`. */
  private viewDefinitions(fn: Node): Set<string> {
    let names = this.views.get(fn.id);
    if (!names) {
      names = new Set();
      for (const d of descendants(fn, VIEW_DEFINITIONS, true)) {
        const left = d.type === "var_spec" ? d.childrenForFieldName("name").filter((n): n is Node => !!n) : namedChildren(field(d, "left"));
        const right = namedChildren(field(d, d.type === "var_spec" ? "value" : "right"));
        // As FnInfo records them: a value per name, or one call's results (never followed).
        const same = right.length === left.length;
        if (!same && right.length === 1) continue;
        left.forEach((l, i) => {
          const value = same ? right[i] : right[0];
          if (value && /^(slice_expression|identifier|selector_expression)$/.test(unparen(value).type)) names!.add(l.text);
        });
      }
      this.views.set(fn.id, names);
    }
    return names;
  }

  /**
   * Where the earliest of these candidate calls starts to alias a reused
   * buffer (its loop's start, or the call), or undefined when none does.
   */
  firstSource(calls: Node[]): number | undefined {
    let first: number | undefined;
    for (const call of calls) {
      const fn = enclosingFunction(call);
      // The cheap test first: it spares most functions their index.
      if (!fn || !this.mayStartAt(call)) continue;
      const info = this.infoOf(fn);
      const arg = this.readTarget(call, info);
      const root = arg && rootOf(arg);
      const source = root ? this.classifyRead({ call, root, rootText: normalize(root.text) }, info) : this.viewsOf(call, info)[0]?.source;
      if (!source) continue;
      const at = source.loop ? source.loop.startIndex : call.startIndex;
      first = first === undefined ? at : Math.min(first, at);
    }
    return first;
  }

  infoOf(fn: Node): FnInfo {
    let info = this.infos.get(fn.id);
    if (!info) {
      info = new FnInfo(fn);
      this.infos.set(fn.id, info);
    }
    return info;
  }

  // ---- taint ------------------------------------------------------------------------

  /** What reused buffer `e` (evaluated at offset `at`) aliases, if any. */
  taintOf(e: Node | null | undefined, at: number, info: FnInfo, sliced = false, depth = 0): Taint | undefined {
    if (!e || depth > 30) return undefined;
    const n = unparen(e);
    const key = `${n.id}:${at}:${sliced ? 1 : 0}`;
    const cached = this.memo.get(key);
    if (cached !== undefined) return cached ?? undefined;
    this.memo.set(key, null);
    const t = this.computeTaint(n, at, info, sliced, depth + 1);
    this.memo.set(key, t ?? null);
    return t;
  }

  private computeTaint(n: Node, at: number, info: FnInfo, sliced: boolean, depth: number): Taint | undefined {
    switch (n.type) {
      case "identifier":
        return this.nameTaint(n.text, at, info, sliced, depth);
      case "selector_expression": {
        const read = this.readSource(normalize(n.text), at, info);
        if (read) return read.array && !sliced ? undefined : { source: read, shape: "bytes" };
        const inner = this.taintOf(field(n, "operand"), at, info, false, depth);
        const name = field(n, "field")?.text ?? "";
        if (inner?.shape === "holder" && (!inner.fields || inner.fields.includes(name))) return { source: inner.source, shape: "bytes" };
        return undefined;
      }
      case "slice_expression": {
        // `x[:0:0]` has no capacity: appending to it allocates.
        if (field(n, "capacity")?.text === "0") return undefined;
        const t = this.taintOf(field(n, "operand"), at, info, true, depth);
        return t && { ...t, wrap: t.shape === "holder" ? t.wrap : undefined };
      }
      case "index_expression": {
        const t = this.taintOf(field(n, "operand"), at, info, false, depth);
        return t?.shape === "holder" ? { source: t.source, shape: "bytes" } : undefined;
      }
      case "unary_expression": {
        const op = n.child(0)?.type;
        const t = op === "&" || op === "*" ? this.taintOf(field(n, "operand"), at, info, sliced, depth) : undefined;
        if (!t || op === "*") return t;
        return t.shape === "holder" ? t : { source: t.source, shape: "holder" };
      }
      case "composite_literal":
        return this.literalTaint(n, at, info, depth);
      case "call_expression":
        return this.callTaint(n, 0, at, info, depth);
      case "type_conversion_expression":
        return this.taintOf(field(n, "operand"), at, info, sliced, depth);
      default:
        return undefined;
    }
  }

  private nameTaint(name: string, at: number, info: FnInfo, sliced: boolean, depth: number): Taint | undefined {
    const d = info.resolve(name, at);
    let base: Taint | undefined;
    if (d?.range) {
      if (d.index === 1) {
        const over = this.taintOf(d.rhs, d.start, info, false, depth);
        if (over?.shape === "holder") base = { source: over.source, shape: "bytes" };
      }
    } else if (d?.rhs) {
      base = d.multi ? this.resultTaint(d.rhs, d.index, d.start, info, depth) : this.taintOf(d.rhs, d.start, info, false, depth);
    } else if (!d && info.params.has(name)) {
      if (this.mode === "summary") base = this.paramTaint(name, info);
    } else if (!d && info.outer && info.receiver?.name !== name) {
      // A literal's free variable is the enclosing function's, as of the literal.
      base = this.nameTaint(name, info.fn.startIndex, this.infoOf(info.outer), sliced, depth + 1);
    }
    if (!base) {
      const read = this.readSource(name, at, info);
      if (read && (!read.array || sliced)) base = { source: read, shape: "bytes" };
    }
    // Only a local declared here is a holder; a store into the receiver or a parameter is an escape of its own.
    const stores = d?.decl || info.declaration(name, at) ? info.stores.get(name) : undefined;
    if (!stores || base?.shape === "bytes") return base;
    // `pkt.Data = data`: the local now holds the alias; `pkt.Data = bytes.Clone(pkt.Data)` no longer does.
    for (const st of stores) {
      if (st.start < (d?.start ?? -1) || st.end > at) continue;
      const t = this.taintOf(st.rhs, st.start, info, false, depth);
      if (!t) {
        if (base?.fields && st.field) {
          const fields = base.fields.filter((f) => f !== st.field);
          base = fields.length > 0 ? { ...base, fields } : undefined;
        }
        continue;
      }
      const fields = base ? base.fields : [];
      base = {
        source: base?.source ?? t.source,
        shape: "holder",
        fields: fields && st.field && t.shape === "bytes" ? [...fields, st.field] : undefined,
        fresh: base?.fresh ?? isFreshValue(d?.rhs),
        wrap: base?.wrap ?? (t.shape === "bytes" ? st.rhs : t.wrap),
      };
    }
    return base;
  }

  private paramTaint(name: string, info: FnInfo): Taint | undefined {
    const p = info.params.get(name);
    if (!p || p.index < 0 || PLAIN_TYPE.test(p.type)) return undefined;
    const source: Source = { buffer: name, overwriter: "", node: info.fn, local: false, param: p.index, overwrites: () => false };
    return { source, shape: BYTES_TYPE.test(p.type) ? "bytes" : "holder" };
  }

  private literalTaint(lit: Node, at: number, info: FnInfo, depth: number): Taint | undefined {
    const type = field(lit, "type")?.text ?? "";
    if (/^\[[^\]]*\]\s*(byte|uint8)$/.test(type)) return undefined;
    return this.literalValueTaint(field(lit, "body"), at, info, depth);
  }

  private literalValueTaint(body: Node | null, at: number, info: FnInfo, depth: number): Taint | undefined {
    let result: Taint | undefined;
    let fields: string[] | undefined = [];
    for (const el of namedChildren(body)) {
      let key: Node | undefined;
      let value: Node | undefined = el;
      if (el.type === "keyed_element") {
        const kids = namedChildren(el);
        key = kids[0]?.type === "literal_element" ? namedChildren(kids[0])[0] : kids[0];
        value = kids[1];
      }
      if (value?.type === "literal_element") value = namedChildren(value)[0];
      if (!value) continue;
      const t = value.type === "literal_value" ? this.literalValueTaint(value, at, info, depth) : this.taintOf(value, at, info, false, depth);
      if (!t) continue;
      const carrier = t.carrier ?? (value.type === "identifier" && t.shape === "holder" && t.fields?.length && t.fresh ? { node: value, fields: t.fields } : undefined);
      const wrap = t.shape === "bytes" ? value : t.wrap;
      if (result && wrap && result.wrap && t.source === result.source) (result.alsoWrap ??= []).push(wrap);
      result ??= { source: t.source, shape: "holder", fresh: true, wrap, carrier };
      if (fields && key?.type === "identifier" && t.shape === "bytes") fields.push(key.text);
      else fields = undefined;
    }
    if (result) result.fields = fields;
    return result;
  }

  /** Result `index` of a call (or the single value of another expression). */
  resultTaint(e: Node, index: number, at: number, info: FnInfo, depth = 0): Taint | undefined {
    const n = unparen(e);
    if (n.type === "call_expression") return this.callTaint(n, index, at, info, depth);
    return index === 0 ? this.taintOf(n, at, info, false, depth) : undefined;
  }

  private callTaint(call: Node, index: number, at: number, info: FnInfo, depth: number): Taint | undefined {
    const fn = unparen(field(call, "function") ?? call);
    const args = callArguments(call);
    if (fn.type === "identifier") {
      if (fn.text === "append") return index === 0 ? this.appendTaint(args, at, info, depth) : undefined;
      if (info.isLocal(fn.text, at) || (info.outer && this.infoOf(info.outer).isLocal(fn.text, info.fn.startIndex))) return undefined;
      const view = this.viewsOf(call, info).find((v) => v.index === index);
      if (view) return { source: view.source, ...holderShape(view.holder) };
      return this.throughParams(aliasSummary(this.localSummary(fn.text)), index, args, at, info, depth);
    }
    if (fn.type !== "selector_expression") return undefined;
    const operand = unparen(field(fn, "operand") ?? fn);
    const name = field(fn, "field")?.text ?? "";
    const importPath = operand.type === "identifier" && !info.isLocal(operand.text, at) ? this.ctx.file.importPath(operand.text) : undefined;
    if (importPath) {
      if (importPath === "bytes") {
        if (BYTES_SUBSLICE.has(name) && index === 0) {
          const t = this.taintOf(args[0], at, info, false, depth);
          return t?.shape === "bytes" ? t : undefined;
        }
        if ((name === "Cut" && index <= 1) || ((name === "CutPrefix" || name === "CutSuffix") && index === 0)) {
          const t = this.taintOf(args[0], at, info, false, depth);
          return t?.shape === "bytes" ? t : undefined;
        }
        if (BYTES_HOLDERS.has(name) && index === 0) {
          const t = this.taintOf(args[0], at, info, false, depth);
          return t?.shape === "bytes" ? { source: t.source, shape: "holder", wrap: args[0] } : undefined;
        }
        return undefined;
      }
      if (importPath === "encoding/json" && name === "RawMessage") return this.taintOf(args[0], at, info, false, depth);
      const view = this.viewsOf(call, info).find((v) => v.index === index);
      if (view) return { source: view.source, ...holderShape(view.holder) };
      const pkg = this.ctx.workspace.packageByImportPath(importPath, this.ctx.pkg.dir);
      return this.throughParams(aliasSummary(pkg?.summary(name)), index, args, at, info, depth);
    }
    const views = this.viewsOf(call, info);
    if (views.length > 0) {
      const view = views.find((v) => v.index === index);
      return view && { source: view.source, ...holderShape(view.holder) };
    }
    const summary = this.methodSummary(operand, name, info);
    return this.throughParams(summary, index, args, at, info, depth);
  }

  /** `append(out, x)` holds x; `append(dst, x...)` copies x's bytes; `append(buf[:0], ...)` stays in buf. */
  private appendTaint(args: Node[], at: number, info: FnInfo, depth: number): Taint | undefined {
    const first = this.taintOf(args[0], at, info, false, depth);
    if (first) return first;
    for (const el of args.slice(1)) {
      if (el.type === "variadic_argument") {
        const t = this.taintOf(namedChildren(el)[0], at, info, false, depth);
        if (t?.shape === "holder") return t;
        continue;
      }
      const t = this.taintOf(el, at, info, false, depth);
      if (t) return { source: t.source, shape: "holder", fresh: true, wrap: t.shape === "bytes" ? el : t.wrap };
    }
    return undefined;
  }

  private throughParams(summary: AliasSummary | undefined, index: number, args: Node[], at: number, info: FnInfo, depth: number): Taint | undefined {
    for (const alias of summary?.params ?? []) {
      if (alias.result !== index) continue;
      const arg = args[alias.param];
      const t = arg && arg.type !== "variadic_argument" ? this.taintOf(arg, at, info, false, depth) : undefined;
      if (!t) continue;
      if (!alias.holder) return t.shape === "bytes" ? t : undefined;
      return { source: t.source, shape: "holder", fields: alias.fields.length ? alias.fields : undefined, fresh: alias.fresh, wrap: t.shape === "bytes" ? arg : t.wrap };
    }
    return undefined;
  }

  // ---- sources ----------------------------------------------------------------------

  /** A read into `rootText` in this function that makes it a reused buffer at `at`. */
  private readSource(rootText: string, at: number, info: FnInfo): Source | undefined {
    for (const r of this.readsOf(info)) {
      if (r.rootText !== rootText) continue;
      const s = this.classifyRead(r, info);
      if (!s) continue;
      if (this.mode === "summary" ? r.call.startIndex < at : s.loop ? within(s.loop, at) : r.call.startIndex < at) return s;
    }
    return undefined;
  }

  readsOf(info: FnInfo): ReadCall[] {
    if (info.reads) return info.reads;
    info.reads = [];
    const body = field(info.fn, "body");
    if (!body || !(SOURCE_TEXT.test(body.text) || (this.special.size > 0 && namesPattern(this.special).test(body.text)))) return info.reads;
    const named = callsNamed(body, SOURCE_NAMES, true);
    if (this.special.size > 0) named.push(...callsNamed(body, this.special, false));
    for (const { node } of owned(body, info.fn, false, named)) {
      const arg = this.readTarget(node, info);
      const root = arg && rootOf(arg);
      if (root) info.reads.push({ call: node, root, rootText: normalize(root.text) });
    }
    return info.reads;
  }

  /** The buffer argument of a read call, or undefined when it is not one. */
  private readTarget(call: Node, info: FnInfo): Node | undefined {
    const parts = calleeParts(call);
    if (!parts) return undefined;
    const args = callArguments(call);
    // A module function that reads into its argument: `readFrame(conn, buf)`.
    const helper = (s: AliasSummary | undefined) => (s?.reads?.length ? args[s.reads[0]] : undefined);
    if (!parts.operand) {
      return this.special.has(parts.name) && !info.isLocal(parts.name, call.startIndex) ? helper(aliasSummary(this.localSummary(parts.name))) : undefined;
    }
    const operand = unparen(parts.operand);
    const importPath = operand.type === "identifier" && !info.isLocal(operand.text, call.startIndex) ? this.ctx.file.importPath(operand.text) : undefined;
    if (importPath) {
      const i = READ_FUNCTIONS[`${importPath}.${parts.name}`];
      if (i !== undefined) return args[i];
      return this.special.has(parts.name) ? helper(aliasSummary(this.ctx.workspace.packageByImportPath(importPath, this.ctx.pkg.dir)?.summary(parts.name))) : undefined;
    }
    const m = READ_METHODS[parts.name];
    if (!m && this.special.has(parts.name)) return helper(this.methodSummary(operand, parts.name, info));
    if (!m || !m.args.includes(args.length)) return undefined;
    const arg = args[m.arg];
    if (!arg || (m.needsBytes && unparen(arg).type !== "slice_expression" && !this.byteBuffer(arg, info))) return undefined;
    return arg;
  }

  /** "slice" or "array" when the syntax says `e` is a byte slice or array. */
  private byteBuffer(e: Node, info: FnInfo): "slice" | "array" | undefined {
    const n = unparen(e);
    let type: string | undefined;
    if (n.type === "identifier") {
      const d = info.declaration(n.text, n.startIndex);
      const rhs = d?.rhs && !d.multi ? unparen(d.rhs) : undefined;
      if (rhs && /^make\(\s*\[\](byte|uint8)\b|^\[\](byte|uint8)\{/.test(rhs.text)) return "slice";
      if (rhs && rhs.type === "type_assertion_expression" && /\.\(\[\](byte|uint8)\)$/.test(rhs.text)) return "slice";
      if (d && !rhs && d.decl) type = d.type;
      if (!d) type = this.typeText(n, info);
    } else if (n.type === "selector_expression") {
      type = this.typeText(n, info);
    }
    if (!type) return undefined;
    type = type.replace(/\s+/g, "");
    if (BYTES_TYPE.test(type)) return "slice";
    if (/^\[[^\]]+\](byte|uint8)$/.test(type)) return "array";
    return undefined;
  }

  private classifyRead(r: ReadCall, info: FnInfo): Source | undefined {
    const cached = this.reads.get(r.call.id);
    if (cached !== undefined) return cached ?? undefined;
    const reuse = this.reuseOf(r.root, r.rootText, r.call, info);
    const callee = normalize(field(r.call, "function")?.text ?? "");
    const array = this.byteBuffer(r.root, info) === "array";
    let s: Source | undefined;
    const base = { buffer: r.rootText, node: r.call, array, overwrites: (c: string) => c === callee };
    if (this.mode === "summary") {
      if (reuse.receiverField !== undefined) s = { ...base, overwriter: "", local: false, receiver: { field: reuse.receiverField, by: "call" } };
    } else if (reuse.loop || reuse.callReuse) {
      s = { ...base, overwriter: `the next ${callee}`, loop: reuse.loop, local: reuse.local, owner: reuse.owner };
    }
    this.reads.set(r.call.id, s ?? null);
    return s;
  }

  /**
   * How the storage behind `root` is reused at `anchor`: by the outermost loop
   * around it that neither declares it nor gives it a fresh value, and by the
   * next call when it belongs to something longer-lived than the call (a field,
   * the receiver, a package variable).
   */
  private reuseOf(root: Node, rootText: string, anchor: Node, info: FnInfo, depth = 0): Reuse {
    const base = leftmostIdentifier(root);
    const selector = root.type === "selector_expression";
    const decl = base ? info.declaration(base.text, anchor.startIndex) : undefined;
    // `b := c.buf[:cap(c.buf)]` is no new buffer: its reuse is c.buf's.
    const viewOf = root.type === "identifier" && decl?.rhs && !decl.multi && !decl.range ? unparen(decl.rhs) : undefined;
    const inner = viewOf && /^(slice_expression|identifier|selector_expression)$/.test(viewOf.type) ? rootOf(viewOf) : undefined;
    if (inner && depth < 4 && normalize(inner.text) !== rootText) return this.reuseOf(inner, normalize(inner.text), anchor, info, depth + 1);
    let kind: "local" | "receiver" | "param" | "outer" | "package" | "unknown" = "unknown";
    if (decl) kind = "local";
    else if (base && info.receiver?.name === base.text) kind = "receiver";
    else if (base && info.params.has(base.text)) kind = "param";
    else if (base && info.outer) kind = "outer";
    else if (base && (this.ctx.pkg.packageVars.has(base.text) || this.ctx.file.packageVars.has(base.text))) kind = "package";
    // A function that gives the buffer a new array (`c.buf = make(...)`) does not reuse the last call's.
    const callReuse =
      (kind === "receiver" || kind === "package" || (selector && (kind === "param" || kind === "outer" || kind === "unknown"))) && !this.freshlyAssigned(rootText, info.fn);
    let loop: Node | undefined;
    for (let n = anchor.parent; n && n.id !== info.fn.id; n = n.parent) {
      if (n.type !== "for_statement") continue;
      if (decl && within(n, decl.start)) break;
      if (this.freshlyAssigned(rootText, n)) break;
      loop = n;
    }
    const receiverField = kind === "receiver" ? (selector ? rootText.slice(base!.text.length + 1) : "") : undefined;
    const owner = selector || kind === "receiver" ? base?.text : undefined;
    return { loop, callReuse, local: kind === "local", receiverField, owner };
  }

  /** Does the loop (or function) give `rootText` a new backing array (`buf = make(...)`) rather than re-slicing it? */
  private freshlyAssigned(rootText: string, loop: Node): boolean {
    const key = `${rootText}@${loop.id}`;
    const cached = this.fresh.get(key);
    if (cached !== undefined) return cached;
    let found = false;
    const body = field(loop, "body");
    if (body && body.text.includes(rootText.split(".").pop()!)) {
      for (const a of goQuery(ASSIGN_QUERY).captures(body).map((c) => c.node)) {
        const left = namedChildren(field(a, "left"));
        const right = namedChildren(field(a, "right"));
        left.forEach((l, i) => {
          if (normalize(l.text) !== rootText) return;
          const r = right.length === left.length ? unparen(right[i]) : undefined;
          const rootOfRight = r && (r.type === "slice_expression" ? rootOf(r) : r.type === "call_expression" && field(r, "function")?.text === "append" ? rootOf(callArguments(r)[0]) : undefined);
          if (!rootOfRight || normalize(rootOfRight.text) !== rootText) found = true;
        });
        if (found) break;
      }
    }
    this.fresh.set(key, found);
    return found;
  }

  /**
   * The views a call hands out, by result: `readBuf.Next(n)`, `br.ReadSlice('\n')`,
   * `sc.Bytes()`, a module method returning a slice of its receiver's buffer, or a
   * module function returning a view of a buffer it is given (`parse(&readBuf)`).
   */
  private viewsOf(call: Node, info: FnInfo): View[] {
    let views = this.calls.get(call.id);
    if (!views) {
      views = this.classifyViews(call, info);
      this.calls.set(call.id, views);
    }
    return views;
  }

  private classifyViews(call: Node, info: FnInfo): View[] {
    const parts = calleeParts(call);
    if (!parts) return [];
    const args = callArguments(call);
    const label = normalize(field(call, "function")?.text ?? parts.name);
    if (!parts.operand) {
      if (!this.special.has(parts.name) && this.mode === "check") return [];
      return this.argumentViews(aliasSummary(this.localSummary(parts.name)), call, args, info, label);
    }
    const x = unparen(parts.operand);
    const importPath = x.type === "identifier" && !info.isLocal(x.text, call.startIndex) ? this.ctx.file.importPath(x.text) : undefined;
    if (importPath) {
      const pkg = this.special.has(parts.name) ? this.ctx.workspace.packageByImportPath(importPath, this.ctx.pkg.dir) : undefined;
      return this.argumentViews(aliasSummary(pkg?.summary(parts.name)), call, args, info, label);
    }
    if (!VIEW_NAMES.has(parts.name) && !this.mayAlias(parts.name)) return [];
    const type = this.typeOf(x, info);
    if (type && VIEW_METHODS[type]) {
      if (VIEW_METHODS[type][parts.name] !== args.length) return [];
      const source = this.bufferSource(x, type, parts.name, call, info);
      return source ? [{ source, index: 0 }] : [];
    }
    const summary = this.methodSummary(x, parts.name, info);
    return [...this.receiverViews(summary, x, parts.name, call, info), ...this.argumentViews(summary, call, args, info, label)];
  }

  /** Views of the receiver's buffer that a module method returns. */
  private receiverViews(summary: AliasSummary | undefined, x: Node, name: string, call: Node, info: FnInfo): View[] {
    const out: View[] = [];
    if (!summary?.receiver?.length) return out;
    const xText = normalize(x.text);
    const reuse = this.reuseOf(x, xText, call, info);
    for (const alias of summary.receiver) {
      if (this.mode === "summary") {
        if (reuse.receiverField === undefined) continue;
        const fieldPath = [reuse.receiverField, alias.buffer].filter((p) => p).join(".");
        out.push({ source: { buffer: fieldPath, overwriter: "", node: call, local: false, overwrites: () => false, receiver: { field: fieldPath, by: alias.by } }, index: alias.result, holder: alias });
        continue;
      }
      if (!reuse.loop && !reuse.callReuse) continue;
      const buffer = alias.buffer ? `${xText}.${alias.buffer}` : xText;
      const method = `${xText}.${name}`;
      const source: Source = {
        buffer,
        overwriter: alias.by === "call" ? `the next ${method} call` : `the next write to ${buffer}`,
        node: call,
        loop: reuse.loop,
        local: reuse.local,
        owner: reuse.owner,
        via: `returned by ${method}`,
        overwrites: (c: string) => c === method,
      };
      out.push({ source, index: alias.result, holder: alias });
    }
    return out;
  }

  /** Views of a buffering argument that a module function returns: `ParsePackage(&readBuf)`. */
  private argumentViews(summary: AliasSummary | undefined, call: Node, args: Node[], info: FnInfo, label: string): View[] {
    const out: View[] = [];
    for (const alias of summary?.bufferViews ?? []) {
      const arg = args[alias.param];
      if (!arg) continue;
      const source = this.bufferSource(stripAddress(arg), alias.family, alias.method, call, info);
      if (source) out.push({ source: { ...source, via: source.via ?? `returned by ${label}` }, index: alias.result, holder: alias });
    }
    return out;
  }

  /**
   * A view `method` of a buffering value `x` (a bytes.Buffer, bufio.Reader or
   * Scanner) taken at `anchor`, when the buffer is reused: by the loop around
   * it (which, for a bytes.Buffer, must also write to or reset it), or by the
   * next call. In summary mode: a view of the receiver's or a parameter's buffer.
   */
  private bufferSource(x: Node, family: string, method: string, anchor: Node, info: FnInfo): Source | undefined {
    const xText = normalize(x.text);
    const reuse = this.reuseOf(x, xText, anchor, info);
    const scanner = family === "bufio.Scanner";
    const buffer = family === "bytes.Buffer" ? xText : `${xText}'s buffer`;
    const overwriter = family === "bytes.Buffer" ? `the next write to ${xText}` : scanner ? `the next ${xText}.Scan` : `the next read from ${xText}`;
    const overwrites =
      family === "bytes.Buffer"
        ? (c: string) => c.startsWith(`${xText}.`) && /^(Write\w*|ReadFrom|Reset|Truncate)$/.test(c.slice(xText.length + 1))
        : scanner
          ? (c: string) => c === `${xText}.Scan`
          : (c: string) => c.startsWith(`${xText}.`);
    // Bytes() is a view until the buffer is reset; a function that does not reset it is an accessor.
    const resetsHere = () => this.bufferWrittenIn(info.fn, xText, /^(Reset|Truncate)$/);
    if (this.mode === "summary") {
      if (family === "bytes.Buffer" && method === "Bytes" && !resetsHere()) return undefined;
      const base = { buffer, overwriter, node: anchor, local: false, overwrites };
      if (reuse.receiverField) return { ...base, receiver: { field: reuse.receiverField, by: family === "bytes.Buffer" ? "write" : "call" } };
      const param = x.type === "identifier" && !info.declaration(x.text, anchor.startIndex) ? info.params.get(x.text) : undefined;
      return param && param.index >= 0 ? { ...base, paramBuffer: { index: param.index, family, method } } : undefined;
    }
    let loop = reuse.loop;
    if (family === "bytes.Buffer" && loop) {
      // Views into a buffer stay valid until it is written to (Next) or reset (Bytes).
      const writes = method === "Next" ? /^(Write\w*|ReadFrom|Reset|Truncate)$/ : /^(Reset|Truncate)$/;
      if (!this.bufferWrittenIn(loop, xText, writes, anchor)) loop = undefined;
    }
    if (!loop && !reuse.callReuse) return undefined;
    if (!loop && family === "bytes.Buffer" && method === "Bytes" && !resetsHere()) return undefined;
    return { buffer, overwriter, node: anchor, loop, local: reuse.local, owner: reuse.owner, overwrites };
  }

  /**
   * A call in `scope` on `x` whose method matches `methods`, or, for writes,
   * `x` handed to a writer (`io.Copy(&x, r)`, `json.NewEncoder(&x)`). The
   * call that takes the view (`anchor`) is not one.
   */
  private bufferWrittenIn(scope: Node, xText: string, methods: RegExp, anchor?: Node): boolean {
    const passes = methods.test("Write");
    for (const c of goQuery(CALL_QUERY).captures(scope).map((x) => x.node)) {
      if (c.id === anchor?.id) continue;
      const callee = normalize(field(c, "function")?.text ?? "");
      if (callee.startsWith(`${xText}.`) && methods.test(callee.slice(xText.length + 1))) return true;
      if (passes && WRITER_CALL.test(callee) && callArguments(c).some((a) => normalize(a.text) === xText || normalize(a.text) === `&${xText}`)) return true;
    }
    return false;
  }

  /** The type of `x` as a lookup key: "bytes.Buffer", "bufio.Scanner", "Conn" (this package), "example.com/m/framing.Reader". */
  typeOf(x: Node, info: FnInfo): string | undefined {
    const cached = this.types.get(x.id);
    if (cached !== undefined) return cached ?? undefined;
    const text = this.typeText(x, info);
    const t = text ? this.qualify(text) : undefined;
    this.types.set(x.id, t ?? null);
    return t;
  }

  /**
   * The type the syntax states for an identifier or field, from this
   * function's own index (the context's type table walks every body).
   */
  private typeText(x: Node, info: FnInfo, depth = 0): string | undefined {
    const n = unparen(x);
    if (depth > 8) return undefined;
    if (n.type === "identifier") {
      const d = info.declaration(n.text, n.startIndex);
      if (d) return d.type ?? (d.rhs && !d.range ? this.typeOfValue(d.rhs, d.multi ? d.index : 0, info) : undefined);
      const p = info.params.get(n.text);
      if (p) return p.type;
      if (info.receiver?.name === n.text) return info.receiver.type;
      if (info.outer) return this.typeText(n, this.infoOf(info.outer), depth + 1);
      return this.ctx.pkg.packageVarTypes.get(n.text) ?? this.ctx.file.packageVarTypes.get(n.text);
    }
    if (n.type === "selector_expression") {
      const operand = field(n, "operand");
      const name = field(n, "field")?.text;
      const owner = operand && name ? this.typeText(operand, info, depth + 1)?.replace(/^\*/, "") : undefined;
      if (owner && /^\w+$/.test(owner)) return this.ctx.pkg.fieldTypes.get(`${owner}.${name}`) ?? this.ctx.file.fieldTypes.get(`${owner}.${name}`);
    }
    return undefined;
  }

  private typeOfValue(rhs: Node, index: number, info: FnInfo): string | undefined {
    const r = unparen(rhs);
    if (index === 0 && (r.type === "composite_literal" || r.type === "unary_expression")) return literalType(r);
    if (r.type !== "call_expression" || index !== 0) return undefined;
    const fn = unparen(field(r, "function") ?? r);
    if (fn.type === "identifier") {
      if (fn.text === "new") return callArguments(r)[0]?.text;
      const t = aliasSummary(this.localSummary(fn.text))?.resultType;
      return t;
    }
    if (fn.type !== "selector_expression") return undefined;
    const operand = field(fn, "operand");
    const name = field(fn, "field")?.text ?? "";
    const path = operand?.type === "identifier" && !info.isLocal(operand.text, r.startIndex) ? this.ctx.file.importPath(operand.text) : undefined;
    if (!path || !operand) return undefined;
    if (path === "bytes" && (name === "NewBuffer" || name === "NewBufferString")) return `${operand.text}.Buffer`;
    if (path === "bufio" && (name === "NewReader" || name === "NewReaderSize")) return `${operand.text}.Reader`;
    if (path === "bufio" && name === "NewScanner") return `${operand.text}.Scanner`;
    if (path === "bufio" && name === "NewReadWriter") return `${operand.text}.ReadWriter`;
    const resultType = aliasSummary(this.ctx.workspace.packageByImportPath(path, this.ctx.pkg.dir)?.summary(name))?.resultType;
    return resultType ? `${operand.text}.${resultType}` : undefined;
  }

  private qualify(typeText: string): string | undefined {
    const t = typeText.replace(/^\*/, "").replace(/\s+/g, "");
    const m = /^(\w+)\.(\w+)$/.exec(t);
    if (m) {
      // A field's type may come from another file of the package, with that file's imports.
      const path = this.ctx.file.importPath(m[1]) ?? [...this.ctx.pkg.imports].find((p) => defaultImportName(p) === m[1]);
      return path ? `${path}.${m[2]}` : undefined;
    }
    return /^\w+$/.test(t) ? t : undefined;
  }

  /** Could a method of this name have an alias summary: one this package or an imported module package declares? */
  private mayAlias(name: string): boolean {
    return this.ctx.pkg.hasMethod(name) || this.special.has(name);
  }

  /** The alias summary of `x.name(...)`: a method of this package or of a module package, by the receiver's type. */
  private methodSummary(x: Node, name: string, info: FnInfo): AliasSummary | undefined {
    if (!name || !this.mayAlias(name)) return undefined;
    const type = this.typeOf(x, info);
    if (type && !type.includes("/") && !type.includes(".")) return aliasSummary(this.localSummary(`${type}.${name}`));
    if (type) {
      const dot = type.lastIndexOf(".");
      const pkg = this.ctx.workspace.packageByImportPath(type.slice(0, dot), this.ctx.pkg.dir);
      return aliasSummary(pkg?.summary(`${type.slice(dot + 1)}.${name}`));
    }
    // The receiver's type is not in the syntax: a method name only one type of this package declares.
    if (!this.ctx.pkg.hasMethod(name)) return undefined;
    return uniqueAliasingMethod(this.ctx.pkg, name);
  }

  localSummary(key: string): FunctionSummary | undefined {
    return this.ctx.pkg.summary(key);
  }

  // ---- escapes ----------------------------------------------------------------------

  /**
   * Every place in `fn` (and the literals inside it) where a value leaves the
   * iteration or the goroutine; `worth` skips candidates cheaply by their text.
   */
  findEscapes(fn: Node, visit: (esc: Escape, taint: Taint, info: FnInfo) => void, worth?: (node: Node) => boolean): void {
    const body = field(fn, "body");
    if (!body) return;
    const goCalls = new Set<number>();
    for (const { node, owner } of ownedCaptures(body, fn, ESCAPE_QUERY, true)) {
      if (node.type === "go_statement") {
        const call = namedChildren(node)[0];
        if (call) goCalls.add(call.id);
      } else if (goCalls.has(node.id)) {
        continue;
      }
      if (worth && !worth(node)) continue;
      this.escapesAt(node, this.infoOf(owner), visit);
    }
  }

  private escapesAt(node: Node, info: FnInfo, visit: (esc: Escape, taint: Taint, info: FnInfo) => void): void {
    const at = node.startIndex;
    const emit = (esc: Escape, t: Taint | undefined) => {
      // Inside a goroutine's literal, captured values were reported at its `go` statement.
      if (t && !(isGoLiteral(info.fn) && !within(info.fn, t.source.node.startIndex))) visit(esc, t, info);
    };
    switch (node.type) {
      case "send_statement": {
        const value = field(node, "value");
        const channel = field(node, "channel");
        if (value) emit({ kind: "send", node: value, stmt: node, how: `is sent on ${short(channel?.text ?? "a channel")}`, cross: true }, this.taintOf(value, at, info));
        return;
      }
      case "go_statement": {
        const call = namedChildren(node)[0];
        if (call?.type !== "call_expression") return;
        const callee = unparen(field(call, "function") ?? call);
        const how = callee.type === "func_literal" ? "is passed to a goroutine" : `is passed to a goroutine (go ${short(callee.text)})`;
        for (const arg of callArguments(call)) emit({ kind: "go", node: arg, stmt: node, how, cross: true }, this.taintOf(arg, at, info));
        if (callee.type === "func_literal") this.captures(node, callee, info, "is used by a goroutine started here", emit);
        else if (callee.type === "selector_expression") {
          const recv = field(callee, "operand");
          if (recv) emit({ kind: "go", node: recv, stmt: node, how: `is used by a goroutine (go ${short(callee.text)})`, cross: true }, this.taintOf(recv, at, info));
        }
        return;
      }
      case "call_expression": {
        const parts = calleeParts(node);
        const args = callArguments(node);
        const literal = args.length > 0 ? unparen(args[args.length - 1]) : undefined;
        if (parts && literal?.type === "func_literal" && runsInGoroutine(parts, args.length, this.ctx)) {
          const stmt = node.parent?.type === "expression_statement" ? node.parent : node;
          this.captures(stmt, literal, info, `is used by a goroutine started by ${short(field(node, "function")!.text)}`, emit);
          return;
        }
        if (!parts || args.length === 0) return;
        const summary = this.escapeSummary(node, parts, info);
        for (const e of summary?.escapes ?? []) {
          const arg = args[e.param];
          if (!arg) continue;
          emit({ kind: "call", node: arg, stmt: node, how: `is passed to ${short(field(node, "function")!.text)}, which ${e.how}`, cross: !e.how.startsWith("appends") }, this.taintOf(arg, at, info));
        }
        return;
      }
      case "assignment_statement":
        if (field(node, "operator")?.text === "=") this.assignmentEscapes(node, info, emit);
        return;
    }
  }

  private escapeSummary(call: Node, parts: { operand: Node | null; name: string }, info: FnInfo): AliasSummary | undefined {
    if (!parts.operand) {
      if (parts.name === "append" || info.isLocal(parts.name, call.startIndex)) return undefined;
      return aliasSummary(this.mode === "summary" ? this.localSummary(parts.name) : this.ctx.pkg.ownSummary(parts.name));
    }
    const operand = unparen(parts.operand);
    const importPath = operand.type === "identifier" && !info.isLocal(operand.text, call.startIndex) ? this.ctx.file.importPath(operand.text) : undefined;
    if (importPath) return aliasSummary(this.ctx.workspace.packageByImportPath(importPath, this.ctx.pkg.dir)?.summary(parts.name));
    if (!this.ctx.pkg.hasMethod(parts.name)) return undefined;
    return this.methodSummary(operand, parts.name, info);
  }

  /** Free variables of a goroutine's literal that alias a buffer when the goroutine starts. */
  private captures(stmt: Node, literal: Node, info: FnInfo, how: string, emit: (esc: Escape, t: Taint | undefined) => void): void {
    const body = field(literal, "body");
    if (!body) return;
    const own = this.infoOf(literal);
    const seen = new Set<string>();
    for (const n of goQuery(CAPTURE_QUERY).captures(body).map((c) => c.node)) {
      const text = normalize(n.text);
      if (seen.has(text)) continue;
      const base = leftmostIdentifier(n);
      if (!base || own.params.has(base.text) || own.defs.has(base.text)) continue;
      if (n.type === "selector_expression" && !this.readsOf(info).some((r) => r.rootText === text)) continue;
      seen.add(text);
      const sliced = n.parent?.type === "slice_expression";
      const t = n.type === "identifier" ? this.nameTaint(n.text, stmt.startIndex, info, sliced, 0) : this.taintOf(n, stmt.startIndex, info, sliced);
      if (t) emit({ kind: "capture", node: n, stmt, how, cross: true }, t);
    }
  }

  private assignmentEscapes(stmt: Node, info: FnInfo, emit: (esc: Escape, t: Taint | undefined) => void): void {
    const left = namedChildren(field(stmt, "left"));
    const right = namedChildren(field(stmt, "right"));
    const at = stmt.startIndex;
    left.forEach((lhs, i) => {
      if (lhs.text === "_") return;
      const rhs = right.length === left.length ? right[i] : undefined;
      const value = rhs && unparen(rhs);
      if (value?.type === "call_expression" && field(value, "function")?.text === "append") {
        const args = callArguments(value);
        const target = args[0];
        if (!target) return;
        for (const el of args.slice(1)) {
          const spread = el.type === "variadic_argument";
          const inner = spread ? namedChildren(el)[0] : el;
          const t = this.taintOf(inner, at, info);
          if (t && (!spread || t.shape === "holder")) emit({ kind: "append", node: inner, stmt, how: `is appended to ${short(target.text)}`, cross: false, target }, t);
        }
        return;
      }
      const t = rhs ? this.taintOf(rhs, at, info) : right.length === 1 ? this.resultTaint(right[0], i, at, info) : undefined;
      if (!t) return;
      const node = rhs ?? right[0];
      if (lhs.type === "selector_expression" || lhs.type === "index_expression") {
        emit({ kind: "store", node, stmt, how: `is stored in ${short(lhs.text)}`, cross: false, target: lhs }, t);
      } else if (lhs.type === "identifier") {
        if (info.isLocal(lhs.text, at)) emit({ kind: "stale", node, stmt, how: `is kept in ${lhs.text} across iterations`, cross: false, target: lhs }, t);
        else if (!info.outer && (this.ctx.pkg.packageVars.has(lhs.text) || this.ctx.file.packageVars.has(lhs.text))) {
          emit({ kind: "store", node, stmt, how: `is stored in the package variable ${lhs.text}`, cross: false, target: lhs }, t);
        }
      }
    });
  }

  /** Check mode: does this escape let the value outlive the buffer's next overwrite? */
  escapes(esc: Escape, t: Taint, info: FnInfo): boolean {
    const s = t.source;
    if (s.param !== undefined || s.receiver || s.paramBuffer) return false;
    if (s.loop) {
      if (!within(s.loop, esc.stmt.startIndex)) return false;
    } else if (!esc.cross || esc.stmt.endIndex <= s.node.startIndex) {
      return false;
    }
    if (esc.kind === "append" || esc.kind === "store" || esc.kind === "stale") {
      if (!s.loop || !esc.target) return false;
      if (esc.kind !== "append" && this.isCursor(normalize(esc.target.text), s, info)) return false;
      // An object keeping a view of its own buffer in its own field (`r.src = r.inbuf[:n]`) is bookkeeping, not a hand-off.
      if (esc.kind === "store" && esc.target.type === "selector_expression" && s.owner && leftmostIdentifier(esc.target)?.text === s.owner) return false;
      const root = leftmostIdentifier(esc.target);
      const decl = root ? info.declaration(root.text, esc.stmt.startIndex) : undefined;
      if (decl && within(s.loop, decl.start)) return false;
      if (esc.kind === "append" && truncatedEachIteration(normalize(esc.target.text), esc.stmt, s.loop)) return false;
      if (esc.kind === "stale" && !this.staleUse(esc.target.text, esc.stmt, s)) return false;
    }
    return !this.settledBeforeNextRead(esc.stmt, s, info);
  }

  /**
   * `buf = buf[m:]` re-slices the buffer itself; `r.line = r.br.ReadSlice(...)`
   * followed by `r.line = r.line[n:]` keeps a cursor into it that is consumed
   * before the next read. Neither hands the bytes to anyone.
   */
  private isCursor(target: string, s: Source, info: FnInfo): boolean {
    if (target === s.buffer) return true;
    const key = `cursor:${target}@${info.fn.id}`;
    const cached = this.fresh.get(key);
    if (cached !== undefined) return cached;
    let found = false;
    const body = field(info.fn, "body");
    for (const a of body ? goQuery(ASSIGN_QUERY).captures(body).map((c) => c.node) : []) {
      if (a.type !== "assignment_statement") continue;
      const left = namedChildren(field(a, "left"));
      const right = namedChildren(field(a, "right"));
      if (left.length !== right.length) continue;
      found = left.some((l, i) => normalize(l.text) === target && unparen(right[i]).type === "slice_expression" && normalize(rootOf(right[i])?.text ?? "") === target);
      if (found) break;
    }
    this.fresh.set(key, found);
    return found;
  }

  /**
   * `prev = line` is only wrong when `prev` is read after the next overwrite:
   * later in the iteration past a read, or in the next iteration after its read.
   */
  private staleUse(name: string, stmt: Node, s: Source): boolean {
    const loop = s.loop!;
    // The read that produced the value (often inside `stmt` itself) overwrites it only when it runs again.
    const overwrites = within(stmt, s.node.startIndex) ? [] : [s.node.startIndex];
    for (const c of descendants(loop, new Set(["call_expression"]))) {
      if (!within(stmt, c.startIndex) && s.overwrites(normalize(field(c, "function")?.text ?? ""))) overwrites.push(c.startIndex);
    }
    const p = stmt.startIndex;
    for (const u of descendants(loop, new Set(["identifier"]), true)) {
      if (u.text !== name || within(stmt, u.startIndex)) continue;
      if (isAssignedTo(u)) continue;
      const at = u.startIndex;
      if (overwrites.some((r) => (at < p && r < at) || (p < r && r < at))) return true;
    }
    return false;
  }

  /**
   * After the escape the iteration waits for the consumer (`<-done`,
   * `wg.Wait()`), or leaves the loop and the function's own buffer with it.
   */
  private settledBeforeNextRead(stmt: Node, s: Source, info: FnInfo): boolean {
    const stop = s.loop ?? info.fn;
    let crossedBreakable = false;
    for (let n: Node | null = stmt; n && n.id !== stop.id; n = n.parent) {
      const parent = n.parent;
      if (!parent) break;
      if (parent.type === "statement_list") {
        let after = false;
        for (const sib of namedChildren(parent)) {
          if (sib.id === n.id) {
            after = true;
            continue;
          }
          if (!after) continue;
          if (waits(sib)) return true;
          if (s.loop && s.local && (sib.type === "return_statement" || (sib.type === "break_statement" && (!crossedBreakable || namedChildren(sib).length > 0)) || terminates(sib))) return true;
        }
      }
      if (parent.id !== stop.id && /^(for_statement|expression_switch_statement|type_switch_statement|select_statement)$/.test(parent.type)) crossedBreakable = true;
    }
    return false;
  }
}

// ---- summaries ------------------------------------------------------------------------

function aliasSummary(s: FunctionSummary | undefined): AliasSummary | undefined {
  return s?.extra?.[RULE_ID] as AliasSummary | undefined;
}

function holderShape(alias: ResultAlias | undefined): Pick<Taint, "shape" | "fields" | "fresh"> {
  if (!alias?.holder) return { shape: "bytes" };
  return { shape: "holder", fields: alias.fields.length ? alias.fields : undefined, fresh: alias.fresh };
}

const ESCAPE_TEXT = /<-|\bgo\s|\.Go\(|=\s*append\(/;

/** `[]byte`, `[][]byte`, or a type of the package itself (`*Packet`, `[]Message`) may carry a view to a goroutine. */
function mayCarryBytes(type: string): boolean {
  const t = normalize(type).replace(/^\.\.\./, "");
  if (BYTES_TYPE.test(t) || t === "[][]byte") return true;
  const m = /^(\[\])*\*?([A-Za-z_]\w*)$/.exec(t);
  return !!m && !PLAIN_TYPE.test(m[2]) && !/^(any|byte|uint8)$/.test(m[2]);
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(text);
}

/** A call of one of `names`: `name(`, not the `func name(` or `func (r T) name(` that declares it. */
function namesPattern(names: Set<string>): RegExp {
  return new RegExp(`\\b(${[...names].join("|")})${NOT_DECLARED}\\(`);
}

/** After a name: it does not follow `func` or a method's receiver. */
const NOT_DECLARED = "(?<!\\bfunc(?:\\s+|\\s*\\([^()]*\\)\\s*)\\w+)";

/**
 * Functions and methods of the package whose calls can start an alias: they
 * return a view of their receiver's or an argument's buffer, or read into
 * their argument; among the names `called` (the calls of the file being checked).
 * Not cached: an editor refreshes summaries as functions change.
 */
function specialNames(pkg: GoPackage, called: Set<string>, workspace: GoWorkspace): Set<string> {
  const names = new Set<string>();
  for (let p: GoPackage | undefined = pkg; p; p = p.base) {
    // Only the text's candidates are summarized to learn which they are; the rest never are.
    const candidates = viewCandidates(workspace, p.dir).keys;
    for (const key of p.functionKeys()) {
      const name = nameOfKey(key);
      if (!called.has(name) || !candidates.has(key)) continue;
      const a = aliasSummary(p.summary(key));
      if (a?.receiver?.length || a?.bufferViews?.length || a?.reads?.length) names.add(name);
    }
  }
  return names;
}

/** Calls of the view candidates of the gate's package and of the module packages it imports. */
function candidateCalls(gate: GoGate): RegExp[] {
  return gate.memo(`${RULE_ID}:candidate-calls`, () =>
    [gate.dir, ...gate.moduleImports().map((i) => gate.workspace.dirOfImport(i.path, gate.dir))].flatMap((dir) => {
      const calls = dir ? viewCandidates(gate.workspace, dir).calls : undefined;
      return calls ? [calls] : [];
    }),
  );
}

/** Every candidate starts from a read call: a directory without one is not scanned for them. */
function viewCandidates(workspace: GoWorkspace, dir: string): ViewCandidates {
  const facts = workspace.dirFacts(dir);
  return facts.derived(READS_ANYWHERE) ? facts.derived(VIEW_CANDIDATES) : NO_CANDIDATES;
}

const READS_ANYWHERE: DirDerivation<boolean, boolean> = {
  key: "shared-read-buffer:reads",
  ofFile: (text) => SOURCE_TEXT.test(text),
  combine: (parts) => parts.some((p) => p),
};

const NO_CANDIDATES: ViewCandidates = { names: new Set(), keys: new Set() };

/** Whether the names a file calls include one of a directory's view candidates. */
function callsAny(called: Set<string>, candidates: ViewCandidates | undefined): boolean {
  return !!candidates && [...candidates.names].some((n) => called.has(n));
}

/** Names of the functions and methods called in `text` (`name(`, `x.name(`). */
function calledNames(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(CALLED_NAME), (m) => m[1]));
}

const CALLED_NAME = new RegExp(`\\b(\\w+)${NOT_DECLARED}\\(`, "g");

interface ViewCandidates {
  /**
   * The functions and methods of a directory `summarizeAliases` could find a
   * view or a read in, by their text (`viewTraits`). A file that calls none of
   * them, and makes no read call itself, cannot give the rule a source.
   */
  names: Set<string>;
  /** A call of one of `names` (what `calledNames` would find), undefined when there is none. */
  calls?: RegExp;
  /** The same as summary keys ("F", "Recv.M"): only these are summarized to learn which they are. */
  keys: Set<string>;
  /**
   * Method names whose bodies may return a view of the receiver's buffer: they
   * make a read call or (transitively) call another such method.
   */
  viaMethods?: RegExp;
}

/** Read from the directory's texts before anything is parsed: every file, tests included. */
const VIEW_CANDIDATES: DirDerivation<{ direct: string[]; seeds: string[]; methods: [string, string[], boolean][] }, ViewCandidates> = {
  key: "shared-read-buffer:view-candidates",
  ofFile(text) {
    const part = { direct: [] as string[], seeds: [] as string[], methods: [] as [string, string[], boolean][] };
    for (const d of declarationsOf(text)) {
      const traits = viewTraits(d);
      if (traits.direct) part.direct.push(d.key);
      if (!d.method) continue;
      if (traits.reads) part.seeds.push(d.name);
      part.methods.push([d.key, [...calledNames(d.body)], traits.carries]);
    }
    return part;
  },
  combine(parts) {
    const methods = parts.flatMap((p) => p.methods);
    const viaMethods = addCallers(new Set(parts.flatMap((p) => p.seeds)), methods.map(([key, calls]) => [nameOfKey(key), calls]));
    const keys = new Set(parts.flatMap((p) => p.direct));
    for (const [key, calls, carries] of methods) if (carries && calls.some((c) => viaMethods.has(c))) keys.add(key);
    const names = new Set([...keys].map(nameOfKey));
    return { keys, names, calls: names.size > 0 ? namesPattern(names) : undefined, viaMethods: viaMethods.size > 0 ? namesPattern(viaMethods) : undefined };
  },
};

/**
 * What `summarizeAliases` needs before it can find what `specialNames` looks
 * for, on a declaration's text: `reads`, a read call in the body; `carries`, a
 * result that can hold bytes; `direct`, a read into a []byte parameter (unless
 * a read method's name says so already), or a result with a read (a view of a
 * buffering parameter or of the receiver's buffer; a method may also return a
 * view through another method, which `combine` follows). A result that only
 * slices a []byte parameter passes on a view the caller already has: it cannot
 * start one.
 */
function viewTraits(d: DeclarationText): { reads: boolean; carries: boolean; direct: boolean } {
  const reads = SOURCE_TEXT.test(d.body);
  // Without a read, only a method's results matter (a view through another method).
  if (!reads && !d.method) return { reads, carries: false, direct: false };
  const { params, results } = signatureOf(d.header);
  const carries = results.some(mayCarryBytes);
  // A method call of a read method's name is a read into its argument whatever the receiver (READ_METHODS): what the method reads into adds nothing.
  const readsIntoParam = !(d.method && Object.hasOwn(READ_METHODS, d.name)) && /\[\]byte|\[\]uint8|json\.RawMessage/.test(params);
  return { reads, carries, direct: reads && (readsIntoParam || carries) };
}

function uniqueAliasingMethod(pkg: GoPackage, name: string): AliasSummary | undefined {
  const keys = pkg.methodKeys(name);
  return keys.length === 1 ? aliasSummary(pkg.summary(keys[0])) : undefined;
}

function summarizeAliases(ctx: GoContext, fn: Node): AliasSummary | undefined {
  const body = field(fn, "body");
  if (!body) return undefined;
  const out: AliasSummary = {};
  const resultType = constructorResultType(fn);
  if (resultType) out.resultType = resultType;
  const text = body.text;
  const params = parameters(fn);
  const types = resultTypes(fn);
  const results = types.some(mayCarryBytes) ? types.length : 0;
  const isMethod = fn.type === "method_declaration";
  const viewsOfReceiver = isMethod && results > 0 && (SOURCE_TEXT.test(text) || !!viewCandidates(ctx.workspace, ctx.pkg.dir).viaMethods?.test(text));
  // A result aliases a []byte parameter through a slice of it or by returning it (or a call on it).
  const viewsOfBuffers = results > 0 && params.some((p) => /^\*?(bytes\.Buffer|bufio\.(Reader|Scanner|ReadWriter))$/.test(normalize(p.type))) && SOURCE_TEXT.test(text);
  const viewsOfParams = viewsOfBuffers || results > 0 && params.some((p) => p.name && BYTES_TYPE.test(normalize(p.type)) && new RegExp(`\\b${p.name}\\s*\\[[^\\]\\n]*:|\\breturn\\b[^\\n]*\\b${p.name}\\b`).test(text));
  const carriers = params.filter((p) => p.name && mayCarryBytes(p.type)).map((p) => p.name);
  const escapes = carriers.length > 0 && ESCAPE_TEXT.test(text);
  const readsParams = params.some((p) => p.name && BYTES_TYPE.test(normalize(p.type))) && SOURCE_TEXT.test(text);
  if (viewsOfReceiver || viewsOfParams || escapes || readsParams) {
    const analysis = new Analysis(ctx, "summary");
    const info = analysis.infoOf(fn);
    if (viewsOfReceiver || viewsOfParams) returnedAliases(analysis, info, body, results, out);
    if (readsParams) {
      for (const r of analysis.readsOf(info)) {
        const p = r.root.type === "identifier" && !info.declaration(r.root.text, r.call.startIndex) ? info.params.get(r.root.text) : undefined;
        if (p && p.index >= 0 && !(out.reads ??= []).includes(p.index)) out.reads.push(p.index);
      }
    }
    if (escapes) {
      analysis.findEscapes(fn, (esc, t, escInfo) => {
        if (t.source.param === undefined || escInfo.fn.id !== fn.id && !isGoLiteral(escInfo.fn)) return;
        if (esc.kind === "store" || esc.kind === "stale") return;
        if (esc.kind === "append" && !escapesFunction(esc.target, info)) return;
        const how = esc.kind === "send" ? "sends it on a channel" : esc.kind === "append" ? `appends it to ${short(esc.target!.text)}` : esc.kind === "call" ? esc.how.replace(/^is passed to [^,]*, which /, "") : "hands it to a goroutine";
        out.escapes ??= [];
        if (!out.escapes.some((e) => e.param === t.source.param)) out.escapes.push({ param: t.source.param, how });
      }, (node) => carriers.some((name) => mentions(node.text, name)));
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function returnedAliases(analysis: Analysis, info: FnInfo, body: Node, results: number, out: AliasSummary): void {
  const types = resultTypes(info.fn);
  const carries = types.map(mayCarryBytes);
  for (const { node: ret } of ownedCaptures(body, info.fn, RETURN_QUERY, false)) {
    const values = namedChildren(namedChildren(ret)[0] ?? null);
    const taints: (Taint | undefined)[] = [];
    if (values.length === 1 && results > 1) {
      for (let i = 0; i < results; i++) taints.push(carries[i] ? analysis.resultTaint(values[0], i, ret.startIndex, info) : undefined);
    } else {
      values.forEach((v, i) => taints.push(carries[i] ? analysis.taintOf(v, ret.startIndex, info) : undefined));
    }
    taints.forEach((t, result) => {
      if (!t) return;
      const alias: ResultAlias = { result, holder: t.shape === "holder", fields: t.fields ?? [], fresh: !!t.fresh };
      if (t.source.receiver) {
        out.receiver ??= [];
        if (!out.receiver.some((r) => r.result === result)) out.receiver.push({ ...alias, buffer: t.source.receiver.field, by: t.source.receiver.by });
      } else if (t.source.paramBuffer) {
        out.bufferViews ??= [];
        if (!out.bufferViews.some((r) => r.result === result)) out.bufferViews.push({ ...alias, param: t.source.paramBuffer.index, family: t.source.paramBuffer.family, method: t.source.paramBuffer.method });
      } else if (t.source.param !== undefined) {
        out.params ??= [];
        if (!out.params.some((r) => r.result === result)) out.params.push({ ...alias, param: t.source.param });
      }
    });
  }
}

/** An append target that outlives the function: a field or element of the receiver, a parameter, a package variable. */
function escapesFunction(target: Node | undefined, info: FnInfo): boolean {
  if (!target) return false;
  const root = leftmostIdentifier(target);
  if (!root) return false;
  return target.type !== "identifier" ? !info.declaration(root.text, target.startIndex) : !info.isLocal(root.text, target.startIndex);
}

/** The declared type of each result, in order. */
function resultTypes(fn: Node): string[] {
  const result = field(fn, "result");
  if (!result) return [];
  if (result.type !== "parameter_list") return [normalize(result.text)];
  const out: string[] = [];
  for (const decl of namedChildren(result)) {
    const type = normalize(field(decl, "type")?.text ?? "");
    for (let i = 0; i < Math.max(1, decl.childrenForFieldName("name").filter((x) => x).length); i++) out.push(type);
  }
  return out;
}

/** `func NewReader(...) *Reader` → "Reader": the package type a constructor returns. */
function constructorResultType(fn: Node): string | undefined {
  if (fn.type !== "function_declaration") return undefined;
  const result = field(fn, "result");
  const first = result?.type === "parameter_list" ? field(namedChildren(result)[0] ?? result, "type") : result;
  const m = first && /^\*?([A-Za-z_]\w*)$/.exec(first.text);
  return m && !/^(error|string|bool|byte|rune|any|u?int(8|16|32|64)?|uintptr|float(32|64)|complex(64|128))$/.test(m[1]) ? m[1] : undefined;
}

SUMMARY_EXTENSIONS.push({ key: RULE_ID, summarize: summarizeAliases });

// ---- syntax helpers ---------------------------------------------------------------------

function within(node: Node, offset: number): boolean {
  return node.startIndex <= offset && offset < node.endIndex;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, "");
}

function short(text: string): string {
  const t = text.replace(/\s+/g, " ");
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/** `buf[:]`, `c.buf[4:]` → `buf`, `c.buf`: the variable or field whose array a slice shares. */
function rootOf(e: Node | undefined): Node | undefined {
  let n = e && unparen(e);
  while (n && n.type === "slice_expression") n = unparen(field(n, "operand") ?? n);
  if (!n) return undefined;
  if (n.type === "identifier") return n;
  if (n.type === "selector_expression" && leftmostIdentifier(n)) return n;
  return undefined;
}

/** The identifier a selector/index chain starts from: `c` in `c.conns[id].buf`. */
function leftmostIdentifier(e: Node): Node | undefined {
  let n = unparen(e);
  for (;;) {
    if (n.type === "identifier") return n;
    if (n.type === "selector_expression" || n.type === "index_expression" || n.type === "slice_expression") {
      const op = field(n, "operand");
      if (!op) return undefined;
      n = unparen(op);
      continue;
    }
    if (n.type === "unary_expression") {
      const op = field(n, "operand");
      if (!op) return undefined;
      n = unparen(op);
      continue;
    }
    return undefined;
  }
}

let literalCache: { tree: unknown; lists: Map<number, Node[]> } | undefined;

/** The function literals inside `scope`, outermost first; cached per tree. */
function literalsIn(scope: Node): Node[] {
  if (literalCache?.tree !== scope.tree) literalCache = { tree: scope.tree, lists: new Map() };
  let list = literalCache.lists.get(scope.id);
  if (!list) {
    list = scope.text.includes("func") ? goQuery("(func_literal) @f").captures(scope).map((c) => c.node) : [];
    literalCache.lists.set(scope.id, list);
  }
  return list;
}

/**
 * What a query captures in `scope` (the body of `fn`), each with the function
 * it belongs to: `fn`, or the innermost literal around it. Queries run inside
 * WASM, so this is much cheaper than walking the nodes from JavaScript.
 */
function ownedCaptures(scope: Node, fn: Node, query: string, intoLiterals: boolean): { node: Node; owner: Node }[] {
  return owned(scope, fn, intoLiterals, goQuery(query).captures(scope).map((c) => c.node));
}

/** Nodes of `scope` with the function each belongs to (see ownedCaptures). */
function owned(scope: Node, fn: Node, intoLiterals: boolean, nodes: Node[]): { node: Node; owner: Node }[] {
  const literals = literalsIn(scope);
  const out: { node: Node; owner: Node }[] = [];
  for (const node of nodes) {
    let owner = fn;
    const at = node.startIndex;
    for (const l of literals) if (l.startIndex < at && at < l.endIndex) owner = l;
    if (!intoLiterals && owner !== fn) continue;
    out.push({ node, owner });
  }
  return out;
}

function topLevel(node: Node): Node | undefined {
  let last: Node | undefined;
  for (let n: Node | null = node; n && n.type !== "source_file"; n = n.parent) if (FUNCTION_TYPES.has(n.type)) last = n;
  return last;
}

function isGoLiteral(fn: Node): boolean {
  if (fn.type !== "func_literal") return false;
  const call = fn.parent;
  if (call?.type === "call_expression" && field(call, "function")?.id === fn.id) return call.parent?.type === "go_statement";
  // `g.Go(func() error { ... })`
  const owner = call?.type === "argument_list" ? call.parent : undefined;
  const parts = owner?.type === "call_expression" ? calleeParts(owner) : undefined;
  return !!parts && GOROUTINE_CALLS.test(parts.name) && !!parts.operand;
}

/** Calls that run their last argument, a function, in another goroutine: `g.Go(f)`, `pool.Submit(f)`, `time.AfterFunc(d, f)`. */
const GOROUTINE_CALLS = /^(Go|Submit|TrySubmit|AfterFunc)$/;

function runsInGoroutine(parts: { operand: Node | null; name: string }, argCount: number, ctx: GoContext): boolean {
  if (!parts.operand || !GOROUTINE_CALLS.test(parts.name)) return false;
  if (parts.name === "AfterFunc") return argCount === 2 && parts.operand.type === "identifier" && ctx.file.importPath(parts.operand.text) === "time";
  return argCount === 1;
}

function isFreshValue(rhs: Node | undefined): boolean {
  if (!rhs) return false;
  const r = unparen(rhs);
  if (r.type === "composite_literal") return true;
  if (r.type === "unary_expression" && r.child(0)?.type === "&") return unparen(field(r, "operand") ?? r).type === "composite_literal";
  return r.type === "call_expression" && /^(new|make)$/.test(field(r, "function")?.text ?? "");
}

/**
 * `fields = fields[:0]` (or `= nil`) at the top of the loop body, before the
 * append: a scratch slice refilled every iteration, not views piling up.
 */
function truncatedEachIteration(target: string, stmt: Node, loop: Node): boolean {
  for (const st of statementsOf(field(loop, "body"))) {
    if (st.startIndex >= stmt.startIndex) return false;
    if (st.type !== "assignment_statement") continue;
    const left = namedChildren(field(st, "left"));
    const right = namedChildren(field(st, "right"));
    if (left.length !== 1 || right.length !== 1 || normalize(left[0].text) !== target) continue;
    const r = unparen(right[0]);
    if (r.type === "nil" || (r.type === "slice_expression" && normalize(field(r, "operand")?.text ?? "") === target && /^0?$/.test(field(r, "start")?.text ?? "") && field(r, "end")?.text === "0")) return true;
  }
  return false;
}

/** `x` on the left of `x = ...`. */
function isAssignedTo(id: Node): boolean {
  const list = id.parent;
  const stmt = list?.parent;
  return list?.type === "expression_list" && !!stmt && (stmt.type === "assignment_statement" || stmt.type === "short_var_declaration") && field(stmt, "left")?.id === list.id;
}

/** A statement that waits for the consumer: `<-done`, `v := <-ack`, `wg.Wait()`. */
function waits(stmt: Node): boolean {
  const e = stmt.type === "expression_statement" ? namedChildren(stmt)[0] : stmt.type === "short_var_declaration" || stmt.type === "assignment_statement" ? namedChildren(field(stmt, "right"))[0] : undefined;
  if (!e) return false;
  if (e.type === "unary_expression" && e.child(0)?.type === "<-") return true;
  return e.type === "call_expression" && /\.Wait$/.test(field(e, "function")?.text ?? "") && callArguments(e).length === 0;
}

function terminates(stmt: Node): boolean {
  const e = stmt.type === "expression_statement" ? namedChildren(stmt)[0] : undefined;
  return e?.type === "call_expression" && /^(panic|os\.Exit|log\.Fatal\w*)$/.test(field(e, "function")?.text ?? "");
}

// ---- report and fix -----------------------------------------------------------------------

function buildReport(context: RuleContext<GoFacts>, esc: Escape, t: Taint): Report & { copiesBefore: boolean } {
  const { file, ctx } = context.facts;
  const s = t.source;
  const copy = cloner(ctx);
  const escText = short(esc.node.text);
  const origin = `${s.buffer}${s.via ? ` (${s.via})` : ""}, which ${s.overwriter} overwrites`;
  let message: string;
  let fix: Fix | undefined;
  // `pkg`, `*pkg` or `&pkg` handed on whole: copy its aliasing fields.
  const whole = unparen(esc.node).type === "unary_expression" ? unparen(field(unparen(esc.node), "operand") ?? esc.node) : unparen(esc.node);
  const carrier = t.wrap ? undefined : t.carrier ?? (t.shape === "holder" && t.fields?.length && t.fresh && whole.type === "identifier" ? { node: whole, fields: t.fields } : undefined);
  if (esc.kind === "capture" && normalize(esc.node.text) === s.buffer) {
    // The goroutine slices the buffer itself, after the loop has moved on.
    const use = esc.node.parent?.type === "slice_expression" ? short(esc.node.parent.text) : escText;
    message = `the goroutine started here uses ${s.buffer}, which ${s.overwriter} overwrites while it runs; give it a copy (${copy.text(use)})`;
  } else if (t.shape === "bytes") {
    message = `${escText} aliases ${origin}, and ${esc.how}; copy it first (${copy.text(escText)})`;
    fix = esc.kind === "capture" ? captureFix(context, esc, t, copy) : wrapFix([esc.node], copy);
  } else if (t.wrap) {
    const wraps = [t.wrap, ...(t.alsoWrap ?? [])];
    const names = wraps.map((w) => short(w.text));
    const subject = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    const how = wraps.length === 1 ? esc.how : esc.how.replace(/^is /, "are ");
    message = `${subject} ${wraps.length === 1 ? "aliases" : "alias"} ${origin}, and ${how} inside ${escText}; copy ${wraps.length === 1 ? "it" : "them"} first (${names.map((n) => copy.text(n)).join(", ")})`;
    fix = wrapFix(wraps, copy);
  } else if (carrier) {
    const f = `${carrier.node.text}.${carrier.fields[0]}`;
    const inside = carrier.node === esc.node ? `with ${escText}` : `inside ${escText}`;
    message = `${f} aliases ${origin}, and ${esc.how} ${inside}; copy it first (${f} = ${copy.text(f)})`;
    fix = fieldCopyFix(context, esc, carrier.node.text, carrier.fields, copy);
  } else {
    message = `${escText} holds slices of ${origin}, and ${esc.how}; copy them first`;
  }
  const related: RelatedLocation[] = [
    { file: file.path, range: rangeOf(s.node), message: s.via ? `${s.via.replace(/^returned by /, "")} returns a slice of ${s.buffer} here` : `${s.buffer} is read into here` },
  ];
  if (s.loop) related.push({ file: file.path, range: headerRange(s.loop), message: "the loop that reuses it" });
  const range: Range = esc.kind === "capture" ? headerRange(esc.stmt) : rangeOf(esc.node);
  return { range, message, related, fixes: fix ? [fix] : [], copiesBefore: (!!carrier || esc.kind === "capture") && !!fix };
}

interface Cloner {
  text(expr: string): string;
  title: string;
  importEdit?: TextEdit;
}

/** `bytes.Clone(x)` from Go 1.20 (per go.mod), `append([]byte(nil), x...)` before or without a go directive. */
function cloner(ctx: GoContext): Cloner {
  const version = ctx.pkg.module?.goVersion;
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  const modern = !!m && (Number(m[1]) > 1 || Number(m[2]) >= 20);
  const imported = ctx.file.imports.find((i) => i.path === "bytes");
  if (modern && (!imported || (imported.name !== "_" && imported.name !== "."))) {
    const name = imported?.name ?? "bytes";
    return { text: (x) => `${name}.Clone(${x})`, title: `${name}.Clone`, importEdit: imported ? undefined : addImportEdit(ctx.file, "bytes") };
  }
  return { text: (x) => `append([]byte(nil), ${x}...)`, title: "append([]byte(nil), ...)" };
}

function withImport(edits: TextEdit[], copy: Cloner): TextEdit[] {
  return copy.importEdit ? [...edits, copy.importEdit] : edits;
}

function wrapFix(nodes: Node[], copy: Cloner): Fix {
  return {
    title: `Copy ${nodes.map((n) => short(n.text)).join(", ")} with ${copy.title}`,
    kind: "fix",
    edits: withImport(
      nodes.map((n) => ({ start: n.startIndex, end: n.endIndex, newText: copy.text(n.text) })),
      copy,
    ),
  };
}

/** `go func() { use(data) }()`: copy `data` on the line before, when it is a per-iteration local. */
function captureFix(context: RuleContext<GoFacts>, esc: Escape, t: Taint, copy: Cloner): Fix | undefined {
  const name = esc.node.text;
  const loop = t.source.loop;
  if (esc.node.type !== "identifier" || !loop || esc.stmt.parent?.type !== "statement_list") return undefined;
  const decl = findDeclaration(esc.stmt, name);
  if (!decl || !within(loop, decl.startIndex) || decl.type !== "short_var_declaration") return undefined;
  const text = context.facts.file.text;
  const indent = lineIndent(text, esc.stmt.startIndex);
  const lineStart = esc.stmt.startIndex - indent.length;
  return {
    title: `Copy ${name} with ${copy.title} before starting the goroutine`,
    kind: "fix",
    edits: withImport([{ start: lineStart, end: lineStart, newText: `${indent}${name} = ${copy.text(name)}\n` }], copy),
  };
}

/** `pkg.Data = bytes.Clone(pkg.Data)` before the statement that hands `pkg` on. */
function fieldCopyFix(context: RuleContext<GoFacts>, esc: Escape, name: string, fields: string[], copy: Cloner): Fix | undefined {
  if (esc.stmt.parent?.type !== "statement_list") return undefined;
  const text = context.facts.file.text;
  const indent = lineIndent(text, esc.stmt.startIndex);
  const lineStart = esc.stmt.startIndex - indent.length;
  const lines = fields.map((f) => `${indent}${name}.${f} = ${copy.text(`${name}.${f}`)}\n`).join("");
  return { title: `Copy ${name}.${fields[0]} with ${copy.title} before handing ${name} on`, kind: "fix", edits: withImport([{ start: lineStart, end: lineStart, newText: lines }], copy) };
}

/** The `:=` that declares `name` in the blocks around `stmt`. */
function findDeclaration(stmt: Node, name: string): Node | undefined {
  for (let n: Node | null = stmt; n && !FUNCTION_TYPES.has(n.type); n = n.parent) {
    const parent = n.parent;
    if (parent?.type !== "statement_list") continue;
    for (const sib of namedChildren(parent)) {
      if (sib.startIndex >= n.startIndex) break;
      if (sib.type === "short_var_declaration" && namedChildren(field(sib, "left")).some((l) => l.text === name)) return sib;
      if (sib.type === "var_declaration" && sib.descendantsOfType("var_spec").some((v) => v?.childrenForFieldName("name").some((x) => x?.text === name))) return sib;
    }
  }
  return undefined;
}

/** The first line of a statement: `for {`, `go func() {`, `g.Go(func() error {`. */
function headerRange(node: Node): Range {
  const full = rangeOf(node);
  let body = field(node, "body");
  if (!body) {
    const call = node.type === "call_expression" ? node : namedChildren(node).find((c) => c.type === "call_expression");
    const fn = call && unparen(field(call, "function") ?? call);
    const literal = fn?.type === "func_literal" ? fn : call && callArguments(call).map(unparen).find((a) => a.type === "func_literal");
    body = literal ? field(literal, "body") : null;
  }
  const brace = body?.child(0);
  if (!brace) return full;
  return { start: full.start, end: { line: brace.endPosition.row, column: brace.endPosition.column, offset: brace.endIndex } };
}
