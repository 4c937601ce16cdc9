/**
 * Modules as the TS rules need them: a call to a function imported from a
 * relative module (`import { getJson } from "./http"`) is summarised by
 * parsing that module, syntax only, once per workspace. Only modules whose
 * text mentions an acquisition or release are parsed; a summary is a small
 * plain object and the parsed file is dropped once its exports are
 * summarised.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts = require("typescript");
import { TsKnowledge } from "../core/config";
import { FunctionSummary, TsContext } from "./context";
import { TsFile } from "./facts";
import { parseTs } from "./parser";
import { FunctionLike, skipOuter } from "./syntax";

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
/** Modules without these words cannot return, release or keep a resource worth summarising. */
const INTERESTING = /fetch|request|connect|getConnection|createQueryRunner|open|Cursor|QueryStream|release|close|destroy|cancel|json|text|resume|pipe|end\(/;
/** Modules without these words cannot return a resource (a cheaper question: most modules are never parsed for it). */
const ACQUIRES = /\bfetch\w*\s*\(|\brequest\s*\(|\.connect\s*\(\s*\)|getConnection|createQueryRunner|\bopen(Sync)?\s*\(|createConnection|\bCursor\b|QueryStream|\.(find|aggregate|listCollections|listIndexes|stream|cursor)\s*\(/;
const MAX_MODULE_BYTES = 1024 * 1024;

interface ModuleSummaries {
  exports: Map<string, FunctionSummary>;
}

/**
 * A module that cannot acquire anything: as far as returns go its exports are
 * known (none returns a resource); their parameter effects are not, so a
 * full summary request still parses it.
 */
const NOTHING_RETURNED: ModuleSummaries = { exports: new Map() };

export class TsWorkspace {
  private readonly modules = new Map<string, ModuleSummaries | null>();
  private readonly loading = new Set<string>();

  constructor(readonly knowledge: TsKnowledge) {}

  /** The summary of `name` exported by the module `specifier` imports from `fromFile`; undefined when unknown. */
  exportSummary(fromFile: string, specifier: string, name: string): FunctionSummary | undefined {
    const file = this.resolve(path.dirname(fromFile), specifier);
    if (!file) return undefined;
    const mod = this.load(file, true);
    return mod?.exports.get(name === "" ? "default" : name);
  }

  /**
   * Drops what is known about a file, for hosts that outlive edits (the language server): its
   * summaries, and those derived from them, are recomputed from disk when next asked for.
   * Module resolution is kept unless a file was created or deleted (`structural`).
   */
  forget(file: string, structural = false): void {
    // Summaries of other modules may have been built from this one's: they go too (recomputed lazily).
    if (this.modules.has(file)) this.modules.clear();
    this.texts.delete(file);
    if (structural) this.resolved.clear();
  }

  /** Only what `name` returns; modules that cannot acquire anything are not parsed for it. */
  exportReturns(fromFile: string, specifier: string, name: string): FunctionSummary["returns"] {
    const file = this.resolve(path.dirname(fromFile), specifier);
    if (!file) return undefined;
    if (!this.modules.has(file) && !ACQUIRES.test(this.textOf(file) ?? "")) {
      this.texts.delete(file);
      this.modules.set(file, NOTHING_RETURNED);
      return undefined;
    }
    return this.load(file)?.exports.get(name === "" ? "default" : name)?.returns;
  }

  private readonly texts = new Map<string, string | null>();

  private textOf(file: string): string | null {
    let t = this.texts.get(file);
    if (t !== undefined) return t;
    try {
      t = fs.statSync(file).size > MAX_MODULE_BYTES ? null : fs.readFileSync(file, "utf8");
    } catch {
      t = null;
    }
    this.texts.set(file, t);
    return t;
  }

  private readonly resolved = new Map<string, string | undefined>();

  private resolve(dir: string, specifier: string): string | undefined {
    const key = `${dir}\0${specifier}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const file = findModule(dir, specifier);
    this.resolved.set(key, file);
    return file;
  }

  private load(file: string, forParams = false): ModuleSummaries | null {
    const cached = this.modules.get(file);
    if (cached !== undefined && !(forParams && cached === NOTHING_RETURNED)) return cached;
    if (this.loading.has(file)) return null; // import cycle: the summary is unknown while it is computed
    this.loading.add(file);
    let result: ModuleSummaries | null = null;
    try {
      result = this.summarize(file);
    } finally {
      this.loading.delete(file);
    }
    this.modules.set(file, result);
    return result;
  }

  private summarize(file: string): ModuleSummaries | null {
    const text = this.textOf(file);
    this.texts.delete(file); // summarised once; the text is not needed again
    if (text === null) return null;
    const exports = new Map<string, FunctionSummary>();
    if (!INTERESTING.test(text)) return { exports };
    const tsFile = new TsFile(file, parseTs(file, text));
    const ctx = new TsContext(tsFile, this, this.knowledge);
    for (const [name, fn] of exportedFunctions(tsFile.sourceFile)) exports.set(name, ctx.summaryOf(fn));
    return { exports };
  }
}

function findModule(dir: string, specifier: string): string | undefined {
  const base = path.resolve(dir, specifier);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, "index" + e))];
  // `import "./x.js"` in TypeScript sources names x.ts.
  const m = /\.(m|c)?js$/.exec(base);
  if (m) candidates.unshift(base.slice(0, -m[0].length) + `.${m[1] ?? ""}ts`, base.slice(0, -m[0].length) + ".tsx");
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile() && !/\.d\.[cm]?ts$/.test(c)) return c;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** Exported functions by export name: `export function f`, `export const f = () =>`, `export default`, `module.exports.f =`, `exports.f =`. */
function exportedFunctions(sf: ts.SourceFile): Map<string, FunctionLike> {
  const out = new Map<string, FunctionLike>();
  const local = new Map<string, FunctionLike>();
  const asFunction = (e: ts.Expression | undefined): FunctionLike | undefined => {
    const x = e && skipOuter(e);
    return x && (ts.isArrowFunction(x) || ts.isFunctionExpression(x)) ? x : undefined;
  };
  const exported = (s: ts.Node) => !!ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (s: ts.Node) => !!ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.body) {
      if (s.name) local.set(s.name.text, s);
      if (exported(s)) out.set(isDefault(s) ? "default" : s.name?.text ?? "default", s);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const fn = asFunction(d.initializer);
        if (!fn || !ts.isIdentifier(d.name)) continue;
        local.set(d.name.text, fn);
        if (exported(s)) out.set(d.name.text, fn);
      }
    } else if (ts.isExportAssignment(s)) {
      const fn = asFunction(s.expression) ?? (ts.isIdentifier(s.expression) ? local.get(s.expression.text) : undefined);
      if (fn) out.set("default", fn);
    } else if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const el of s.exportClause.elements) {
        const fn = local.get((el.propertyName ?? el.name).getText(sf));
        if (fn) out.set(el.name.getText(sf), fn);
      }
    } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = s.expression.left.getText(sf).replace(/\s/g, "");
      const right = s.expression.right;
      const fn = asFunction(right) ?? (ts.isIdentifier(right) ? local.get(right.text) : undefined);
      const m = /^(?:module\.)?exports\.([\w$]+)$/.exec(left);
      if (fn && m) out.set(m[1], fn);
      if (fn && left === "module.exports") out.set("default", fn);
    }
  }
  return out;
}
