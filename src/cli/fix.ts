/**
 * `--fix`: apply every `fix`-kind fix to a file and write it back atomically.
 * The only place leaklint writes to the workspace, so it refuses rather than
 * guesses: a file that changed since it was read, or whose bytes would not
 * survive the UTF-8 round trip, is left alone and named in a notice.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Engine } from "../core/engine";
import { applyFixes, fixesOfKind } from "../core/fixes";
import { FileResult } from "../core/types";
import { errorCode } from "./errors";

/**
 * Fixes whose edits overlap are applied over several passes, as ESLint does; the bound
 * stops a fix whose result keeps asking for the same fix.
 */
const MAX_PASSES = 10;

export interface FixOutcome {
  /** The analysis of the text now on disk. */
  result: FileResult;
  applied: number;
}

export function fixFile(engine: Engine, original: FileResult): FixOutcome {
  const originalText = original.text ?? "";
  let result = original;
  let applied = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const fixes = fixesOfKind(result.findings, "fix");
    if (fixes.length === 0) break;
    const next = applyFixes(result.text ?? "", fixes);
    if (next.applied === 0 || next.text === result.text) break;
    applied += next.applied;
    result = engine.analyzeText(original.file, next.text);
  }
  if (applied === 0) return { result: original, applied: 0 };
  const refusal = writeIfUnchanged(original.file, originalText, result.text ?? "");
  if (refusal === undefined) return { result, applied };
  return {
    result: { ...original, notices: [...original.notices, { file: original.file, message: refusal, kind: "input" }] },
    applied: 0,
  };
}

/** Writes a temp file beside the target and renames it over, so a crash never leaves half a file. */
function writeIfUnchanged(file: string, expected: string, text: string): string | undefined {
  let target: string;
  let current: Buffer;
  try {
    target = fs.realpathSync(file); // replace the file a symlink points to, not the link
    current = fs.readFileSync(target);
  } catch (e) {
    return `not fixed: cannot read file again (${errorCode(e)})`;
  }
  if (!current.equals(Buffer.from(expected, "utf8"))) {
    return current.toString("utf8") === expected
      ? "not fixed: the file is not valid UTF-8"
      : "not fixed: the file changed while it was analysed";
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomBytes(6).toString("hex")}.leaklint-tmp`);
  try {
    fs.writeFileSync(temp, text, { flag: "wx" });
    fs.chmodSync(temp, fs.statSync(target).mode);
    fs.renameSync(temp, target);
    return undefined;
  } catch (e) {
    fs.rmSync(temp, { force: true });
    return `not fixed: cannot write file (${errorCode(e)})`;
  }
}
