// `novacula agent upgrade` as a person runs it: `--to X.Y.Z` gets the published release from a real control
// plane (GET /api/v1/executor/releases?version=…, the executor key); an unknown version, or one more than a
// major away, exits 1 with release_not_found; missing or malformed release fields exit 2 naming the flag and the fix; and an agent that
// cannot replace itself (run from source, or without systemd) refuses with exit 1 and the reason before
// downloading anything. The swap itself is covered under systemd in test/e2e/agent-self-upgrade.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { publish, type ReleaseWorld, startReleaseWorld } from "../releases/world.ts";
import { makeTestDir, REPO_ROOT } from "./helpers.ts";

const scratch = makeTestDir("agent-upgrade-cli");
afterAll(() => scratch.cleanup());
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");
const config = join(scratch.dir, "agent.toml");
writeFileSync(
  config,
  `[agent]\ndata_dir = "${join(scratch.dir, "data")}"\n[control_plane]\nurl = "http://127.0.0.1:1"\naccess_token = "exc_abcdefghij"\n[supervisor]\nkind = "process"\n`,
);

function upgrade(args: string[], configPath = config) {
  const result = Bun.spawnSync(
    [BUN, join(REPO_ROOT, "src/main.ts"), "agent", "upgrade", "-c", configPath, ...args],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

const SHA = "a".repeat(64);
const PLATFORM = `${process.platform}-${process.arch}`;

describe("novacula agent upgrade", () => {
  test("with some of the release's fields by hand it exits 2 naming each missing flag and how to get them", () => {
    const result = upgrade(["--to", "1.2.3", "--sha256", SHA]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --download-url, --signature");
    expect(result.stderr).toContain("Executors → Upgrade");
  });

  test("a malformed version or sha256 is named by its flag", () => {
    const result = upgrade([
      "--target-version",
      "one",
      "--download-url",
      "/api/v1/executor/releases/x",
      "--sha256",
      "xyz",
      "--signature",
      "sig",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--target-version:");
    expect(result.stderr).toContain("--sha256:");
  });

  test("an agent run from source refuses (unsupported) with exit 1 before downloading anything", () => {
    const result = upgrade([
      "--target-version",
      "9.9.9",
      "--download-url",
      "http://127.0.0.1:1/release",
      "--sha256",
      SHA,
      "--signature",
      "untrusted comment: x",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("upgrade refused (unsupported)");
  });
});

describe("novacula agent upgrade --to VERSION against a real control plane", () => {
  let w: ReleaseWorld;
  let cpConfig: string;
  beforeAll(async () => {
    w = await startReleaseWorld();
    // Run from source, the agent is package.json's 0.x: 1.1.0 is one major on, 2.0.0 two.
    for (const version of ["1.1.0", "2.0.0"]) await publish(w, version, "stable", [PLATFORM]);
    cpConfig = join(scratch.dir, "agent-cp.toml");
    writeFileSync(
      cpConfig,
      `[agent]\ndata_dir = "${join(scratch.dir, "data-cp")}"\n[control_plane]\nurl = "${w.cp.url}"\naccess_token = "${await w.cp.createExecutorKey("cli")}"\n[supervisor]\nkind = "process"\n`,
    );
  }, 120_000);
  afterAll(() => w?.cp.stop());

  test("a published version is fetched from the control plane and goes to the same checks (here: refused as unsupported from source)", () => {
    const result = upgrade(["--to", "1.1.0"], cpConfig);
    expect(result.stderr).not.toContain("cannot get release");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("upgrade refused (unsupported)");
  });

  test("a version the control plane has not published exits 1 with release_not_found", () => {
    const result = upgrade(["--to", "3.9.9"], cpConfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot get release 3.9.9");
    expect(result.stderr).toContain("release_not_found");
  });

  test("a published version more than one major away exits 1 with release_not_found and the hop to take first", () => {
    const result = upgrade(["--to", "2.0.0"], cpConfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("release_not_found");
    expect(result.stderr).toContain("requires upgrade to 1.x first");
  });

  test("the release lookup needs the version and platform, and an executor key", async () => {
    const key = await w.cp.createExecutorKey("lookup");
    const get = (query: string, token = key) =>
      fetch(`${w.cp.url}/api/v1/executor/releases${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const missing = await get("?platform=linux-x64");
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain("/query/version");
    expect((await get("?version=3.1.0&platform=linux-x64", "exc_not-a-key")).status).toBe(401);
    const badFrom = await get(`?version=1.1.0&platform=${PLATFORM}&from=latest`);
    expect(badFrom.status).toBe(400);
    expect(JSON.stringify(await badFrom.json())).toContain("/query/from");
    const backTwo = await get(`?version=1.1.0&platform=${PLATFORM}&from=3.0.0`);
    expect(backTwo.status).toBe(404);
    expect(JSON.stringify(await backTwo.json())).toContain("goes back at most to 2.x");
    // Without `from` (an agent older than the hop rule) the lookup answers as before.
    const found = await get(`?version=2.0.0&platform=${PLATFORM}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      kind: "agent",
      targetVersion: "2.0.0",
      downloadUrl: expect.stringMatching(/^\/api\/v1\/executor\/releases\/[0-9a-f]{64}$/),
    });
  });
});
