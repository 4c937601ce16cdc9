// The language server as an editor runs it: `leaklint lsp --stdio` as a child process,
// driven by a real JSON-RPC client (vscode-languageserver-protocol), no mocks. The workspace
// is a temp copy of test/fixtures/go, so the Go fixtures' `// want` lines and .golden files
// say what the diagnostics and the fixed text must be.
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  PublishDiagnosticsNotification,
  CodeActionRequest,
  ExecuteCommandRequest,
  ShutdownRequest,
  ExitNotification,
  ConfigurationRequest,
  RegistrationRequest,
  ShowDocumentRequest,
  ApplyWorkspaceEditRequest,
  LogMessageNotification,
  ShowMessageNotification,
  WorkDoneProgress,
  FileChangeType,
  CancellationTokenSource,
} = require("vscode-languageserver-protocol/node");
const { TextDocument } = require("vscode-languageserver-textdocument");

const ROOT = path.join(__dirname, "..");
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const FIXTURES = path.join(__dirname, "fixtures", "go");
const BODY = "unclosed-response-body";

/** A language client that records everything the server sends. */
class Client {
  constructor(workspace) {
    this.workspace = workspace;
    // LEAKLINT_LSP_BUNDLE=1 runs the same tests against the esbuild bundle the .vsix ships.
    const command = process.env.LEAKLINT_LSP_BUNDLE ? [path.join(ROOT, "dist", "extension", "server.js"), "--stdio"] : [CLI, "lsp", "--stdio"];
    this.child = spawn(process.execPath, command, { stdio: ["pipe", "pipe", "pipe"] });
    this.stderr = "";
    this.child.stderr.on("data", (d) => (this.stderr += d));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.diagnostics = new Map(); // uri -> last PublishDiagnosticsParams
    this.publishCount = 0;
    this.logs = [];
    this.messages = [];
    this.shownDocuments = [];
    this.statuses = [];
    this.settings = {};
    this.progress = new Map(); // token -> values
    this.waiters = [];
    const c = this.connection;
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p);
      this.publishCount++;
      this.wake();
    });
    c.onNotification(LogMessageNotification.type, (p) => this.logs.push(p.message));
    c.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push(p.message);
      this.wake();
    });
    c.onNotification("leaklint/status", (p) => {
      this.statuses.push(p);
      this.wake();
    });
    c.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => this.settings));
    c.onRequest(RegistrationRequest.type, () => null);
    c.onRequest(ShowDocumentRequest.type, (p) => {
      this.shownDocuments.push(p);
      return { success: true };
    });
    c.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      this.appliedEdits = (this.appliedEdits ?? []).concat([p.edit]);
      return { applied: true };
    });
    c.onProgress(WorkDoneProgress.type, "scan-1", (v) => {
      const list = this.progress.get("scan-1") ?? [];
      list.push(v);
      this.progress.set("scan-1", list);
    });
    c.listen();
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `check()` returns something truthy; fails with `what` after the timeout. */
  waitFor(what, check, timeoutMs = 20000) {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (!value) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; server log:\n${this.logs.slice(-10).join("\n")}\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
    });
  }

  /** The diagnostics published for `uri` at `version` (any version for files that are not open). */
  diagnosticsFor(uri, version) {
    return this.waitFor(`diagnostics for ${path.basename(uri)} v${version}`, () => {
      const p = this.diagnostics.get(uri);
      return p && (version === undefined || p.version === version) ? p.diagnostics : undefined;
    });
  }

  async initialize() {
    const root = pathToFileURL(this.workspace).toString();
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: "ws" }],
      capabilities: {
        workspace: { configuration: true, applyEdit: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          codeAction: { isPreferredSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source.fixAll"] } } },
        },
        window: { workDoneProgress: true, showDocument: { support: true } },
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  open(file, text = fs.readFileSync(file, "utf8"), languageId = "go") {
    const uri = pathToFileURL(file).toString();
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return doc;
  }

  /** Applies LSP text edits to the client's copy and sends them as an incremental change. */
  edit(doc, edits) {
    const changes = [...edits]
      .sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)
      .map((e) => ({ range: e.range, text: e.newText }));
    const next = TextDocument.update(doc, changes, doc.version + 1);
    this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: doc.uri, version: next.version },
      contentChanges: changes,
    });
    return next;
  }

  close(doc) {
    this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: doc.uri } });
  }

  codeActions(doc, range, diagnostics, only) {
    return this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: doc.uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
  }

  async stop() {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // the process may already be gone
    }
    await new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000);
      this.child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connection.dispose();
  }
}

/** The 0-based lines that carry `// want <rule>` in a fixture. */
function wantLines(text, rule) {
  return text
    .split("\n")
    .map((line, i) => (new RegExp(`// want\\b.*\\b${rule}\\b`).test(line) ? i : -1))
    .filter((i) => i >= 0);
}

function workspaceEditText(doc, edit) {
  const change = edit.documentChanges.find((c) => c.textDocument.uri === doc.uri);
  assert.ok(change, "the edit changes the document");
  assert.equal(change.textDocument.version, doc.version, "the edit is for the analysed version");
  return change.edits;
}

describe("language server (leaklint lsp --stdio)", function () {
  this.timeout(60000);
  let ws;
  let client;
  let engine;

  before(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-lsp-"));
    fs.cpSync(FIXTURES, ws, { recursive: true });
    engine = await require(path.join(ROOT, "dist", "index.js")).createEngine({});
    client = new Client(ws);
  });

  after(async () => {
    if (client) await client.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it("initializes and announces its capabilities", async () => {
    const result = await client.initialize();
    assert.equal(result.serverInfo.name, "leaklint");
    assert.deepEqual(result.capabilities.codeActionProvider.codeActionKinds, ["quickfix", "source.fixAll.leaklint"]);
    assert.ok(result.capabilities.executeCommandProvider.commands.includes("leaklint.server.scanWorkspace"));
  });

  it("publishes diagnostics for an open Go document: codes, ranges, docs links, related locations", async () => {
    const file = path.join(ws, BODY, "api.go");
    const doc = client.open(file);
    const diagnostics = await client.diagnosticsFor(doc.uri, 1);
    const text = doc.getText();
    assert.deepEqual(
      diagnostics.map((d) => d.range.start.line),
      wantLines(text, BODY),
      "one diagnostic on every `// want` line",
    );
    // The ranges are the engine's, converted from offsets.
    const expected = engine.analyzeText(file, text).findings;
    assert.deepEqual(
      diagnostics.map((d) => d.range),
      expected.map((f) => ({ start: doc.positionAt(f.range.start.offset), end: doc.positionAt(f.range.end.offset) })),
    );
    for (const d of diagnostics) {
      assert.equal(d.source, "leaklint");
      assert.equal(d.code, BODY);
      assert.equal(d.severity, 1, "unclosed-response-body is an error");
      assert.match(d.codeDescription.href, /^file:\/\/.*\/docs\/rules\/unclosed-response-body\.md$/);
      assert.ok(fs.existsSync(new URL(d.codeDescription.href)), "the docs link opens");
    }
    const first = diagnostics[0];
    assert.equal(first.message, "resp.Body is not closed when User returns at line 39");
    // `resp, err := c.hc.Do(req)` on line 34 (1-based): the range covers the call.
    assert.deepEqual(first.range, { start: { line: 33, character: 14 }, end: { line: 33, character: 26 } });
    assert.deepEqual(first.relatedInformation, [
      { location: { uri: doc.uri, range: { start: { line: 38, character: 2 }, end: { line: 38, character: 17 } } }, message: "returns here with resp.Body still open" },
    ]);
    client.close(doc);
    await client.waitFor("diagnostics cleared on close", () => client.diagnostics.get(doc.uri).diagnostics.length === 0);
  });

  it("updates the diagnostics as the document is edited", async () => {
    const file = path.join(ws, BODY, "api.go");
    let doc = client.open(file);
    const before = await client.diagnosticsFor(doc.uri, 1);
    // Close the body in User: its diagnostic goes, the others stay where they are.
    const guardEnd = doc.getText().indexOf("\t}\n", doc.offsetAt(before[0].range.start)) + 3;
    const at = doc.positionAt(guardEnd);
    doc = client.edit(doc, [{ range: { start: at, end: at }, newText: "\tdefer resp.Body.Close()\n" }]);
    let after = await client.diagnosticsFor(doc.uri, 2);
    assert.equal(after.length, before.length - 1);
    assert.deepEqual(
      after.map((d) => d.range.start.line),
      before.slice(1).map((d) => d.range.start.line + 1),
    );
    // Type a new leak at the end: a diagnostic appears on its line.
    const end = doc.positionAt(doc.getText().length);
    doc = client.edit(doc, [
      { range: { start: end, end }, newText: '\nfunc Typed(u string) {\n\tresp, err := http.Get(u)\n\tif err != nil {\n\t\treturn\n\t}\n\t_ = resp\n}\n' },
    ]);
    after = await client.diagnosticsFor(doc.uri, 3);
    assert.equal(after.length, before.length);
    const typed = after[after.length - 1];
    assert.equal(typed.code, BODY);
    assert.equal(typed.range.start.line, end.line + 2);
    assert.equal(doc.getText().split("\n")[typed.range.start.line], "\tresp, err := http.Get(u)");
    client.close(doc);
  });

  it("offers the fix (preferred), fix all, suppress and docs as code actions; the fixes give the golden text", async () => {
    const file = path.join(ws, BODY, "api.go");
    const golden = fs.readFileSync(`${file}.golden`, "utf8");
    let doc = client.open(file);
    const diagnostics = await client.diagnosticsFor(doc.uri, 1);
    const actions = await client.codeActions(doc, diagnostics[0].range, [diagnostics[0]]);
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Add `defer resp.Body.Close()`", "Fix all leaklint problems", `Suppress ${BODY} on this line`, `Show documentation for ${BODY}`],
    );
    const [fix, fixAll, suppress, docs] = actions;
    assert.equal(fix.kind, "quickfix");
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics, [diagnostics[0]]);
    assert.equal(docs.command.command, "leaklint.server.showDocumentation");

    // The quick fix, applied: that one finding is gone.
    const fixed = TextDocument.applyEdits(doc, workspaceEditText(doc, fix.edit));
    assert.ok(fixed.includes("\t}\n\tdefer resp.Body.Close()\n\tif resp.StatusCode == http.StatusNotFound"));
    // Fix all in one edit is the golden text.
    assert.equal(TextDocument.applyEdits(doc, workspaceEditText(doc, fixAll.edit)), golden);

    // Applying the preferred quick fix one finding at a time ends at the golden text too.
    for (let round = 0; round < 20; round++) {
      const current = await client.diagnosticsFor(doc.uri, doc.version);
      let applied = false;
      for (const d of current) {
        const preferred = (await client.codeActions(doc, d.range, [d])).find((a) => a.isPreferred);
        if (!preferred) continue;
        doc = client.edit(doc, workspaceEditText(doc, preferred.edit));
        applied = true;
        break;
      }
      if (!applied) break;
    }
    assert.equal(doc.getText(), golden);
    // What is left has no fix: the finding on the line without a safe fix.
    const left = await client.diagnosticsFor(doc.uri, doc.version);
    assert.equal(left.length, diagnostics.length - 6);

    // source.fixAll.leaklint, as editor.codeActionsOnSave asks for it: nothing left to fix now.
    assert.deepEqual(await client.codeActions(doc, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ["source.fixAll"]), []);
    client.close(doc);

    // On a fresh copy, source.fixAll.leaklint alone gives the golden text.
    doc = client.open(file);
    await client.diagnosticsFor(doc.uri, 1);
    const sourceActions = await client.codeActions(doc, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ["source.fixAll.leaklint"]);
    assert.deepEqual(sourceActions.map((a) => [a.title, a.kind]), [["Fix all leaklint problems", "source.fixAll.leaklint"]]);
    assert.equal(TextDocument.applyEdits(doc, workspaceEditText(doc, sourceActions[0].edit)), golden);

    // Suppress: the directive goes on the line above, indented, and silences that line only.
    const line = diagnostics[0].range.start.line;
    doc = client.edit(doc, workspaceEditText(doc, suppress.edit));
    assert.equal(doc.getText().split("\n")[line], `\t// leaklint:ignore ${BODY}`);
    const suppressed = await client.diagnosticsFor(doc.uri, doc.version);
    assert.equal(suppressed.length, diagnostics.length - 1);
    assert.ok(!suppressed.some((d) => d.range.start.line === line + 1));

    // Fix All in File (the command) asks the client to apply the same edit.
    const result = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: "leaklint.server.fixAll", arguments: [doc.uri] });
    assert.deepEqual(result, { applied: true });
    assert.equal(client.appliedEdits.length, 1);
    client.close(doc);
  });

  it("shows a rule's documentation", async () => {
    const uri = await client.connection.sendRequest(ExecuteCommandRequest.type, { command: "leaklint.server.showDocumentation", arguments: [BODY] });
    assert.match(uri, /docs\/rules\/unclosed-response-body\.md$/);
    assert.deepEqual(client.shownDocuments.at(-1), { uri, external: false, takeFocus: true });
  });

  it("scans the workspace with progress and publishes diagnostics for files that are not open", async () => {
    const published = client.publishCount;
    const result = await client.connection.sendRequest(ExecuteCommandRequest.type, {
      command: "leaklint.server.scanWorkspace",
      arguments: [],
      workDoneToken: "scan-1",
    });
    const goFiles = fs.readdirSync(ws, { recursive: true }).filter((f) => f.endsWith(".go")).length;
    assert.equal(result.files, goFiles);
    assert.equal(result.analysed, goFiles);
    assert.equal(result.cancelled, false);
    assert.ok(client.publishCount - published >= goFiles, "every file's diagnostics were published");
    const progress = client.progress.get("scan-1");
    assert.equal(progress[0].kind, "begin");
    assert.equal(progress[0].cancellable, true);
    assert.equal(progress.at(-1).kind, "end");
    assert.equal(progress.at(-2).message, `${goFiles}/${goFiles} files`);
    assert.equal(progress.at(-2).percentage, 100);

    // A file that was never opened, checked against its `// want` lines.
    const rows = path.join(ws, "unclosed-rows", "incident.go");
    const rowsDiagnostics = client.diagnostics.get(pathToFileURL(rows).toString()).diagnostics;
    assert.deepEqual(
      rowsDiagnostics.map((d) => d.range.start.line),
      wantLines(fs.readFileSync(rows, "utf8"), "unclosed-rows"),
    );
    assert.ok(rowsDiagnostics.every((d) => d.code === "unclosed-rows" && d.source === "leaklint"));
    const total = [...client.diagnostics.values()].reduce((n, p) => n + p.diagnostics.length, 0);
    assert.equal(result.findings, total);
    const status = await client.waitFor("status with the finding count", () => client.statuses.findLast((s) => s.state === "ok" && s.findings === total));
    assert.equal(status.findings, total);
  });

  it("stops a workspace scan when the client cancels it", async () => {
    // Enough files that the scan is still running when its first progress report arrives.
    const many = path.join(ws, "many");
    for (let i = 0; i < 400; i++) {
      fs.mkdirSync(path.join(many, `p${i}`), { recursive: true });
      fs.writeFileSync(path.join(many, `p${i}`, "leak.go"), `package p${i}\n\nimport "os"\n\nfunc Size(p string) int64 {\n\tf, _ := os.Open(p)\n\tst, _ := f.Stat()\n\treturn st.Size()\n}\n`);
    }
    const source = new CancellationTokenSource();
    client.connection.onProgress(WorkDoneProgress.type, "scan-2", (v) => {
      if (v.kind === "report" && v.percentage > 0) source.cancel();
    });
    const result = await client.connection.sendRequest(
      ExecuteCommandRequest.type,
      { command: "leaklint.server.scanWorkspace", arguments: [], workDoneToken: "scan-2" },
      source.token,
    );
    assert.equal(result.cancelled, true);
    assert.ok(result.analysed < result.files, `${result.analysed} of ${result.files} files`);
  });

  it("applies settings, with leaklint.config.json winning over them", async () => {
    const file = path.join(ws, BODY, "api.go");
    const doc = client.open(file);
    const count = (await client.diagnosticsFor(doc.uri, 1)).length;
    assert.ok(count > 0);
    const rowsUri = pathToFileURL(path.join(ws, "unclosed-rows", "incident.go")).toString();
    const rowsCount = client.diagnostics.get(rowsUri).diagnostics.length;

    // The setting turns the rule off: the open document and the scanned files lose it.
    client.settings = { rules: { [BODY]: "off" } };
    client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { leaklint: client.settings } });
    await client.waitFor("the rule turned off", () => client.diagnostics.get(doc.uri).diagnostics.length === 0);
    const incident = pathToFileURL(path.join(ws, BODY, "incident.go")).toString();
    await client.waitFor("scanned files re-analysed", () => client.diagnostics.get(incident).diagnostics.length === 0);
    assert.equal(client.diagnostics.get(rowsUri).diagnostics.length, rowsCount, "other rules are untouched");

    // A config file that sets the rule wins over the setting.
    const config = path.join(ws, "leaklint.config.json");
    fs.writeFileSync(config, JSON.stringify({ rules: { [BODY]: "warning" } }));
    client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(config).toString(), type: FileChangeType.Created }] });
    const back = await client.waitFor("the config file's severity", () => {
      const d = client.diagnostics.get(doc.uri).diagnostics;
      return d.length === count && d.every((x) => x.severity === 2) ? d : undefined;
    });
    assert.equal(back.length, count);

    // A broken config is reported once, and the server keeps answering.
    fs.writeFileSync(config, "{ not json");
    client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(config).toString(), type: FileChangeType.Changed }] });
    await client.waitFor("the config error shown", () => client.messages.find((m) => m.includes("leaklint.config.json: invalid JSON")));
    await client.waitFor("status error", () => client.statuses.findLast((s) => s.state === "error"));

    fs.rmSync(config);
    client.settings = {};
    client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(config).toString(), type: FileChangeType.Deleted }] });
    client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { leaklint: {} } });
    await client.waitFor("defaults again", () => {
      const d = client.diagnostics.get(doc.uri).diagnostics;
      return d.length === count && d.every((x) => x.severity === 1);
    });
    client.close(doc);
  });

  it("honours leaklint.run = onSave, leaklint.exclude and leaklint.enable", async () => {
    client.settings = { run: "onSave", exclude: ["unclosed-rows/**"] };
    client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { leaklint: client.settings } });
    const file = path.join(ws, BODY, "incident.go");
    let doc = client.open(file);
    const initial = await client.diagnosticsFor(doc.uri, 1);
    assert.ok(initial.length > 0);
    doc = client.edit(doc, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: "// typed\n" }]);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(client.diagnostics.get(doc.uri).version, 1, "no analysis while typing");
    client.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: doc.uri } });
    const saved = await client.diagnosticsFor(doc.uri, 2);
    assert.equal(saved[0].range.start.line, initial[0].range.start.line + 1);
    client.close(doc);

    const excluded = client.open(path.join(ws, "unclosed-rows", "incident.go"));
    await client.waitFor("excluded file cleared", () => client.diagnostics.get(excluded.uri)?.diagnostics.length === 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.diagnostics.get(excluded.uri).diagnostics.length, 0);
    client.close(excluded);

    // leaklint.enable = false: nothing is reported, not even for a leaking file.
    client.settings = { enable: false };
    client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { leaklint: client.settings } });
    const disabled = client.open(path.join(ws, BODY, "api.go"));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(client.diagnostics.get(disabled.uri)?.diagnostics.length ?? 0, 0);
    client.close(disabled);
    client.settings = {};
    client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { leaklint: {} } });
  });

  /** A package whose helper closes a response body for its caller, on disk in a directory of its own. */
  function drainPackage(name) {
    const dir = path.join(ws, name);
    fs.mkdirSync(dir);
    const helper = `package ${name}\n\nimport "net/http"\n\nfunc drain(r *http.Response) {\n\tr.Body.Close()\n}\n`;
    const caller = `package ${name}\n\nimport "net/http"\n\nfunc Ping(u string) error {\n\tresp, err := http.Get(u)\n\tif err != nil {\n\t\treturn err\n\t}\n\tdefer drain(resp)\n\treturn nil\n}\n`;
    fs.writeFileSync(path.join(dir, "helper.go"), helper);
    fs.writeFileSync(path.join(dir, "caller.go"), caller);
    return { helper: path.join(dir, "helper.go"), caller: path.join(dir, "caller.go") };
  }

  /** The helper stops closing: the caller, untouched (version 1), now leaks. */
  async function stopClosing(helperDoc, callerDoc) {
    const line = { start: { line: 5, character: 0 }, end: { line: 6, character: 0 } };
    const edited = client.edit(helperDoc, [{ range: line, newText: "\t_ = r.StatusCode\n" }]);
    await client.diagnosticsFor(edited.uri, 2);
    const leak = await client.waitFor("the caller's new finding", () => {
      const d = client.diagnostics.get(callerDoc.uri);
      return d.version === 1 && d.diagnostics.length === 1 ? d.diagnostics : undefined;
    });
    assert.equal(leak[0].code, BODY);
    assert.equal(leak[0].range.start.line, 5);
    client.close(edited);
    client.close(callerDoc);
  }

  it("re-analyses the other open files of a package when an edit changes what they call", async () => {
    const files = drainPackage("pkgdeps");
    const helperDoc = client.open(files.helper);
    const callerDoc = client.open(files.caller);
    assert.deepEqual(await client.diagnosticsFor(helperDoc.uri, 1), []);
    assert.deepEqual(await client.diagnosticsFor(callerDoc.uri, 1), [], "drain closes the body");
    await stopClosing(helperDoc, callerDoc);
  });

  it("summarizes an edited helper from its open text, not from the copy on disk the caller first read", async () => {
    const files = drainPackage("pkgdeps2");
    // The caller first: drain's summary (and tree) come from the file on disk.
    const callerDoc = client.open(files.caller);
    assert.deepEqual(await client.diagnosticsFor(callerDoc.uri, 1), [], "drain closes the body");
    const helperDoc = client.open(files.helper);
    await client.diagnosticsFor(helperDoc.uri, 1);
    await stopClosing(helperDoc, callerDoc);
  });

  it("survives files it cannot analyse and keeps serving", async () => {
    const deep = path.join(ws, "deep.go");
    // It opens a file, so a rule wants it parsed: the nesting limit applies.
    const nested = `package deep\n\nimport "os"\n\nfunc f() {\n${"{".repeat(5000)}\nx, _ := os.Open("a")\n_ = x\n${"}".repeat(5000)}\n}\n`;
    const doc = client.open(deep, nested);
    assert.deepEqual(await client.diagnosticsFor(doc.uri, 1), []);
    await client.waitFor("the notice in the log", () => client.logs.find((l) => l.includes("deep.go: skipped: blocks nested deeper")));
    const half = client.open(path.join(ws, "half.go"), "package half\n\nfunc f(u string) {\n\tresp, err := http.Get(u\n\tif err != nil {\n");
    await client.diagnosticsFor(half.uri, 1);
    // Still alive: a normal document gets its diagnostics.
    const ok = client.open(path.join(ws, BODY, "incident.go"));
    assert.ok((await client.diagnosticsFor(ok.uri, 1)).length > 0);
    for (const d of [doc, half, ok]) client.close(d);
    assert.equal(client.child.exitCode, null);
  });

  it("publishes diagnostics for an open TypeScript document", async function () {
    if (!engine.handles("x.ts")) {
      console.log("      skipped until the TypeScript front end lands: engine.handles(\"x.ts\") is false");
      this.skip();
    }
    const file = path.join(ws, "ts", "status.ts");
    const text = 'export async function status(url: string): Promise<number> {\n  const res = await fetch(url);\n  return res.status;\n}\n';
    const doc = client.open(file, text, "typescript");
    const diagnostics = await client.diagnosticsFor(doc.uri, 1);
    const expected = engine.analyzeText(file, text).findings;
    assert.ok(expected.length > 0, "the TS rules report the unconsumed fetch body");
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range]),
      expected.map((f) => [f.ruleId, { start: doc.positionAt(f.range.start.offset), end: doc.positionAt(f.range.end.offset) }]),
    );
    assert.ok(diagnostics.some((d) => d.code === BODY && d.range.start.line === 1));
    client.close(doc);
  });
});

describe("VS Code extension manifest", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

  it("declares the commands, settings, activation and untrusted-workspace support", () => {
    assert.equal(pkg.main, "./dist/extension/extension.js");
    assert.equal(pkg.exports["."].default, "./dist/index.js", "require('leaklint') is the library");
    assert.deepEqual(
      pkg.contributes.commands.map((c) => `${c.category}: ${c.title}`),
      ["Leaklint: Scan Workspace", "Leaklint: Fix All in File", "Leaklint: Show Output", "Leaklint: Restart Server"],
    );
    assert.deepEqual(Object.keys(pkg.contributes.configuration.properties), [
      "leaklint.enable",
      "leaklint.rules",
      "leaklint.run",
      "leaklint.exclude",
      "leaklint.trace.server",
    ]);
    for (const event of ["onLanguage:go", "onLanguage:typescript", "onLanguage:javascript", "workspaceContains:**/go.mod"]) {
      assert.ok(pkg.activationEvents.includes(event), event);
    }
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
  });

  it("registers the config schema and the directive grammar with files that exist", () => {
    const [validation] = pkg.contributes.jsonValidation;
    assert.equal(validation.fileMatch, "leaklint.config.json");
    assert.ok(fs.existsSync(path.join(ROOT, validation.url)));
    const [grammar] = pkg.contributes.grammars;
    assert.deepEqual(grammar.injectTo, ["source.go", "source.ts", "source.tsx", "source.js", "source.js.jsx"]);
    const tm = JSON.parse(fs.readFileSync(path.join(ROOT, grammar.path), "utf8"));
    assert.equal(tm.scopeName, grammar.scopeName);
    const directive = new RegExp(tm.repository.directive.match);
    const match = (text) => {
      const m = directive.exec(text);
      return m && [m[1], m[2], m[4]];
    };
    assert.deepEqual(match("// leaklint:ignore unclosed-rows,unclosed-handle -- closed by the caller"), [
      "leaklint:ignore",
      "unclosed-rows,unclosed-handle",
      "closed by the caller",
    ]);
    assert.deepEqual(match("//leaklint:ignore-file client-per-call"), ["leaklint:ignore-file", "client-per-call", undefined]);
    assert.deepEqual(match("/* leaklint:ignore unclosed-rows */"), ["leaklint:ignore", "unclosed-rows", undefined]);
    assert.equal(match("// see notleaklint:ignore here"), null);
  });

  it("packs an allow-list: .vscodeignore excludes everything, then names what ships", () => {
    const lines = fs.readFileSync(path.join(ROOT, ".vscodeignore"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    assert.equal(lines[0], "**");
    assert.ok(lines.slice(1).every((l) => l.startsWith("!")));
    for (const shipped of ["!dist/extension/extension.js", "!dist/extension/server.js", "!dist/wasm/*.wasm", "!schemas/*.json", "!syntaxes/*.json"]) {
      assert.ok(lines.includes(shipped), shipped);
    }
  });
});
