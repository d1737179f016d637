// End to end, the production shape of a self-upgrade: the compiled `novacula` agent runs as
// novacula-agent.service in a real systemd (private namespace) against a real control plane, and manages a real
// devnet (anvil) node. Two versions of the real binary are built with a throwaway minisign key compiled in, and
// signed with the real `minisign` tool. A small server in front of the control plane adds pendingUpgrade to the
// /sync answers (the release catalog lives on another branch) and serves the releases; every other call, the
// runtime events included, goes to the real control plane. Each journey asserts what is on disk, what systemd
// runs, what the executor reports, and that the node's process never restarted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { installAgentService } from "../../src/modes/agent/install.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import type { AgentUpgradeSpec } from "../../src/protocol/upgrade.ts";
import {
  type AgentInSystemd,
  type ArtifactServer,
  serveArtifacts,
  startAgentInSystemd,
} from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import {
  buildVersion,
  copyExecutable,
  type MinisignKey,
  minisignAvailable,
  minisignKeyPair,
  minisignSign,
  scriptRelease,
  sha256Of,
  startUpgradeProxy,
  type UpgradeProxy,
} from "../harness/upgrade.ts";
import { ANVIL, blockNumber, freePort } from "../supervisor/suite.ts";

const SETUP_MS = 400_000;
const JOURNEY_MS = 180_000;
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };
const V1 = "0.1.1";
const V2 = "0.1.2";
/** The guard's deadline in this test (production: 120 s). */
const CONFIRM_SECS = 20;

let workDir: string;
let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let proxy: UpgradeProxy;
let artifacts: ArtifactServer;
let agent: AgentInSystemd;
let trusted: MinisignKey;
let stranger: MinisignKey;
let v1: string;
let v2: string;
let binary: string;
let cookie: string;
let node: { name: string; port: number; unit: string };

const skip = !minisignAvailable();
if (skip) console.warn("skipped: the `minisign` tool is missing (apt-get install minisign)");

beforeAll(async () => {
  if (skip) return;
  workDir = testWorkDir("e2e-self-upgrade");
  trusted = minisignKeyPair(join(workDir, "keys"), "trusted");
  stranger = minisignKeyPair(join(workDir, "keys"), "stranger");
  [v1, v2] = await Promise.all([
    buildVersion(join(workDir, "builds"), V1, trusted.publicKey),
    buildVersion(join(workDir, "builds"), V2, trusted.publicKey),
  ]);
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  proxy = startUpgradeProxy(cp.url);
  artifacts = serveArtifacts({ "anvil-1.7.1-linux-x64": ANVIL });
  // The agent's binary lives where the service can replace it (the namespace sees the same path).
  mkdirSync(join(ns.nodeDataDir, "bin"), { recursive: true });
  binary = join(ns.nodeDataDir, "bin", "novacula");
  copyExecutable(v1, binary);
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath: binary,
    controlPlaneUrl: proxy.url,
    accessToken: await cp.createExecutorKey("self-upgrade"),
    artifactsUrl: artifacts.url,
    name: "upgrade-agent",
  });
  // Installed again with a short confirmation deadline, so the "never syncs" journey is quick.
  await installAgentService({
    binaryPath: binary,
    configPath: agent.configPath,
    unitDir: ns.hostUnitDir,
    commandPrefix: ns.commandPrefix,
    upgradeConfirmSecs: CONFIRM_SECS,
  });
  cookie = await cp.adminSession();
  const executorId = await eventually(
    async () =>
      (await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")).executors.find(
        (e) => e.name === agent.name,
      )?.id,
    { ...WAIT, message: "the agent to register" },
  );
  const port = freePort();
  const spec = {
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "anvil", version: "1.7.1" } },
    ports: { rpc: port },
    settings: { blockTimeSecs: 1 },
    restartPolicy: "always",
  };
  const { createNode } = await gql<{ createNode: { name: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { name } }",
    { data: { executorId, name: "upgrade-devnet", spec } },
  );
  node = { name: createNode.name, port, unit: `devnet-node@${createNode.name}.service` };
  await eventually(
    () =>
      blockNumber(port)
        .then((h) => h > 0)
        .catch(() => false),
    {
      ...WAIT,
      message: "the devnet node to produce blocks",
    },
  );
}, SETUP_MS);

afterAll(async () => {
  await ns?.stop();
  await proxy?.stop();
  await cp?.stop();
  await artifacts?.stop();
  if (workDir) rmSync(join(workDir, "builds"), { recursive: true, force: true });
}, SETUP_MS);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function mainPid(unit: string): Promise<number> {
  const props = (
    await systemctlShow([unit], ["ActiveState", "MainPID"], { commandPrefix: ns.commandPrefix })
  ).get(unit)!;
  return props.ActiveState === "active" ? Number(props.MainPID) : 0;
}

const lastSynced = () => proxy.syncedVersions.at(-1);

/** Offer an upgrade with a fresh flap budget (earlier journeys' restarts do not count against this one). */
async function offer(spec: AgentUpgradeSpec): Promise<void> {
  await ns.exec(["systemctl", "reset-failed", AGENT_UNIT]);
  proxy.pending = spec;
}

function release(name: string, path: string): string {
  proxy.releases.set(name, { path });
  return name;
}

async function upgradeEvent(reason: string, targetVersion: string) {
  return eventually(
    () =>
      proxy.events.find(
        (e) =>
          e.reason === reason &&
          (e.payload as { targetVersion?: string } | undefined)?.targetVersion === targetVersion,
      ),
    { ...WAIT, message: `${reason} for ${targetVersion}` },
  ).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await agent.journal(60)}`);
  });
}

/** The node kept its process and kept producing blocks. */
async function nodeUntouched(pid: number): Promise<void> {
  expect(await mainPid(node.unit)).toBe(pid);
  const h = await blockNumber(node.port);
  await eventually(async () => (await blockNumber(node.port)) > h, { ...WAIT, message: "a new block" });
  expect(await mainPid(node.unit)).toBe(pid);
}

describe.skipIf(skip)("agent self-upgrade under systemd", () => {
  test(
    "a signed release is swapped in and kept once it syncs; the previous binary stays as .prev; the node never restarts",
    async () => {
      const nodePid = await mainPid(node.unit);
      const agentPid = await mainPid(AGENT_UNIT);
      expect(nodePid).toBeGreaterThan(0);
      await offer(proxy.specFor(release("novacula-2", v2), V2, minisignSign(v2, trusted)));
      await upgradeEvent("upgrade.completed", V2);
      expect(lastSynced()).toBe(V2);
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v1));
      expect(existsSync(`${binary}.upgrade-pending`)).toBe(false);
      expect(existsSync(`${binary}.download`)).toBe(false);
      expect(await mainPid(AGENT_UNIT)).not.toBe(agentPid);
      await nodeUntouched(nodePid);
      // The real control plane saw the new version and the event.
      const { executors } = await gql<{ executors: { name: string; currentVersion: string }[] }>(
        "{ executors { name currentVersion } }",
      );
      expect(executors.find((e) => e.name === agent.name)?.currentVersion).toBe(V2);
      const { events } = await gql<{ events: { payload: { reason?: string } | null }[] }>(
        `{ events(filter: { executorName: "${agent.name}", type: "runtime.event" }) { payload } }`,
      );
      expect(events.some((e) => e.payload?.reason === "upgrade.completed")).toBe(true);
    },
    JOURNEY_MS,
  );

  for (const [what, code, makeSpec] of [
    [
      "a wrong sha256",
      "checksum_mismatch",
      () => proxy.specFor(release("novacula-1", v1), V1, minisignSign(v1, trusted), sha256Of(v2)),
    ],
    [
      "a signature of another file",
      "signature_invalid",
      () => proxy.specFor(release("novacula-1", v1), V1, minisignSign(v2, trusted)),
    ],
    [
      "a signature by a key the binary does not trust",
      "signature_unknown_key",
      () => proxy.specFor(release("novacula-1", v1), V1, minisignSign(v1, stranger)),
    ],
  ] as const) {
    test(
      `a release with ${what} is refused (${code}) and reported; the binary and the running agent stay`,
      async () => {
        const agentPid = await mainPid(AGENT_UNIT);
        const before = proxy.events.length;
        await offer(makeSpec());
        const event = await eventually(
          () => proxy.events.slice(before).find((e) => e.reason === "upgrade.refused"),
          {
            ...WAIT,
            message: `the refusal of ${what}`,
          },
        );
        proxy.pending = null;
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
        const nodePid = await mainPid(node.unit);
        const path = scriptRelease(join(workDir, "faulty"), `novacula-${version}`, script);
        await offer(
          proxy.specFor(release(`novacula-${version}`, path), version, minisignSign(path, trusted)),
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
      const nodePid = await mainPid(node.unit);
      proxy.releases.set("novacula-1-slow", { path: v1, chunkDelayMs: 2 });
      await offer(proxy.specFor("novacula-1-slow", V1, minisignSign(v1, trusted)));
      const download = `${binary}.download`;
      await eventually(() => existsSync(download) && statSync(download).size > 8 * 1024 * 1024, {
        ...WAIT,
        intervalMs: 50,
        message: "the download to be under way",
      });
      await agent.kill9();
      // The old binary is still in place and runs again (systemd restarts it).
      expect(sha256Of(binary)).toBe(sha256Of(v2));
      proxy.releases.set("novacula-1-slow", { path: v1 });
      await upgradeEvent("upgrade.completed", V1);
      expect(proxy.releaseRanges.some((r) => /^bytes=\d+-$/.test(r))).toBe(true);
      expect(sha256Of(binary)).toBe(sha256Of(v1));
      expect(sha256Of(`${binary}.prev`)).toBe(sha256Of(v2));
      await nodeUntouched(nodePid);
    },
    JOURNEY_MS,
  );
});
