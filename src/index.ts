/** The engine with every language front end, ready to analyse files. */
import { Engine, EngineOptions } from "./core/engine";
import { GoFrontEnd } from "./go/frontend";
import { initGoParser } from "./go/parser";
import { TsFrontEnd } from "./ts/frontend";

export { Engine } from "./core/engine";
export type { EngineOptions } from "./core/engine";
export * from "./core/types";

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  await initGoParser();
  return new Engine([new GoFrontEnd({ incremental: options.incremental }), new TsFrontEnd({ typed: options.typed })], options);
}
