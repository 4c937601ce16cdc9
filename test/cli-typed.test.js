// `leaklint scan --typed`: TypeScript files covered by a tsconfig.json are analysed
// with its type checker, which sees what names alone do not say.
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CLI = path.join(__dirname, "..", "dist", "cli", "main.js");

const FILES = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true }, include: ["src"] }),
  // Only the checker can tell that `db` is a pool: `makeDb()` says nothing.
  "src/db.ts": `export interface Client {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  release(): void;
}

export interface Pool {
  connect(): Promise<Client>;
}

export declare function makeDb(): Pool;
`,
  "src/users.ts": `import { makeDb } from "./db.js";

const db = makeDb();

export async function rename(id: string, name: string): Promise<void> {
  const client = await db.connect();
  await client.query("UPDATE users SET name = $1 WHERE id = $2", [name, id]);
  client.release();
}
`,
};

function scan(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, "scan", ".", "--format", "json", "--no-progress", ...args], { cwd, encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout).findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`);
}

describe("leaklint scan --typed", function () {
  let dir;
  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "leaklint-typed-")));
    for (const [rel, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds the client leaked when the query throws, with the checker's help", () => {
    assert.deepStrictEqual(scan(dir, "--typed"), ["src/users.ts:6 unreleased-connection"]);
  });

  it("stays quiet without type information: the name alone says nothing", () => {
    assert.deepStrictEqual(scan(dir), []);
  });

  it("keeps typed and untyped results apart in the cache", () => {
    const cache = path.join(dir, ".cache");
    assert.deepStrictEqual(scan(dir, "--cache-location", cache), []);
    assert.deepStrictEqual(scan(dir, "--cache-location", cache, "--typed"), ["src/users.ts:6 unreleased-connection"]);
  });
});
