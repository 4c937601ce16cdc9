/**
 * The VS Code extension: a thin language client. It starts the bundled
 * language server (no global install), adds the commands and a status bar item,
 * and leaves every decision about leaks to the server.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  NotificationType,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressReport,
} from "vscode-languageclient/node";

/** Mirrors src/server/server.ts; the extension bundle does not pull the server in. */
interface StatusParams {
  state: "ok" | "running" | "error";
  findings: number;
  message?: string;
}
interface ScanResult {
  files: number;
  analysed: number;
  findings: number;
  cancelled: boolean;
  durationMs: number;
}
const StatusNotification = new NotificationType<StatusParams>("leaklint/status");
const SCAN_WORKSPACE_COMMAND = "leaklint.server.scanWorkspace";
const FIX_ALL_COMMAND = "leaklint.server.fixAll";

const DOCUMENT_SELECTOR = ["go", "typescript", "typescriptreact", "javascript", "javascriptreact"].map((language) => ({ scheme: "file", language }));

let client: LanguageClient | undefined;
let scanCounter = 0;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Leaklint");
  const status = new StatusItem(context);
  context.subscriptions.push(output);

  const serverModule = context.asAbsolutePath(path.join("dist", "extension", "server.js"));
  // The same in a development host: an inspector port there would clash between windows.
  const server = { module: serverModule, transport: TransportKind.ipc };
  const serverOptions: ServerOptions = { run: server, debug: server };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    synchronize: { configurationSection: "leaklint" },
    initializationOptions: { settings: vscode.workspace.getConfiguration("leaklint") },
    middleware: {
      // Rule docs are markdown shipped with the extension: show them rendered.
      window: {
        showDocument: async (params, next) => {
          if (params.uri.startsWith("file:") && params.uri.endsWith(".md")) {
            await vscode.commands.executeCommand("markdown.showPreview", vscode.Uri.parse(params.uri));
            return { success: true };
          }
          const result = await next(params, new vscode.CancellationTokenSource().token);
          return "success" in result ? result : { success: false };
        },
      },
    },
  };
  client = new LanguageClient("leaklint", "Leaklint", serverOptions, clientOptions);
  const lc = client;

  context.subscriptions.push(
    lc.onDidChangeState((e) => status.serverState(e.newState)),
    lc.onNotification(StatusNotification, (p) => status.update(p)),
    vscode.commands.registerCommand("leaklint.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("leaklint.restartServer", async () => {
      output.appendLine("Restarting the leaklint server");
      await lc.restart();
    }),
    vscode.commands.registerCommand("leaklint.fixAllInFile", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      await lc.sendRequest(ExecuteCommandRequest.type, { command: FIX_ALL_COMMAND, arguments: [editor.document.uri.toString()] });
    }),
    vscode.commands.registerCommand("leaklint.scanWorkspace", () => scanWorkspace(lc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("leaklint.enable")) status.refresh();
    }),
  );
  await lc.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/**
 * A cancellable notification that counts files while the server scans; the
 * findings land in the Problems panel, which is shown when the scan is done.
 */
async function scanWorkspace(lc: LanguageClient): Promise<ScanResult | undefined> {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage("Leaklint: open a folder to scan it.");
    return undefined;
  }
  const token = `leaklint-scan-${++scanCounter}`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Leaklint: scanning workspace", cancellable: true },
    async (progress, cancel) => {
      let reported = 0;
      const listener = lc.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === "end") return;
        const v = value as WorkDoneProgressBegin | WorkDoneProgressReport;
        const percentage = v.percentage ?? reported;
        progress.report({ message: v.message, increment: percentage - reported });
        reported = percentage;
      });
      try {
        return await lc.sendRequest(ExecuteCommandRequest.type, { command: SCAN_WORKSPACE_COMMAND, arguments: [], workDoneToken: token }, cancel);
      } catch (e) {
        if (cancel.isCancellationRequested) return undefined;
        throw e;
      } finally {
        listener.dispose();
      }
    },
  );
  const scan = result as ScanResult | undefined;
  if (!scan) {
    void vscode.window.showInformationMessage("Leaklint: workspace scan cancelled.");
    return undefined;
  }
  await vscode.commands.executeCommand("workbench.actions.view.problems");
  const what = `${scan.findings} finding${scan.findings === 1 ? "" : "s"} in ${scan.analysed} file${scan.analysed === 1 ? "" : "s"}`;
  void vscode.window.showInformationMessage(scan.cancelled ? `Leaklint: scan cancelled after ${what}.` : `Leaklint: ${what}.`);
  return scan;
}

/** The status bar item: server state and finding count; a click opens the output. */
class StatusItem {
  private readonly item: vscode.StatusBarItem;
  private last: StatusParams = { state: "ok", findings: 0 };
  private running = false;

  constructor(context: vscode.ExtensionContext) {
    this.item = vscode.window.createStatusBarItem("leaklint.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Leaklint";
    this.item.command = "leaklint.showOutput";
    context.subscriptions.push(this.item);
    this.refresh();
  }

  serverState(state: State): void {
    this.running = state === State.Running;
    this.refresh();
  }

  update(params: StatusParams): void {
    this.last = params;
    this.refresh();
  }

  refresh(): void {
    const enabled = vscode.workspace.getConfiguration("leaklint").get<boolean>("enable", true);
    const { state, findings, message } = this.last;
    const count = `${findings} finding${findings === 1 ? "" : "s"}`;
    this.item.backgroundColor = undefined;
    if (!enabled) {
      this.item.text = "$(circle-slash) Leaklint";
      this.item.tooltip = "Leaklint is disabled (leaklint.enable)";
    } else if (!this.running) {
      this.item.text = "$(sync~spin) Leaklint";
      this.item.tooltip = "Leaklint: starting the server";
    } else if (state === "running") {
      this.item.text = `$(sync~spin) Leaklint: ${findings}`;
      this.item.tooltip = `Leaklint: scanning the workspace, ${count} so far`;
    } else if (state === "error") {
      this.item.text = `$(error) Leaklint: ${findings}`;
      this.item.tooltip = `Leaklint: ${message ?? "a problem"} (click for the output)`;
      this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
    } else {
      this.item.text = findings > 0 ? `$(warning) Leaklint: ${findings}` : "$(check) Leaklint";
      this.item.tooltip = `Leaklint: ${count} (click for the output)`;
    }
    this.item.show();
  }
}
