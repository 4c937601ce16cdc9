// Runs inside VS Code's extension host (loaded through the workbench's extensionTestsPath),
// with the installed .vsix active: measures the editor latencies the issue asks for with
// the real `vscode` API, and writes them to $LEAKLINT_E2E_RESULTS.
//   open:      opening a 4,000-line Go file until its first leaklint diagnostics arrive; each
//              run opens its own copy (big/open-N/server.go, written by run.js), because VS
//              Code keeps a document open for a while after its editor closes
//   keystroke: a one-character edit until the diagnostics for the new version arrive
const fs = require("node:fs");
const path = require("node:path");
const vscode = require("vscode");

const OPEN_RUNS = Number(process.env.LEAKLINT_E2E_OPEN_RUNS ?? 7);
const KEYSTROKE_RUNS = 15;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Resolves with the time at which `uri` next gets leaklint diagnostics that satisfy `accept`. */
function nextDiagnostics(uri, accept, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const seen = new Set();
    const timer = setTimeout(() => {
      listener.dispose();
      const ext = vscode.extensions.getExtension("leaklint.leaklint");
      reject(new Error(`no leaklint diagnostics for ${uri} within ${timeoutMs} ms (extension active: ${ext?.isActive}; diagnostics changed for: ${[...seen].join(", ") || "nothing"})`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      for (const u of e.uris) seen.add(u.toString());
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const mine = vscode.languages.getDiagnostics(uri).filter((d) => d.source === "leaklint");
      if (!accept(mine)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(performance.now());
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run() {
  try {
    await measure();
  } catch (e) {
    console.error(`leaklint host tests failed: ${e.stack ?? e.message}`);
    throw e;
  }
}

async function measure() {
  const out = process.env.LEAKLINT_E2E_RESULTS;
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const ext = vscode.extensions.getExtension("leaklint.leaklint");
  if (!ext) throw new Error("the leaklint extension is not installed");
  await ext.activate();
  const copies = Array.from({ length: OPEN_RUNS }, (_, i) => vscode.Uri.joinPath(folder, "big", `open-${i + 1}`, "server.go"));
  const results = { file: copies[0].fsPath, lines: 0, open: [], keystroke: [] };

  // Opening: the first open may still wait for the server to load its parser (the
  // extension activated just before), so it is reported on its own as well.
  let big;
  for (const copy of copies) {
    big = copy;
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await sleep(400);
    const started = performance.now();
    const arrived = nextDiagnostics(big, (d) => d.length > 0);
    const doc = await vscode.workspace.openTextDocument(big);
    await vscode.window.showTextDocument(doc);
    results.open.push((await arrived) - started);
    results.lines = doc.lineCount;
  }

  // Typing: one character into a comment at the top of the file, then its removal,
  // each followed by the diagnostics of the new version. A pause between keystrokes
  // measures a keystroke, not a burst (the server waits for typing to pause).
  const editor = vscode.window.activeTextEditor;
  const at = new vscode.Position(0, 0);
  for (let i = 0; i < KEYSTROKE_RUNS; i++) {
    await sleep(300);
    const arrived = nextDiagnostics(big, (d) => d.length > 0);
    const started = performance.now();
    const insert = i % 2 === 0;
    await editor.edit((b) => (insert ? b.insert(at, "/") : b.delete(new vscode.Range(at, at.translate(0, 1)))));
    results.keystroke.push((await arrived) - started);
  }
  await vscode.commands.executeCommand("workbench.action.files.revert");

  results.medianOpenMs = Math.round(median(results.open));
  results.medianWarmOpenMs = Math.round(median(results.open.slice(1)));
  results.firstOpenMs = Math.round(results.open[0]);
  results.medianKeystrokeMs = Math.round(median(results.keystroke));
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
}

module.exports = { run };
