// In-place client upgrades as production runs them: the compiled agent as a systemd service in the test
// namespace, the node as a systemd unit, devnet's real geth from the catalog. An upgrade restarts the unit on
// the new version's file and the chain goes on; a version that exits at once (systemd restarting it) is put
// back by itself, with the reason on the revision, and blocks keep coming.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { blockNumber, freePort, jsonRpc } from "../agent/helpers.ts";
import { sha256Of } from "../artifacts/upstream.ts";
import { type AgentInSystemd, compiledNovacula, startAgentInSystemd } from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { type GethVersions, publishGethVersions } from "../harness/geth-versions.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";

const SETUP_MS = 300_000;
const T = 300_000;
const WAIT = { timeoutMs: 150_000, intervalMs: 500 };
const NODE = "geth-upgrade-systemd";
const UNIT = `devnet-node@${NODE}.service`;

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let versions: GethVersions;
let agent: AgentInSystemd;
let cookie: string;
let nodeId: string;
let rpcPort: number;
let workDir: string;
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

async function unitPid(): Promise<number> {
  const props = (
    await systemctlShow([UNIT], ["ActiveState", "MainPID"], { commandPrefix: ns.commandPrefix })
  ).get(UNIT)!;
  return props.ActiveState === "active" ? Number(props.MainPID ?? 0) : 0;
}

async function outcome(want: string) {
  return eventually(
    async () => {
      const { node } = await gql<{
        node: {
          recentRevisions: { summary: string; clientUpgrade: { outcome: string; reason: string } | null }[];
        };
      }>(
        "query($id: ID!) { node(where: { id: $id }) { recentRevisions(take: 1) { summary clientUpgrade { outcome reason } } } }",
        { id: nodeId },
      );
      const latest = node.recentRevisions[0]!;
      return latest.clientUpgrade?.outcome === want ? latest : null;
    },
    { ...WAIT, message: `the client upgrade to be ${want}` },
  ).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent ---\n${await agent.journal(80)}`);
  });
}

const updateTo = (version: string) =>
  gql("mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { id } }", {
    id: nodeId,
    spec: spec(version),
  });

const producesAbove = (above: number) =>
  eventually(async () => (await blockNumber(rpcPort).catch(() => -1)) > above, {
    ...WAIT,
    message: `a block above ${above}`,
  });

beforeAll(async () => {
  workDir = testWorkDir("e2e-client-upgrade-systemd");
  const binaryPath = compiledNovacula(workDir);
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  cookie = await cp.adminSession();
  versions = await publishGethVersions(cp, cookie, {
    "1.17.10": "real",
    "1.17.11": "another",
    "1.17.12": "exits",
  });
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken: await cp.createExecutorKey("client-upgrade-systemd"),
    name: "upgrade-systemd-host",
  });
  const executorId = await eventually(
    async () =>
      (await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")).executors.find(
        (e) => e.name === agent.name,
      )?.id,
    { ...WAIT, message: "the agent to register" },
  );
  rpcPort = await freePort();
  const { createNode } = await gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    { data: { executorId, name: NODE, spec: spec("1.17.10") } },
  );
  nodeId = createNode.id;
  await producesAbove(2);
}, SETUP_MS);

afterAll(async () => {
  // Killing the namespace's PID 1 takes the agent and the node unit with it.
  await ns?.stop();
  await cp?.stop();
  versions?.stop();
}, SETUP_MS);

describe("in-place client upgrades under systemd", () => {
  test(
    "an upgrade restarts the unit on the new file and the chain goes on; a version that exits at once is put back",
    async () => {
      const first = ((await jsonRpc(rpcPort, "eth_getBlockByNumber", ["0x1", false])) as { hash: string })
        .hash;
      const before = await unitPid();
      expect(before).toBeGreaterThan(0);

      await updateTo("1.17.11");
      expect((await outcome("succeeded")).summary).toBe("client upgrade geth 1.17.10 → 1.17.11");
      const upgraded = await unitPid();
      expect(upgraded).not.toBe(before);
      const exe = await ns.exec(["readlink", `/proc/${upgraded}/exe`]);
      expect(exe.stdout.trim()).toEndWith(sha256("1.17.11"));
      await producesAbove(await blockNumber(rpcPort));

      await updateTo("1.17.12");
      const reverted = await outcome("reverted");
      expect(reverted.clientUpgrade!.reason).toMatch(/geth 1\.17\.12 exited with status 1/);
      const back = await eventually(async () => (await unitPid()) || null, {
        ...WAIT,
        message: "the unit to run",
      });
      const backExe = await ns.exec(["readlink", `/proc/${back}/exe`]);
      expect(backExe.stdout.trim()).toEndWith(sha256("1.17.11"));
      await producesAbove(await blockNumber(rpcPort).catch(() => 0));
      const again = ((await jsonRpc(rpcPort, "eth_getBlockByNumber", ["0x1", false])) as { hash: string })
        .hash;
      expect(again).toBe(first);
    },
    T,
  );
});
