/**
 * unbounded-concurrency: a `go` statement (or an errgroup / WaitGroup `Go`)
 * inside a loop over input of unknown size starts one goroutine per element,
 * all at once. Nothing limits how many run: a poller that spawned a goroutine
 * per row every second kept adding goroutines (stacks, sockets, memory) until
 * the machine fell over. A bound is a semaphore, `errgroup.SetLimit`,
 * `semaphore.Weighted.Acquire`, a worker pool, a fixed worker count or a
 * running-count guard; a WaitGroup only waits, it does not limit.
 *
 * The rule walks up from each spawn to its function, classifies every loop on
 * the way (fixed count, literal collection, accept loop, paced by a ticker, or
 * unknown size) and stops at the first thing that bounds the loops above it: a
 * guard before the spawn, a wait for the spawned goroutine within the same
 * iteration, or a `return` right after it.
 */
import { escapeRegExp } from "../../core/regexp";
import type { GoGate } from "../gate";
import { Report, Rule } from "../../core/rule";
import { Fix, RelatedLocation } from "../../core/types";
import { GoContext } from "../context";
import { GoFile } from "../facts";
import type { GoFacts } from "../frontend";
import { goQuery, Node } from "../parser";
import { callArguments, calleeParts, callsNamed, descendants, field, lineIndent, namedChildren, rangeOf, unparen } from "../syntax";

/** Collections that hold a fixed set of long-running components: starting one goroutine each is bounded. */
const DEFAULT_FIXED_COLLECTIONS = [
  "services", "servers", "listeners", "workers", "shards", "consumers", "producers", "pollers", "runners",
  "components", "daemons", "loops", "engines", "processors", "plugins", "hooks", "callbacks",
  "goroutines", "funcs", "fns", "stages", "watchers", "reporters", "exporters", "sinks", "handlers", "observers",
  "replicas", "partitions", "analyzers", "checkers", "linters",
];
/** A value that holds configuration: what it lists is chosen by the operator, not by the load. */
const CONFIG_NAME = /^(cfg|conf|config|configuration|settings|opts|options|flags)$/i;
const CONFIG_TYPE = /(Config|Configuration|Options|Settings|Conf)$/;

/** A `go` statement, or an errgroup-style `g.Go(...)` / `g.TryGo(...)`. */
const SPAWN_TEXT = /\bgo\s+(func\b|[\w.[\]]+\s*\(|\()|\.(Try)?Go\(/;

function spawnsInLoop(text: string): boolean {
  return text.includes("for") && SPAWN_TEXT.test(text);
}

export const unboundedConcurrency: Rule<GoFacts, GoGate> = {
  meta: {
    id: "unbounded-concurrency",
    languages: ["go"],
    defaultSeverity: "warning",
    shortDescription: "A goroutine is started for every element of input of unknown size, with no bound on how many run.",
    fullDescription:
      "A go statement (or errgroup's or a WaitGroup's Go) inside a loop over a slice, map, channel or endless poll starts one goroutine per element, all at once. " +
      "Under load the number of goroutines, and the memory, sockets and file descriptors they hold, grows without limit until the process is killed. " +
      "Bound the concurrency with a semaphore channel, errgroup.SetLimit, semaphore.Weighted, a worker pool or a fixed number of workers; a WaitGroup alone waits for the goroutines but does not limit them.",
    docs: "docs/rules/unbounded-concurrency.md",
    fixable: "suggestion",
    nolintAliases: [],
    options: [
      {
        name: "fixedCollections",
        type: "string[]",
        description:
          "Extra names of collections that hold a fixed set of components (the last word of the name, e.g. \"replicas\"): starting one goroutine per element of them is not reported.",
      },
    ],
  },
  // Tests spawn goroutines over tables their author wrote: a fixed set, not input. Most files start no goroutine.
  mayReport: (gate) => !gate.isTestFile && spawnsInLoop(gate.text),
  // The loops that make a spawn unbounded are those of its own function.
  mayReportIn: () => spawnsInLoop,

  check(context) {
    const { file, ctx } = context.facts;
    const extra = Array.isArray(context.options.fixedCollections) ? (context.options.fixedCollections as unknown[]).map(String) : [];
    const analysis = new Analysis(file, ctx, new Set([...DEFAULT_FIXED_COLLECTIONS, ...extra].map((n) => n.toLowerCase())));
    for (const spawn of spawnsOf(file)) {
      const report = analysis.examine(spawn);
      if (report) context.report(report);
    }
  },
};

// ---- what starts a goroutine --------------------------------------------------

/** `group` is a `x.Go(...)` call whose receiver is not resolved yet. */
type SpawnKind = "go" | "group" | "errgroup" | "waitgroup" | "pool";

interface Spawn {
  kind: SpawnKind;
  /** The go statement, or the `g.Go(...)` call. */
  node: Node;
  /** `g` of `g.Go(...)`. */
  receiver?: Node;
  /** The function literal the goroutine runs, when it is one. */
  literal?: Node;
}

/** Found from the text, the tree telling code from comments and strings: a query walks the whole tree. */
function spawnsOf(file: GoFile): Spawn[] {
  const out: Spawn[] = [];
  const root = file.tree.rootNode;
  for (const m of file.text.matchAll(/\bgo\b/g)) {
    // The smallest node holding the keyword and what follows it is the go statement.
    const node = root.descendantForIndex(m.index, m.index + 3);
    if (node?.type !== "go_statement" || node.startIndex !== m.index) continue;
    const call = namedChildren(node).find((c) => c.type === "call_expression");
    const fn = call && field(call, "function");
    out.push({ kind: "go", node, literal: fn?.type === "func_literal" ? fn : undefined });
  }
  for (const call of callsNamed(root, GROUP_METHODS, true)) {
    const selector = field(call, "function");
    const recv = selector?.type === "selector_expression" ? field(selector, "operand") : null;
    if (!recv) continue;
    const arg = callArguments(call)[0];
    out.push({ kind: "group", node: call, receiver: recv, literal: arg?.type === "func_literal" ? arg : undefined });
  }
  return out;
}

const GROUP_METHODS = ["Go", "TryGo"];

// ---- the analysis -------------------------------------------------------------

/** Why a loop is not bounded, for the message: "for every element of datas". */
interface Unbounded {
  loop: Node;
  what: string;
}

type Verdict = { bounded: true } | { bounded: false; what: string };
const BOUNDED: Verdict = { bounded: true };

const COMPARISONS = new Set(["<", "<=", ">", ">=", "!="]);
const INT_TYPES = /^u?int(8|16|32|64)?$|^uintptr$/;
const START_METHODS = new Set(["Run", "Start", "Serve", "ListenAndServe", "ListenAndServeTLS", "Listen", "Loop", "Watch", "run", "start", "serve", "loop", "watch"]);
/** Count variables that name a degree of parallelism rather than the size of the input. */
const WORKER_COUNT = /^(n|p|k)$|worker|concurren|parallel|goroutine|thread|procs?$|cpu|shard|slot|limit|^max|fanout|replica/i;
/** Channel names that read as a semaphore: `sem <- struct{}{}` acquires a slot. */
const SEMAPHORE_NAME = /sem|token|slot|limit|throttl|ticket|gate|guard|concurren|parallel|inflight|running|active|pool/i;
/** Comparisons that check how many goroutines run: the running-count guard. */
const RUNNING_COUNT = /atomic\.|\.Load\(\)|NumGoroutine\(|len\(\s*([\w.]+)\s*\)\s*[<>=!]+\s*cap\(|cap\(\s*[\w.]+\s*\)\s*[<>=!]+\s*len\(/;
/** Counters of running goroutines, when compared (`active >= max`; a bare `if u.active` is not a count). */
const RUNNING_WORDS = /\b(running|active|inflight|inFlight|busy|outstanding|numRunning|numActive|current|concurrent)\b/;
const LIMIT_WORDS = /max|limit|budget|cap\(|concurren|parallel|workers/i;
/** The end of a sub-slice that is one batch: `min(i+batchSize, len(xs))`, `i + chunk`. */
const BATCH_WORDS = /min\(|batch|chunk|page|window|step|size|limit|max/i;

class Analysis {
  private consts?: Set<string>;
  private literalVars?: Set<string>;

  constructor(
    private readonly file: GoFile,
    private readonly ctx: GoContext,
    private readonly fixedCollections: Set<string>,
  ) {}

  examine(spawn: Spawn): Report | undefined {
    if (!inLoop(spawn.node)) return undefined;
    if (spawn.kind === "group") {
      const group = this.groupKind(spawn);
      if (!group) return undefined;
      spawn.kind = group;
      if (group === "errgroup" && this.hasSetLimit(spawn.receiver!)) return undefined;
    }
    if (spawn.literal && this.guardsInside(spawn.literal)) return undefined;

    const unbounded: Unbounded[] = [];
    /** The outermost loop around the spawn in its function: where a semaphore must live to bound every iteration. */
    let outermost: Node | undefined;
    let pendingBreak = false;
    let node = spawn.node;
    walk: for (let p = node.parent; p; node = p, p = p.parent) {
      switch (p.type) {
        case "statement_list": {
          const effect = this.siblingEffect(node, p, spawn);
          if (effect === "stop") break walk;
          if (effect === "break") pendingBreak = true;
          break;
        }
        case "communication_case": {
          const header = field(p, "communication");
          if (header && header.id !== node.id && this.isGuard(header, spawn)) break walk;
          break;
        }
        case "if_statement": {
          const cond = field(p, "condition");
          if (cond && cond.id !== node.id && countsRunning(cond)) break walk;
          break;
        }
        case "expression_switch_statement":
        case "type_switch_statement":
        case "select_statement":
          pendingBreak = false; // a plain break there leaves the switch, not the loop
          break;
        case "for_statement": {
          if (field(p, "body")?.id !== node.id) break;
          outermost = p;
          if (pendingBreak) {
            pendingBreak = false; // the loop body breaks right after the spawn: it runs once
            break;
          }
          const verdict = this.classifyLoop(p, spawn);
          if (!verdict.bounded) unbounded.push({ loop: p, what: verdict.what });
          break;
        }
        case "func_literal": {
          const call = p.parent;
          const inPlace = call?.type === "call_expression" && field(call, "function")?.id === p.id && call.parent?.type !== "go_statement" && call.parent?.type !== "defer_statement";
          if (inPlace) break;
          const visitor = this.visitorLoop(p);
          if (visitor) unbounded.push(visitor);
          break walk;
        }
        case "function_declaration":
        case "method_declaration":
          break walk;
      }
    }
    if (unbounded.length === 0) return undefined;
    return this.report(spawn, unbounded, outermost);
  }

  // ---- loops --------------------------------------------------------------------

  private classifyLoop(loop: Node, spawn: Spawn): Verdict {
    const body = field(loop, "body");
    const header = namedChildren(loop).find((c) => c.id !== body?.id);
    if (body && this.acceptsConnections(body)) return BOUNDED;
    if (!header) return this.pacedBy(body, spawn) ? BOUNDED : { bounded: false, what: "on every iteration of an endless loop" };
    if (header.type === "range_clause") return this.classifyRange(header, spawn);
    const cond = header.type === "for_clause" ? field(header, "condition") : header;
    if (!cond) return this.pacedBy(body, spawn) ? BOUNDED : { bounded: false, what: "on every iteration of an endless loop" };
    const verdict = this.conditionBound(cond, header.type === "for_clause" ? header : undefined, body);
    if (verdict.bounded || !this.pacedBy(body, spawn) || sizedByData(verdict)) return verdict;
    return BOUNDED;
  }

  /** `for i := 0; i < workers; i++`, `for n < max`, `for i := len(xs) - 1; i >= 0; i--`. */
  private conditionBound(cond: Node, clause: Node | undefined, body: Node | null): Verdict {
    const c = unparen(cond);
    const loopHeader = `on every iteration of the loop \`for ${short((clause ?? cond).text)}\``;
    if (c.type === "binary_expression") {
      const op = field(c, "operator")?.text ?? "";
      const left = field(c, "left");
      const right = field(c, "right");
      if (!left || !right) return { bounded: false, what: loopHeader };
      if (op === "&&") {
        const l = this.conditionBound(left, clause, body);
        if (l.bounded) return l;
        const r = this.conditionBound(right, clause, body);
        return r.bounded ? r : sizedByData(l) ? l : sizedByData(r) ? r : { bounded: false, what: loopHeader };
      }
      if (op === "||") {
        const l = this.conditionBound(left, clause, body);
        return l.bounded ? this.conditionBound(right, clause, body) : l;
      }
      if (COMPARISONS.has(op)) {
        const counters = this.countersOf(clause, body);
        const isCounter = (n: Node) => {
          const u = unparen(n);
          return (u.type === "identifier" || u.type === "selector_expression") && (counters.size === 0 || counters.has(u.text));
        };
        const counter = isCounter(left) ? left : isCounter(right) ? right : undefined;
        if (counter) {
          if (clause && this.stepsByShare(clause, counter.text)) return BOUNDED;
          const limit = counter.id === left.id ? right : left;
          const decrementing = clause ? /--|-=/.test(field(clause, "update")?.text ?? "") : false;
          const init = decrementing && clause ? this.initialValue(clause, counter.text) : undefined;
          const verdict = this.countBound(init ?? limit, 0);
          return verdict.bounded || sizedByData(verdict) ? verdict : { bounded: false, what: loopHeader };
        }
      }
    }
    return { bounded: false, what: loopHeader };
  }

  /** Variables the loop steps: the for clause's update, or `i++` / `i += k` / `i--` in the body. */
  private countersOf(clause: Node | undefined, body: Node | null): Set<string> {
    const out = new Set<string>();
    const update = clause && field(clause, "update");
    const steps = update ? [update] : body ? descendants(body, new Set(["inc_statement", "dec_statement", "assignment_statement"])) : [];
    for (const s of steps) {
      if (s.type === "assignment_statement" && !/^[+-]=$/.test(field(s, "operator")?.text ?? "")) continue;
      const target = s.type === "assignment_statement" ? namedChildren(field(s, "left"))[0] : namedChildren(s)[0];
      if (target) out.add(unparen(target).text);
    }
    return out;
  }

  /** `i += chunk` with `chunk := (len(xs) + n - 1) / n`: the loop runs n times, whatever the input. */
  private stepsByShare(clause: Node, counter: string): boolean {
    const update = field(clause, "update");
    if (update?.type !== "assignment_statement" || field(update, "operator")?.text !== "+=") return false;
    if (namedChildren(field(update, "left"))[0]?.text !== counter) return false;
    const step = namedChildren(field(update, "right"))[0];
    const value = step && unparen(step).type === "identifier" ? this.definitionOf(unparen(step)) : step;
    return !!value && unparen(value).type === "binary_expression" && field(unparen(value), "operator")?.text === "/";
  }

  private initialValue(clause: Node, name: string): Node | undefined {
    const init = field(clause, "initializer");
    if (!init || (init.type !== "short_var_declaration" && init.type !== "assignment_statement")) return undefined;
    const left = namedChildren(field(init, "left"));
    const right = namedChildren(field(init, "right"));
    const i = left.findIndex((n) => n.text === name);
    return i >= 0 ? right[i] : undefined;
  }

  /** How many times a count expression lets the loop run: bounded unless it is the size of some data. */
  private countBound(expr: Node, depth: number): Verdict {
    const e = unparen(expr);
    if (depth > 4) return BOUNDED;
    switch (e.type) {
      case "identifier": {
        if (this.isConst(e.text)) return BOUNDED;
        const def = this.definitionOf(e);
        return def ? this.countBound(def, depth + 1) : BOUNDED;
      }
      case "call_expression": {
        const parts = calleeParts(e);
        const args = callArguments(e);
        if (!parts) return BOUNDED;
        if (parts.name === "len" && !parts.operand && args[0]) return this.sizeOf(args[0], depth);
        if (!parts.operand && parts.name === "min") {
          return args.some((a) => this.countBound(a, depth + 1).bounded) ? BOUNDED : this.countBound(args[0], depth + 1);
        }
        if (!parts.operand && args.length === 1 && /^(u?int(8|16|32|64)?|uintptr)$/.test(parts.name)) return this.countBound(args[0], depth + 1);
        if (parts.operand && /^(Len|len|Count|count|Size|size)$/.test(parts.name) && args.length === 0) {
          return this.fixedName(parts.operand.text) ? BOUNDED : { bounded: false, what: `for every element of ${short(parts.operand.text)}` };
        }
        return BOUNDED;
      }
      case "binary_expression": {
        const op = field(e, "operator")?.text ?? "";
        const sides = [field(e, "left"), field(e, "right")].filter((n): n is Node => !!n);
        if (op === "/" || op === "%" || op === ">>") return this.countBound(sides[0], depth + 1);
        for (const s of sides) {
          const v = this.countBound(s, depth + 1);
          if (!v.bounded) return v;
        }
        return BOUNDED;
      }
      case "unary_expression": {
        const operand = field(e, "operand");
        return operand ? this.countBound(operand, depth + 1) : BOUNDED;
      }
      default:
        return BOUNDED;
    }
  }

  /** `len(x)`: bounded when x is an array, a literal or a fixed set of components. */
  private sizeOf(x: Node, depth: number): Verdict {
    const verdict = this.collectionBound(x, depth + 1);
    return verdict.bounded ? BOUNDED : { bounded: false, what: `for every element of ${short(unparen(x).text)}` };
  }

  /** A range over data, unless each goroutine starts one of a set of components (`for _, s := range services { go s.Run() }`). */
  private classifyRange(clause: Node, spawn: Spawn): Verdict {
    const right = field(clause, "right");
    if (!right) return BOUNDED;
    const verdict = this.collectionBound(right, 0);
    if (verdict.bounded) return verdict;
    const value = namedChildren(field(clause, "left"))[1] ?? namedChildren(field(clause, "left"))[0];
    if (!value || value.text === "_" || verdict.what.includes("received") || spawn.kind !== "go") return verdict;
    const call = namedChildren(spawn.node).find((c) => c.type === "call_expression");
    const parts = call && calleeParts(call);
    // `for _, f := range hooks { go f() }`: functions are code, a fixed set.
    if (call && !parts?.operand && parts?.name === value.text) return BOUNDED;
    // `go s.Run()`, `go srv.Serve(l)`, `go func() { _ = s.ListenAndServe() }()`: starting components, one each.
    const v = escapeRegExp(value.text);
    const starts = [...START_METHODS].join("|");
    if (new RegExp(`\\b${v}\\.(${starts})\\(|\\b(${starts})\\([^)]*\\b${v}\\b`).test(spawn.node.text)) return BOUNDED;
    return verdict;
  }

  /** What ranging over `x` (or taking its length) runs through: a literal, an array, a count, or data. */
  private collectionBound(expr: Node, depth: number): Verdict {
    const x = unparen(expr);
    const elements: Verdict = { bounded: false, what: `for every element of ${short(x.text)}` };
    if (depth > 4) return elements;
    switch (x.type) {
      case "int_literal":
      case "composite_literal":
      case "interpreted_string_literal":
      case "raw_string_literal":
        return BOUNDED;
      case "call_expression": {
        const parts = calleeParts(x);
        const args = callArguments(x);
        if (!parts) return elements;
        if (!parts.operand && parts.name === "len" && args[0]) return this.sizeOf(args[0], depth);
        if (!parts.operand && parts.name === "make" && args[0]?.type === "channel_type") return { bounded: false, what: `for every value received from ${short(x.text)}` };
        if (!parts.operand && parts.name === "make" && args[1]) return this.countBound(args[1], depth + 1).bounded ? BOUNDED : elements;
        const pkg = parts.operand?.type === "identifier" ? this.file.importPath(parts.operand.text) : undefined;
        if (pkg === "runtime" && (parts.name === "NumCPU" || parts.name === "GOMAXPROCS")) return BOUNDED;
        if (pkg === "time" && parts.name === "Tick") return BOUNDED;
        return elements;
      }
      case "identifier": {
        if (this.isConst(x.text)) return BOUNDED;
        const def = this.definitionOf(x);
        if (def) {
          if (unparen(def).type === "composite_literal") return this.appendedTo(x) ? elements : BOUNDED;
          const verdict = this.collectionBound(def, depth + 1);
          return verdict.bounded ? verdict : { bounded: false, what: verdict.what.includes("received") ? `for every value received from ${x.text}` : elements.what };
        }
        if (this.literalPackageVar(x.text)) return BOUNDED;
        const type = this.ctx.typeTextOf(x);
        if (type) return this.typeBound(type, x.text, elements);
        if (this.fixedName(x.text) || WORKER_COUNT.test(x.text)) return BOUNDED;
        return elements;
      }
      case "selector_expression": {
        const name = field(x, "field")?.text ?? "";
        const operand = field(x, "operand");
        if (name === "C" && operand && /tick|timer|^t$/i.test(operand.text)) return BOUNDED;
        if (operand && this.isConfig(operand)) return BOUNDED;
        const type = this.ctx.typeTextOf(x);
        if (type) return this.typeBound(type, x.text, elements);
        return this.fixedName(name) ? BOUNDED : elements;
      }
      case "unary_expression": {
        const operand = field(x, "operand");
        return operand && field(x, "operator")?.text === "*" ? this.collectionBound(operand, depth + 1) : elements;
      }
      case "slice_expression": {
        // `items[start:end]` with `end := min(start+batchSize, len(items))`: one batch of a fixed size.
        const end = field(x, "end");
        const endText = end ? (end.type === "identifier" ? (this.definitionOf(end)?.text ?? end.text) : end.text) : "";
        return BATCH_WORDS.test(endText) ? BOUNDED : elements;
      }
      default:
        return elements;
    }
  }

  /** `cfg.Topics`, `s.opts.Peers`: a list from the configuration is a fixed set. */
  private isConfig(operand: Node): boolean {
    const root = operand.type === "selector_expression" ? field(operand, "field") : operand;
    if (!root) return false;
    if (CONFIG_NAME.test(root.text)) return true;
    const type = this.ctx.typeTextOf(operand)?.replace(/^\*/, "");
    return !!type && CONFIG_TYPE.test(type);
  }

  private typeBound(type: string, name: string, elements: Verdict): Verdict {
    const t = type.replace(/^\*/, "");
    if (/^\[[^\]]+\]/.test(t) && !t.startsWith("[]")) return BOUNDED; // an array: its length is a constant
    if (INT_TYPES.test(t)) return BOUNDED; // range over a count that is not the length of data
    if (/^\[\](func\b|\*?\w*(Func|Hook|Callback)\b)/.test(t)) return BOUNDED; // callbacks the code registered
    if (/^(<-\s*)?chan\b/.test(t)) return { bounded: false, what: `for every value received from ${short(name)}` };
    if (/^time\.Ticker$/.test(t)) return BOUNDED;
    return this.fixedName(name) ? BOUNDED : elements;
  }

  /** `services`, `s.grpcServers`: the last word of the name is one of the fixed collections. */
  private fixedName(name: string): boolean {
    const last = name.split(".").pop() ?? name;
    const words = last.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[\s_]+/);
    const word = words[words.length - 1].toLowerCase();
    return this.fixedCollections.has(word) || this.fixedCollections.has(word + "s");
  }

  /** `for { conn, err := ln.Accept(); ...; go handle(conn) }`: the idiomatic server loop. */
  private acceptsConnections(body: Node): boolean {
    if (!body.text.includes("Accept")) return false;
    return descendants(body, new Set(["call_expression"])).some((c) => /^Accept/.test(calleeParts(c)?.name ?? ""));
  }

  /**
   * An endless loop that sleeps or waits for a tick between spawns starts at
   * most one goroutine per period: rate-bounded, not unbounded. A spawn per
   * message of a select in the same loop is not paced.
   */
  private pacedBy(body: Node | null, spawn: Spawn): boolean {
    if (!body) return false;
    const list = namedChildren(body).find((c) => c.type === "statement_list");
    for (const s of namedChildren(list ?? null)) {
      if (s.type === "expression_statement" && /^(time\.Sleep\(|<-\s*([\w.]*(tick|Tick|timer|Timer)[\w.]*|time\.After\(|[\w]+\.C\b))/.test(s.text)) return true;
    }
    for (let n: Node | null = spawn.node.parent; n && n.id !== body.id; n = n.parent) {
      if (n.type === "communication_case") {
        const header = field(n, "communication")?.text ?? "";
        if (/<-\s*([\w.]*(tick|Tick|timer|Timer)[\w.]*|time\.After\(|time\.Tick\(|\w+\.C\b)/.test(header)) return true;
      }
    }
    return false;
  }

  /** `m.Range(func(k, v any) bool { go ... })`, `filepath.WalkDir(root, func(...) { go ... })`: a loop in disguise. */
  private visitorLoop(literal: Node): Unbounded | undefined {
    const args = literal.parent;
    const call = args?.type === "argument_list" ? args.parent : undefined;
    const parts = call?.type === "call_expression" ? calleeParts(call) : undefined;
    if (!call || !parts || !["Range", "Walk", "WalkDir", "ForEach", "Each"].includes(parts.name)) return undefined;
    const what = parts.name === "Range" && parts.operand ? `for every entry of ${short(parts.operand.text)}` : `for every entry visited by ${short(field(call, "function")!.text)}`;
    return { loop: call, what };
  }

  private inVisitor(node: Node): boolean {
    for (let n = node.parent; n; n = n.parent) {
      if (n.type === "func_literal") return !!this.visitorLoop(n);
      if (n.type === "function_declaration" || n.type === "method_declaration") return false;
    }
    return false;
  }

  // ---- bounds around the spawn --------------------------------------------------

  /**
   * What the statements around `node` in its list say: a guard before the spawn
   * or a wait for it after (in the same iteration) bounds every loop above; a
   * `break` right after means the loop body runs the spawn once.
   */
  private siblingEffect(node: Node, list: Node, spawn: Spawn): "stop" | "break" | undefined {
    const siblings = namedChildren(list);
    const at = siblings.findIndex((s) => s.id === node.id);
    for (let i = 0; i < at; i++) if (this.isGuard(siblings[i], spawn)) return "stop";
    let result: "break" | undefined;
    for (let i = at + 1; i < siblings.length; i++) {
      const s = siblings[i];
      if (s.type === "return_statement") {
        if (this.inVisitor(list)) break; // returning from a Range callback goes on to the next entry
        return "stop";
      }
      if (s.type === "break_statement" && namedChildren(s).length === 0) result ??= "break";
      if (s.type === "continue_statement") break;
      if (this.waitsFor(s, spawn)) return "stop";
    }
    return result;
  }

  /**
   * A statement before the spawn that limits it: a semaphore send or receive,
   * `sem.Acquire`, a limiter's `Wait`, or a running-count check that waits,
   * skips or stops when too many run.
   */
  private isGuard(stmt: Node, spawn: Spawn): boolean {
    const spawnText = spawn.node.text;
    const types = new Set(["send_statement", "unary_expression", "call_expression"]);
    const nodes = [stmt, ...descendants(stmt, types)];
    for (const n of nodes) {
      if (n.type === "send_statement") {
        const ch = field(n, "channel");
        if (ch && (SEMAPHORE_NAME.test(lastWord(ch.text)) || receives(spawnText, ch.text) || this.receivedAfter(ch.text, stmt))) return true;
      } else if (n.type === "unary_expression" && field(n, "operator")?.text === "<-") {
        const ch = field(n, "operand");
        // Tokens taken from a pre-filled channel and given back by the goroutine.
        if (ch && new RegExp(`(^|[^\\w.])${escapeRegExp(ch.text)}\\s*<-`).test(spawnText)) return true;
      } else if (n.type === "call_expression" && this.isAcquire(n)) {
        return true;
      }
    }
    if (stmt.type === "if_statement" || stmt.type === "for_statement") {
      const cond = stmt.type === "if_statement" ? field(stmt, "condition") : forCondition(stmt);
      if (cond && (countsRunning(cond) || comparesLimit(cond))) {
        if (stmt.type === "for_statement") return true;
        const then = field(stmt, "consequence");
        if (then && /\b(continue|break|return|goto)\b|Sleep\(|Wait\(|<-/.test(then.text)) return true;
      }
    }
    return false;
  }

  /** `sem.Acquire(ctx, 1)`, `sem.TryAcquire(1)`, `limiter.Wait(ctx)`, `s.acquireSlot()`. */
  private isAcquire(call: Node): boolean {
    const parts = calleeParts(call);
    if (!parts) return false;
    if (/acquire|throttle|semaphore/i.test(parts.name)) return true;
    return !!parts.operand && /^(Wait|Take|Allow|Reserve)$/.test(parts.name) && /^lim$|limit|sem|throttl|rate|bucket|token/i.test(lastWord(parts.operand.text));
  }

  /** Guards at the top of the goroutine itself: it acquires a slot before working. */
  private guardsInside(literal: Node): boolean {
    const body = field(literal, "body");
    if (!body) return false;
    for (const n of descendants(body, new Set(["send_statement", "call_expression"]))) {
      if (n.type === "send_statement") {
        const ch = field(n, "channel");
        if (ch && SEMAPHORE_NAME.test(lastWord(ch.text))) return true;
      } else if (this.isAcquire(n)) {
        return true;
      }
    }
    return false;
  }

  /** `<-sem` after the loop: the channel is a semaphore released (or drained) elsewhere in the function. */
  private receivedAfter(channel: string, stmt: Node): boolean {
    const fn = this.enclosingBody(stmt);
    return !!fn && receives(fn.text, channel);
  }

  /** The spawn is waited for within the iteration: `wg.Wait()`, `<-done`, ranging over its results. */
  private waitsFor(stmt: Node, spawn: Spawn): boolean {
    const spawnText = spawn.node.text;
    const mentions = (name: string) => new RegExp(`(^|[^\\w.])${escapeRegExp(name)}\\b`).test(spawnText);
    for (const n of [stmt, ...descendants(stmt, new Set(["call_expression", "unary_expression", "range_clause"]))]) {
      if (n.type === "call_expression") {
        const parts = calleeParts(n);
        if (parts?.name === "Wait" && parts.operand && (mentions(parts.operand.text) || parts.operand.text === spawn.receiver?.text)) return true;
      } else if (n.type === "unary_expression" && field(n, "operator")?.text === "<-") {
        const ch = field(n, "operand");
        // `<-done`, `<-f.signal` with `f` given to the goroutine.
        if (ch && (ch.type === "identifier" || ch.type === "selector_expression") && (mentions(ch.text) || mentions(ch.text.split(".")[0]))) return true;
      } else if (n.type === "range_clause") {
        const r = field(n, "right");
        if (r && mentions(r.text)) return true;
      }
    }
    return false;
  }

  // ---- errgroup and WaitGroup ---------------------------------------------------

  /** Which `Go` this is: errgroup's (bounded only by SetLimit), sync.WaitGroup's (never bounded), or unknown. */
  private groupKind(spawn: Spawn): SpawnKind | undefined {
    const recv = spawn.receiver;
    if (!recv || recv.type !== "identifier") return undefined;
    const described = this.declarationText(recv);
    if (!described) return undefined;
    const local = (path: string) => this.file.imports.filter((i) => i.path === path).map((i) => i.name);
    for (const name of local("golang.org/x/sync/errgroup")) {
      if (new RegExp(`\\b${escapeRegExp(name)}\\.(WithContext\\(|Group\\b)`).test(described)) return "errgroup";
    }
    for (const name of local("sync")) if (new RegExp(`\\b${escapeRegExp(name)}\\.WaitGroup\\b`).test(described)) return "waitgroup";
    for (const name of local("github.com/sourcegraph/conc")) {
      if (new RegExp(`\\b${escapeRegExp(name)}\\.(WaitGroup\\b|NewWaitGroup\\()`).test(described)) return "waitgroup";
    }
    // conc's pool runs every task at once unless WithMaxGoroutines is in its construction chain.
    for (const name of local("github.com/sourcegraph/conc/pool")) {
      if (new RegExp(`\\b${escapeRegExp(name)}\\.New\\w*\\(`).test(described) && !described.includes("WithMaxGoroutines")) return "pool";
    }
    return undefined;
  }

  /** The text that declares a local: its `var` spec or the right side of its `:=` (parameters and fields are the caller's). */
  private declarationText(id: Node): string | undefined {
    const body = this.outermostBody(id);
    if (!body) return undefined;
    let found: string | undefined;
    for (const d of descendants(body, new Set(["short_var_declaration", "var_spec"]), true)) {
      if (d.startIndex > id.startIndex) break;
      if (d.type === "var_spec") {
        if (d.childrenForFieldName("name").some((n) => n?.text === id.text)) found = d.text;
        continue;
      }
      const left = namedChildren(field(d, "left"));
      if (left.some((n) => n.text === id.text)) found = field(d, "right")?.text;
    }
    return found;
  }

  private hasSetLimit(receiver: Node): boolean {
    const body = this.outermostBody(receiver);
    return !!body && new RegExp(`(^|[^\\w.])${escapeRegExp(receiver.text)}\\.SetLimit\\(`).test(body.text);
  }

  // ---- definitions ----------------------------------------------------------------

  /** The value last given to a local before `id` (`n := len(items)`, `var xs = []string{...}`). */
  private definitionOf(id: Node): Node | undefined {
    for (let body = this.enclosingBody(id); body; body = body.parent ? this.enclosingBody(body.parent) : undefined) {
      let value: Node | undefined;
      let declared = false;
      for (const d of descendants(body, new Set(["short_var_declaration", "assignment_statement", "var_spec", "range_clause"]))) {
        if (d.startIndex > id.startIndex) break;
        if (d.type === "var_spec") {
          const names = d.childrenForFieldName("name").filter((n): n is Node => !!n);
          const i = names.findIndex((n) => n.text === id.text);
          if (i >= 0) {
            declared = true;
            value = namedChildren(field(d, "value"))[i];
          }
          continue;
        }
        if (d.type === "range_clause") {
          if (namedChildren(field(d, "left")).some((n) => n.text === id.text) && d.endIndex < id.startIndex) {
            declared = true;
            value = undefined;
          }
          continue;
        }
        if (d.type === "assignment_statement" && field(d, "operator")?.text !== "=") continue;
        const left = namedChildren(field(d, "left"));
        const right = namedChildren(field(d, "right"));
        const i = left.findIndex((n) => n.text === id.text);
        if (i < 0) continue;
        declared ||= d.type === "short_var_declaration";
        value = right.length === left.length ? right[i] : undefined;
      }
      if (declared || value) return value;
      const fn = body.parent;
      if (fn && namedChildren(field(fn, "parameters")).some((p) => p.childrenForFieldName("name").some((n) => n?.text === id.text))) return undefined;
    }
    return undefined;
  }

  /** `xs = append(xs, ...)` or `m[k] = v` after `xs := []T{...}`: the literal only starts the collection. */
  private appendedTo(id: Node): boolean {
    const body = this.enclosingBody(id);
    const name = escapeRegExp(id.text);
    return !!body && new RegExp(`(^|[^\\w.])${name}\\s*=\\s*append\\(|(^|[^\\w.])${name}\\[[^\\]]*\\]\\s*=[^=]`).test(body.text);
  }

  /** The body of the declared function around `node`, through the literals it contains. */
  private outermostBody(node: Node): Node | undefined {
    let body: Node | undefined;
    for (let b = this.enclosingBody(node); b; b = b.parent ? this.enclosingBody(b.parent) : undefined) body = b;
    return body;
  }

  private enclosingBody(node: Node): Node | undefined {
    for (let n = node.parent; n; n = n.parent) {
      if (n.type === "func_literal" || n.type === "function_declaration" || n.type === "method_declaration") return field(n, "body") ?? undefined;
    }
    return undefined;
  }

  private isConst(name: string): boolean {
    if (!this.consts) {
      this.consts = new Set();
      for (const { node } of goQuery("(const_spec name: (identifier) @name)").captures(this.file.tree.rootNode)) this.consts.add(node.text);
    }
    return this.consts.has(name);
  }

  /** A package-level `var services = []Service{...}` (or an array): a fixed set, unless the package appends to it. */
  private literalPackageVar(name: string): boolean {
    if (!this.literalVars) {
      this.literalVars = new Set();
      for (const decl of namedChildren(this.file.tree.rootNode)) {
        if (decl.type !== "var_declaration") continue;
        for (const spec of decl.descendantsOfType("var_spec")) {
          if (!spec) continue;
          const values = namedChildren(field(spec, "value"));
          const type = field(spec, "type")?.text ?? "";
          spec.childrenForFieldName("name").forEach((n, i) => {
            if (!n) return;
            const literal = values[i] && unparen(values[i]).type === "composite_literal";
            const array = /^\[[^\]]+\]/.test(type) && !type.startsWith("[]");
            if ((literal || array) && !new RegExp(`(^|[^\\w.])${escapeRegExp(n.text)}\\s*=\\s*append\\(`).test(this.file.text)) this.literalVars!.add(n.text);
          });
        }
      }
    }
    return this.literalVars.has(name);
  }

  // ---- the report -----------------------------------------------------------------

  private report(spawn: Spawn, unbounded: Unbounded[], outermost: Node | undefined): Report {
    const inner = unbounded[0];
    const who = declarationName(spawn.node);
    const g = spawn.receiver?.text ?? "";
    const message =
      spawn.kind === "errgroup"
        ? `${who} starts a goroutine through ${g}.Go ${inner.what}, and ${g} has no SetLimit: under load the number of goroutines grows without limit; call ${g}.SetLimit(n) before the loop`
        : spawn.kind === "pool"
          ? `${who} starts a goroutine through ${g}.Go ${inner.what}, and the pool ${g} has no WithMaxGoroutines: under load the number of goroutines grows without limit; build it with pool.New().WithMaxGoroutines(n)`
          : spawn.kind === "waitgroup"
          ? `${who} starts a goroutine through ${g}.Go ${inner.what} with no bound: a WaitGroup waits for its goroutines but does not limit how many run; limit concurrency with a semaphore, errgroup.SetLimit or a worker pool`
          : `${who} starts a goroutine ${inner.what} with no bound: under load the number of goroutines grows without limit; limit concurrency with a semaphore, errgroup.SetLimit or a worker pool`;
    const related: RelatedLocation[] = unbounded.map((u) => ({
      file: this.file.path,
      range: rangeOf(u.loop),
      message: u.loop.type === "for_statement" ? `the loop that starts a goroutine ${u.what}` : `the callback runs ${u.what}`,
    }));
    const fix = spawn.kind === "errgroup" ? this.setLimitFix(spawn) : spawn.kind === "go" ? this.semaphoreFix(spawn, outermost) : undefined;
    return { range: rangeOf(spawn.kind === "go" ? spawn.node : field(spawn.node, "function") ?? spawn.node), message, related, fixes: fix ? [fix] : [] };
  }

  // ---- suggestions ----------------------------------------------------------------

  /** `g.SetLimit(8)` right after the group is declared. */
  private setLimitFix(spawn: Spawn): Fix | undefined {
    const recv = spawn.receiver!;
    const body = this.outermostBody(recv);
    if (!body) return undefined;
    const decl = descendants(body, new Set(["short_var_declaration", "var_declaration"]), true)
      .filter((d) => d.startIndex < recv.startIndex && new RegExp(`(^|[^\\w.])${escapeRegExp(recv.text)}\\b`).test(d.type === "var_declaration" ? d.text : field(d, "left")?.text ?? ""))
      .pop();
    if (!decl || decl.parent?.type !== "statement_list" || !this.startsLine(decl)) return undefined;
    const indent = lineIndent(this.file.text, decl.startIndex);
    return {
      title: `Limit ${recv.text} to 8 goroutines with ${recv.text}.SetLimit`,
      kind: "suggestion",
      edits: [{ start: decl.endIndex, end: decl.endIndex, newText: `\n${indent}${recv.text}.SetLimit(8) // at most 8 goroutines at a time; tune for the workload` }],
    };
  }

  /**
   * A buffered channel as a semaphore, declared before the outermost loop
   * (declared inside it, each poll would get fresh slots): acquire before
   * the `go`, release when the goroutine returns. Only for `go func() {...}()`:
   * wrapping `go f(x)` in a literal would move the evaluation of its arguments
   * into the goroutine.
   */
  private semaphoreFix(spawn: Spawn, outer: Node | undefined): Fix | undefined {
    const literalBody = spawn.literal && field(spawn.literal, "body");
    if (!literalBody || !outer) return undefined;
    const anchor = outer.parent?.type === "labeled_statement" ? outer.parent : outer;
    if (anchor.parent?.type !== "statement_list" || !this.startsLine(anchor) || !this.startsLine(spawn.node)) return undefined;
    const scope = this.enclosingBody(outer)?.text ?? "";
    const sem = ["sem", "slots", "limiter"].find((n) => !new RegExp(`\\b${n}\\b`).test(scope));
    if (!sem) return undefined;
    const text = this.file.text;
    const goIndent = lineIndent(text, spawn.node.startIndex);
    const multiline = literalBody.startPosition.row !== literalBody.endPosition.row;
    // After the opening line, so a comment that ends it stays there.
    const lineEnd = text.indexOf("\n", literalBody.startIndex);
    const rest = lineEnd > 0 ? text.slice(literalBody.startIndex + 1, lineEnd).trim() : "x";
    const open = multiline && (rest === "" || rest.startsWith("//")) ? lineEnd : literalBody.startIndex + 1;
    return {
      title: `Limit the goroutines with a semaphore channel ${sem}`,
      kind: "suggestion",
      edits: [
        { start: anchor.startIndex, end: anchor.startIndex, newText: `${sem} := make(chan struct{}, 8) // at most 8 goroutines at a time; tune for the workload\n${lineIndent(text, anchor.startIndex)}` },
        { start: spawn.node.startIndex, end: spawn.node.startIndex, newText: `${sem} <- struct{}{}\n${goIndent}` },
        { start: open, end: open, newText: multiline ? `\n${goIndent}\tdefer func() { <-${sem} }()` : ` defer func() { <-${sem} }();` },
      ],
    };
  }

  private startsLine(node: Node): boolean {
    const text = this.file.text;
    const lineStart = text.lastIndexOf("\n", node.startIndex - 1) + 1;
    return text.slice(lineStart, node.startIndex).trim() === "";
  }
}

// ---- small helpers ------------------------------------------------------------------

/** A loop that runs once per element of some data, as opposed to one whose condition is opaque. */
function sizedByData(verdict: Verdict): boolean {
  return !verdict.bounded && verdict.what.startsWith("for every");
}

/** Whether a loop (or a Range/Walk callback) surrounds the spawn within its function: most spawns are not in one. */
function inLoop(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === "for_statement") return true;
    if (n.type === "function_declaration" || n.type === "method_declaration") return false;
    if (n.type === "func_literal" && n.parent?.type === "argument_list") return true;
  }
  return false;
}

/** `atomic.LoadInt32(&running) > max`, `len(sem) == cap(sem)`, `active < limit && ok`. */
function countsRunning(cond: Node): boolean {
  if (RUNNING_COUNT.test(cond.text)) return true;
  const c = unparen(cond);
  if (c.type !== "binary_expression") return false;
  if (isComparison(c)) return RUNNING_WORDS.test(c.text);
  const op = field(c, "operator")?.text;
  return (op === "&&" || op === "||") && [field(c, "left"), field(c, "right")].some((s) => !!s && countsRunning(s));
}

/** `n >= maxWorkers`, or `budget <= 0 || idle()`: whenever the limit is reached, the condition holds. */
function comparesLimit(cond: Node): boolean {
  const c = unparen(cond);
  if (isComparison(c)) return LIMIT_WORDS.test(c.text);
  return c.type === "binary_expression" && field(c, "operator")?.text === "||" && [field(c, "left"), field(c, "right")].some((s) => !!s && comparesLimit(s));
}

function isComparison(node: Node): boolean {
  const n = unparen(node);
  return n.type === "binary_expression" && ["<", "<=", ">", ">=", "==", "!="].includes(field(n, "operator")?.text ?? "");
}

function forCondition(loop: Node): Node | undefined {
  const body = field(loop, "body");
  const header = namedChildren(loop).find((c) => c.id !== body?.id);
  if (!header || header.type === "range_clause") return undefined;
  return (header.type === "for_clause" ? field(header, "condition") : header) ?? undefined;
}

/** `<-sem` (a receive, not a send `sem <- x`) somewhere in `text`. */
function receives(text: string, channel: string): boolean {
  return new RegExp(`<-\\s*${escapeRegExp(channel)}\\b`).test(text);
}

function lastWord(name: string): string {
  return name.split(".").pop() ?? name;
}


function short(text: string): string {
  const one = text.replace(/\s+/g, " ");
  return one.length > 40 ? one.slice(0, 37) + "..." : one;
}

/** "poll", "(*Poller).run": the declared function the spawn is in (through literals). */
function declarationName(node: Node): string {
  let decl: Node | null = node.parent;
  while (decl && decl.type !== "function_declaration" && decl.type !== "method_declaration") decl = decl.parent;
  if (!decl) return "a package-level initializer";
  const name = field(decl, "name")?.text ?? "the function";
  if (decl.type !== "method_declaration") return name;
  const recv = namedChildren(field(decl, "receiver"))[0];
  const type = recv && field(recv, "type")?.text;
  return type ? `(${type}).${name}` : name;
}
