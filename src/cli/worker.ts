/**
 * A worker thread of `leaklint scan --jobs N`: builds its own engine (parsers
 * cannot be shared between threads) and analyses the directories it is sent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createEngine } from "../index";
import { analyzeOne } from "./analyze";
import type { WorkerData, WorkReply, WorkRequest } from "./workers";

const { engineOptions, fix } = workerData as WorkerData;
const port = parentPort!;
const engine = createEngine(engineOptions);

// A failure to build the engine rejects here, becomes an uncaught error in this
// thread, and the main thread records the request's files as internal failures.
port.on("message", async (request: WorkRequest) => {
  const ready = await engine;
  request.files.forEach((file, k) => {
    port.postMessage({ kind: "result", index: request.indices[k], result: analyzeOne(ready, file, fix) } satisfies WorkReply);
  });
  port.postMessage({ kind: "done" } satisfies WorkReply);
});
