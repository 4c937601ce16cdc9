/**
 * `leaklint scan --typed`: a TypeScript program per tsconfig.json, so the rules
 * can ask the checker what a name refers to. A file no tsconfig includes, or
 * whose text differs from what the program read, is analysed syntax-only.
 */
import * as path from "node:path";
import ts = require("typescript");
import { checkerOracle } from "./checker-oracle";
import { TypeOracle } from "./types";

export class TypedPrograms {
  private readonly byConfig = new Map<string, { program: ts.Program; oracle: TypeOracle } | null>();
  private readonly configByDir = new Map<string, string | undefined>();

  /** The program's parse of `file` and an oracle over its checker, when a tsconfig covers it. */
  lookup(file: string, text: string): { sourceFile: ts.SourceFile; oracle: TypeOracle } | undefined {
    const configFile = this.configFor(path.dirname(path.resolve(file)));
    if (!configFile) return undefined;
    const entry = this.programFor(configFile);
    const sourceFile = entry?.program.getSourceFile(path.resolve(file));
    if (!entry || !sourceFile || sourceFile.text !== text) return undefined;
    return { sourceFile, oracle: entry.oracle };
  }

  private configFor(dir: string): string | undefined {
    if (!this.configByDir.has(dir)) this.configByDir.set(dir, ts.findConfigFile(dir, ts.sys.fileExists, "tsconfig.json"));
    return this.configByDir.get(dir);
  }

  private programFor(configFile: string): { program: ts.Program; oracle: TypeOracle } | undefined {
    if (!this.byConfig.has(configFile)) {
      let entry: { program: ts.Program; oracle: TypeOracle } | null = null;
      const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
      if (parsed) {
        const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
        entry = { program, oracle: checkerOracle(program) };
      }
      this.byConfig.set(configFile, entry);
    }
    return this.byConfig.get(configFile) ?? undefined;
  }
}
