/**
 * `--cache`: a file's result is reused when nothing it was computed from has
 * changed: its content, the content of every file its analysis can read
 * (package siblings, imported module packages: so a changed helper in another
 * file re-checks its callers), the config that applies to it, the --rule
 * overrides, and leaklint's version. One JSON file holds the results; it is
 * replaced atomically, and a missing or unreadable cache is simply empty.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Engine } from "../core/engine";
import { AnalyzedFile } from "./analyze";
import { version } from "./package-info";

const FORMAT = 1;

interface Entry {
  key: string;
  result: Omit<AnalyzedFile, "file" | "fixesApplied">;
}

export class ResultCache {
  private readonly entries: Record<string, Entry>;
  private readonly contentHashes = new Map<string, string>();
  private readonly configKeys = new Map<object, string>();
  private readonly dependencyDigests = new WeakMap<readonly string[], string>();
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly engine: Engine,
    private readonly overrides: string,
  ) {
    this.entries = readEntries(file);
  }

  static defaultLocation(root: string): string {
    return path.join(root, "node_modules", ".cache", "leaklint");
  }

  static open(location: string, engine: Engine, overrides: object): ResultCache {
    return new ResultCache(path.join(location, `results-v${FORMAT}.json`), engine, JSON.stringify(overrides));
  }

  /** The key of `file` as things are now, or undefined when it cannot be read. */
  keyOf(file: string): string | undefined {
    const content = this.contentHash(file);
    if (content === undefined) return undefined;
    const dependencies = this.dependenciesDigest(this.engine.dependencies(file));
    return crypto
      .createHash("sha256")
      .update(`${FORMAT}\0${version}\0${this.overrides}\0${this.configKey(file)}\0${file}\0${content}\0${dependencies}`)
      .digest("hex");
  }

  /** Whether a result of `file` is stored, whatever its key. */
  knows(file: string): boolean {
    return Object.hasOwn(this.entries, file);
  }

  get(file: string, key: string): AnalyzedFile | undefined {
    const entry = this.entries[file];
    return entry && entry.key === key ? { file, fixesApplied: 0, ...entry.result } : undefined;
  }

  set(file: string, key: string, result: AnalyzedFile): void {
    // A crash is not a result: the next run tries again.
    if (result.notices.some((n) => n.kind === "internal")) return;
    const { findings, notices, lines } = result;
    this.entries[file] = { key, result: { findings, notices, lines } };
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ format: FORMAT, entries: this.entries }));
    fs.renameSync(temp, this.file);
  }

  /** A digest of the files a front end reads for a file, once per list: a package's files share it. */
  private dependenciesDigest(files: readonly string[]): string {
    let digest = this.dependencyDigests.get(files);
    if (digest === undefined) {
      const hash = crypto.createHash("sha256");
      for (const dep of files) hash.update(`${dep}\0${this.contentHash(dep) ?? "-"}\0`);
      digest = hash.digest("hex");
      this.dependencyDigests.set(files, digest);
    }
    return digest;
  }

  private contentHash(file: string): string | undefined {
    let hash = this.contentHashes.get(file);
    if (hash === undefined) {
      try {
        hash = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
      } catch {
        return undefined;
      }
      this.contentHashes.set(file, hash);
    }
    return hash;
  }

  private configKey(file: string): string {
    const config = this.engine.configFor(file);
    let key = this.configKeys.get(config);
    if (key === undefined) {
      key = crypto.createHash("sha256").update(JSON.stringify({ ...config, source: undefined })).digest("hex");
      this.configKeys.set(config, key);
    }
    return key;
  }
}

function readEntries(file: string): Record<string, Entry> {
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    return data?.format === FORMAT && typeof data.entries === "object" && data.entries ? data.entries : {};
  } catch {
    return {};
  }
}
