// `bun scripts/upgrade-torture.ts [--upgrades N]` (default 500): upgrades one real agent under systemd again
// and again, injecting a fault into most rounds: a truncated download, the release server unreachable, a wrong
// sha256, a signature of another file, a signature by an unknown key, a new binary that crashes at start,
// exits 0 at once or hangs, and a SIGKILL of the agent mid-download. After every round it checks the
// invariants: the binary at the agent's path runs and is the expected version, the control plane shows the
// agent at that version with nothing pending, the devnet node's MainPID never changed (0 node restarts), and
// every failure was reported with its classified code. Every release is published to the real control plane
// (scripts/release.ts) and every upgrade requested with requestExecutorUpgrade; a wrong sha256 is a corrupted
// release store, a crash/hang/exit-0 a broken release published for real; only a forged signature, a truncated
// or unavailable download and the slow link of the SIGKILL round come from the fault server between agent and
// control plane. Prints the figures for docs/benchmarks.md; exits 1 on any broken invariant.
// The setup is test/harness/upgrade-world.ts (needs root, systemd and minisign, like the e2e tests).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { eventually } from "../src/lib/eventually.ts";
import { AGENT_UNIT } from "../src/modes/agent/units.ts";
import { testWorkDir } from "../test/harness/systemd.ts";
import { minisignSign, scriptRelease, sha256Of } from "../test/harness/upgrade.ts";
import {
  corruptStoredRelease,
  type EventRow,
  startUpgradeWorld,
  type UpgradeWorld,
  V1,
  V2,
} from "../test/harness/upgrade-world.ts";

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

/**
 * The first event `reason` for `targetVersion` the control plane recorded since `since` (ms): a runtime event
 * with that reason, or an event of that type. By time, not by count: the events query answers one page.
 */
function eventAfter(world: UpgradeWorld, since: number, reason: string, targetVersion: string) {
  return eventually(
    async () =>
      (await world.events()).find(
        (e: EventRow) =>
          Date.parse(e.createdAt) >= since &&
          (e.type === "runtime.event" ? e.payload?.reason === reason : e.type === reason) &&
          e.payload?.targetVersion === targetVersion,
      ),
    { ...WAIT, message: `${reason} for ${targetVersion}` },
  );
}

const REFUSED = "upgrade.refused";
const ROLLED_BACK = "executor.upgrade.rolled_back";

/** One round; returns the version the agent should run afterwards. */
async function round(world: UpgradeWorld, i: number, fault: Fault, current: string, r: TortureResult) {
  const { faults, trusted, stranger } = world;
  const target = current === V1 ? V2 : V1;
  // Whole seconds: an event time may be stored without milliseconds.
  const since = Math.floor(Date.now() / 1000) * 1000;
  const code = EXPECTED_CODE[fault];
  const script = SCRIPTS[fault];
  const count = (payload: Record<string, unknown> | null, kind: "refusedReported" | "rolledBackReported") => {
    if (payload?.code === code) r[kind]++;
    else {
      r.unreported++;
      r.problems.push(`round ${i} (${fault}): reported ${JSON.stringify(payload)}, expected ${code}`);
    }
  };
  if (script || fault === "checksum" || fault === "signature" || fault === "unknown-key") {
    // A release of its own, published for real; unique per round (no hold on a repeated sha256).
    const version = `0.9.${i}`;
    const path = scriptRelease(
      join(world.workDir, "faulty"),
      `r${i}-${fault}`,
      `${script ?? "exit 0"} # round ${i}`,
    );
    const sha256 = await world.publish(version, path);
    if (fault === "checksum") corruptStoredRelease(world, sha256);
    // What the control plane would never publish can only be forged on the wire (the fault server).
    if (fault === "signature") faults.signatureOverride = minisignSign(world.v1, trusted);
    if (fault === "unknown-key") faults.signatureOverride = minisignSign(path, stranger);
    await world.request(version);
    if (script) {
      count((await eventAfter(world, since, ROLLED_BACK, version)).payload, "rolledBackReported");
    } else {
      count((await eventAfter(world, since, REFUSED, version)).payload, "refusedReported");
      faults.signatureOverride = null;
      await world.cancel();
    }
    return current;
  }
  const targetBinary = target === V1 ? world.v1 : world.v2;
  if (fault === "truncated") faults.releaseFaults = { cutAfterBytes: 4 * 1024 * 1024 };
  if (fault === "unreachable") faults.releaseFaults = { unavailableTimes: 1 };
  if (fault === "kill") faults.releaseFaults = { chunkDelayMs: 2 };
  await world.request(target);
  if (fault === "truncated" || fault === "unreachable") {
    count((await eventAfter(world, since, REFUSED, target)).payload, "refusedReported");
    faults.releaseFaults = null;
  }
  if (fault === "kill") {
    const download = `${world.binary}.download`;
    await eventually(() => existsSync(download) && statSync(download).size > 4 * 1024 * 1024, {
      ...WAIT,
      intervalMs: 20,
      message: "the download to be under way",
    });
    await world.agent.kill9();
    faults.releaseFaults = null;
  }
  await eventAfter(world, since, "upgrade.completed", target);
  if (sha256Of(world.binary) !== sha256Of(targetBinary))
    r.problems.push(`round ${i}: not the published bytes`);
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
  await world.publish(V1, world.v1);
  await world.publish(V2, world.v2);
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
      world.faults.releaseFaults = null;
      world.faults.signatureOverride = null;
      const ms = performance.now() - started;
      const entry = r.byFault[fault] ?? { rounds: 0, totalMs: 0 };
      r.byFault[fault] = entry;
      entry.rounds++;
      entry.totalMs += ms;
      r.upgrades++;
      const synced = await eventually(
        async () => {
          const e = await world.executor();
          return (
            (await world.mainPid(AGENT_UNIT)) > 0 && e.currentVersion === current && e.pendingUpgrade === null
          );
        },
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
