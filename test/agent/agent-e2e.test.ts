// End to end with real parts only: the control plane (test/harness/control-plane.ts, real SQLite, real HTTP),
// a real agent process with the process supervisor, anvil installed from the control plane's artifact store
// (the client catalog's entry). The agent's config is one an older agent was given: it still sets the retired
// [agent] artifacts_url. A node created through GraphQL must produce blocks, follow every lifecycle action, survive an
// agent crash without a restart, report errors people can act on, and be removed when deleted. Two nodes
// left at the default port run side by side on the ports the agent's port plan gave them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { devnetAdapter } from "../../src/adapters/devnet/adapter.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { type AgentProcess, agentProcess } from "./agent-process.ts";
import { ANVIL_SHA256, blockNumber, freePort, holdPortIfFree, makeTestDir } from "./helpers.ts";

const T = 120_000;
const DEFAULT_RPC = devnetAdapter.formHints!().ports.rpc!;
const WAIT = { timeoutMs: 45_000, intervalMs: 200 };

interface NodeView {
  id: string;
  revision: number;
  phase: string;
  observedRevision: number | null;
  observed: {
    removed?: boolean;
    processes: { status: string; mainPid?: number; message?: string }[];
    metrics?: Record<string, number | string | boolean | undefined>;
  } | null;
}

interface NodePorts {
  phase: string;
  ports: { name: string; port: number; explicit: boolean; allocated: boolean }[];
  rpcUrl: string | null;
  observed: { ports?: Record<string, number> } | null;
}

describe("agent end to end (process supervisor, real control plane)", () => {
  let cp: ControlPlaneHandle;
  let agent: AgentProcess;
  let cookie: string;
  let executorId: string;
  const scratch = makeTestDir("agent-e2e");

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await cp.gql<T>(query, variables, { cookie });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  const NODE_FIELDS = "id revision phase observedRevision observed";
  const node = async (id: string) =>
    (await gql<{ node: NodeView }>(`query($id: ID!) { node(where: { id: $id }) { ${NODE_FIELDS} } }`, { id }))
      .node;
  const createNode = async (name: string, spec: Record<string, unknown>) =>
    (
      await gql<{ createNode: NodeView }>(
        `mutation($data: NodeCreateInput!) { createNode(data: $data) { ${NODE_FIELDS} } }`,
        { data: { executorId, name, spec } },
      )
    ).createNode;
  const lifecycle = (id: string, action: string) =>
    gql(
      `mutation($id: ID!, $a: NodeLifecycleAction!) { requestNodeLifecycleAction(id: $id, action: $a) { id } }`,
      {
        id,
        a: action,
      },
    );
  const until = (id: string, what: string, check: (n: NodeView) => boolean) =>
    eventually(
      async () => {
        const n = await node(id);
        return check(n) ? n : null;
      },
      { ...WAIT, message: what },
    );
  const devnet = (port: number, extra: Record<string, unknown> = {}) => ({
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "anvil", version: "1.7.1" } },
    ports: { rpc: port },
    ...extra,
  });

  beforeAll(async () => {
    cp = await startControlPlane();
    cookie = await cp.adminSession();
    const token = await cp.createExecutorKey("e2e-agent");
    agent = agentProcess(scratch.dir, {
      url: cp.url,
      token,
      name: "e2e-agent",
      extraAgentKeys: { artifacts_url: `${cp.url}/artifacts` },
    });
    await agent.start();
    const registered = await agent.waitForLog("executor registered");
    await agent.waitForLog("capabilities reported");
    executorId = String(registered.executorId);
  }, T);

  afterAll(async () => {
    await agent?.stop();
    await cp?.stop();
    scratch.cleanup();
  }, T);

  test(
    "an agent.toml that still sets [agent] artifacts_url starts: the agent warns once that it is ignored and why, and its node's anvil comes from the artifact store",
    async () => {
      const warnings = agent.logs
        .filter((line) => line.includes('"msg":"agent config key ignored"'))
        .map((line) => JSON.parse(line) as { level: string; detail: string });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe("warn");
      expect(warnings[0]!.detail).toContain("[agent] artifacts_url");
      expect(warnings[0]!.detail).toContain("control plane's artifact store");
      const port = await freePort();
      const created = await createNode("e2e-retired-key", devnet(port));
      await until(created.id, "running", (n) => n.phase === "running");
      expect(existsSync(join(agent.dataDir, "artifacts", ANVIL_SHA256))).toBe(true);
      await gql(`mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }`, { id: created.id });
    },
    T,
  );

  test(
    "a devnet node created through GraphQL runs, and follows stop, start, restart, edit and delete",
    async () => {
      const port = await freePort();
      const created = await createNode("e2e-life", devnet(port));
      const running = await until(
        created.id,
        "running at revision 1",
        (n) => n.phase === "running" && n.observedRevision === 1,
      );
      expect(running.observed!.metrics!.blockHeight).toBeGreaterThanOrEqual(0);
      await eventually(async () => (await blockNumber(port)) >= 2, { ...WAIT, message: "blocks rising" });
      // Every common metric: the head and its time, the network head (a devnet is its own), peers, disk,
      // and CPU and memory per process.
      const measured = await until(
        created.id,
        "the head seen advancing",
        (n) => !!n.observed?.metrics?.lastBlockAt,
      );
      const metrics = measured.observed!.metrics!;
      const lastBlockAt = Date.parse(String(metrics.lastBlockAt));
      expect(lastBlockAt).toBeLessThanOrEqual(Date.now());
      expect(Date.now() - lastBlockAt).toBeLessThan(60_000);
      expect(metrics.networkHeight).toBe(metrics.blockHeight);
      expect(metrics.syncPercent).toBe(100);
      expect(metrics.peers).toBe(0);
      expect(Number(metrics.diskUsedBytes)).toBeGreaterThan(0);
      expect(Number(metrics.diskTotalBytes)).toBeGreaterThan(Number(metrics.diskUsedBytes));
      const proc = measured.observed!.processes[0] as Record<string, unknown>;
      expect(proc.peers).toBe(0);
      expect(Number(proc.memoryBytes)).toBeGreaterThan(1024 * 1024);
      expect(Number(proc.cpuMillicores)).toBeGreaterThanOrEqual(0);

      await lifecycle(created.id, "stop");
      await until(created.id, "stopped", (n) => n.phase === "stopped");
      await expect(blockNumber(port)).rejects.toThrow();
      const nodeDir = join(agent.dataDir, "nodes/e2e-life");
      expect(existsSync(join(nodeDir, "data/state.json"))).toBe(true);

      await lifecycle(created.id, "start");
      const started = await until(
        created.id,
        "running again",
        (n) => n.phase === "running" && !!n.observed?.processes[0]?.mainPid,
      );
      const pid = started.observed!.processes[0]!.mainPid!;

      await lifecycle(created.id, "restart");
      await until(
        created.id,
        "a new process after restart",
        (n) =>
          n.phase === "running" &&
          !!n.observed?.processes[0]?.mainPid &&
          n.observed.processes[0].mainPid !== pid,
      );

      const edited = await gql<{ updateNode: NodeView }>(
        `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { ${NODE_FIELDS} } }`,
        { id: created.id, spec: devnet(port, { settings: { blockTimeSecs: 2 } }) },
      );
      await until(
        created.id,
        "the edit applied",
        (n) => n.observedRevision === edited.updateNode.revision && n.phase === "running",
      );

      await gql(`mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }`, { id: created.id });
      await eventually(() => !existsSync(nodeDir), { ...WAIT, message: "the node directory removed" });
      await expect(blockNumber(port)).rejects.toThrow();
      const deleted = await gql<{ nodes: NodeView[] }>(
        `query { nodes(where: { name: { equals: "e2e-life" }, includeDeleted: true }) { ${NODE_FIELDS} } }`,
      );
      await eventually(
        async () =>
          (
            await gql<{ nodes: NodeView[] }>(
              `query { nodes(where: { name: { equals: "e2e-life" }, includeDeleted: true }) { ${NODE_FIELDS} } }`,
            )
          ).nodes[0]?.phase === "deleted",
        { ...WAIT, message: "the removal reported and the node read as deleted" },
      );
      expect(deleted.nodes).toHaveLength(1);
    },
    T,
  );

  test(
    "an agent crash leaves the node running; the restarted agent adopts it without re-rolling it",
    async () => {
      const port = await freePort();
      const created = await createNode("e2e-adopt", devnet(port));
      const before = await until(
        created.id,
        "running",
        (n) => n.phase === "running" && !!n.observed?.processes[0]?.mainPid,
      );
      const pid = before.observed!.processes[0]!.mainPid!;
      await agent.kill();
      const height = await blockNumber(port); // still answering without its agent
      const from = agent.logs.length;
      await agent.start();
      await agent.waitForLog("executor registered", { from });
      await agent.waitForLog("adopted running process", { from });
      await eventually(async () => (await blockNumber(port)) > height, {
        ...WAIT,
        message: "blocks keep rising",
      });
      const after = await until(created.id, "reported by the new agent", (n) => n.phase === "running");
      expect(after.observed!.processes[0]!.mainPid).toBe(pid);
    },
    T,
  );

  test(
    "a port already in use turns into an error on the node and a runtime event, and other nodes keep running",
    async () => {
      const port = await freePort();
      const squatter: Server = createServer();
      await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
      try {
        const created = await createNode("e2e-busy", devnet(port));
        const failed = await until(created.id, "error", (n) => n.phase === "error");
        expect(failed.observed!.processes[0]!.message).toContain(`port ${port} (rpc) is already in use`);
        const events = await gql<{ events: { type: string; message: string }[] }>(
          `query($id: ID!) { events(filter: { nodeId: $id }) { type message } }`,
          { id: created.id },
        );
        expect(
          events.events.some((e) => e.type === "runtime.event" && e.message.includes("already in use")),
        ).toBe(true);
        const other = await freePort();
        const healthy = await createNode("e2e-fine", devnet(other));
        await until(healthy.id, "the other node running", (n) => n.phase === "running");
      } finally {
        await new Promise<void>((resolve) => squatter.close(() => resolve()));
      }
    },
    T,
  );

  test(
    `two devnet nodes without spec.ports run while port ${DEFAULT_RPC} is held; GraphQL shows each one's own port`,
    async () => {
      // Held by this test when free (released below), else something on the machine already holds it.
      const held = await holdPortIfFree(DEFAULT_RPC);
      try {
        const { ports: _, ...withoutPorts } = devnet(0);
        const ids = [
          (await createNode("e2e-ports-one", withoutPorts)).id,
          (await createNode("e2e-ports-two", withoutPorts)).id,
        ];
        const nodes = await eventually(
          async () => {
            const found: NodePorts[] = [];
            for (const id of ids) {
              const { node } = await gql<{ node: NodePorts }>(
                "query($id: ID!) { node(where: { id: $id }) { phase ports { name port explicit allocated } rpcUrl observed } }",
                { id },
              );
              if (node.phase !== "running" || !node.ports[0]?.allocated) return null;
              found.push(node);
            }
            return found;
          },
          { ...WAIT, message: "both nodes running with the ports the agent gave them" },
        );
        const ports = nodes.map((n) => n.ports.find((p) => p.name === "rpc")!);
        for (const port of ports) {
          expect(port).toMatchObject({ explicit: false, allocated: true });
          expect(port.port).not.toBe(DEFAULT_RPC);
        }
        expect(ports[0]!.port).not.toBe(ports[1]!.port);
        for (const [index, node] of nodes.entries()) {
          expect(node.observed?.ports).toEqual({ rpc: ports[index]!.port });
          expect(node.rpcUrl).toBe(`http://127.0.0.1:${ports[index]!.port}`);
          await eventually(async () => (await blockNumber(ports[index]!.port)) >= 1, {
            ...WAIT,
            message: `blocks on ${node.rpcUrl}`,
          });
        }
      } finally {
        held?.close();
      }
    },
    T,
  );
});
