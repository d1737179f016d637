// `npm start` (scripts/demo.ts) as a person runs it, while something else holds port 8545, anvil's default
// RPC port: this test holds it when it is free (and releases it at the end), else something on the machine
// already does. The demo must still come up, print a devnet RPC URL on another port, and that URL must
// answer with rising blocks. The control plane gets a free port and a data directory of the test's own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { devnetAdapter } from "../../src/adapters/devnet/adapter.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { blockNumber, freePort, holdPortIfFree, makeTestDir, REPO_ROOT } from "../agent/helpers.ts";
import { collectLines } from "../harness/processes.ts";

const T = 240_000;
const DEFAULT_RPC = devnetAdapter.formHints!().ports.rpc!;
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");

describe("npm start (the local demo)", () => {
  const scratch = makeTestDir("demo");
  const lines: string[] = [];
  let demo: Subprocess | null = null;
  let held: Awaited<ReturnType<typeof holdPortIfFree>> = null;

  beforeAll(async () => {
    held = await holdPortIfFree(DEFAULT_RPC);
  });

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      // The demo stops its agent (and so anvil) and its control plane on SIGTERM, as on Ctrl-C.
      demo.kill("SIGTERM");
      await demo.exited;
    }
    held?.close();
    scratch.cleanup();
  }, T);

  test(
    `the demo's devnet node runs and its printed RPC URL answers while port ${DEFAULT_RPC} is held`,
    async () => {
      const port = await freePort();
      const proc = Bun.spawn([BUN, join(REPO_ROOT, "scripts/demo.ts")], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          PORT: String(port),
          NOVACULA_DATA_DIR: join(scratch.dir, "state"),
          INITIAL_ADMIN_PASSWORD: "demo-test-password-0123",
        },
        stdout: "pipe",
        stderr: "pipe",
      });
      demo = proc;
      for (const stream of [proc.stdout, proc.stderr]) collectLines(stream, (line) => lines.push(line));
      const said = await eventually(
        () => {
          // A demo that gave up says why in its last lines: fail with them at once.
          if (proc.exitCode !== null) return { exited: lines.slice(-5).join(" / ") };
          const line = lines.find((l) => l.includes("Devnet RPC"));
          const url = line ? /http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[0] : undefined;
          return url ? { url } : null;
        },
        { timeoutMs: 200_000, intervalMs: 250, message: "the demo to say it runs" },
      );
      expect(said).not.toHaveProperty("exited");
      const rpcUrl = (said as { url: string }).url;
      const rpcPort = Number(new URL(rpcUrl).port);
      expect(rpcPort).not.toBe(DEFAULT_RPC);
      const first = await blockNumber(rpcPort);
      await eventually(async () => (await blockNumber(rpcPort)) > first, {
        timeoutMs: 30_000,
        message: `blocks rising on ${rpcUrl}`,
      });
      expect(lines.some((l) => l.includes("Novacula is running."))).toBe(true);
    },
    T,
  );
});
