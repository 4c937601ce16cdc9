#!/usr/bin/env node
// `npm run test:e2e`: the extension in a real VS Code, offline. code-server 4.100.3
// (VS Code 1.100.3, installed by scripts/e2e-setup.sh) gets the built .vsix installed and
// a small Go/TS workspace; Debian's chromium, driven by playwright-core, looks at it as a
// person would: squiggles and hovers, the Problems count, "Leaklint: Scan Workspace" from
// the command palette, Ctrl+. and the fix. Then the workbench runs host-tests.js inside
// the extension host to measure the editor latencies on a 4,000-line Go file.
// Screenshots and latencies go to test-output/e2e/. Ends with "e2e: N passed, N failed".
const assert = require("node:assert/strict");
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");
const { writeBigGoFile } = require("./big-file");

const ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(ROOT, "test-output", "e2e");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const VSIX = path.join(ROOT, "dist", `${pkg.name}-${pkg.version}.vsix`);
const CHROMIUM = process.env.LEAKLINT_E2E_CHROMIUM ?? "/usr/bin/chromium";
const MOD = "Control";

const results = [];
let shotCount = 0;

function log(message) {
  console.log(`e2e: ${message}`);
}

async function screenshot(page, name) {
  const file = path.join(OUT, `${String(++shotCount).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(ROOT, file)}`);
  return file;
}

/** One check of the run: recorded, and on failure photographed, without stopping the others. */
async function check(page, name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e.message });
    console.log(`  ✖ ${name}\n      ${String(e.message).split("\n").join("\n      ")}`);
    if (page) await screenshot(page, `failed-${name.replace(/[^\w]+/g, "-").slice(0, 50)}`).catch(() => {});
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms`);
}

function prepareWorkspace(dir) {
  fs.cpSync(path.join(__dirname, "workspace"), dir, { recursive: true });
  const big = writeBigGoFile(path.join(dir, "big", "server.go"));
  fs.mkdirSync(path.join(dir, ".vscode"), { recursive: true });
  return big;
}

const USER_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "editor.minimap.enabled": false,
  "editor.stickyScroll.enabled": false,
  "editor.hover.delay": 150,
  "editor.lightbulb.enabled": "on",
  "editor.fontSize": 14,
  "chat.commandCenter.enabled": false,
  "git.enabled": false,
  "typescript.validate.enable": false,
  "javascript.validate.enable": false,
  "typescript.tsserver.experimental.enableProjectDiagnostics": false,
  "files.autoSave": "off",
};

async function main() {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  if (!fs.existsSync(VSIX)) throw new Error(`${path.relative(ROOT, VSIX)} is missing: run npm run package`);
  const setup = execFileSync("bash", [path.join(ROOT, "scripts", "e2e-setup.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const codeServer = setup.trim().split("\n").pop();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-e2e-"));
  const dirs = Object.fromEntries(["user", "extensions", "xdg-config", "xdg-data", "browser", "ws"].map((d) => [d, path.join(tmp, d)]));
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const env = { ...process.env, XDG_CONFIG_HOME: dirs["xdg-config"], XDG_DATA_HOME: dirs["xdg-data"], LEAKLINT_E2E_RESULTS: path.join(OUT, "latency.json") };
  const config = path.join(tmp, "config.yaml");
  fs.writeFileSync(config, "auth: none\ncert: false\n");
  fs.mkdirSync(path.join(dirs.user, "User"), { recursive: true });
  fs.writeFileSync(path.join(dirs.user, "User", "settings.json"), JSON.stringify(USER_SETTINGS, null, 2));
  const big = prepareWorkspace(dirs.ws);
  log(`4,000-line file: ${big.lines} lines from ${big.origin}`);

  let server;
  let context;
  try {
    await check(null, "the .vsix installs into code-server", () => {
      const out = execFileSync(codeServer, ["--install-extension", VSIX, "--extensions-dir", dirs.extensions, "--user-data-dir", dirs.user, "--config", config], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      assert.match(out, /was successfully installed/);
    });
    const extensionDir = fs.readdirSync(dirs.extensions).find((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
    assert.ok(extensionDir, "the extension folder exists after the install");

    const port = await freePort();
    const serverLog = fs.openSync(path.join(OUT, "code-server.log"), "w");
    server = spawn(
      codeServer,
      [
        "--bind-addr", `127.0.0.1:${port}`,
        "--auth", "none",
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--user-data-dir", dirs.user,
        "--extensions-dir", dirs.extensions,
        "--config", config,
        dirs.ws,
      ],
      { env, detached: true, stdio: ["ignore", serverLog, serverLog] },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 60000);

    context = await chromium.launchPersistentContext(dirs.browser, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // LEAKLINT_E2E_ONLY=ui or =host runs one half, for working on it.
    if (process.env.LEAKLINT_E2E_ONLY !== "host") await uiChecks(page, `${base}/?folder=${encodeURIComponent(dirs.ws)}`, dirs.ws);
    await page.close();
    if (process.env.LEAKLINT_E2E_ONLY === "ui") return;

    await check(null, "latency measured in the extension host", async () => {
      const latency = await hostTests(context, base, dirs.ws, path.join(dirs.extensions, extensionDir));
      log(
        `latency on ${latency.lines}-line ${path.basename(latency.file)}: open to first diagnostics median ${latency.medianOpenMs} ms ` +
          `(first open ${latency.firstOpenMs} ms, later opens median ${latency.medianWarmOpenMs} ms), keystroke to updated diagnostics median ${latency.medianKeystrokeMs} ms`,
      );
    });
  } finally {
    if (context) await context.close().catch(() => {});
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => (server.exitCode !== null ? r() : server.on("exit", r)));
    }
    // VS Code's logs (the Leaklint output channel among them) outlive the run, for a failure's post-mortem.
    const logs = path.join(dirs.user, "logs");
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(OUT, "logs"), { recursive: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---- what a person sees ------------------------------------------------------------------

async function uiChecks(page, url, ws) {
  await page.goto(url);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
  await page.locator(".statusbar").waitFor();
  await dismissNotifications(page);

  await check(page, "a leaking Go line has a squiggle whose hover names the leak", async () => {
    await openFile(page, "client.go");
    const squiggle = await waitForSquiggle(page, "client.go");
    const hover = await hoverOver(page, squiggle);
    assert.match(hover, /resp\.Body is not closed when StatusCode returns at line 11/);
    assert.match(hover, /leaklint\(unclosed-response-body\)|unclosed-response-body/);
    await screenshot(page, "go-squiggle-hover");
    await page.mouse.move(10, 500);
  });

  await check(page, "the leaklint status bar item shows the state and finding count", async () => {
    const item = page.locator('[id="leaklint.leaklint.leaklint.status"], [id="leaklint.status"]').first();
    await page.waitForFunction(() => {
      const el = [...document.querySelectorAll(".statusbar-item")].find((e) => e.id.endsWith("leaklint.status"));
      return el && /Leaklint: \d+/.test(el.textContent ?? "");
    }, null, { timeout: 20000 });
    assert.match((await item.textContent()) ?? "", /Leaklint: 1/);
  });

  await check(page, "the Problems count in the status bar counts the open file's finding", async () => {
    await waitForProblemCount(page, 1);
  });

  const tsHandled = await tsSupported();
  if (tsHandled) {
    await check(page, "a leaking TypeScript line has a squiggle whose hover names the leak", async () => {
      await openFile(page, "status.ts");
      const squiggle = await waitForSquiggle(page, "status.ts");
      const hover = await hoverOver(page, squiggle);
      assert.match(hover, /res\.body is neither consumed nor cancelled/);
      await screenshot(page, "ts-squiggle-hover");
      await page.mouse.move(10, 500);
      await waitForProblemCount(page, 2);
    });
  } else {
    log("skipped the TypeScript squiggle: the engine does not analyse .ts files yet");
  }

  await check(page, "Leaklint: Scan Workspace fills the Problems panel with files that are not open", async () => {
    await runCommand(page, "Leaklint: Scan Workspace");
    const panel = page.locator(".markers-panel");
    await panel.waitFor({ timeout: 30000 });
    // The summary comes after the extension showed the Problems panel: the focus has settled.
    await page.getByText(/Leaklint: \d+ findings? in \d+ files?/).first().waitFor({ timeout: 30000 });
    await runCommand(page, "View: Toggle Maximized Panel"); // room for every file's findings
    for (const file of ["rows.go", "files.go", "server.go"]) {
      await panel.locator(".monaco-list-row", { hasText: file }).first().waitFor({ timeout: 30000 });
    }
    const expected = (tsHandled ? 2 : 1) + 3; // open files + rows.go, files.go, big/server.go
    await waitForProblemCount(page, expected);
    const text = await panel.innerText();
    assert.match(text, /rows is not closed when Names returns/);
    assert.match(text, /f is not closed when Size returns/);
    await screenshot(page, "scan-workspace-problems");
  });

  await check(page, "Ctrl+. offers the fix, applying it changes the file and the finding goes", async () => {
    await runCommand(page, "View: Toggle Maximized Panel");
    await focusWorkbench(page);
    await page.keyboard.press(`${MOD}+J`); // hide the panel: the editor gets the room
    await openFile(page, "client.go");
    await waitForSquiggle(page, "client.go");
    await goToLine(page, 7, 15);
    await page.keyboard.press(`${MOD}+Period`);
    const menu = page.locator(".action-widget");
    await menu.waitFor({ timeout: 10000 });
    const item = menu.locator(".monaco-list-row", { hasText: "Add `defer resp.Body.Close()`" }).first();
    await item.waitFor();
    const titles = await menu.locator(".monaco-list-row").allInnerTexts();
    assert.ok(titles.some((t) => t.includes("Suppress unclosed-response-body on this line")), `actions: ${titles.join(" | ")}`);
    await screenshot(page, "quick-fix-menu");
    const box = await item.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height / 2);
    await item.click();
    const editor = activeEditor(page);
    await editor.locator(".view-line", { hasText: "defer resp.Body.Close()" }).waitFor({ timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll(".editor-instance .squiggly-error").length === 0, null, { timeout: 15000 });
    const lines = await editorLines(page);
    assert.deepEqual(lines.slice(6, 12).map((l) => l.trim()), [
      "resp, err := http.Get(url)",
      "if err != nil {",
      "return 0, err",
      "}",
      "defer resp.Body.Close()",
      "return resp.StatusCode, nil",
    ]);
    await screenshot(page, "after-fix");
  });

  await check(page, "the fixed file's finding left the Problems panel", async () => {
    await page.keyboard.press(`${MOD}+Shift+M`);
    const panel = page.locator(".markers-panel");
    await panel.waitFor();
    await page.waitForFunction(() => !document.querySelector(".markers-panel")?.textContent?.includes("resp.Body is not closed"), null, { timeout: 15000 });
    const text = await panel.innerText();
    assert.match(text, /rows is not closed/, "the other findings stay");
    assert.doesNotMatch(text, /touch\.go/, "a leaklint:ignore directive silences its line");
    await screenshot(page, "problems-after-fix");
  });

  await check(page, "leaklint:ignore directives are highlighted inside comments", async () => {
    await page.keyboard.press(`${MOD}+J`);
    await openFile(page, "touch.go");
    const line = activeEditor(page).locator(".view-line", { hasText: "leaklint:ignore" });
    await line.waitFor();
    // Token colours are classes (mtkN) on spans: the directive must not look like the rest of the comment.
    const classes = await line.evaluate((el) => {
      const of = (text) => [...el.querySelectorAll("span span")].find((s) => s.textContent.replace(/\u00a0/g, " ").includes(text))?.className;
      return { slashes: of("//"), directive: of("leaklint:ignore"), rule: of("unclosed-handle"), reason: of("the process exits") };
    });
    assert.ok(classes.directive && classes.slashes && classes.directive !== classes.slashes, JSON.stringify(classes));
    assert.notEqual(classes.rule, classes.slashes, JSON.stringify(classes));
    await screenshot(page, "directive-highlighting");
  });

  await check(page, "Leaklint: Fix All in File applies the file's safe fixes", async () => {
    await openFile(page, "rows.go");
    await waitForSquiggle(page, "rows.go");
    await runCommand(page, "Leaklint: Fix All in File");
    await activeEditor(page).locator(".view-line", { hasText: "defer rows.Close()" }).waitFor({ timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll(".editor-group-container.active .squiggly-error").length === 0, null, { timeout: 15000 });
    await screenshot(page, "fix-all-in-file");
  });

  await check(page, "Leaklint: Show Output shows the server's log", async () => {
    await runCommand(page, "Leaklint: Show Output");
    const output = page.locator(".part.panel .view-lines", { hasText: "language server started" });
    await output.waitFor({ timeout: 10000 });
    await screenshot(page, "output-channel");
  });
}

async function tsSupported() {
  const { createEngine } = require(path.join(ROOT, "dist", "index.js"));
  return (await createEngine({})).handles("x.ts");
}

async function dismissNotifications(page) {
  for (const close of await page.locator(".notifications-toasts .codicon-notifications-clear, .notification-toast .codicon-close").all()) {
    await close.click().catch(() => {});
  }
}

function activeEditor(page) {
  return page.locator(".editor-group-container.active .editor-instance .monaco-editor").first();
}

/** Keyboard shortcuts reach the workbench only while something in it has focus. */
async function focusWorkbench(page) {
  const tab = page.locator(".editor-group-container.active .tabs-container .tab.active").first();
  const panelTitle = page.locator(".part.panel .composite.title").first();
  if (await tab.isVisible()) await tab.click();
  else if (await panelTitle.isVisible()) await panelTitle.click();
  else await page.locator(".part.editor").first().click();
  await page.mouse.move(10, 500); // off the tab, or its tooltip covers what comes next
}

/** The active editor's visible lines in order (Monaco reuses line elements, so the DOM order is not the text's). */
async function editorLines(page) {
  return activeEditor(page).evaluate((editor) =>
    [...editor.querySelectorAll(".view-line")]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((l) => l.textContent.replace(/\u00a0/g, " ")),
  );
}

/** A shortcut that opens a quick input; pressed again when the workbench missed it. */
async function openQuickInput(page, key) {
  const input = page.locator(".quick-input-widget input");
  for (let attempt = 1; ; attempt++) {
    await focusWorkbench(page);
    await page.keyboard.press(key);
    try {
      await input.waitFor({ timeout: 3000 });
      return input;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/**
 * A shortcut that opens a quick input, the text typed into it, Enter on the match. Done
 * again from the start when the workbench took the focus away halfway (a view that opens
 * after a command, a notification).
 */
async function quickInput(page, key, text, match) {
  for (let attempt = 1; ; attempt++) {
    try {
      const input = await openQuickInput(page, key);
      await input.fill(text, { timeout: 3000 });
      // The list first shows recent items; Enter must wait until the filtered match is selected.
      if (match) await page.locator(".quick-input-list .monaco-list-row.focused", { hasText: match }).first().waitFor({ timeout: 5000 });
      await pick(page);
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press("Escape");
    }
  }
}

async function openFile(page, name) {
  await quickInput(page, `${MOD}+P`, name, name);
  await page.locator(`.tab.active[aria-label*="${name}"], .tab.active[title*="${name}"]`).first().waitFor({ timeout: 15000 }).catch(async () => {
    await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ timeout: 5000 });
  });
  await activeEditor(page).locator(".view-lines").waitFor();
}

async function waitForSquiggle(page, name) {
  const squiggle = activeEditor(page).locator(".squiggly-error").first();
  try {
    await squiggle.waitFor({ timeout: 30000 });
  } catch (e) {
    throw new Error(`no error squiggle in ${name}: ${e.message.split("\n")[0]}`);
  }
  return squiggle;
}

/** Playwright's hover() times out on squiggles (they sit under the text layer): move the mouse there. */
async function hoverOver(page, locator) {
  const box = await locator.boundingBox();
  assert.ok(box, "the squiggle is on screen");
  // "View Problem" marks the hover of a diagnostic (a tab's tooltip is a .monaco-hover too).
  const hover = page.locator(".monaco-hover:not(.hidden)", { hasText: "View Problem" }).first();
  // The workbench sometimes drops a hover request while it is still laying out (seen in CI):
  // leave the line and come back, up to three times, before the check fails.
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(box.x + box.width / 2, box.y - 60);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 4);
    await page.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2 - 3);
    try {
      await hover.waitFor({ timeout: 7000 });
      return hover.innerText();
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

async function goToLine(page, line, column) {
  await quickInput(page, `${MOD}+G`, `:${line}:${column}`); // fill() replaces the ":" prefix Ctrl+G put there
}

/** Enter on the selected quick pick item, once the list has settled. */
async function pick(page) {
  await page.waitForTimeout(150);
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10000 });
}

async function runCommand(page, title) {
  await quickInput(page, "F1", `>${title}`, title);
}

/** The errors number of the Problems item in the status bar. */
async function waitForProblemCount(page, errors) {
  let seen = "";
  try {
    await page.waitForFunction(
      (expected) => {
        const item = document.getElementById("status.problems");
        const label = item?.querySelector("a")?.getAttribute("aria-label") ?? item?.getAttribute("aria-label") ?? "";
        window.__leaklintProblems = label || item?.textContent;
        const m = /(\d+)\s+errors?/i.exec(label) ?? /Errors?:\s*(\d+)/i.exec(label);
        return m && Number(m[1]) === expected;
      },
      errors,
      { timeout: 30000 },
    );
  } catch {
    seen = await page.evaluate(() => window.__leaklintProblems);
    throw new Error(`the Problems item shows "${seen}", expected ${errors} error(s)`);
  }
}

// ---- measurements inside the extension host --------------------------------------------------

async function hostTests(context, base, ws, extensionDir) {
  const source = path.join(ws, "big", "server.go");
  for (let i = 1; i <= 7; i++) {
    fs.mkdirSync(path.join(ws, "big", `open-${i}`), { recursive: true });
    fs.copyFileSync(source, path.join(ws, "big", `open-${i}`, "server.go"));
  }
  const page = await context.newPage();
  const consoleLog = fs.createWriteStream(path.join(OUT, "host-tests-console.log"));
  page.on("console", (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  const remote = (p) => `vscode-remote://${new URL(base).host}${p}`;
  let exitCode;
  const exited = new Promise((resolve) => page.exposeFunction("codeAutomationExit", (code) => resolve((exitCode = code))));
  const payload = JSON.stringify([
    ["extensionDevelopmentPath", remote(extensionDir)],
    ["extensionTestsPath", remote(path.join(__dirname, "host-tests.js"))],
  ]);
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the extension host tests did not finish in 5 minutes")), 300000);
  });
  await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
  await screenshot(page, "latency-run");
  await page.close();
  assert.equal(exitCode, 0, "host-tests.js passed (see code-server.log)");
  const latency = JSON.parse(fs.readFileSync(path.join(OUT, "latency.json"), "utf8"));
  assert.ok(latency.lines >= 4000, `the file has ${latency.lines} lines`);
  return latency;
}

main()
  .catch((e) => {
    results.push({ name: "e2e run", ok: false, error: e.message });
    console.log(`  ✖ e2e run\n      ${e.stack ?? e.message}`);
  })
  .finally(() => {
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed;
    fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));
    console.log(`e2e: ${passed} passed, ${failed} failed`);
    // Exit now: a handle left by the browser or code-server must not keep CI waiting.
    process.exit(failed > 0 ? 1 : 0);
  });
