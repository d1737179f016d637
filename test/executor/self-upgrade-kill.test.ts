// SIGKILL at every step of the swap leaves a working binary: a child process runs the real core against a real
// HTTP release server and is killed with SIGKILL right after each step; the binary at the path must then run
// (old or new, never torn or missing), and the next process either finishes the upgrade (resuming) or, when the
// new binary is already in place, starts it on probation with the marker and the guard there.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { UpgradeStep } from "../../src/executor/self-upgrade/self-upgrader.ts";
import { testWorkDir } from "../harness/systemd.ts";
import {
  type FaultServer,
  type MinisignKey,
  minisignAvailable,
  minisignKeyPair,
  minisignSign,
  scriptRelease,
  startFaultServer,
} from "../harness/upgrade.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const CHILD = join(import.meta.dir, "fixtures/upgrade-child.ts");
const STEPS: UpgradeStep[] = ["downloaded", "verified", "marked", "guarded", "linked", "swapped"];
const skip = !minisignAvailable();
let dir: string;
let key: MinisignKey;
let server: FaultServer;
let newRelease: string;

beforeAll(() => {
  if (skip) return;
  dir = testWorkDir("self-upgrade-kill");
  key = minisignKeyPair(dir, "trusted");
  // Padded so the download takes more than one chunk.
  newRelease = scriptRelease(dir, "new-release", `echo new\n#${"x".repeat(300_000)}`);
  server = startFaultServer(null);
  server.releases.set("new", { path: newRelease });
});
afterAll(() => server?.stop());

/** Run the child; with a stop step, SIGKILL it as soon as it reports reaching it. */
async function runChild(binary: string, version: string, stopAt: string): Promise<string> {
  const specPath = `${binary}.spec.json`;
  const child = Bun.spawn([BUN, CHILD, binary, version, specPath, key.publicKey, stopAt], {
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out += decoder.decode(value);
    if (out.includes(`at ${stopAt}`)) {
      child.kill("SIGKILL");
      break;
    }
  }
  const code = await child.exited;
  if (stopAt === "none" && code !== 0)
    throw new Error(`child failed: ${await new Response(child.stderr).text()}`);
  return out;
}

const runBinary = (path: string) => Bun.spawnSync([path]).stdout.toString().trim();

describe.skipIf(skip)("SIGKILL during a self-upgrade", () => {
  for (const step of STEPS) {
    test(`killed after "${step}": the binary still runs, and the next process completes or confirms the upgrade`, async () => {
      const home = join(dir, step);
      mkdirSync(home, { recursive: true });
      const binary = join(home, "novacula");
      writeFileSync(binary, "#!/bin/sh\necho old\n", { mode: 0o755 });
      writeFileSync(
        `${binary}.spec.json`,
        JSON.stringify({
          kind: "agent",
          targetVersion: "2.0.0",
          downloadUrl: `${server.url}/releases/new`,
          sha256: new Bun.CryptoHasher("sha256").update(readFileSync(newRelease)).digest("hex"),
          signature: minisignSign(newRelease, key),
        }),
      );
      await runChild(binary, "1.0.0", step);
      const running = runBinary(binary);
      expect(["old", "new"]).toContain(running);
      if (running === "old") {
        // The old binary restarts (systemd would): it clears what the killed swap left and upgrades again.
        const out = await runChild(binary, "1.0.0", "none");
        // A marker left without a swap is reported (interrupted), not silently dropped.
        if (["marked", "guarded", "linked"].includes(step)) expect(out).toContain('"code":"interrupted"');
        expect(out).toContain("done");
      }
      // Either way the new binary is now in place, the old one is .prev, and the marker waits for a sync.
      expect(runBinary(binary)).toBe("new");
      expect(runBinary(`${binary}.prev`)).toBe("old");
      expect(JSON.parse(readFileSync(`${binary}.upgrade-pending`, "utf8"))).toMatchObject({
        targetVersion: "2.0.0",
        previousVersion: "1.0.0",
      });
      expect(readFileSync(`${binary}.host`, "utf8")).toContain("arm");
    });
  }
});
