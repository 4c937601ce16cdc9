/**
 * The `leaklint.*` editor settings as the server uses them. They come from the
 * client (workspace/configuration, or didChangeConfiguration for clients that
 * cannot be asked), are checked here, and sit under leaklint.config.json:
 * a rule the config file sets is never overridden by a setting.
 */
import { ConfigError, parseRuleSetting, RuleSetting } from "../core/config";

export type RunMode = "onType" | "onSave";

export interface Settings {
  enable: boolean;
  rules: Record<string, RuleSetting>;
  run: RunMode;
  /** gitignore-style globs relative to the workspace folder. */
  exclude: string[];
}

export const DEFAULT_SETTINGS: Settings = { enable: true, rules: {}, run: "onType", exclude: [] };

/** Settings from whatever the client sent; each bad entry is dropped and described in `problems`. */
export function parseSettings(raw: unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings: Settings = { ...DEFAULT_SETTINGS, rules: {}, exclude: [] };
  if (typeof raw !== "object" || raw === null) return { settings, problems };
  const obj = raw as Record<string, unknown>;
  if (typeof obj.enable === "boolean") settings.enable = obj.enable;
  if (obj.run === "onType" || obj.run === "onSave") settings.run = obj.run;
  else if (obj.run !== undefined) problems.push(`leaklint.run must be "onType" or "onSave", not ${JSON.stringify(obj.run)}`);
  if (Array.isArray(obj.exclude)) settings.exclude = obj.exclude.filter((g): g is string => typeof g === "string" && g.length > 0);
  if (typeof obj.rules === "object" && obj.rules !== null && !Array.isArray(obj.rules)) {
    for (const [id, value] of Object.entries(obj.rules as Record<string, unknown>)) {
      try {
        settings.rules[id] = parseRuleSetting("leaklint.rules", id, value);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(e.message);
      }
    }
  }
  return { settings, problems };
}

/**
 * The rule settings to pass the engine for a file whose config sets `configRules`:
 * the editor's settings for every rule the config file leaves alone.
 */
export function overridesUnder(settings: Settings, configRules: Record<string, RuleSetting>): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(settings.rules)) {
    if (!(id in configRules)) out[id] = setting;
  }
  return out;
}
