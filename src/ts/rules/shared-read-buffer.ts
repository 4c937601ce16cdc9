/**
 * shared-read-buffer (TS/JS): `buf.subarray()` (and a Buffer's `slice()`) is
 * a view, not a copy. When `buf` is allocated once and read into again and
 * again (`fs.readSync(fd, buf)` in a loop, a framer that copies every socket
 * chunk into one accumulator and compacts it after each frame, a
 * module-level scratch buffer), a view that is pushed to an array, emitted,
 * resolved or stored still points into `buf` when the next read overwrites
 * it: the consumer sees the next record's bytes. Copy the view before it
 * escapes (`Buffer.from(view)`), or allocate the buffer per read.
 *
 * Sources are `Buffer.alloc/allocUnsafe/allocUnsafeSlow` and
 * `new Uint8Array(n)` held in a variable or a class field; overwriters are
 * reads into them (`fs.read(Sync)`, `FileHandle.read`, `src.copy(buf)`,
 * `buf.write*`, `buf.fill`, `buf.set`, a socket's `onread` buffer). Views are
 * followed through locals and object literals.
 */
import ts = require("typescript");
import { Report, Rule } from "../../core/rule";
import { Fix, RelatedLocation } from "../../core/types";
import { TsFile } from "../facts";
import { isReference, resolveName } from "../scopes";
import { FunctionLike, calleeOf, isFunctionLike, isLoop, rangeOf, skipOuter, stringValue } from "../syntax";
import type { TsFacts } from "../frontend";

const ALLOCATORS = /^(alloc|allocUnsafe|allocUnsafeSlow)$/;
const FS_READS = /^(fs\.(readSync|read|readvSync|readv)|fs\.promises\.read)$/;
/** Methods that write into their receiver. */
const SELF_WRITES = /^(write|fill|set|copyWithin|write(U?Int(8|16|32)|Big(U?)Int64|Float|Double)\w*|swap(16|32|64))$/;
/** Callback parameter names: calling one hands the value to the consumer. */
const CALLBACK_NAME = /^(cb|callback|done|next|resolve|onData|onChunk|onFrame|onMessage|handler|fn|emit|push)$/;
const DEFERRING = /^(setImmediate|setTimeout|queueMicrotask|process\.nextTick)$/;

export const sharedReadBuffer: Rule<TsFacts> = {
  meta: {
    id: "shared-read-buffer",
    languages: ["ts"],
    defaultSeverity: "error",
    shortDescription: "A slice of a buffer reused across reads escapes (channel, goroutine, outer slice, field) without a copy.",
    fullDescription:
      "A Buffer (or Uint8Array) allocated once and read into again and again (fs.readSync(fd, buf) in a loop, FileHandle.read, src.copy(buf), buf.write, a socket's onread buffer, " +
      "an accumulator a framer compacts after every frame) hands out views of one piece of memory: buf.subarray() and Buffer#slice() do not copy. A view that is pushed to an array, " +
      "emitted, resolved, passed to a callback or stored still points into buf when the next read overwrites it, so its consumer sees the next record's bytes. Copy it first (Buffer.from(view)).",
    docs: "docs/rules/shared-read-buffer.md",
    fixable: "fix",
    nolintAliases: [],
    options: [],
  },

  check(context) {
    const { file } = context.facts;
    if (!/Buffer\.alloc|new Uint8Array|onread/.test(file.text)) return;
    const analysis = new Analysis(file);
    for (const report of analysis.run()) context.report(report);
  },
};

/** A buffer allocated once: a variable, or a field of a class. */
interface Source {
  /** "buf", "this.acc" */
  name: string;
  /** The declaration of a variable, or the class and field name of `this.x`. */
  decl?: ts.Node;
  field?: { cls: ts.ClassLikeDeclaration; name: string };
  alloc: ts.Node;
  /** Uint8Array.slice copies; Buffer.slice does not. */
  buffer: boolean;
  writes: { node: ts.Node; by: string }[];
  /** Reassignments `buf = ...`, `this.acc = ...` after the allocation. */
  assignments: ts.Node[];
}

interface Escape {
  /** The expression that escapes (the view, a local holding it, an object holding it). */
  expr: ts.Expression;
  /** "is pushed to chunks", "is emitted as 'frame'". */
  how: string;
  /** For objects that hold a view: the view inside, which the fix copies. */
  inner?: ts.Expression;
}

class Analysis {
  private readonly sources: Source[] = [];

  constructor(private readonly file: TsFile) {}

  private get sf(): ts.SourceFile {
    return this.file.sourceFile;
  }

  run(): Report[] {
    this.collectSources();
    const out: Report[] = [];
    const seen = new Set<ts.Node>();
    for (const s of this.sources) {
      if (s.writes.length === 0) continue;
      for (const ref of this.referencesOf(s)) {
        for (const esc of this.escapesFrom(ref, s)) {
          if (seen.has(esc.expr)) continue;
          const when = this.reusedAfter(esc.expr, s);
          if (!when) continue;
          seen.add(esc.expr);
          out.push(this.report(esc, s, when));
        }
      }
    }
    return out;
  }

  // ---- sources and their writers ---------------------------------------------------

  private collectSources(): void {
    const consider = (alloc: ts.Expression, buffer: boolean) => {
      let n: ts.Node = alloc;
      while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
      const p = n.parent;
      if (ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) {
        this.sources.push({ name: p.name.text, decl: p, alloc, buffer, writes: [], assignments: [] });
      } else if (ts.isPropertyDeclaration(p) && p.initializer === n && ts.isClassLike(p.parent) && ts.isIdentifier(p.name)) {
        this.addField(p.parent, p.name.text, alloc, buffer);
      } else if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const t = skipOuter(p.left);
        if (ts.isPropertyAccessExpression(t) && t.expression.kind === ts.SyntaxKind.ThisKeyword) {
          const cls = classOf(t);
          if (cls) this.addField(cls, t.name.text, alloc, buffer);
        } else if (ts.isIdentifier(t)) {
          const r = resolveName(t, t.text);
          if (r && ts.isVariableDeclaration(r.decl) && !this.sources.some((s) => s.decl === r.decl)) this.sources.push({ name: t.text, decl: r.decl, alloc, buffer, writes: [], assignments: [] });
        }
      } else if (ts.isPropertyAssignment(p) && p.name.getText(this.sf) === "buffer" && ts.isObjectLiteralExpression(p.parent)) {
        // `net.connect({ onread: { buffer: Buffer.alloc(n), callback(n, buf) { ... } } })`
        this.onreadSource(p.parent, alloc, buffer);
      }
    };
    for (const call of this.file.calls) {
      const c = calleeOf(call);
      if (ts.isPropertyAccessExpression(c) && ALLOCATORS.test(c.name.text) && c.expression.getText(this.sf) === "Buffer" && !this.file.isDeclared(c.expression as ts.Identifier)) consider(call, true);
    }
    for (const n of this.file.news) {
      if (ts.isIdentifier(n.expression) && n.expression.text === "Uint8Array" && n.arguments?.length === 1 && this.isSize(n.arguments[0])) consider(n, false);
    }
    for (const s of this.sources) this.collectWrites(s);
  }

  private addField(cls: ts.ClassLikeDeclaration, name: string, alloc: ts.Node, buffer: boolean): void {
    if (this.sources.some((s) => s.field?.cls === cls && s.field.name === name)) return;
    this.sources.push({ name: `this.${name}`, field: { cls, name }, alloc, buffer, writes: [], assignments: [] });
  }

  /** The `onread` buffer: the socket reads into it every time, and the callback's second parameter is it. */
  private onreadSource(onread: ts.ObjectLiteralExpression, alloc: ts.Node, buffer: boolean): void {
    const key = onread.parent;
    if (!ts.isPropertyAssignment(key) || key.name.getText(this.sf) !== "onread") return;
    for (const p of onread.properties) {
      const fn = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : undefined;
      if (!fn || p.name?.getText(this.sf) !== "callback" || !isFunctionLike(fn)) continue;
      const param = fn.parameters[1];
      if (!param || !ts.isIdentifier(param.name)) continue;
      this.sources.push({ name: param.name.text, decl: param, alloc, buffer, writes: [{ node: onread, by: "the socket's next read" }], assignments: [] });
    }
  }

  /** `fs.readSync(fd, buf)`, `src.copy(buf)`, `buf.write(...)`, `buf[i] = x`, `fh.read(buf)`. */
  private collectWrites(s: Source): void {
    for (const ref of this.referencesOf(s)) {
      const { node, parent } = outer(ref);
      if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
        const callee = calleeOf(parent);
        const i = parent.arguments.indexOf(node as ts.Expression);
        const qn = this.file.qualifiedName(callee) ?? "";
        const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
        if (FS_READS.test(qn) && i === 1) s.writes.push({ node: parent, by: qn });
        else if (method === "copy" && i === 0) s.writes.push({ node: parent, by: `${short(callee.getText(this.sf))}` });
        else if ((method === "read" || method === "readSync") && i === 0 && !FS_READS.test(qn)) s.writes.push({ node: parent, by: short(callee.getText(this.sf)) });
        else if (/^(crypto\.)?randomFill(Sync)?$/.test(qn.replace(/^crypto\./, "crypto.")) || /randomFill/.test(method)) s.writes.push({ node: parent, by: "randomFill" });
        continue;
      }
      if (ts.isPropertyAssignment(parent) && parent.name.getText(this.sf) === "buffer") {
        // `fh.read({ buffer: buf })`
        const call = parent.parent.parent;
        if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(calleeOf(call)) && /^read/.test((calleeOf(call) as ts.PropertyAccessExpression).name.text)) s.writes.push({ node: call, by: short(calleeOf(call).getText(this.sf)) });
        continue;
      }
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node && SELF_WRITES.test(parent.name.text) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
        s.writes.push({ node: parent.parent, by: `${s.name}.${parent.name.text}` });
        continue;
      }
      if (ts.isElementAccessExpression(parent) && parent.expression === node && ts.isBinaryExpression(parent.parent) && parent.parent.left === parent && isAssignment(parent.parent.operatorToken.kind)) {
        s.writes.push({ node: parent.parent, by: `\`${short(parent.parent.getText(this.sf), 30)}\`` });
        continue;
      }
      if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right !== s.alloc) s.assignments.push(parent);
    }
  }

  private readonly refs = new Map<Source, ts.Expression[]>();

  /** References of the source: identifiers resolving to its declaration, or `this.x` in its class. */
  private referencesOf(s: Source): ts.Expression[] {
    let found = this.refs.get(s);
    if (!found) {
      found = this.findReferences(s);
      this.refs.set(s, found);
    }
    return found;
  }

  private findReferences(s: Source): ts.Expression[] {
    const out: ts.Expression[] = [];
    if (s.decl) {
      const decl = s.decl;
      // A local is only visible in its function (a parameter: in its function too).
      const root = (ts.isParameter(decl) ? decl.parent : enclosingFunction(decl)) ?? this.sf;
      const visit = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) {
          if (n.text === s.name && isReference(n) && resolveName(n, n.text)?.decl === decl) out.push(n);
          return;
        }
        n.forEachChild(visit);
      };
      visit(root);
    } else if (s.field) {
      const { cls, name } = s.field;
      const visit = (n: ts.Node): void => {
        if (ts.isPropertyAccessExpression(n) && n.name.text === name && n.expression.kind === ts.SyntaxKind.ThisKeyword && classOf(n) === cls) out.push(n);
        n.forEachChild(visit);
      };
      visit(cls);
    }
    return out;
  }

  // ---- views and where they go -----------------------------------------------------

  /** Escapes of views of `s` that start at this reference. */
  private escapesFrom(ref: ts.Expression, s: Source): Escape[] {
    const out: Escape[] = [];
    const seenLocals = new Set<ts.Node>();
    /** `e` evaluates to (or holds) memory of `s`. */
    const follow = (e: ts.Expression, depth: number, holder?: ts.Expression): void => {
      if (depth > 6) return;
      const { node, parent } = outer(e);
      // A view of the view: `view.subarray(4)`.
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
        if (isViewMethod(parent.name.text, s.buffer) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent && !holder) follow(parent.parent, depth + 1);
        if (parent.name.text === "buffer" && !holder) follow(parent, depth + 1);
        return;
      }
      if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
        const esc = this.escapeByCall(parent, node as ts.Expression, s);
        if (esc) out.push({ ...esc, inner: holder });
        else if (!holder && this.isViewConstruction(parent)) follow(parent, depth + 1);
        return;
      }
      if (ts.isNewExpression(parent) && !holder && parent.arguments?.[0] === node && /^(Uint8Array|DataView|Int8Array|Uint16Array|Int16Array|Uint32Array|Int32Array|Float32Array|Float64Array)$/.test(parent.expression.getText(this.sf)) && parent.arguments.length > 1) {
        // `new Uint8Array(buf.buffer, off, len)` shares memory.
        follow(parent, depth + 1);
        return;
      }
      if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) {
        const obj = parent.parent;
        if (ts.isObjectLiteralExpression(obj)) follow(obj, depth + 1, holder ?? (node as ts.Expression));
        return;
      }
      if (ts.isArrayLiteralExpression(parent)) {
        // `Buffer.concat([view, other])` copies; `[view]` stored keeps it.
        follow(parent, depth + 1, holder ?? (node as ts.Expression));
        return;
      }
      if (ts.isConditionalExpression(parent) && parent.condition !== node) {
        follow(parent, depth + 1, holder);
        return;
      }
      if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
        if (seenLocals.has(parent)) return;
        seenLocals.add(parent);
        for (const r of this.localRefs(parent)) follow(r, depth + 1, holder);
        return;
      }
      if (ts.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const t = skipOuter(parent.left);
        if (ts.isIdentifier(t)) {
          const r = resolveName(t, t.text);
          const fn = enclosingFunction(parent);
          if (r && fn && r.decl.pos >= fn.pos && r.decl.end <= fn.end && ts.isVariableDeclaration(r.decl)) {
            // A local of the same function: follow it (a `let` assigned in a loop).
            if (!seenLocals.has(r.decl)) {
              seenLocals.add(r.decl);
              for (const x of this.localRefs(r.decl)) if (x.pos > parent.pos) follow(x, depth + 1, holder);
            }
            return;
          }
        }
        if (this.isSameSource(t, s)) return;
        if (ts.isElementAccessExpression(t)) {
          out.push({ expr: node as ts.Expression, how: `is stored in ${short(t.expression.getText(this.sf))}`, inner: holder });
          return;
        }
        out.push({ expr: node as ts.Expression, how: `is stored in ${short(t.getText(this.sf))}`, inner: holder });
        return;
      }
    };
    const { node, parent } = outer(ref);
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node && isViewMethod(parent.name.text, s.buffer) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      follow(parent.parent, 0);
    } else if (!this.isWriteSite(ref)) {
      // The buffer itself, handed on whole.
      follow(ref, 0);
    }
    return out;
  }

  /** A call that hands the value to someone who keeps it: push, emit, resolve, a callback, a deferred function. */
  private escapeByCall(call: ts.CallExpression, arg: ts.Expression, s: Source): Omit<Escape, "inner"> | undefined {
    const callee = calleeOf(call);
    const i = call.arguments.indexOf(arg);
    const qn = this.file.qualifiedName(callee) ?? "";
    if (ts.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      const recv = skipOuter(callee.expression);
      if (this.isSameSource(recv, s)) return undefined;
      const recvText = short(recv.getText(this.sf));
      if ((m === "push" || m === "unshift") && recv.kind === ts.SyntaxKind.ThisKeyword) return { expr: arg, how: "is pushed to the stream" };
      if ((m === "push" || m === "unshift" || m === "add" || m === "enqueue") && this.outlivesIteration(recv, call)) return { expr: arg, how: `is ${m === "add" ? "added" : m === "enqueue" ? "enqueued" : "pushed"} to ${recvText}` };
      if (m === "set" && i === 1 && this.outlivesIteration(recv, call)) return { expr: arg, how: `is stored in ${recvText}` };
      if (m === "emit" && i >= 1) {
        const ev = stringValue(call.arguments[0]);
        return { expr: arg, how: ev !== undefined ? `is emitted as '${ev}'` : "is emitted" };
      }
      if (m === "nextTick" && recv.getText(this.sf) === "process") return { expr: arg, how: "is used later by process.nextTick" };
      return undefined;
    }
    if (ts.isIdentifier(callee)) {
      if (DEFERRING.test(qn.replace(/^global\./, ""))) return { expr: arg, how: `is used later by ${callee.text}` };
      const r = resolveName(callee, callee.text);
      const isParam = !!r && (ts.isParameter(r.decl) || (ts.isBindingElement(r.decl) && ts.isParameter(r.decl.parent.parent)));
      if (callee.text === "resolve" || (isParam && CALLBACK_NAME.test(callee.text))) return { expr: arg, how: callee.text === "resolve" ? "is resolved" : `is passed to ${callee.text}` };
    }
    return undefined;
  }

  /** `buf.subarray()` passed through `Buffer.from(buf.buffer, ...)` and the like still shares memory. */
  private isViewConstruction(call: ts.CallExpression): boolean {
    const c = calleeOf(call).getText(this.sf);
    // Buffer.from(arrayBuffer, offset, length) shares; Buffer.from(buffer) copies.
    return c === "Buffer.from" && call.arguments.length >= 2;
  }

  private isWriteSite(ref: ts.Expression): boolean {
    const { node, parent } = outer(ref);
    if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
      const qn = this.file.qualifiedName(calleeOf(parent)) ?? "";
      if (FS_READS.test(qn)) return true;
    }
    return false;
  }

  private isSameSource(e: ts.Expression, s: Source): boolean {
    const x = skipOuter(e);
    if (s.field) return ts.isPropertyAccessExpression(x) && x.expression.kind === ts.SyntaxKind.ThisKeyword && x.name.text === s.field.name;
    return ts.isIdentifier(x) && resolveName(x, x.text)?.decl === s.decl;
  }

  /** The collection is declared outside the innermost loop around the call, or outside its function. */
  private outlivesIteration(recv: ts.Expression, call: ts.Node): boolean {
    const root = rootOf(recv);
    if (!root) return true;
    const r = resolveName(root, root.text);
    if (!r) return true;
    const loop = innermostLoop(call);
    if (loop && r.decl.pos >= loop.pos && r.decl.end <= loop.end) return false;
    return true;
  }

  private localRefs(decl: ts.VariableDeclaration): ts.Identifier[] {
    const name = (decl.name as ts.Identifier).text;
    const scope = enclosingFunction(decl) ?? this.sf;
    const out: ts.Identifier[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        if (n.text === name && n !== decl.name && isReference(n) && resolveName(n, name)?.decl === decl) out.push(n);
        return;
      }
      n.forEachChild(visit);
    };
    visit(scope);
    return out;
  }

  // ---- is the buffer overwritten after the escape? ------------------------------------

  /**
   * "on the next iteration" when a loop around the escape rereads a buffer
   * allocated outside it; "the next time it runs" when the buffer lives
   * outside the escaping function (module, class field, enclosing function)
   * and some code writes into it. Undefined when the buffer is fresh each time.
   */
  private reusedAfter(esc: ts.Expression, s: Source): { when: string; loop?: ts.Node; write: { node: ts.Node; by: string } } | undefined {
    const fn = enclosingFunction(esc);
    const loop = innermostLoop(esc);
    const declaredIn = (container: ts.Node | undefined) => !!container && !!s.decl && s.decl.pos >= container.pos && s.decl.end <= container.end;
    if (loop && !declaredIn(loop)) {
      const write = s.writes.find((w) => w.node.pos >= loop.pos && w.node.end <= loop.end);
      const fresh = s.assignments.some((a) => a.pos >= loop.pos && a.end <= loop.end && isAllocation((a as ts.BinaryExpression).right));
      if (write && !fresh) return { when: "on the next iteration", loop, write };
    }
    const local = s.decl && !ts.isParameter(s.decl) ? declaredIn(fn) : false;
    if (!local) {
      if (s.decl && ts.isParameter(s.decl)) {
        // The onread callback: the socket overwrites the buffer after the callback returns.
        return { when: "on its next read", write: s.writes[0] };
      }
      // Writes that run again and again: in a function (not once at module scope) and, for a buffer
      // declared in a function, in a function nested in it (a listener), not next to the allocation.
      const declFn = s.decl ? enclosingFunction(s.decl) : undefined;
      const write = s.writes.find((w) => {
        const wfn = enclosingFunction(w.node);
        if (!wfn) return false;
        return !declFn || (wfn !== declFn && wfn.pos >= declFn.pos && wfn.end <= declFn.end);
      });
      // Replaced with a fresh buffer after the escape, before anything writes again.
      const replaced = s.assignments.some((a) => enclosingFunction(a) === fn && a.pos > esc.end && isAllocation((a as ts.BinaryExpression).right));
      if (write && !replaced && (fn || loop)) return { when: "the next time it runs", write };
    }
    return undefined;
  }

  // ---- the report --------------------------------------------------------------------

  private report(esc: Escape, s: Source, reuse: { when: string; loop?: ts.Node; write: { node: ts.Node; by: string } }): Report {
    const sf = this.sf;
    const copyTarget = esc.inner ?? esc.expr;
    const escText = short(esc.expr.getText(sf));
    const innerText = short(copyTarget.getText(sf));
    const copy = (x: string) => (s.buffer ? `Buffer.from(${x})` : `${x}.slice()`);
    const origin = `${s.name}, which ${reuse.write.by} overwrites ${reuse.when}`;
    const message = esc.inner
      ? `${innerText} aliases ${origin}, and ${escText}, which holds it, ${esc.how}; copy it first (${copy(innerText)})`
      : `${escText} aliases ${origin}, and ${esc.how}; copy it first (${copy(escText)})`;
    const related: RelatedLocation[] = [
      { file: this.file.path, range: rangeOf(sf, s.alloc), message: `${s.name} is allocated here, once` },
      { file: this.file.path, range: rangeOf(sf, reuse.write.node), message: `${reuse.write.by} overwrites it here` },
    ];
    if (reuse.loop) related.push({ file: this.file.path, range: rangeOf(sf, reuse.loop), message: "the loop that reuses it" });
    const fix = this.copyFix(copyTarget, s);
    return { range: rangeOf(sf, esc.expr), message, related, fixes: fix ? [fix] : [] };
  }

  /** Wraps the escaping view in `Buffer.from(...)` (a Uint8Array view: `.slice()`, which copies). */
  private copyFix(target: ts.Expression, s: Source): Fix | undefined {
    const sf = this.sf;
    const text = target.getText(sf);
    const start = target.getStart(sf);
    if (ts.isShorthandPropertyAssignment(target.parent)) {
      const name = target.getText(sf);
      const newText = s.buffer ? `${name}: Buffer.from(${name})` : `${name}: ${name}.slice()`;
      return { title: `Copy ${short(name)} before it escapes`, kind: "fix", edits: [{ start: target.parent.getStart(sf), end: target.parent.end, newText }] };
    }
    // A local `Buffer` that is not node's (an import of "buffer" is).
    const shadow = resolveName(target, "Buffer");
    if (s.buffer && shadow && !this.file.bindings.has(shadow.decl)) return undefined;
    const needsParens = !s.buffer && !(ts.isIdentifier(target) || ts.isCallExpression(target) || ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target));
    const newText = s.buffer ? `Buffer.from(${text})` : needsParens ? `(${text}).slice()` : `${text}.slice()`;
    return { title: `Copy ${short(text)} with ${s.buffer ? "Buffer.from" : ".slice()"} before it escapes`, kind: "fix", edits: [{ start, end: target.end, newText }] };
  }

  /** `new Uint8Array(n)` with a size, not `new Uint8Array(other)` (a copy) or `(arrayBuffer, ...)`. */
  private isSize(arg: ts.Expression): boolean {
    const e = skipOuter(arg);
    if (ts.isNumericLiteral(e)) return true;
    if (ts.isBinaryExpression(e)) return true;
    if (ts.isIdentifier(e)) return /size|len|length|cap|capacity|bytes|max|^[A-Z0-9_]+$/i.test(e.text);
    return false;
  }
}

function isViewMethod(name: string, buffer: boolean): boolean {
  return name === "subarray" || (buffer && name === "slice");
}

function isAllocation(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (ts.isCallExpression(x)) return /^Buffer\.(alloc|allocUnsafe|allocUnsafeSlow|from|concat)$/.test(calleeOf(x).getText());
  return ts.isNewExpression(x);
}

function isAssignment(op: ts.SyntaxKind): boolean {
  return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
}

function outer(e: ts.Node): { node: ts.Node; parent: ts.Node } {
  let n = e;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  return { node: n, parent: n.parent };
}

function classOf(n: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isClassLike(p)) return p;
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) return undefined;
  }
  return undefined;
}

function rootOf(expr: ts.Expression): ts.Identifier | undefined {
  let e = skipOuter(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = skipOuter(e.expression);
  return ts.isIdentifier(e) ? e : undefined;
}

/** The function a node runs in (array callbacks and IIFEs run in their enclosing function). */
function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) && !runsInPlace(n)) return n;
  return undefined;
}

function runsInPlace(fn: ts.Node): boolean {
  let n = fn;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isCallExpression(p) && p.expression === n) return true;
  if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression)) {
    const c = calleeOf(p);
    return ts.isPropertyAccessExpression(c) && /^(forEach|map|filter|some|every|reduce|flatMap|find|findIndex)$/.test(c.name.text);
  }
  return ts.isNewExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === "Promise";
}

/** The innermost loop around `node` within its function (a loop statement, or an array callback's call). */
function innermostLoop(node: ts.Node): ts.Node | undefined {
  let child: ts.Node = node;
  for (let n = node.parent; n; child = n, n = n.parent) {
    if (isLoop(n) && (child === n.statement || (ts.isForStatement(n) && (child === n.condition || child === n.incrementor)) || ((ts.isWhileStatement(n) || ts.isDoStatement(n)) && child === n.expression))) return n;
    if (isFunctionLike(n)) {
      if (!runsInPlace(n)) return undefined;
      let o: ts.Node = n;
      while (ts.isParenthesizedExpression(o.parent)) o = o.parent;
      if (ts.isCallExpression(o.parent) && o.parent.arguments.includes(o as ts.Expression)) return o.parent;
    }
  }
  return undefined;
}

function short(text: string, max = 40): string {
  const t = text.replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}
