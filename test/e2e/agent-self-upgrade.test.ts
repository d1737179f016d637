// End to end, the production shape of a self-upgrade on the real path: the compiled `novacula` agent runs as
// novacula-agent.service in a real systemd (private namespace) and manages a real devnet (anvil) node; a real
// control plane (the first build, trusting the same throwaway key) holds the release catalog. Two versions of
// the real binary are built with that key compiled in, published with scripts/release.ts, and the upgrade is
// requested with requestExecutorUpgrade; the executor's state and events are read back through GraphQL. Each
// journey asserts what is on disk, what systemd runs, what the control plane shows, and that the node's
// process never restarted. Faults: a corrupted release store (wrong sha256), broken or unknown-key releases
// published for real (crash, exit 0, hang), and, through the fault server, only what the control plane would
// never publish or serve itself: a forged signature on the wire, and a slow link to kill the agent mid-download.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import { testWorkDir } from "../harness/systemd.ts";
import { minisignAvailable, minisignSign, scriptRelease, sha256Of } from "../harness/upgrade.ts";
import {
  corruptStoredRelease,
  type EventRow,
  startUpgradeWorld,
  type UpgradeWorld,
  V1,
  V2,
} from "../harness/upgrade-world.ts";
import { blockNumber } from "../supervisor/suite.ts";

const SETUP_MS = 400_000;
const JOURNEY_MS = 180_000;
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };
/** The guard's deadline in this test (production: 120 s). */
const CONFIRM_SECS = 20;

let world: UpgradeWorld;
let binary: string;
let v1: string;
let v2: string;

const skip = !minisignAvailable();
if (skip) console.warn("skipped: the `minisign` tool is missing (apt-get install minisign)");

beforeAll(async () => {
  if (skip) return;
  world = await startUpgradeWorld(testWorkDir("e2e-self-upgrade"), CONFIRM_SECS);
  ({ binary, v1, v2 } = world);
  await world.publish(V1, v1);
  await world.publish(V2, v2);
}, SETUP_MS);

afterAll(() => world?.stop(), SETUP_MS);

const mainPid = (unit: string) => world.mainPid(unit);

async function withJournal<T>(wait: Promise<T>): Promise<T> {
  return wait.catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await world.agent.journal(60)}`);
  });
}

/** The first event (newest first) matching, as the control plane shows it. */
function event(what: string, match: (e: EventRow) => boolean): Promise<EventRow> {
  return withJournal(eventually(async () => (await world.events()).find(match), { ...WAIT, message: what }));
}

const runtimeEvent = (reason: string, targetVersion: string) =>
  event(`${reason} for ${targetVersion}`, (e) => {
    return (
      e.type === "runtime.event" && e.payload?.reason === reason && e.payload?.targetVersion === targetVersion
    );
  });

/** The node kept its process and kept producing blocks. */
async function nodeUntouched(pid: number): Promise<void> {
  expect(await mainPid(world.node.unit)).toBe(pid);
  const h = await blockNumber(world.node.port);
  await eventually(async () => (await blockNumber(world.node.port)) > h, { ...WAIT, message: "a new block" });
  expect(await mainPid(world.node.unit)).toBe(pid);
}

/** The control plane shows the executor at `version` with nothing pending. */
async function settledAt(version: string): Promise<void> {
  await withJournal(
    eventually(
      async () => {
        const e = await world.executor();
        return e.currentVersion === version && e.pendingUpgrade === null;
      },
      { ...WAIT, message: `the executor to run ${version} with no pending upgrade` },
    ),
  );
}

describe.skipIf(skip)("agent self-upgrade under systemd, through the real control plane", () => {
  test(
    "a published release requested with requestExecutorUpgrade is swapped in and kept once it syncs; pendingUpgrade clears; the node never restarts",
    async () => {
      const nodePid = await mainPid(world.node.unit);
      const agentPid = await mainPid(AGENT_UNIT);
      expect(nodePid).toBeGreaterThan(0);
      const { executorUpgradeCandidates: c } = await world.gql<{
        executorUpgradeCandidates: {
          currentVersion: string;
          candidates: { version: string; allowedAsDirectTarget: boolean }[];
        };
      }>(
        "query($id: ID!) { executorUpgradeCandidates(executorId: $id) { currentVersion candidates { version allowedAsDirectTarget } } }",
        {
          id: world.executorId,
        },
      );
      expect(c.currentVersion).toBe(V1);
      expect(c.candidates).toContainEqual({ version: V2, allowedAsDirectTarget: true });
      await world.request(V2);
      expect((await world.executor()).pendingUpgrade?.targetVersion).toBe(V2);
      await settledAt(V2);
      await runtimeEvent("upgrade.completed", V2);
      expect((await world.events()).some((e) => e.type === "executor.upgrade.completed")).toBe(true);
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v1));
      expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
      expect(existsSync(`${binary}.download`)).toBe(false);
      expect(await mainPid(AGENT_UNIT)).not.toBe(agentPid);
      await nodeUntouched(nodePid);
    },
    JOURNEY_MS,
  );

  for (const [what, version, code, arrange] of [
    [
      "bytes that are not the published ones (a corrupted release store)",
      "0.2.0",
      "checksum_mismatch",
      async (path: string) => corruptStoredRelease(world, await world.publish("0.2.0", path)),
    ],
    [
      "a signature of another file (forged on the wire: the control plane publishes none)",
      "0.2.1",
      "signature_invalid",
      async (path: string) => {
        await world.publish("0.2.1", path);
        world.faults.signatureOverride = minisignSign(v1, world.trusted);
      },
    ],
    [
      "a signature by a key the binary does not trust (forged on the wire: the control plane refuses it)",
      "0.2.2",
      "signature_unknown_key",
      async (path: string) => {
        await world.publish("0.2.2", path);
        world.faults.signatureOverride = minisignSign(path, world.stranger);
      },
    ],
  ] as const) {
    test(
      `a release with ${what} is refused (${code}), shown in the control plane's events, and the running agent stays`,
      async () => {
        const agentPid = await mainPid(AGENT_UNIT);
        const path = scriptRelease(
          join(world.workDir, "refused"),
          `novacula-${version}`,
          `exit 0 # ${version}`,
        );
        await arrange(path);
        await world.request(version);
        const refused = await runtimeEvent("upgrade.refused", version);
        world.faults.signatureOverride = null;
        expect(refused.payload?.code).toBe(code);
        expect(refused.payload?.runningVersion).toBe(V2);
        // A refusal keeps the request until it expires or is cancelled; never bypassed.
        expect((await world.executor()).pendingUpgrade?.targetVersion).toBe(version);
        await world.cancel();
        expect(sha256Of(binary)).toBe(sha256Of(v2));
        expect(existsSync(`${binary}.download`)).toBe(false);
        expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
        expect(await mainPid(AGENT_UNIT)).toBe(agentPid);
        await settledAt(V2);
      },
      JOURNEY_MS,
    );
  }

  for (const [what, version, script, code] of [
    ["crashes at start", "0.1.3", "echo broken >&2; exit 3", "start_failed"],
    ["exits 0 at once", "0.1.4", "exit 0", "exited_at_once"],
    ["hangs and never syncs", "0.1.5", "exec sleep 100000", "health_timeout"],
  ] as const) {
    test(
      `a published release that ${what} is rolled back by systemd; the control plane shows executor.upgrade.rolled_back with ${code}`,
      async () => {
        const nodePid = await mainPid(world.node.unit);
        const path = scriptRelease(join(world.workDir, "faulty"), `novacula-${version}`, script);
        await world.publish(version, path);
        await world.request(version);
        const rolled = await event(`executor.upgrade.rolled_back for ${version}`, (e) => {
          return e.type === "executor.upgrade.rolled_back" && e.payload?.targetVersion === version;
        });
        expect(rolled.payload).toMatchObject({ code, runningVersion: V2 });
        expect(rolled.message).toContain(code);
        expect(sha256Of(binary)).toBe(sha256Of(v2));
        expect(sha256Of(`${binary}.broken`)).toBe(sha256Of(path));
        expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
        await settledAt(V2);
        await nodeUntouched(nodePid);
      },
      JOURNEY_MS,
    );
  }

  test(
    "an agent killed mid-download comes back on the old binary and resumes the download where it stopped",
    async () => {
      const nodePid = await mainPid(world.node.unit);
      // A slow link (the control plane itself would serve the file in a blink).
      world.faults.releaseFaults = { chunkDelayMs: 2 };
      const ranges = world.faults.releaseRanges.length;
      await world.request(V1);
      const download = `${binary}.download`;
      await eventually(() => existsSync(download) && statSync(download).size > 8 * 1024 * 1024, {
        ...WAIT,
        intervalMs: 50,
        message: "the download to be under way",
      });
      await world.agent.kill9();
      // The old binary is still in place and runs again (systemd restarts it).
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      world.faults.releaseFaults = null;
      await settledAt(V1);
      expect(world.faults.releaseRanges.slice(ranges).some((r) => /^bytes=\d+-$/.test(r))).toBe(true);
      expect(sha256Of(binary)).toBe(sha256Of(v1));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v2));
      await nodeUntouched(nodePid);
    },
    JOURNEY_MS,
  );
});
