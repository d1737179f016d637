// End to end, the production shape of a self-upgrade: the compiled `novacula` agent runs as
// novacula-agent.service in a real systemd (private namespace) against a real control plane, and manages a real
// devnet (anvil) node. Two versions of the real binary are built with a throwaway minisign key compiled in, and
// signed with the real `minisign` tool. A small server in front of the control plane adds pendingUpgrade to the
// /sync answers (the release catalog lives on another branch) and serves the releases; every other call, the
// runtime events included, goes to the real control plane. Each journey asserts what is on disk, what systemd
// runs, what the executor reports, and that the node's process never restarted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import type { AgentUpgradeSpec } from "../../src/protocol/upgrade.ts";
import { testWorkDir } from "../harness/systemd.ts";
import { minisignAvailable, minisignSign, scriptRelease, sha256Of } from "../harness/upgrade.ts";
import { startUpgradeWorld, type UpgradeWorld, V1, V2 } from "../harness/upgrade-world.ts";
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
}, SETUP_MS);

afterAll(() => world?.stop(), SETUP_MS);

const mainPid = (unit: string) => world.mainPid(unit);
const lastSynced = () => world.proxy.syncedVersions.at(-1);

/** What the control plane does on requestExecutorUpgrade: the next /sync answers carry it. */
function offer(spec: AgentUpgradeSpec): void {
  world.proxy.pending = spec;
}

function release(name: string, path: string): string {
  world.proxy.releases.set(name, { path });
  return name;
}

async function upgradeEvent(reason: string, targetVersion: string) {
  return eventually(
    () =>
      world.proxy.events.find(
        (e) =>
          e.reason === reason &&
          (e.payload as { targetVersion?: string } | undefined)?.targetVersion === targetVersion,
      ),
    { ...WAIT, message: `${reason} for ${targetVersion}` },
  ).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await world.agent.journal(60)}`);
  });
}

/** The node kept its process and kept producing blocks. */
async function nodeUntouched(pid: number): Promise<void> {
  expect(await mainPid(world.node.unit)).toBe(pid);
  const h = await blockNumber(world.node.port);
  await eventually(async () => (await blockNumber(world.node.port)) > h, { ...WAIT, message: "a new block" });
  expect(await mainPid(world.node.unit)).toBe(pid);
}

describe.skipIf(skip)("agent self-upgrade under systemd", () => {
  test(
    "a signed release is swapped in and kept once it syncs; the previous binary stays as .prev; the node never restarts",
    async () => {
      const nodePid = await mainPid(world.node.unit);
      const agentPid = await mainPid(AGENT_UNIT);
      expect(nodePid).toBeGreaterThan(0);
      offer(world.proxy.specFor(release("novacula-2", v2), V2, minisignSign(v2, world.trusted)));
      await upgradeEvent("upgrade.completed", V2);
      expect(lastSynced()).toBe(V2);
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v1));
      expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
      expect(existsSync(`${binary}.download`)).toBe(false);
      expect(await mainPid(AGENT_UNIT)).not.toBe(agentPid);
      await nodeUntouched(nodePid);
      // The real control plane saw the new version and the event.
      const { executors } = await world.gql<{ executors: { name: string; currentVersion: string }[] }>(
        "{ executors { name currentVersion } }",
      );
      expect(executors.find((e) => e.name === world.agent.name)?.currentVersion).toBe(V2);
      const { events } = await world.gql<{ events: { payload: { reason?: string } | null }[] }>(
        `{ events(filter: { executorName: "${world.agent.name}", type: "runtime.event" }) { payload } }`,
      );
      expect(events.some((e) => e.payload?.reason === "upgrade.completed")).toBe(true);
    },
    JOURNEY_MS,
  );

  for (const [what, code, makeSpec] of [
    [
      "a wrong sha256",
      "checksum_mismatch",
      () => world.proxy.specFor(release("novacula-1", v1), V1, minisignSign(v1, world.trusted), sha256Of(v2)),
    ],
    [
      "a signature of another file",
      "signature_invalid",
      () => world.proxy.specFor(release("novacula-1", v1), V1, minisignSign(v2, world.trusted)),
    ],
    [
      "a signature by a key the binary does not trust",
      "signature_unknown_key",
      () => world.proxy.specFor(release("novacula-1", v1), V1, minisignSign(v1, world.stranger)),
    ],
  ] as const) {
    test(
      `a release with ${what} is refused (${code}) and reported; the binary and the running agent stay`,
      async () => {
        const agentPid = await mainPid(AGENT_UNIT);
        const before = world.proxy.events.length;
        offer(makeSpec());
        const event = await eventually(
          () => world.proxy.events.slice(before).find((e) => e.reason === "upgrade.refused"),
          {
            ...WAIT,
            message: `the refusal of ${what}`,
          },
        );
        world.proxy.pending = null;
        expect((event.payload as { code: string }).code).toBe(code);
        expect(sha256Of(binary)).toBe(sha256Of(v2));
        expect(existsSync(`${binary}.download`)).toBe(false);
        expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
        expect(await mainPid(AGENT_UNIT)).toBe(agentPid);
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
      `a new binary that ${what} is rolled back by systemd to the previous one, which reports ${code}`,
      async () => {
        const nodePid = await mainPid(world.node.unit);
        const path = scriptRelease(join(world.workDir, "faulty"), `novacula-${version}`, script);
        offer(
          world.proxy.specFor(
            release(`novacula-${version}`, path),
            version,
            minisignSign(path, world.trusted),
          ),
        );
        const event = await upgradeEvent("upgrade.rolled_back", version);
        expect((event.payload as { code: string }).code).toBe(code);
        expect(sha256Of(binary)).toBe(sha256Of(v2));
        expect(sha256Of(`${binary}.broken`)).toBe(sha256Of(path));
        expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
        await eventually(async () => (await mainPid(AGENT_UNIT)) > 0 && lastSynced() === V2, {
          ...WAIT,
          message: "the previous version to run and sync again",
        });
        await nodeUntouched(nodePid);
      },
      JOURNEY_MS,
    );
  }

  test(
    "an agent killed mid-download comes back on the old binary and resumes the download where it stopped",
    async () => {
      const nodePid = await mainPid(world.node.unit);
      world.proxy.releases.set("novacula-1-slow", { path: v1, chunkDelayMs: 2 });
      offer(world.proxy.specFor("novacula-1-slow", V1, minisignSign(v1, world.trusted)));
      const download = `${binary}.download`;
      await eventually(() => existsSync(download) && statSync(download).size > 8 * 1024 * 1024, {
        ...WAIT,
        intervalMs: 50,
        message: "the download to be under way",
      });
      await world.agent.kill9();
      // The old binary is still in place and runs again (systemd restarts it).
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      world.proxy.releases.set("novacula-1-slow", { path: v1 });
      await upgradeEvent("upgrade.completed", V1);
      expect(world.proxy.releaseRanges.some((r) => /^bytes=\d+-$/.test(r))).toBe(true);
      expect(sha256Of(binary)).toBe(sha256Of(v1));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v2));
      await nodeUntouched(nodePid);
    },
    JOURNEY_MS,
  );
});
