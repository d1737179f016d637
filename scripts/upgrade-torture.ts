// `bun scripts/upgrade-torture.ts [--upgrades N]` (default 500): upgrades one real agent under systemd again
// and again, injecting a fault into most rounds: a truncated download, the release server unreachable, a wrong
// sha256, a signature of another file, a signature by an unknown key, a new binary that crashes at start,
// exits 0 at once or hangs, and a SIGKILL of the agent mid-download. After every round it checks the
// invariants: the binary at the agent's path runs and is the expected version, the agent is active and syncing
// that version, the devnet node's MainPID never changed (0 node restarts), and every failure was reported with
// its classified code. Prints the figures for docs/benchmarks.md; exits 1 on any broken invariant.
// The setup is test/harness/upgrade-world.ts (needs root, systemd and minisign, like the e2e tests).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { eventually } from "../src/lib/eventually.ts";
import { AGENT_UNIT } from "../src/modes/agent/units.ts";
import type { RuntimeEvent } from "../src/protocol/executor-api.ts";
import { testWorkDir } from "../test/harness/systemd.ts";
import { minisignSign, scriptRelease } from "../test/harness/upgrade.ts";
import { startUpgradeWorld, type UpgradeWorld, V1, V2 } from "../test/harness/upgrade-world.ts";

export const FAULTS = [
  "none",
  "truncated",
  "checksum",
  "signature",
  "unknown-key",
  "crash",
  "hang",
  "exit0",
  "unreachable",
  "kill",
] as const;
export type Fault = (typeof FAULTS)[number];

export interface TortureResult {
  upgrades: number;
  byFault: Record<string, { rounds: number; totalMs: number }>;
  completed: number;
  refusedReported: number;
  rolledBackReported: number;
  /** Rounds after which the binary did not run as the expected version, or the agent was not active. */
  withoutWorkingBinary: number;
  nodeRestarts: number;
  /** Failures whose event was missing or carried another code. */
  unreported: number;
  problems: string[];
}

const WAIT = { timeoutMs: 120_000, intervalMs: 200 };
const EXPECTED_CODE: Partial<Record<Fault, string>> = {
  checksum: "checksum_mismatch",
  signature: "signature_invalid",
  "unknown-key": "signature_unknown_key",
  crash: "start_failed",
  hang: "health_timeout",
  exit0: "exited_at_once",
  truncated: "download_failed",
  unreachable: "download_failed",
};
const SCRIPTS: Partial<Record<Fault, string>> = {
  crash: "exit 3",
  hang: "exec sleep 100000",
  exit0: "exit 0",
};

function eventAfter(world: UpgradeWorld, from: number, reason: string, targetVersion: string) {
  return eventually(
    () =>
      world.proxy.events
        .slice(from)
        .find(
          (e: RuntimeEvent) =>
            e.reason === reason &&
            (e.payload as { targetVersion?: string } | undefined)?.targetVersion === targetVersion,
        ),
    { ...WAIT, message: `${reason} for ${targetVersion}` },
  );
}

/** One round; returns the version the agent should run afterwards. */
async function round(world: UpgradeWorld, i: number, fault: Fault, current: string, r: TortureResult) {
  const { proxy, trusted, stranger } = world;
  const [target, targetBinary] = current === V1 ? [V2, world.v2] : [V1, world.v1];
  const from = proxy.events.length;
  const name = `r${i}-${fault}`;
  const code = EXPECTED_CODE[fault];
  const script = SCRIPTS[fault];
  if (script) {
    // A broken release, signed and hashed like a real one; unique per round (no hold on a repeated sha).
    const faultyVersion = `0.9.${i}`;
    const path = scriptRelease(join(world.workDir, "faulty"), name, `${script} # round ${i}`);
    proxy.releases.set(name, { path });
    proxy.pending = proxy.specFor(name, faultyVersion, minisignSign(path, trusted));
    const event = await eventAfter(world, from, "upgrade.rolled_back", faultyVersion);
    if ((event.payload as { code?: string }).code === code) r.rolledBackReported++;
    else r.unreported++;
    return current;
  }
  proxy.releases.set(name, {
    path: targetBinary,
    ...(fault === "truncated" ? { cutAfterBytes: 4 * 1024 * 1024 } : {}),
    ...(fault === "unreachable" ? { unavailableTimes: 1 } : {}),
    ...(fault === "kill" ? { chunkDelayMs: 2 } : {}),
  });
  const signature =
    fault === "signature"
      ? minisignSign(current === V1 ? world.v1 : world.v2, trusted)
      : minisignSign(targetBinary, fault === "unknown-key" ? stranger : trusted);
  const wrongSha = fault === "checksum" ? "0".repeat(64) : undefined;
  proxy.pending = proxy.specFor(name, target, signature, wrongSha);
  if (fault === "checksum" || fault === "signature" || fault === "unknown-key") {
    const event = await eventAfter(world, from, "upgrade.refused", target);
    proxy.pending = null;
    if ((event.payload as { code?: string }).code === code) r.refusedReported++;
    else r.unreported++;
    return current;
  }
  if (fault === "truncated" || fault === "unreachable") {
    const event = await eventAfter(world, from, "upgrade.refused", target);
    if ((event.payload as { code?: string }).code === code) r.refusedReported++;
    else r.unreported++;
    proxy.releases.set(name, { path: targetBinary });
  }
  if (fault === "kill") {
    const download = `${world.binary}.download`;
    await eventually(() => existsSync(download) && statSync(download).size > 4 * 1024 * 1024, {
      ...WAIT,
      intervalMs: 20,
      message: "the download to be under way",
    });
    await world.agent.kill9();
    proxy.releases.set(name, { path: targetBinary });
  }
  await eventAfter(world, from, "upgrade.completed", target);
  r.completed++;
  return target;
}

/** Version printed by the binary at the agent's path, or null when it does not run. */
function binaryVersion(path: string): string | null {
  const run = Bun.spawnSync([path, "--version"], { stdout: "pipe", stderr: "pipe" });
  return run.exitCode === 0 ? run.stdout.toString().trim() : null;
}

export async function runTorture(options: {
  upgrades: number;
  workDir?: string;
  onRound?: (i: number, fault: Fault, ms: number) => void;
}): Promise<TortureResult> {
  const world = await startUpgradeWorld(options.workDir ?? testWorkDir("upgrade-torture"), 20);
  const r: TortureResult = {
    upgrades: 0,
    byFault: {},
    completed: 0,
    refusedReported: 0,
    rolledBackReported: 0,
    withoutWorkingBinary: 0,
    nodeRestarts: 0,
    unreported: 0,
    problems: [],
  };
  try {
    const nodePid = await world.mainPid(world.node.unit);
    let current = V1;
    for (let i = 0; i < options.upgrades; i++) {
      const fault = FAULTS[i % FAULTS.length]!;
      const started = performance.now();
      try {
        current = await round(world, i, fault, current, r);
      } catch (error) {
        r.problems.push(`round ${i} (${fault}): ${(error as Error).message}`);
        r.unreported++;
      }
      world.proxy.pending = null;
      const ms = performance.now() - started;
      const entry = r.byFault[fault] ?? { rounds: 0, totalMs: 0 };
      r.byFault[fault] = entry;
      entry.rounds++;
      entry.totalMs += ms;
      r.upgrades++;
      const synced = await eventually(
        async () => (await world.mainPid(AGENT_UNIT)) > 0 && world.proxy.syncedVersions.at(-1) === current,
        { ...WAIT, message: `the agent to run and sync ${current}` },
      ).catch(() => false);
      if (!synced || binaryVersion(world.binary) !== current) {
        r.withoutWorkingBinary++;
        r.problems.push(`round ${i} (${fault}): binary ${binaryVersion(world.binary)}, expected ${current}`);
      }
      const pid = await world.mainPid(world.node.unit);
      if (pid !== nodePid) r.nodeRestarts++;
      options.onRound?.(i, fault, ms);
    }
    return r;
  } finally {
    await world.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { upgrades: { type: "string", default: "500" } } });
  const started = Date.now();
  const result = await runTorture({
    upgrades: Number(values.upgrades),
    onRound: (i, fault, ms) => console.log(`round ${i} ${fault} ${Math.round(ms)} ms`),
  });
  console.log(JSON.stringify({ ...result, wallSeconds: Math.round((Date.now() - started) / 1000) }, null, 2));
  const broken = result.withoutWorkingBinary + result.nodeRestarts + result.unreported;
  process.exitCode = broken === 0 ? 0 : 1;
}
