// Disk figures of a node: a node reported before its directory exists (its client still downloading) must
// show its real usage as soon as the directory is there, not 0 for the length of the cache.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { directoryBytes } from "../../src/modes/agent/host/disk.ts";
import { makeTestDir } from "./helpers.ts";

const scratch = makeTestDir("disk");
afterAll(() => scratch.cleanup());

test("a node directory measured before it exists is measured for real once it does", async () => {
  const nodeDir = join(scratch.dir, "nodes", "n1");
  expect(await directoryBytes(nodeDir)).toBe(0);
  mkdirSync(join(nodeDir, "data"), { recursive: true });
  writeFileSync(join(nodeDir, "data", "state.json"), "x".repeat(10_000));
  expect(await directoryBytes(nodeDir)).toBeGreaterThanOrEqual(10_000);
});
