/**
 * Runs the per-file step over all files, on this thread or on worker threads.
 * A directory's files always go to one worker together, because the Go front
 * end builds package summaries per directory and would otherwise build them
 * once per worker. Results land at their file's index, so the report is the
 * same for every --jobs value.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { Engine, EngineOptions } from "../core/engine";
import { AnalyzedFile, analyzeOne, internalFailure } from "./analyze";

/** Below this, starting workers (each loads the parsers) costs more than it saves. */
const PARALLEL_MIN_FILES = 50;

const WORKER_SCRIPT = path.join(__dirname, "worker.js");

export interface AnalyzeOptions {
  jobs: number;
  fix: boolean;
  /** Workers build their own engine from these. */
  engineOptions: EngineOptions;
  /** Called after each file with the number of files done so far. */
  onProgress?: (done: number) => void;
  /** Workers started earlier, with the same engine options and `fix`; closed when the analysis ends. */
  pool?: WorkerPool;
}

export interface WorkerData {
  engineOptions: EngineOptions;
  fix: boolean;
}

/**
 * Starts a worker thread, the first time after setting V8's compiler flags
 * for them. Flags are process-wide, and a new isolate reads them as it
 * compiles (the main thread's code is compiled already). Each worker compiles
 * the engine's hot functions with TurboFan for itself; inlining is most of
 * what those compiles cost: on the Go standard library with 2 workers they
 * took 3-4 s of CPU from the analysis (0.7 s without inlining), for no speed
 * of it that could be measured (paired scans ran 5-10% faster without).
 * Compiling on a background thread only pays when a core is idle, which it
 * is not when there are as many workers as cores.
 */
function startWorker(data: WorkerData, jobs: number): Worker {
  if (!compilerFlagsSet) {
    compilerFlagsSet = true;
    v8.setFlagsFromString("--no-turbo-inlining");
    if (jobs >= os.availableParallelism()) v8.setFlagsFromString("--no-concurrent-recompilation");
  }
  return new Worker(WORKER_SCRIPT, { workerData: data });
}

let compilerFlagsSet = false;

/** Main to worker: analyse these files. */
export interface WorkRequest {
  indices: number[];
  files: string[];
}

/** Worker to main: one result per file, then `done` for the request. */
export type WorkReply = { kind: "result"; index: number; result: AnalyzedFile } | { kind: "done" };

/**
 * Workers started before their files are known, so that their start-up (each
 * loads the engine and the parsers) overlaps what the main thread still does
 * (cache keys). An error before a worker is taken shows again as its exit.
 */
export class WorkerPool {
  private readonly idle: { worker: Worker; exited: boolean }[] = [];

  private constructor(count: number, data: WorkerData) {
    for (let i = 0; i < count; i++) {
      const entry = { worker: startWorker(data, count), exited: false };
      entry.worker.once("exit", () => (entry.exited = true));
      entry.worker.on("error", () => {});
      this.idle.push(entry);
    }
  }

  /** A pool for a scan of about `fileCount` files, or undefined when it will not use workers. */
  static startFor(fileCount: number, options: Pick<AnalyzeOptions, "jobs" | "fix" | "engineOptions">): WorkerPool | undefined {
    if (options.jobs <= 1 || fileCount <= PARALLEL_MIN_FILES) return undefined;
    return new WorkerPool(options.jobs, { engineOptions: options.engineOptions, fix: options.fix });
  }

  /** A started worker that is still alive, if one is left. */
  take(): Worker | undefined {
    for (let e = this.idle.shift(); e; e = this.idle.shift()) if (!e.exited) return e.worker;
    return undefined;
  }

  close(): void {
    for (const e of this.idle.splice(0)) void e.worker.terminate();
  }
}

export async function analyzeAll(engine: Engine, files: string[], options: AnalyzeOptions): Promise<AnalyzedFile[]> {
  try {
    return await analyzeWith(engine, files, options);
  } finally {
    options.pool?.close();
  }
}

async function analyzeWith(engine: Engine, files: string[], options: AnalyzeOptions): Promise<AnalyzedFile[]> {
  if (options.jobs <= 1 || files.length <= PARALLEL_MIN_FILES) {
    // A directory's files one after the other: the Go front end parses a package
    // once for its summaries and reuses those trees for the files' own analysis.
    const results: AnalyzedFile[] = new Array(files.length);
    let count = 0;
    for (const group of groupByDirectory(files)) {
      for (const i of group) {
        results[i] = analyzeOne(engine, files[i], options.fix);
        options.onProgress?.(++count);
      }
    }
    return results;
  }
  return analyzeInWorkers(files, options);
}

function analyzeInWorkers(files: string[], options: AnalyzeOptions): Promise<AnalyzedFile[]> {
  const groups = groupByDirectory(files);
  const workerCount = Math.min(options.jobs, groups.length);
  const queue = new WorkQueue(groups, files, workerCount);
  const results: AnalyzedFile[] = new Array(files.length);
  // A worker that dies (a crash in native or WASM code) is replaced, but not forever.
  let replacementsLeft = workerCount;
  let running = 0;
  let done = 0;

  return new Promise((resolve) => {
    const finishIfIdle = () => {
      if (running > 0) return;
      // Left over only when workers kept dying: nobody analysed these files.
      for (const group of queue.drain()) {
        for (const i of group) results[i] = internalFailure(files[i], "no worker left to analyse the file");
      }
      resolve(results);
    };

    const start = (run: number) => {
      const data: WorkerData = { engineOptions: options.engineOptions, fix: options.fix };
      const worker = options.pool?.take() ?? startWorker(data, options.jobs);
      let current: number[] | undefined;
      running++;

      const feed = () => {
        current = queue.next(run);
        if (current) worker.postMessage({ indices: current, files: current.map((i) => files[i]) } satisfies WorkRequest);
        else void worker.terminate();
      };
      const failCurrent = (error: unknown) => {
        for (const i of current ?? []) {
          if (results[i] !== undefined) continue;
          results[i] = internalFailure(files[i], error);
          options.onProgress?.(++done);
        }
        current = undefined;
      };

      worker.on("message", (reply: WorkReply) => {
        if (reply.kind === "done") return feed();
        results[reply.index] = reply.result;
        options.onProgress?.(++done);
      });
      worker.on("error", failCurrent);
      worker.on("exit", (code) => {
        failCurrent(new Error(`worker exited with code ${code}`));
        running--;
        if (queue.size > 0 && replacementsLeft-- > 0) start(run);
        else finishIfIdle();
      });
      feed();
    };

    for (let i = 0; i < workerCount; i++) start(i);
  });
}

/**
 * The directories still to analyse. Each worker owns a contiguous run of them
 * in path order, of about equal bytes: neighbouring packages import each
 * other, so the package facts and summaries a worker builds serve its next
 * directories instead of being built again in another worker. Within a run
 * the largest directories go first; a worker whose run is done takes the
 * smallest left in the fullest other run, so none is left with a big package
 * when the others are done.
 */
class WorkQueue {
  private readonly runs: { groups: SizedGroup[]; bytes: number }[] = [];

  constructor(groups: number[][], files: string[], count: number) {
    const sized = groups
      .map((indices): SizedGroup => ({ dir: path.dirname(files[indices[0]]), indices, bytes: indices.reduce((n, i) => n + sizeOf(files[i]), 0) }))
      .sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
    const total = sized.reduce((n, g) => n + g.bytes, 0);
    let run = { groups: [] as SizedGroup[], bytes: 0 };
    let before = 0;
    for (const g of sized) {
      if (run.groups.length > 0 && this.runs.length < count - 1 && before + run.bytes + g.bytes / 2 > (total * (this.runs.length + 1)) / count) {
        this.runs.push(run);
        before += run.bytes;
        run = { groups: [], bytes: 0 };
      }
      run.groups.push(g);
      run.bytes += g.bytes;
    }
    this.runs.push(run);
    for (const r of this.runs) r.groups.sort((a, b) => b.bytes - a.bytes);
  }

  /** The next directory for the worker of run `run`. */
  next(run: number): number[] | undefined {
    const own = this.runs[run];
    const from = own?.groups.length ? own : this.runs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const group = from === own ? from.groups.shift() : from.groups.pop();
    if (!group) return undefined;
    from.bytes -= group.bytes;
    return group.indices;
  }

  get size(): number {
    return this.runs.reduce((n, r) => n + r.groups.length, 0);
  }

  /** Everything left, emptied. */
  drain(): number[][] {
    return this.runs.flatMap((r) => r.groups.splice(0).map((g) => g.indices));
  }
}

interface SizedGroup {
  dir: string;
  indices: number[];
  bytes: number;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Indices of `files` grouped by directory, each group in file order. */
function groupByDirectory(files: string[]): number[][] {
  const groups = new Map<string, number[]>();
  files.forEach((file, i) => {
    const dir = path.dirname(file);
    const group = groups.get(dir);
    if (group) group.push(i);
    else groups.set(dir, [i]);
  });
  return [...groups.values()];
}
