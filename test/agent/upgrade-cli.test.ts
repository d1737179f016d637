// `novacula agent upgrade` as a person runs it: missing or malformed release fields exit 2 naming the flag and
// the fix, and an agent that cannot replace itself (run from source, or without systemd) refuses with exit 1
// and the reason before downloading anything. The swap itself is covered under systemd in
// test/e2e/agent-self-upgrade.test.ts.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTestDir, REPO_ROOT } from "./helpers.ts";

const scratch = makeTestDir("agent-upgrade-cli");
afterAll(() => scratch.cleanup());
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");
const config = join(scratch.dir, "agent.toml");
writeFileSync(
  config,
  `[agent]\ndata_dir = "${join(scratch.dir, "data")}"\n[control_plane]\nurl = "http://127.0.0.1:1"\naccess_token = "exc_abcdefghij"\n[supervisor]\nkind = "process"\n`,
);

function upgrade(args: string[]) {
  const result = Bun.spawnSync(
    [BUN, join(REPO_ROOT, "src/main.ts"), "agent", "upgrade", "-c", config, ...args],
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

describe("novacula agent upgrade", () => {
  test("without the release's fields it exits 2 naming each missing flag and how to get them", () => {
    const result = upgrade(["--to", "1.2.3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --download-url, --sha256, --signature");
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
