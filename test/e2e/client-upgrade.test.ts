// A deployed node's client changes version in place, end to end: a real control plane with the client catalog,
// a real agent (process supervisor) and devnet's real geth in dev mode. An upgrade runs the new version's file
// on the same data (the chain goes on from where it was: same genesis, same block 1, no lower height) and the
// revision says it succeeded; a version that cannot start is put back by itself, the chain keeps producing
// blocks under the previous version, and the revision and an event say why.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { blockNumber, freePort, jsonRpc, makeTestDir } from "../agent/helpers.ts";
import { sha256Of } from "../artifacts/upstream.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { type GethVersions, publishGethVersions } from "../harness/geth-versions.ts";

const T = 300_000;
const WAIT = { timeoutMs: 150_000, intervalMs: 250 };
const NODE = "geth-upgrade";

let cp: ControlPlaneHandle;
let agent: AgentProcess;
let versions: GethVersions;
let cookie: string;
let executorId: string;
let nodeId: string;
let rpcPort: number;
const scratch = makeTestDir("client-upgrade");
/** version → the sha256 of the file its catalog entry serves (the installed file's name). */
const sha256 = (version: string) => sha256Of(versions.files.get(version)!);

async function gql<R>(query: string, variables: Record<string, unknown> = {}): Promise<R> {
  const result = await cp.gql<R>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const spec = (version: string) => ({
  chain: "devnet",
  network: "local",
  nodeType: "full",
  clients: { node: { name: "geth", version } },
  ports: { rpc: rpcPort },
});

interface Upgrade {
  from: string;
  to: string;
  outcome: string;
  reason: string | null;
}

async function latestRevision() {
  const { node } = await gql<{
    node: {
      phase: string;
      recentRevisions: { revision: number; summary: string; clientUpgrade: Upgrade | null }[];
    };
  }>(
    "query($id: ID!) { node(where: { id: $id }) { phase recentRevisions(take: 1) { revision summary clientUpgrade { from to outcome reason } } } }",
    { id: nodeId },
  );
  return { phase: node.phase, ...node.recentRevisions[0]! };
}

const updateTo = (version: string) =>
  gql<{ updateNode: { revision: number } }>(
    "mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }",
    { id: nodeId, spec: spec(version) },
  );

/** The node's one geth process (the one whose --datadir is the node's) and the file it runs. */
function gethProcess(): { pid: number; exe: string } | null {
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (!args.some((arg) => arg.endsWith(`/nodes/${NODE}/data`))) continue;
      return { pid: Number(name), exe: readlinkSync(`/proc/${name}/exe`) };
    } catch {}
  }
  return null;
}

const blockHash = async (n: number) =>
  ((await jsonRpc(rpcPort, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])) as { hash: string }).hash;

/** Blocks keep coming: a height above `above`. */
const producesAbove = (above: number) =>
  eventually(async () => (await blockNumber(rpcPort).catch(() => -1)) > above, {
    ...WAIT,
    message: `a block above ${above}`,
  });

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  versions = await publishGethVersions(cp, cookie, {
    "1.17.10": "real",
    "1.17.11": "another",
    "1.17.12": "exits",
    "1.17.13": "hangs",
  });
  agent = agentProcess(scratch.dir, {
    url: cp.url,
    token: await cp.createExecutorKey("client-upgrade"),
    name: "upgrade-host",
  });
  await agent.start();
  executorId = String((await agent.waitForLog("executor registered")).executorId);
  rpcPort = await freePort();
  const { createNode } = await gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    { data: { executorId, name: NODE, spec: spec("1.17.10") } },
  );
  nodeId = createNode.id;
  await producesAbove(2);
}, T);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  versions?.stop();
  scratch.cleanup();
}, T);

describe("in-place client upgrades of a running node", () => {
  test(
    "an upgrade runs the new version on the same data: same genesis and block 1, no lower height, revision succeeded",
    async () => {
      const genesis = await blockHash(0);
      const first = await blockHash(1);
      const before = gethProcess()!;
      expect(before.exe).toEndWith(sha256("1.17.10"));
      const height = await blockNumber(rpcPort);

      await updateTo("1.17.11");
      const done = await eventually(
        async () => {
          const latest = await latestRevision();
          return latest.clientUpgrade?.outcome === "succeeded" ? latest : null;
        },
        { ...WAIT, message: "the upgrade to succeed" },
      );
      expect(done.summary).toBe("client upgrade geth 1.17.10 → 1.17.11");
      const after = gethProcess()!;
      expect(after.pid).not.toBe(before.pid);
      expect(after.exe).toEndWith(sha256("1.17.11"));
      await eventually(
        async () => {
          const { node } = await gql<{ node: { observed: { details?: Record<string, unknown> } } }>(
            "query($id: ID!) { node(where: { id: $id }) { observed } }",
            { id: nodeId },
          );
          return node.observed.details?.["runningVersion.node"] === "1.17.11";
        },
        { ...WAIT, message: "the node to report it runs 1.17.11" },
      );
      expect(await blockNumber(rpcPort)).toBeGreaterThanOrEqual(height);
      expect(await blockHash(0)).toBe(genesis);
      expect(await blockHash(1)).toBe(first);
    },
    T,
  );

  test(
    "a version that cannot start is reverted by itself: the reason is on the revision and in an event, blocks keep coming",
    async () => {
      const first = await blockHash(1);
      await updateTo("1.17.12");
      const reverted = await eventually(
        async () => {
          const latest = await latestRevision();
          return latest.clientUpgrade?.outcome === "reverted" ? latest : null;
        },
        { ...WAIT, message: "the upgrade to be reverted" },
      );
      expect(reverted.clientUpgrade).toMatchObject({ from: "1.17.11", to: "1.17.12" });
      expect(reverted.clientUpgrade!.reason).toMatch(/geth 1\.17\.12 exited with status 1.*newer kernel/);

      const { events } = await gql<{ events: { message: string; payload: Record<string, unknown> }[] }>(
        "query($f: EventFilterInput) { events(filter: $f) { message payload } }",
        { f: { nodeId, take: 100 } },
      );
      const event = events.find((e) => e.payload.reason === "client_upgrade.reverted");
      expect(event?.payload).toMatchObject({
        role: "node",
        from: "1.17.11",
        to: "1.17.12",
        revision: reverted.revision,
      });
      expect(String(event?.payload.cause)).toMatch(/exited with status 1/);

      // The previous version runs again on the same chain, and it goes on.
      const running = await eventually(
        async () => {
          const process = gethProcess();
          return process?.exe.endsWith(sha256("1.17.11")) ? process : null;
        },
        { ...WAIT, message: "1.17.11 to run again" },
      );
      expect(running.pid).toBeGreaterThan(0);
      const height = await blockNumber(rpcPort).catch(() => 0);
      await producesAbove(height);
      expect(await blockHash(1)).toBe(first);
      await eventually(async () => (await latestRevision()).phase === "running", WAIT);
      // What the node reports it runs is the previous version, not the one its spec names.
      const { node } = await gql<{ node: { spec: any; observed: { details?: Record<string, unknown> } } }>(
        "query($id: ID!) { node(where: { id: $id }) { spec observed } }",
        { id: nodeId },
      );
      expect(node.spec.clients.node.version).toBe("1.17.12");
      expect(node.observed.details?.["runningVersion.node"]).toBe("1.17.11");

      // Going back to the version that runs is no downgrade: the data never stayed with 1.17.12.
      await updateTo("1.17.11");
      expect((await latestRevision()).summary).toBe("client downgrade geth 1.17.12 → 1.17.11");
    },
    T,
  );

  test(
    "a version that never answers is reverted at its deadline, also when the agent restarts while it waits",
    async () => {
      const first = await blockHash(1);
      const { updateNode } = await updateTo("1.17.13");
      // The gate is under way: the agent said so, and the sleeping release runs in geth's place.
      await eventually(
        async () => {
          const { events } = await gql<{ events: { payload: Record<string, unknown> }[] }>(
            "query($f: EventFilterInput) { events(filter: $f) { payload } }",
            { f: { nodeId, take: 100 } },
          );
          return events.some(
            (e) =>
              e.payload.reason === "client_upgrade.started" && e.payload.revision === updateNode.revision,
          );
        },
        { ...WAIT, message: "the upgrade to 1.17.13 to start" },
      );
      expect((await latestRevision()).clientUpgrade?.outcome).toBe("pending");
      // A crash of the agent mid-gate: the next one finds the upgrade and its deadline in the node record.
      await agent.kill();
      await agent.start();
      const reverted = await eventually(
        async () => {
          const latest = await latestRevision();
          return latest.clientUpgrade?.outcome === "reverted" ? latest : null;
        },
        { timeoutMs: 280_000, intervalMs: 1000, message: "the upgrade to 1.17.13 to be reverted" },
      );
      expect(reverted.clientUpgrade!.reason).toMatch(
        /not healthy by its deadline.*geth 1\.17\.13 does not answer/,
      );
      await eventually(async () => gethProcess()?.exe.endsWith(sha256("1.17.11")) === true, {
        ...WAIT,
        message: "1.17.11 to run again",
      });
      await producesAbove(await blockNumber(rpcPort).catch(() => 0));
      expect(await blockHash(1)).toBe(first);
    },
    T + 120_000,
  );
});
