// cache-per-instance messages: the fixtures say which lines are reported; these
// tests pin what the messages say (the memory estimates that travel through the
// summaries, the via chain, how often the code runs) and the related locations.
const assert = require("node:assert");
const path = require("node:path");
const { createEngine } = require("../dist/index");

const FIXTURES = path.join(__dirname, "fixtures", "go");

describe("cache-per-instance messages", function () {
  let engine;
  before(async () => {
    engine = await createEngine({});
  });

  /** The rule's findings in a fixture file, by 1-based line. */
  function findings(rel) {
    const result = engine.analyzeFile(path.join(FIXTURES, rel));
    const byLine = new Map();
    for (const f of result.findings) if (f.ruleId === "cache-per-instance") byLine.set(f.range.start.line + 1, f);
    return byLine;
  }

  function messageAt(rel, line) {
    const f = findings(rel).get(line);
    assert.ok(f, `no cache-per-instance finding at ${rel}:${line}`);
    return f.message;
  }

  it("the incident: the room's Init, three packages away from bigcache, about 500 MB per room", () => {
    assert.strictEqual(
      messageAt("cache-per-instance/incident.go", 25),
      "(*Room).Init builds a cache with bigcache.NewBigCache (via go2cache.NewServer → go2cache.newBigCache) on every call: " +
        "about 500 MB preallocated per call (1024 shards x 500 KB); build one cache at startup and share it across instances",
    );
  });

  it("bigcache estimates from a literal config, constants, local assignments and a package-level config", () => {
    assert.match(messageAt("cache-per-instance/incident.go", 35), /about 234 MB preallocated per call \(256 shards x 936 KB\)/);
    assert.match(messageAt("cache-per-instance/incident.go", 45), /about 64 MB preallocated per call \(1024 shards x 64 KB\)/);
    assert.match(messageAt("cache-per-instance/incident.go", 69), /^\(\*Room\)\.InitDirect builds a cache with bigcache\.New on every call: about 500 MB/);
    assert.match(messageAt("cache-per-instance/libraries.go", 41), /about 286 MB preallocated per call \(1024 shards x 286 KB\)/);
    assert.match(messageAt("cache-per-instance/shapes.go", 109), /about 117 MB preallocated per call \(512 shards x 234 KB\)/);
  });

  it("no estimate when the config comes from a parameter", () => {
    assert.strictEqual(
      messageAt("cache-per-instance/incident.go", 55),
      "(*Room).InitFromConfig builds a cache with bigcache.New (via go2cache.NewFromConfig) on every call; build one cache at startup and share it across instances",
    );
  });

  it("what each library preallocates or starts", () => {
    const lib = (line) => messageAt("cache-per-instance/libraries.go", line);
    assert.match(lib(49), /freecache\.NewCache on every call: 100 MB preallocated per call/);
    assert.match(lib(53), /fastcache\.New on every call: up to 256 MB per call/);
    assert.match(lib(57), /about 48 MB of admission counters preallocated per call \(NumCounters 1e7\), MaxCost 1 << 30, its own goroutines/);
    assert.match(lib(69), /starts a janitor goroutine per instance \(cleanup every 10\*time\.Minute\)/);
    assert.match(lib(77), /lru\.New on every call: holds up to 512 entries/);
    assert.match(lib(101), /holds up to 1000 entries, starts an expiry goroutine per instance that never exits/);
    assert.match(lib(105), /ttlcache\.New on every call: holds up to 1000 entries/);
  });

  it("says how often the code runs: per request, per object, per iteration", () => {
    assert.match(messageAt("cache-per-instance/handlers.go", 20), /^searchHandler builds .* on every request: 64 MB preallocated per call; build one cache at startup and share it across requests$/);
    assert.match(messageAt("cache-per-instance/incident.go", 89), /^NewRoom builds .* for every Room it creates: about 500 MB/);
    assert.match(
      messageAt("cache-per-instance/loops.go", 39),
      /^ProcessAll builds a cache with freecache\.NewCache \(via cacheperinstance\.handleRequest\) on every iteration of the loop at line 38: 32 MB preallocated per call; build it once before the loop and share it$/,
    );
  });

  it("points at the loop and at the construction when they are in the file", () => {
    const loop = findings("cache-per-instance/loops.go").get(39);
    assert.deepStrictEqual(
      loop.related.map((r) => [r.range.start.line + 1, r.message]),
      [
        [38, "the loop that repeats the construction"],
        [24, "freecache.NewCache builds the cache here"],
      ],
    );
    assert.deepStrictEqual(findings("cache-per-instance/incident.go").get(25).related, []);
  });

  it("constructors listed in go.cacheConstructors", () => {
    assert.match(messageAt("cache-per-instance/configured/arena.go", 20), /^\(\*Conn\)\.Accept builds a cache with cachekit\.NewArena on every call/);
  });
});
