/**
 * The progress line on stderr. It appears only on a terminal and only once a
 * scan has run for a second, so quick runs and CI logs stay clean. Drawing is
 * polled from the per-file callback rather than timed, because a scan on the
 * main thread never yields to the event loop.
 */
const SHOW_AFTER_MS = 1000;
const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 30;

export interface Progress {
  update(done: number): void;
  clear(): void;
}

export function progressLine(total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done) {
      const now = Date.now();
      if (!enabled || now - started < SHOW_AFTER_MS || now - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = now;
      drawn = true;
      const filled = Math.round((done / Math.max(total, 1)) * BAR_WIDTH);
      stream.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${done}/${total} files`);
    },
    clear() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
