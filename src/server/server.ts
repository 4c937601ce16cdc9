/**
 * The leaklint language server: diagnostics for open Go/TS/JS documents as they
 * change, for the whole workspace on request, code actions, and configuration
 * from the `leaklint.*` settings under leaklint.config.json.
 *
 * Any client works (`leaklint lsp --stdio`); the VS Code extension adds the
 * `leaklint/status` notification to its status bar item. Nothing here decides
 * what a leak is: every finding comes from the engine, as in the CLI.
 */
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ignore, { Ignore } from "ignore";
import {
  CancellationToken,
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  Connection,
  Diagnostic,
  DidChangeWatchedFilesNotification,
  ExecuteCommandParams,
  FileChangeType,
  FileEvent,
  InitializeParams,
  InitializeResult,
  MessageType,
  NotificationType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  WorkDoneProgressReporter,
  WorkspaceEdit,
  WorkspaceFolder,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { discoverFiles } from "../cli/discover";
import { version } from "../cli/package-info";
import { ConfigError, CONFIG_FILE_NAME, LeaklintConfig } from "../core/config";
import { Engine } from "../core/engine";
import { applyFixes, fixesOfKind } from "../core/fixes";
import { FileResult, RuleMeta, ToolNotice } from "../core/types";
import { AnalysedDocument, documentEdit, FIX_ALL_KIND, quickFixes, SHOW_DOCUMENTATION_COMMAND } from "./code-actions";
import { docsLink, minimalEdit, toDiagnostic } from "./convert";
import { Engines } from "./engines";
import { DEFAULT_SETTINGS, parseSettings, Settings } from "./settings";

export const FIX_ALL_COMMAND = "leaklint.server.fixAll";
export const SCAN_WORKSPACE_COMMAND = "leaklint.server.scanWorkspace";

/** Sent whenever the state or the number of findings changes; the extension shows it in the status bar. */
export interface StatusParams {
  state: "ok" | "running" | "error";
  /** Findings published across open documents and scanned files. */
  findings: number;
  /** Why the state is `error`: a broken config, a rule that failed. */
  message?: string;
}
export const StatusNotification = new NotificationType<StatusParams>("leaklint/status");

export interface ScanResult {
  files: number;
  analysed: number;
  findings: number;
  cancelled: boolean;
  durationMs: number;
}

/**
 * Quiet time after a keystroke before the document is analysed again: short for an
 * edit on its own (a paste, a fix, one character after a pause), longer while the
 * keystrokes come closer together than TYPING_BURST_MS, so a burst costs one analysis.
 */
const SINGLE_EDIT_DELAY_MS = 25;
const TYPING_DELAY_MS = 100;
const TYPING_BURST_MS = 200;
/** Quiet time after an edit before the other open documents of its package are analysed again. */
const DEPENDENT_DELAY_MS = 300;
/** Quiet time after a file changes on disk before package summaries are rebuilt. */
const DISK_CHANGE_DELAY_MS = 300;
/** Fixes that need a second pass (overlapping edits) get at most this many, as in `scan --fix`. */
const MAX_FIX_PASSES = 10;
const DEFAULT_IGNORED_DIRS = ["vendor/", "node_modules/", "testdata/"];

export class LeaklintServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly engines = new Engines();
  /** Open documents and scanned files that currently have published diagnostics. */
  private readonly analysed = new Map<string, AnalysedDocument>();
  /** Files published by the last workspace scan; they keep their diagnostics when closed. */
  private scanned = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly settingsByScope = new Map<string, Promise<Settings>>();
  /** Settings pushed with didChangeConfiguration, for clients that cannot be asked. */
  private pushedSettings: unknown;
  private folders: WorkspaceFolder[] = [];
  private canAskConfiguration = false;
  private canWatchFiles = false;
  private diskChangeTimer?: NodeJS.Timeout;
  private scanning = false;
  /** Problems shown once each, so a broken config does not raise a message per keystroke. */
  private readonly shownProblems = new Set<string>();
  private problem?: string;

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => this.initialized());
    c.onDidChangeConfiguration((params) => {
      this.pushedSettings = (params.settings as { leaklint?: unknown } | undefined)?.leaklint;
      this.settingsByScope.clear();
      this.reloadAll("settings changed");
    });
    c.onDidChangeWatchedFiles((params) => this.filesChanged(params.changes));
    c.onCodeAction((params) => this.guard("code actions", () => this.codeActions(params), []));
    c.onExecuteCommand((params, token, workDone) => this.guard(params.command, () => this.executeCommand(params, token, workDone), null));
    c.onShutdown(() => {
      for (const timer of this.timers.values()) clearTimeout(timer);
      clearTimeout(this.diskChangeTimer);
    });

    // TextDocuments reports an open as a content change too; that one is handled by the open.
    const justOpened = new Set<string>();
    this.documents.onDidOpen((e) => {
      justOpened.add(e.document.uri);
      this.schedule(e.document.uri, 0);
    });
    const lastChange = new Map<string, number>();
    this.documents.onDidChangeContent((e) => {
      const uri = e.document.uri;
      if (justOpened.delete(uri)) return;
      const now = performance.now();
      const typing = now - (lastChange.get(uri) ?? -Infinity) < TYPING_BURST_MS;
      lastChange.set(uri, now);
      void this.settingsFor(uri).then((s) => {
        if (s.run === "onType") this.schedule(uri, typing ? TYPING_DELAY_MS : SINGLE_EDIT_DELAY_MS);
      });
    });
    this.documents.onDidSave((e) => this.schedule(e.document.uri, 0));
    this.documents.onDidClose((e) => {
      lastChange.delete(e.document.uri);
      this.closed(e.document.uri);
    });
    this.documents.listen(c);
    c.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    this.canAskConfiguration = params.capabilities.workspace?.configuration === true;
    this.canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.pushedSettings = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND, FIX_ALL_COMMAND, SCAN_WORKSPACE_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "leaklint", version },
    };
  }

  private initialized(): void {
    this.log(`leaklint ${version} language server started (node ${process.version})`);
    if (this.canWatchFiles) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: "**/*.go" }, { globPattern: "**/go.mod" }],
      });
    }
    if (this.folders.length > 0) {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => f.uri));
        this.folders = [...this.folders.filter((f) => !removed.has(f.uri)), ...e.added];
        this.settingsByScope.clear();
        this.reloadAll("workspace folders changed");
      });
    }
    // Loading the parser takes a moment: do it before the first document needs it.
    void this.engines.baseEngine().catch((e) => this.error(`cannot load the analysis engine: ${describe(e)}`));
    this.sendStatus();
  }

  // ---- settings --------------------------------------------------------------------------

  private folderOf(uri: string): WorkspaceFolder | undefined {
    let best: WorkspaceFolder | undefined;
    for (const f of this.folders) {
      const prefix = f.uri.endsWith("/") ? f.uri : `${f.uri}/`;
      if ((uri.startsWith(prefix) || uri === f.uri) && (!best || f.uri.length > best.uri.length)) best = f;
    }
    return best;
  }

  private settingsFor(uri: string): Promise<Settings> {
    const scope = this.folderOf(uri)?.uri ?? "";
    let settings = this.settingsByScope.get(scope);
    if (!settings) {
      settings = this.fetchSettings(scope);
      this.settingsByScope.set(scope, settings);
    }
    return settings;
  }

  private async fetchSettings(scope: string): Promise<Settings> {
    let raw: unknown = this.pushedSettings;
    if (this.canAskConfiguration) {
      try {
        raw = await this.connection.workspace.getConfiguration({ scopeUri: scope || undefined, section: "leaklint" });
      } catch (e) {
        this.warn(`cannot read the leaklint settings, using defaults: ${describe(e)}`);
        return DEFAULT_SETTINGS;
      }
    }
    const { settings, problems } = parseSettings(raw);
    for (const p of problems) this.showProblemOnce(`settings: ${p}`);
    return settings;
  }

  // ---- open documents --------------------------------------------------------------------

  private schedule(uri: string, delay: number, refreshDependents = true): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.guard(`analysing ${uri}`, () => this.validate(uri, refreshDependents), undefined);
      }, delay),
    );
  }

  /**
   * Analyses the open document's current text and publishes its diagnostics.
   * After an edit, the other open Go documents of its package are analysed
   * again too: what they call may have changed (a helper that no longer closes).
   */
  private async validate(uri: string, refreshDependents = false): Promise<AnalysedDocument | undefined> {
    const doc = this.documents.get(uri);
    const file = filePath(uri);
    if (!doc || !file) return undefined;
    const settings = await this.settingsFor(uri);
    const target = await this.engineFor(file, uri, settings, true);
    if (!target) {
      this.unpublish(uri);
      return undefined;
    }
    // Everything from here to the publish is synchronous: the text, its version and the
    // findings belong together even when edits keep arriving.
    const current = this.documents.get(uri);
    if (!current) return undefined;
    const started = performance.now();
    const result = target.engine.analyzeText(file, current.getText());
    const elapsed = performance.now() - started;
    const before = this.analysed.get(uri)?.snapshot;
    const analysed = this.publish(uri, current.languageId, current.version, result, target.engine.rules);
    if (refreshDependents && before && before.version !== current.version && file.endsWith(".go")) {
      for (const doc of this.documents.all()) {
        const other = filePath(doc.uri);
        if (doc.uri !== uri && other?.endsWith(".go") && path.dirname(other) === path.dirname(file) && !this.timers.has(doc.uri)) {
          this.schedule(doc.uri, DEPENDENT_DELAY_MS, false);
        }
      }
    }
    this.log(`analysed ${path.basename(file)} v${current.version} in ${elapsed.toFixed(1)} ms: ${result.findings.length} finding(s)`);
    return analysed;
  }

  /** The engine for a file, or undefined when the file is not to be analysed (disabled, excluded, broken config). */
  private async engineFor(file: string, uri: string, settings: Settings, incremental = false): Promise<{ engine: Engine; config: LeaklintConfig } | undefined> {
    if (!settings.enable || file.endsWith(".d.ts")) return undefined;
    const base = await this.engines.baseEngine();
    if (!base.handles(file)) return undefined;
    const folder = this.folderOf(uri);
    if (folder && isExcluded(filePath(folder.uri), file, [...DEFAULT_IGNORED_DIRS, ...settings.exclude])) return undefined;
    let target: { engine: Engine; config: LeaklintConfig };
    try {
      target = await this.engines.forFile(file, settings, incremental);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.configProblem(e);
      return undefined;
    }
    const config = target.config;
    if (config.source && config.ignore.length > 0 && isExcluded(path.dirname(config.source), file, config.ignore)) return undefined;
    return target;
  }

  private publish(uri: string, languageId: string, version: number | null, result: FileResult, rules: RuleMeta[]): AnalysedDocument {
    const snapshot = TextDocument.create(uri, languageId, version ?? 0, result.text ?? "");
    const meta = new Map(rules.map((r) => [r.id, r]));
    const diagnostics: Diagnostic[] = result.findings.map((f, i) => toDiagnostic(f, i, snapshot, meta.get(f.ruleId), fileUri));
    const analysed: AnalysedDocument = { snapshot, findings: result.findings, diagnostics };
    const previous = this.analysed.get(uri);
    // An older analysis that finishes late must not replace a newer one.
    if (previous && version !== null && previous.snapshot.version > version && this.documents.get(uri)) return previous;
    this.analysed.set(uri, analysed);
    void this.connection.sendDiagnostics({ uri, ...(version !== null ? { version } : {}), diagnostics });
    this.logNotices(result.notices);
    this.sendStatus();
    return analysed;
  }

  private unpublish(uri: string): void {
    if (!this.analysed.delete(uri)) return;
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.sendStatus();
  }

  private closed(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    const closedFile = filePath(uri);
    if (closedFile) this.engines.forget(closedFile);
    if (!this.scanned.has(uri)) {
      this.unpublish(uri);
      return;
    }
    // A scanned file shows what is on disk again once its editor is closed.
    const file = filePath(uri);
    if (file) void this.guard(`analysing ${file}`, () => this.analyseOnDisk(file, uri), undefined);
  }

  // ---- workspace scan --------------------------------------------------------------------

  /** Analyses every file of every workspace folder; open documents are analysed as edited. */
  async scanWorkspace(token: CancellationToken, progress: WorkDoneProgressReporter): Promise<ScanResult> {
    const started = performance.now();
    if (this.scanning) throw new Error("a workspace scan is already running");
    this.scanning = true;
    this.sendStatus();
    progress.begin("Leaklint: scanning workspace", 0, "finding files", true);
    try {
      const files = await this.workspaceFiles();
      const total = files.length;
      progress.report(0, `0/${total} files`);
      const published = new Set<string>();
      // Open documents are matched by path: a client may spell the same file's URI differently.
      const openByPath = new Map(this.documents.all().map((d) => [filePath(d.uri), d.uri]));
      let lastReport = performance.now();
      let analysed = 0;
      for (const file of files) {
        if (token.isCancellationRequested) break;
        const open = openByPath.get(file);
        const uri = open ?? fileUri(file);
        published.add(uri);
        if (open) await this.validate(open);
        else await this.analyseOnDisk(file, uri);
        analysed++;
        if (performance.now() - lastReport > 100 || analysed === total) {
          lastReport = performance.now();
          progress.report(Math.floor((analysed / Math.max(total, 1)) * 100), `${analysed}/${total} files`);
          this.sendStatus();
        }
        await new Promise((resolve) => setImmediate(resolve)); // let edits and cancellation in
      }
      const cancelled = analysed < total;
      if (!cancelled) {
        // Files the previous scan reported that are gone or excluded now.
        for (const uri of this.scanned) if (!published.has(uri) && !this.documents.get(uri)) this.unpublish(uri);
        this.scanned = published;
      } else {
        for (const uri of published) this.scanned.add(uri);
      }
      const findings = [...published].reduce((n, uri) => n + (this.analysed.get(uri)?.diagnostics.length ?? 0), 0);
      const durationMs = Math.round(performance.now() - started);
      this.log(`workspace scan ${cancelled ? "cancelled" : "done"}: ${analysed}/${total} files, ${findings} finding(s) in ${durationMs} ms`);
      return { files: total, analysed, findings, cancelled, durationMs };
    } finally {
      this.scanning = false;
      progress.done();
      this.sendStatus();
    }
  }

  private async workspaceFiles(): Promise<string[]> {
    const base = await this.engines.baseEngine();
    const out = new Set<string>();
    for (const folder of this.folders) {
      const root = filePath(folder.uri);
      if (!root) continue;
      const settings = await this.settingsFor(folder.uri);
      if (!settings.enable) continue;
      try {
        const { files, notices } = discoverFiles([root], base, root);
        this.logNotices(notices);
        for (const f of files) if (!isExcluded(root, f, settings.exclude)) out.add(f);
      } catch (e) {
        if (e instanceof ConfigError) this.configProblem(e);
        else this.error(`cannot list the files of ${root}: ${describe(e)}`);
      }
    }
    return [...out];
  }

  private async analyseOnDisk(file: string, uri: string): Promise<void> {
    const settings = await this.settingsFor(uri);
    const target = await this.engineFor(file, uri, settings);
    if (this.documents.get(uri)) return; // opened meanwhile: its editor's text is what counts
    if (!target) {
      this.unpublish(uri);
      return;
    }
    const result = target.engine.analyzeFile(file);
    this.publish(uri, languageIdOf(file), null, result, target.engine.rules);
  }

  // ---- reloading -------------------------------------------------------------------------

  private filesChanged(changes: FileEvent[]): void {
    const configChanged = changes.some((c) => c.uri.endsWith(`/${CONFIG_FILE_NAME}`));
    if (configChanged) {
      this.reloadAll(`${CONFIG_FILE_NAME} changed`);
      return;
    }
    // A Go file on disk changed: package summaries built from it are stale. An open
    // document's own saves change nothing: its editor text was analysed all along.
    const open = new Set(this.documents.all().map((d) => filePath(d.uri)));
    if (changes.every((c) => c.type === FileChangeType.Changed && open.has(filePath(c.uri)))) return;
    clearTimeout(this.diskChangeTimer);
    const changed = changes.map((c) => c.uri);
    const deleted = changes.filter((c) => c.type === FileChangeType.Deleted).map((c) => c.uri);
    this.diskChangeTimer = setTimeout(() => {
      this.resetEngines();
      for (const uri of deleted) if (this.scanned.delete(uri) && !this.documents.get(uri)) this.unpublish(uri);
      for (const doc of this.documents.all()) this.schedule(doc.uri, 0);
      for (const uri of changed) {
        const file = filePath(uri);
        if (file && this.scanned.has(uri) && !this.documents.get(uri)) void this.guard(`analysing ${file}`, () => this.analyseOnDisk(file, uri), undefined);
      }
    }, DISK_CHANGE_DELAY_MS);
  }

  /** Settings or a config changed: drop every cache and analyse what is shown again. */
  private reloadAll(reason: string): void {
    this.log(`reloading: ${reason}`);
    this.resetEngines();
    this.shownProblems.clear();
    this.problem = undefined;
    for (const doc of this.documents.all()) this.schedule(doc.uri, 0);
    const scanned = [...this.scanned].filter((uri) => !this.documents.get(uri));
    void this.guard(
      "re-analysing scanned files",
      async () => {
        for (const uri of scanned) {
          const file = filePath(uri);
          if (file) await this.analyseOnDisk(file, uri);
        }
      },
      undefined,
    );
    this.sendStatus();
  }

  private resetEngines(): void {
    this.engines.reset(this.documents.all().flatMap((d) => filePath(d.uri) ?? []));
  }

  // ---- code actions and commands ---------------------------------------------------------

  /** The analysis of the document's current version, analysing it now when the last one is older. */
  private async current(uri: string): Promise<AnalysedDocument | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const known = this.analysed.get(uri);
    if (known && known.snapshot.version === doc.version) return known;
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    return this.validate(uri);
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const only = params.context.only;
    const wantsFixAll = only?.some((k) => FIX_ALL_KIND === k || FIX_ALL_KIND.startsWith(`${k}.`)) ?? false;
    const wantsQuickFix = !only || only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty);
    const known = this.analysed.get(uri);
    const open = this.documents.get(uri);
    // With `run: onSave` the diagnostics wait for the save, and so do the actions.
    if (open && known?.snapshot.version !== open.version && (await this.settingsFor(uri)).run === "onSave") return [];
    const doc = await this.current(uri);
    if (!doc) return [];
    const actions: CodeAction[] = [];
    if (wantsQuickFix) actions.push(...(await quickFixes(doc, params.range, () => this.fixAllEdit(uri, doc))));
    if (wantsFixAll) {
      const edit = await this.fixAllEdit(uri, doc);
      if (edit) actions.push({ title: "Fix all leaklint problems", kind: FIX_ALL_KIND, edit });
    }
    return actions;
  }

  /**
   * Every safe fix in the document as one edit. Fixes whose edits overlap get
   * another pass over the re-analysed text, as `leaklint scan --fix` does.
   */
  private async fixAllEdit(uri: string, doc: AnalysedDocument): Promise<WorkspaceEdit | undefined> {
    const file = filePath(uri);
    if (!file) return undefined;
    const target = await this.engineFor(file, uri, await this.settingsFor(uri));
    if (!target) return undefined;
    const original = doc.snapshot.getText();
    let text = original;
    let findings = doc.findings;
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const fixes = fixesOfKind(findings, "fix");
      if (fixes.length === 0) break;
      const next = applyFixes(text, fixes);
      if (next.applied === 0 || next.text === text) break;
      text = next.text;
      findings = target.engine.analyzeText(file, text).findings;
    }
    if (text === original) return undefined;
    return documentEdit(doc.snapshot, [minimalEdit(doc.snapshot, original, text)]);
  }

  private async executeCommand(params: ExecuteCommandParams, token: CancellationToken, workDone: WorkDoneProgressReporter): Promise<unknown> {
    const args = params.arguments ?? [];
    switch (params.command) {
      case SHOW_DOCUMENTATION_COMMAND: {
        const meta = (await this.engines.baseEngine()).rules.find((r) => r.id === args[0]);
        if (!meta) throw new Error(`unknown rule ${JSON.stringify(args[0])}`);
        const uri = docsLink(meta);
        await this.connection.window.showDocument({ uri, external: !uri.startsWith("file:"), takeFocus: true });
        return uri;
      }
      case FIX_ALL_COMMAND: {
        const uri = typeof args[0] === "string" ? args[0] : (args[0] as { uri?: string } | undefined)?.uri;
        if (!uri) throw new Error("leaklint.server.fixAll needs a document URI");
        const doc = await this.current(uri);
        const edit = doc && (await this.fixAllEdit(uri, doc));
        if (!edit) return { applied: false };
        const result = await this.connection.workspace.applyEdit({ label: "Fix all leaklint problems", edit });
        return { applied: result.applied };
      }
      case SCAN_WORKSPACE_COMMAND:
        return this.scanWorkspace(token, workDone);
      default:
        throw new Error(`unknown command ${params.command}`);
    }
  }

  // ---- status and logging ----------------------------------------------------------------

  private sendStatus(): void {
    let findings = 0;
    for (const doc of this.analysed.values()) findings += doc.diagnostics.length;
    const state: StatusParams["state"] = this.scanning ? "running" : this.problem ? "error" : "ok";
    void this.connection.sendNotification(StatusNotification, { state, findings, ...(this.problem ? { message: this.problem } : {}) });
  }

  private configProblem(e: ConfigError): void {
    this.problem = e.message;
    this.showProblemOnce(e.message);
    this.sendStatus();
  }

  private showProblemOnce(message: string): void {
    if (this.shownProblems.has(message)) return;
    this.shownProblems.add(message);
    this.error(message);
    // A notification, not showErrorMessage's request: nothing waits for the user to dismiss it.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Leaklint: ${message}` });
  }

  private logNotices(notices: ToolNotice[]): void {
    for (const n of notices) {
      if (n.kind === "internal") {
        this.problem = `${path.basename(n.file)}: ${n.message}`;
        this.error(`${n.file}: ${n.message}`);
      } else {
        this.log(`${n.file}: ${n.message}`);
      }
    }
  }

  /** Runs a handler so that no file and no request can take the server down. */
  private async guard<T>(what: string, run: () => Promise<T> | T, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (e) {
      this.error(`${what} failed: ${describe(e)}`);
      return fallback;
    }
  }

  private log(message: string): void {
    this.connection.console.log(`[${timestamp()}] ${message}`);
  }

  private warn(message: string): void {
    this.connection.console.warn(`[${timestamp()}] ${message}`);
  }

  private error(message: string): void {
    this.connection.console.error(`[${timestamp()}] ${message}`);
  }
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const frame = e.stack?.split("\n").find((l) => l.trim().startsWith("at "))?.trim();
  return frame ? `${e.message} (${frame})` : e.message;
}

export function filePath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

function languageIdOf(file: string): string {
  if (file.endsWith(".go")) return "go";
  if (/\.[cm]?tsx?$/.test(file)) return file.endsWith("x") ? "typescriptreact" : "typescript";
  return file.endsWith("x") ? "javascriptreact" : "javascript";
}

const ignoreCache = new Map<string, Ignore>();

/** True when `file` lies under `base` and a gitignore-style glob in `globs` matches it or a parent directory. */
export function isExcluded(base: string | undefined, file: string, globs: string[]): boolean {
  if (!base || globs.length === 0) return false;
  const rel = path.relative(base, file);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return false;
  const key = globs.join("\0");
  let rules = ignoreCache.get(key);
  if (!rules) {
    rules = ignore().add(globs);
    ignoreCache.set(key, rules);
  }
  return rules.ignores(rel.split(path.sep).join("/"));
}
