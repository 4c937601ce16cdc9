// Streams the tail of a deploy log to subscribers.
import fs from "node:fs";

const chunk = Buffer.alloc(64 * 1024);

// The incident: each pushed view aliases the one shared buffer, so the next read overwrites them all.
export function readLogChunks(path) {
  const chunks = [];
  const fd = fs.openSync(path, "r");
  try {
    let n;
    while ((n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0) {
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return chunks;
}
