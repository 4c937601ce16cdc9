// The CLI as users run it: `node dist/cli/main.js` as a child process against small Go
// workspaces written to temp directories. Checks exit codes, the three formats (SARIF
// through Microsoft's validator), --fix, file discovery and --jobs determinism.
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const CLI = path.join(ROOT, "dist", "cli", "main.js");
const SARIF_MULTITOOL = path.join(ROOT, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
const RULE = "unclosed-response-body";

// Reports unclosed-response-body (error) at line 4; its fix adds the defer after the if.
const LEAK = `package p

import "net/http"

func f(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	_ = resp.StatusCode
	return nil
}
`;
const LEAK_LINE = 6;
const LEAK_FIXED = LEAK.replace("\t}\n\t_ = resp", "\t}\n\tdefer resp.Body.Close()\n\t_ = resp");

const CLEAN = `package p

func g() int { return 1 }
`;

const tempDirs = [];

/** Writes `files` (relative path to content) into a fresh temp directory. */
function workspace(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-cli-")));
  tempDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function leaklint(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function stderrLines(result) {
  return result.stderr.split("\n").filter((l) => l !== "");
}

after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("leaklint scan: exit codes", () => {
  it("exits 0 on a clean workspace", () => {
    const r = leaklint(workspace({ "a.go": CLEAN }), "scan");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "no problems in 1 file\n");
    assert.equal(r.stderr, "");
  });

  it("exits 1 on a finding at error level", () => {
    const r = leaklint(workspace({ "a.go": LEAK }), "scan");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`${RULE}\\n`));
  });

  it("exits 0 on warnings when there is no --max-warnings", () => {
    const r = leaklint(workspace({ "a.go": LEAK }), "scan", "--rule", `${RULE}=warning`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 problem \(0 errors, 1 warning\) in 1 file/);
  });

  it("exits 1 on more warnings than --max-warnings", () => {
    const ws = workspace({ "a.go": LEAK });
    assert.equal(leaklint(ws, "scan", "--rule", `${RULE}=warning`, "--max-warnings", "0").code, 1);
    assert.equal(leaklint(ws, "scan", "--rule", `${RULE}=warning`, "--max-warnings", "1").code, 0);
  });

  it("exits 0 when the rule is turned off", () => {
    const r = leaklint(workspace({ "a.go": LEAK }), "scan", "--rule", `${RULE}=off`);
    assert.equal(r.code, 0, r.stderr);
  });

  const usageErrors = [
    ["an unknown flag", ["scan", "--frmat", "json"], "leaklint: unknown option '--frmat'"],
    ["an unknown format", ["scan", "--format", "xml"], /^leaklint: option '--format' must be text, json or sarif/],
    ["a flag without its value", ["scan", "--max-warnings"], "leaklint: option '--max-warnings' needs a value"],
    ["a bad number", ["scan", "--jobs", "two"], /^leaklint: option '--jobs' must be an integer/],
    ["an unknown rule in --rule", ["scan", "--rule", "no-such-rule=off"], /^leaklint: unknown rule 'no-such-rule'/],
    ["a bad level in --rule", ["scan", "--rule", `${RULE}=loud`], /^leaklint: option '--rule' must be ID=off\|info\|warning\|error/],
    ["a path that does not exist", ["scan", "nowhere"], "leaklint: nowhere: no such file or directory"],
    ["an unknown command", ["scna"], /^leaklint: unknown command 'scna'/],
    ["a missing --config file", ["scan", "--config", "missing.json"], /^leaklint: missing\.json: cannot read config \(ENOENT\)$/],
  ];
  for (const [what, args, expected] of usageErrors) {
    it(`exits 2 with one line on stderr for ${what}`, () => {
      const r = leaklint(workspace({ "a.go": LEAK }), ...args);
      assert.equal(r.code, 2, r.stderr);
      const lines = stderrLines(r);
      assert.equal(lines.length, 1, r.stderr);
      if (typeof expected === "string") assert.equal(lines[0], expected);
      else assert.match(lines[0], expected);
      assert.equal(r.stdout, "");
    });
  }

  it("exits 2 naming a broken leaklint.config.json", () => {
    const r = leaklint(workspace({ "a.go": LEAK, "leaklint.config.json": "{ rules: " }), "scan");
    assert.equal(r.code, 2);
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^leaklint: leaklint\.config\.json: invalid JSON \(.+\)$/);
  });

  it("exits 2 naming a nested config with a bad rule setting", () => {
    const ws = workspace({ "sub/a.go": LEAK, "sub/leaklint.config.json": JSON.stringify({ rules: { [RULE]: "loud" } }) });
    const r = leaklint(ws, "scan");
    assert.equal(r.code, 2);
    assert.deepEqual(stderrLines(r), [`leaklint: sub/leaklint.config.json: rule "${RULE}" must be "off", "info", "warning", "error" or [severity, options]`]);
  });

  it("applies a config's rule settings and --rule over them", () => {
    const ws = workspace({ "a.go": LEAK, "leaklint.config.json": JSON.stringify({ rules: { [RULE]: "off" } }) });
    assert.equal(leaklint(ws, "scan").code, 0);
    assert.equal(leaklint(ws, "scan", "--rule", `${RULE}=error`).code, 1);
  });

  // Exit code 3 needs leaklint itself to fail (a rule or worker crashing); no real input
  // provokes that on purpose, and the CLI has no test-only switch to fake it.
});

describe("leaklint scan: formats", () => {
  it("text: path:line:col severity message rule-id, grouped by file, and a summary", () => {
    const ws = workspace({ "b/leak.go": LEAK, "a/leak.go": LEAK, "a/clean.go": CLEAN });
    const r = leaklint(ws, "scan");
    const lines = r.stdout.split("\n");
    const shape = (file) => new RegExp(`^${file}:${LEAK_LINE}:\\d+ +error +\\S.* +${RULE}$`);
    assert.match(lines[0], shape("a/leak\\.go"));
    assert.equal(lines[1], "");
    assert.match(lines[2], shape("b/leak\\.go"));
    assert.equal(lines[3], "");
    assert.equal(lines[4], "2 problems (2 errors, 0 warnings) in 3 files");
    assert.equal(lines.length, 6);
  });

  it("text: no colour codes when stdout is not a terminal", () => {
    const r = leaklint(workspace({ "a.go": LEAK }), "scan");
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });

  it("json: 1-based positions, relative paths, fixes and notices", () => {
    const ws = workspace({ "pkg/a.go": LEAK, "pkg/b.go": "package p\x00\x00" });
    const r = leaklint(ws, "scan", "--format", "json");
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.version, require("../package.json").version);
    assert.equal(report.files, 2);
    assert.equal(report.findings.length, 1);
    const [finding] = report.findings;
    assert.equal(finding.ruleId, RULE);
    assert.equal(finding.severity, "error");
    assert.equal(finding.file, "pkg/a.go");
    assert.equal(finding.line, LEAK_LINE);
    for (const key of ["column", "endLine", "endColumn"]) assert.ok(Number.isInteger(finding[key]) && finding[key] >= 1, key);
    assert.equal(typeof finding.message, "string");
    assert.ok(Array.isArray(finding.related));
    for (const rel of finding.related) {
      assert.deepEqual(Object.keys(rel).sort(), ["column", "endColumn", "endLine", "file", "line", "message"]);
    }
    const fix = finding.fixes.find((f) => f.kind === "fix");
    assert.ok(fix, "the finding offers a fix");
    assert.equal(typeof fix.title, "string");
    assert.ok(fix.edits.every((e) => Number.isInteger(e.start) && Number.isInteger(e.end) && typeof e.newText === "string"));
    assert.deepEqual(report.notices, [{ file: "pkg/b.go", message: "skipped: binary file", kind: "input" }]);
  });

  it("--output writes the report to a file and nothing to stdout", () => {
    const ws = workspace({ "a.go": LEAK });
    const r = leaklint(ws, "scan", "--format", "json", "--output", "report.json");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(JSON.parse(fs.readFileSync(path.join(ws, "report.json"), "utf8")).findings.length, 1);
  });

  describe("sarif", () => {
    let ws;
    let sarif;
    before(() => {
      ws = workspace({ "pkg/a.go": LEAK, "pkg/b.go": "package p\x00", "pkg/c.go": CLEAN });
      const r = leaklint(ws, "scan", "--format", "sarif", "--output", "report.sarif");
      assert.equal(r.code, 1, r.stderr);
      sarif = JSON.parse(fs.readFileSync(path.join(ws, "report.sarif"), "utf8"));
    });

    it("describes the tool and every rule", () => {
      assert.equal(sarif.version, "2.1.0");
      assert.equal(sarif.$schema, "https://json.schemastore.org/sarif-2.1.0.json");
      const driver = sarif.runs[0].tool.driver;
      assert.equal(driver.name, "leaklint");
      assert.equal(driver.version, require("../package.json").version);
      assert.match(driver.informationUri, /^https:\/\//);
      const rule = driver.rules.find((x) => x.id === RULE);
      assert.ok(rule, "the rule is listed");
      assert.equal(rule.defaultConfiguration.level, "error");
      for (const key of ["shortDescription", "fullDescription"]) assert.ok(rule[key].text.length > 0, key);
      assert.ok(rule.help.text.length > 0 && rule.help.markdown.length > 0);
      assert.match(rule.helpUri, new RegExp(`^https://.*docs/rules/${RULE}\\.md$`));
    });

    it("reports results relative to %SRCROOT% with fingerprints and fixes", () => {
      const run = sarif.runs[0];
      assert.equal(run.originalUriBaseIds["%SRCROOT%"].uri, `file://${ws}/`);
      assert.equal(run.results.length, 1);
      const [result] = run.results;
      assert.equal(result.ruleId, RULE);
      assert.equal(run.tool.driver.rules[result.ruleIndex].id, RULE);
      assert.equal(result.level, "error");
      const location = result.locations[0].physicalLocation;
      assert.deepEqual(location.artifactLocation, { uri: "pkg/a.go", uriBaseId: "%SRCROOT%" });
      assert.equal(location.region.startLine, LEAK_LINE);
      assert.ok(location.region.startColumn >= 1);
      assert.match(result.partialFingerprints["leaklint/v1"], /^[0-9a-f]{32}:0$/);
      const change = result.fixes[0].artifactChanges[0];
      assert.equal(change.artifactLocation.uri, "pkg/a.go");
      assert.ok(change.replacements[0].insertedContent.text.includes("resp.Body.Close()"));
      for (const related of result.relatedLocations ?? []) assert.ok(Number.isInteger(related.id) && related.message.text);
    });

    it("reports unanalysable files as tool notifications", () => {
      const invocation = sarif.runs[0].invocations[0];
      assert.equal(invocation.executionSuccessful, true);
      assert.equal(invocation.toolExecutionNotifications.length, 1);
      const [notification] = invocation.toolExecutionNotifications;
      assert.equal(notification.locations[0].physicalLocation.artifactLocation.uri, "pkg/b.go");
    });

    it("keeps fingerprints when lines above the finding move", () => {
      const shifted = workspace({ "pkg/a.go": LEAK.replace("package p\n", "package p\n\n// a comment\n\n") });
      const again = JSON.parse(leaklint(shifted, "scan", "--format", "sarif").stdout).runs[0].results[0];
      assert.equal(again.locations[0].physicalLocation.region.startLine, LEAK_LINE + 3);
      assert.deepEqual(again.partialFingerprints, sarif.runs[0].results[0].partialFingerprints);
    });

    it("passes Microsoft's SARIF validator with no errors or warnings", function () {
      if (process.platform !== "linux" || !fs.existsSync(SARIF_MULTITOOL)) this.skip();
      // npm can skip the package's postinstall, which is what sets the execute bit.
      if (!(fs.statSync(SARIF_MULTITOOL).mode & 0o100)) fs.chmodSync(SARIF_MULTITOOL, 0o755);
      const log = path.join(ws, "validation.sarif");
      // Called directly: the npm shim does not quote its arguments.
      const r = spawnSync(SARIF_MULTITOOL, ["validate", path.join(ws, "report.sarif"), "--output", log, "--log", "ForceOverwrite"], {
        encoding: "utf8",
        env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const problems = (JSON.parse(fs.readFileSync(log, "utf8")).runs[0].results ?? [])
        // A result without a level is a warning (SARIF's default).
        .filter((x) => (x.level ?? "warning") === "error" || (x.level ?? "warning") === "warning")
        .map((x) => `${x.level ?? "warning"} ${x.ruleId}: ${JSON.stringify(x.message.arguments ?? x.message.text)}`);
      assert.deepEqual(problems, []);
    });
  });
});

describe("leaklint scan --fix", () => {
  it("applies the fix in place, then reports what remains", () => {
    const ws = workspace({ "pkg/a.go": LEAK, "pkg/c.go": CLEAN });
    fs.chmodSync(path.join(ws, "pkg/a.go"), 0o640);
    const r = leaklint(ws, "scan", "--fix");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(fs.readFileSync(path.join(ws, "pkg/a.go"), "utf8"), LEAK_FIXED);
    assert.equal(fs.statSync(path.join(ws, "pkg/a.go")).mode & 0o777, 0o640, "keeps the file mode");
    assert.equal(r.stdout, "fixed 1 problem in 1 file\n\nno problems in 2 files\n");
    assert.deepEqual(fs.readdirSync(path.join(ws, "pkg")).sort(), ["a.go", "c.go"], "no temp files left behind");
    assert.equal(fs.readFileSync(path.join(ws, "pkg/c.go"), "utf8"), CLEAN);
  });

  it("refuses, with a notice, to rewrite a file that is not valid UTF-8", () => {
    const ws = workspace({});
    const bytes = Buffer.concat([Buffer.from("// caf\xe9 in Latin-1\n", "latin1"), Buffer.from(LEAK)]);
    fs.writeFileSync(path.join(ws, "a.go"), bytes);
    const r = leaklint(ws, "scan", "--fix");
    assert.equal(r.code, 1, "the finding is still there");
    assert.deepEqual(stderrLines(r), ["leaklint: a.go: not fixed: the file is not valid UTF-8"]);
    assert.ok(fs.readFileSync(path.join(ws, "a.go")).equals(bytes), "the file is untouched");
  });

  it("reports JSON for the fixed text", () => {
    const ws = workspace({ "a.go": LEAK });
    const r = leaklint(ws, "scan", "--fix", "--format", "json");
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).findings, []);
  });
});

describe("leaklint scan: files that cannot be analysed", () => {
  it("names an unreadable file and a binary file on stderr and goes on", () => {
    const ws = workspace({ "a.go": LEAK, "bin.go": "package p\n\x00\x01\x02" });
    // A dangling symlink cannot be read even by root, unlike a chmod 000 file.
    fs.symlinkSync(path.join(ws, "gone.go"), path.join(ws, "x.go"));
    const r = leaklint(ws, "scan");
    assert.equal(r.code, 1, "the exit code follows the findings");
    assert.deepEqual(stderrLines(r), ["leaklint: bin.go: skipped: binary file", "leaklint: x.go: cannot read file (ENOENT)"]);
    assert.match(r.stdout, new RegExp(`^a\\.go:${LEAK_LINE}:\\d+ +error .* ${RULE}$`, "m"));
  });

  it("exits 0 when the only other file is clean", () => {
    const ws = workspace({ "a.go": CLEAN });
    fs.symlinkSync(path.join(ws, "gone.go"), path.join(ws, "x.go"));
    const r = leaklint(ws, "scan");
    assert.equal(r.code, 0);
    assert.equal(stderrLines(r).length, 1);
  });
});

describe("leaklint scan: file discovery", () => {
  const skipped = {
    "ignored/a.go": LEAK,
    "pkg/local.go": LEAK,
    "vendor/example.com/x/a.go": LEAK,
    "node_modules/x/a.go": LEAK,
    "pkg/testdata/a.go": LEAK,
    "pkg/gen.go": `// Code generated by protoc-gen-go. DO NOT EDIT.\n// source: x.proto\n\n${LEAK}`,
    "config-ignored/a.go": LEAK,
  };
  const files = {
    ...skipped,
    ".gitignore": "ignored/\n",
    "pkg/.gitignore": "local.go\n",
    "leaklint.config.json": JSON.stringify({ ignore: ["config-ignored/"] }),
    "pkg/a.go": LEAK,
    "pkg/generated_later.go": `${LEAK}\n// Code generated by hand. DO NOT EDIT.\n`,
  };

  it("skips .gitignore'd, vendor/, node_modules/, testdata/, generated and config-ignored files", () => {
    const report = JSON.parse(leaklint(workspace(files), "scan", "--format", "json").stdout);
    assert.deepEqual(report.findings.map((f) => f.file), ["pkg/a.go", "pkg/generated_later.go"]);
    assert.equal(report.files, 2);
  });

  it("analyses a file named on the command line even when .gitignore or the config ignores it", () => {
    const report = JSON.parse(leaklint(workspace(files), "scan", "--format", "json", "ignored/a.go", "pkg/local.go", "config-ignored/a.go").stdout);
    assert.deepEqual(report.findings.map((f) => f.file), ["config-ignored/a.go", "ignored/a.go", "pkg/local.go"]);
  });

  it("names but does not analyse a named file that is ignored by default", () => {
    const r = leaklint(workspace(files), "scan", "vendor/example.com/x/a.go", "pkg/gen.go");
    assert.equal(r.code, 0);
    assert.deepEqual(stderrLines(r), [
      "leaklint: vendor/example.com/x/a.go: not analysed: files under vendor/ are skipped by default",
      "leaklint: pkg/gen.go: not analysed: generated file",
    ]);
  });

  it("applies .gitignore files above the scanned directory inside a repository", () => {
    const ws = workspace({ ".git/HEAD": "ref: refs/heads/main\n", ".gitignore": "src/gen/\n", "src/gen/a.go": LEAK, "src/a.go": LEAK });
    const report = JSON.parse(leaklint(ws, "scan", "--format", "json", "src").stdout);
    assert.deepEqual(report.findings.map((f) => f.file), ["src/a.go"]);
  });

  it("gives identical JSON with --jobs 1 and --jobs 2 on a workspace of over 60 files", () => {
    const many = {};
    for (let d = 0; d < 8; d++) {
      for (let f = 0; f < 9; f++) many[`d${d}/f${f}.go`] = (d + f) % 3 === 0 ? LEAK : CLEAN;
    }
    const ws = workspace(many);
    const one = leaklint(ws, "scan", "--format", "json", "--jobs", "1");
    const two = leaklint(ws, "scan", "--format", "json", "--jobs", "2");
    assert.equal(one.code, 1, one.stderr);
    assert.equal(two.code, 1, two.stderr);
    assert.equal(two.stdout, one.stdout);
    const report = JSON.parse(one.stdout);
    assert.equal(report.files, 72);
    assert.equal(report.findings.length, 24);
    const order = report.findings.map((f) => f.file);
    assert.deepEqual(order, [...order].sort());
  });

  it("fixes the same with --jobs 2 as with --jobs 1", () => {
    const many = {};
    for (let i = 0; i < 60; i++) many[`d${i % 6}/f${i}.go`] = i % 2 ? LEAK : CLEAN;
    const ws = workspace(many);
    const r = leaklint(ws, "scan", "--fix", "--jobs", "2");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^fixed 30 problems in 30 files$/m);
    assert.equal(fs.readFileSync(path.join(ws, "d1/f1.go"), "utf8"), LEAK_FIXED);
  });
});

describe("leaklint rules, --version, --help", () => {
  it("lists the rules with languages, default severity and fixability", () => {
    const r = leaklint(ROOT, "rules");
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    assert.match(header, /^RULE +LANGUAGES +DEFAULT +FIX$/);
    assert.ok(rows.some((row) => /^unclosed-response-body +go\S* +error +fix$/.test(row)), r.stdout);
  });

  it("prints the package version", () => {
    const r = leaklint(ROOT, "--version");
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${require("../package.json").version}\n`);
  });

  it("prints help that documents the exit codes", () => {
    for (const args of [["--help"], ["help"], ["scan", "--help"]]) {
      const r = leaklint(ROOT, ...args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Exit codes:/);
      assert.match(r.stdout, /--max-warnings N/);
    }
  });
});

describe("leaklint.config.json schema", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schemas", "leaklint.config.schema.json"), "utf8"));
  const { emptyConfig } = require("../dist/core/config");

  it("is a draft-07 schema for the keys the config loader accepts", () => {
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(Object.keys(schema.properties).sort(), ["$schema", "go", "ignore", "rules", "ts"]);
  });

  it("lists exactly the Go knowledge lists of the config", () => {
    assert.deepEqual(Object.keys(schema.properties.go.properties).sort(), Object.keys(emptyConfig().go).sort());
  });

  it("allows the rule settings the loader allows", () => {
    const setting = schema.definitions.ruleSetting;
    assert.deepEqual(setting.oneOf[0], { $ref: "#/definitions/severity" });
    assert.deepEqual(schema.definitions.severity.enum, ["off", "info", "warning", "error"]);
  });
});
