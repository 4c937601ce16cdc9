/** The engine with every language front end, ready to analyse files. */
import { ActiveRule, Engine, EngineOptions, FrontEnd, FrontEndResult } from "./core/engine";
import { LeaklintConfig } from "./core/config";
import { Rule } from "./core/rule";
import { GoFrontEnd } from "./go/frontend";
import { initGoParser } from "./go/parser";
import { isTsFile } from "./ts/extensions";
import type { TsFrontEnd } from "./ts/frontend";

export { Engine } from "./core/engine";
export type { EngineOptions } from "./core/engine";
export * from "./core/types";

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  await initGoParser();
  return new Engine([new GoFrontEnd({ incremental: options.incremental }), new LazyTsFrontEnd({ typed: options.typed })], options);
}

/**
 * The TS front end, built when a TS file or the rule list first needs it: it
 * loads the TypeScript compiler, tens of megabytes per thread, which the
 * worker threads of a Go scan never use.
 */
class LazyTsFrontEnd implements FrontEnd {
  readonly language = "ts" as const;
  private loaded?: TsFrontEnd;

  constructor(private readonly options: { typed?: boolean }) {}

  private get frontEnd(): TsFrontEnd {
    if (!this.loaded) {
      const { TsFrontEnd } = require("./ts/frontend") as typeof import("./ts/frontend");
      this.loaded = new TsFrontEnd(this.options);
    }
    return this.loaded;
  }

  handles(file: string): boolean {
    return isTsFile(file);
  }

  get rules(): Rule<unknown>[] {
    return this.frontEnd.rules;
  }

  analyze(file: string, text: string, rules: ActiveRule[], config: LeaklintConfig): FrontEndResult {
    return this.frontEnd.analyze(file, text, rules, config);
  }
}
