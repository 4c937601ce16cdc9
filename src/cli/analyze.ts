/**
 * The per-file step of a scan, identical on the main thread and in workers:
 * analyse, optionally fix, and keep only what the report needs. The file text
 * is dropped here so a large workspace is never held in memory at once.
 */
import { Engine } from "../core/engine";
import { Finding, ToolNotice } from "../core/types";
import { fixFile } from "./fix";

export interface AnalyzedFile {
  file: string;
  findings: Finding[];
  notices: ToolNotice[];
  /** The trimmed text of each finding's first line, parallel to `findings`: SARIF fingerprints hash it. */
  lines: string[];
  /** Fixes written to disk by --fix. */
  fixesApplied: number;
}

export function analyzeOne(engine: Engine, file: string, fix: boolean): AnalyzedFile {
  try {
    let result = engine.analyzeFile(file);
    let fixesApplied = 0;
    if (fix && result.text !== undefined) {
      const fixed = fixFile(engine, result);
      result = fixed.result;
      fixesApplied = fixed.applied;
    }
    const lines = result.findings.length > 0 ? (result.text ?? "").split("\n") : [];
    return {
      file,
      findings: result.findings,
      notices: result.notices,
      lines: result.findings.map((f) => (lines[f.range.start.line] ?? "").trim()),
      fixesApplied,
    };
  } catch (e) {
    return internalFailure(file, e);
  }
}

/** A crash on one file costs that file's findings only; the notice makes the run exit 3. */
export function internalFailure(file: string, error: unknown): AnalyzedFile {
  const message = error instanceof Error ? error.message : String(error);
  return {
    file,
    findings: [],
    notices: [{ file, message: `internal error: ${message.split("\n")[0]}`, kind: "internal" }],
    lines: [],
    fixesApplied: 0,
  };
}
