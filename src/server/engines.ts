/**
 * Engines for the server. The engine lets `ruleOverrides` win over the config
 * file, while in the editor the config file wins over the settings; so each
 * (config file, settings) pair gets an engine whose overrides are the settings
 * the config leaves alone. Engines are cheap once the parser is loaded; they
 * cache configs and Go package summaries, so all of them are dropped when a
 * config, a Go file on disk or the settings change.
 *
 * Open documents go through `incremental` engines, which keep each document's
 * tree and re-parse the next version from it; files on disk (the workspace
 * scan) and what-if texts (fix all) go through plain ones, which keep nothing.
 */
import { LeaklintConfig } from "../core/config";
import { Engine } from "../core/engine";
import { createEngine } from "../index";
import { overridesUnder, Settings } from "./settings";

export class Engines {
  private base?: Promise<Engine>;
  private readonly byKey = new Map<string, Promise<Engine>>();

  /** The engine that knows the configs and the rule list; never given overrides. */
  baseEngine(): Promise<Engine> {
    this.base ??= createEngine({});
    return this.base;
  }

  /** Throws ConfigError when the config that applies to `file` is broken. */
  async forFile(file: string, settings: Settings, incremental: boolean): Promise<{ engine: Engine; config: LeaklintConfig }> {
    const config = (await this.baseEngine()).configFor(file);
    const overrides = overridesUnder(settings, config.rules);
    const key = `${incremental}\0${config.source ?? ""}\0${JSON.stringify(overrides)}`;
    let engine = this.byKey.get(key);
    if (!engine) {
      engine = createEngine({ ruleOverrides: overrides, incremental });
      this.byKey.set(key, engine);
    }
    return { engine: await engine, config };
  }

  /** An open document closed: its incremental engines let go of its tree. */
  forget(file: string): void {
    for (const engine of this.byKey.values()) void engine.then((e) => e.forget(file));
  }

  /** Forget every cached config and package summary; `openFiles` are the trees incremental engines hold. */
  reset(openFiles: string[]): void {
    for (const engine of this.byKey.values()) void engine.then((e) => openFiles.forEach((f) => e.forget(f)));
    this.base = undefined;
    this.byKey.clear();
  }
}
