// Fresh observed state with the production shape: the compiled agent as novacula-agent.service in a real
// systemd namespace, reporting at production's 10 s interval, deploys a real anvil. Its phase must turn
// `running` within 2 s of anvil's RPC answering (the executor reports state changes when it sees them, not
// on the next 10 s report), and the control plane must then hold every common metric, the chain's extras,
// and the node's metric history.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentInSystemd, compiledNovacula, startAgentInSystemd } from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { blockNumber, freePort } from "../supervisor/suite.ts";

const SETUP_MS = 180_000;
const TEST_MS = 240_000;
/** The guarantee: phase `running` at most this long after the node's RPC first answers. */
const FRESH_MS = 2_000;

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let agent: AgentInSystemd;
let cookie: string;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

beforeAll(async () => {
  const workDir = testWorkDir("fresh-state");
  const binaryPath = compiledNovacula(workDir);
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken: await cp.createExecutorKey("fresh-agent"),
    name: "fresh-agent",
    reporterIntervalSecs: 10,
  });
  cookie = await cp.adminSession();
}, SETUP_MS);

afterAll(async () => {
  await ns?.stop();
  await cp?.stop();
}, SETUP_MS);

/** Polls until `probe` answers; returns when it first did (ms since epoch). */
async function firstTime(
  probe: () => Promise<boolean>,
  intervalMs: number,
  message: string,
): Promise<number> {
  return eventually(async () => ((await probe().catch(() => false)) ? Date.now() : null), {
    timeoutMs: 120_000,
    intervalMs,
    message,
  });
}

test(
  "a started devnet node reads running within 2 s of its RPC answering, with every common metric and its extras",
  async () => {
    const executorId = await eventually(
      async () =>
        (
          await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")
        ).executors.find((e) => e.name === agent.name)?.id,
      { timeoutMs: 60_000, intervalMs: 200, message: "the agent to register" },
    );
    const port = freePort();
    const { createNode } = await gql<{ createNode: { id: string } }>(
      `mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`,
      {
        data: {
          executorId,
          name: "fresh",
          spec: {
            chain: "devnet",
            network: "local",
            nodeType: "full",
            clients: { node: { name: "anvil", version: "1.7.1" } },
            ports: { rpc: port },
            settings: { blockTimeSecs: 1 },
          },
        },
      },
    );
    const id = createNode.id;
    const phase = async () =>
      (
        await gql<{ node: { phase: string } }>(`query($id: ID!) { node(where: { id: $id }) { phase } }`, {
          id,
        })
      ).node.phase;
    // Both watchers start now and run side by side: anvil's RPC, and the phase the control plane derives.
    const [rpcAt, runningAt] = await Promise.all([
      firstTime(async () => (await blockNumber(port)) >= 0, 25, "anvil to answer eth_blockNumber"),
      firstTime(async () => (await phase()) === "running", 50, "the phase to read running"),
    ]).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await agent.journal(80)}`);
    });
    console.log(`phase running ${runningAt - rpcAt} ms after anvil first answered eth_blockNumber`);
    expect(runningAt - rpcAt).toBeLessThanOrEqual(FRESH_MS);

    // The common metrics (docs/executor-protocol.md), per node and per process, and the chain's extras.
    // lastBlockAt needs the head seen growing between two observations.
    type Observed = {
      processes: {
        role: string;
        status: string;
        cpuMillicores?: number;
        memoryBytes?: number;
        mainPid?: number;
      }[];
      metrics: Record<string, number | string | boolean>;
      details?: Record<string, number | string | boolean>;
    };
    const observed = await eventually(
      async () => {
        const { node } = await gql<{ node: { observed: Observed | null } }>(
          `query($id: ID!) { node(where: { id: $id }) { observed } }`,
          { id },
        );
        return node.observed?.metrics.lastBlockAt !== undefined ? node.observed : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: "an observation with lastBlockAt" },
    );
    const m = observed.metrics;
    expect(m.blockHeight).toBeGreaterThan(0);
    expect(m.networkHeight).toBe(m.blockHeight as number);
    expect(m).toMatchObject({ syncPercent: 100, syncing: false, peers: 0 });
    expect(Date.parse(m.lastBlockAt as string)).toBeGreaterThan(rpcAt - 1_000);
    expect(m.diskUsedBytes).toBeGreaterThan(0);
    expect(m.diskTotalBytes).toBeGreaterThan(m.diskAvailableBytes as number);
    expect(m.diskAvailableBytes).toBeGreaterThan(0);
    const [process] = observed.processes;
    expect(process).toMatchObject({ role: "node", status: "running" });
    expect(process!.mainPid).toBeGreaterThan(0);
    expect(process!.cpuMillicores).toBeGreaterThanOrEqual(0);
    expect(process!.memoryBytes).toBeGreaterThan(1024 * 1024);
    expect(observed.details).toMatchObject({
      chainId: 31337,
      clientVersion: expect.stringMatching(/^anvil/),
    });

    // And the control plane keeps it as history, read back through GraphQL.
    const history = await gql<{
      nodeMetricHistory: { points: { blockHeight: number; memoryBytes: number }[] };
    }>(
      `query($id: ID!, $from: DateTime!) {
        nodeMetricHistory(nodeId: $id, from: $from) { points { blockHeight memoryBytes } }
      }`,
      { id, from: new Date(rpcAt - 60_000).toISOString() },
    );
    expect(history.nodeMetricHistory.points.length).toBeGreaterThan(0);
    expect(history.nodeMetricHistory.points.at(-1)!.blockHeight).toBeGreaterThan(0);
  },
  TEST_MS,
);
