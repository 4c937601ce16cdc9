#!/usr/bin/env node
// Runs every test/*.test.js with mocha and ends with the line CI reads:
// "tests: N passed, N failed".
const path = require("node:path");
const fs = require("node:fs");
const Mocha = require("mocha");

const mocha = new Mocha({ timeout: 120000, reporter: "spec" });
const only = process.argv.slice(2);
for (const f of fs.readdirSync(__dirname).sort()) {
  if (!f.endsWith(".test.js")) continue;
  if (only.length && !only.some((o) => f.includes(o))) continue;
  mocha.addFile(path.join(__dirname, f));
}
const runner = mocha.run((failures) => {
  const stats = runner.stats;
  console.log(`tests: ${stats.passes} passed, ${stats.failures} failed`);
  process.exitCode = failures ? 1 : 0;
});
