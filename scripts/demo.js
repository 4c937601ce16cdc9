#!/usr/bin/env node
// `npm start`: scans the bundled demo workspace. The demo exists to show leaks,
// so exit code 1 (findings) is the expected outcome; anything else is a failure.
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const result = spawnSync(process.execPath, [path.join(root, "dist", "cli", "main.js"), "scan", "demo", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status === 1 ? 0 : result.status ?? 3);
