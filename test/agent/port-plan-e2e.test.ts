// The port plan end to end: a real control plane, a real agent process (process supervisor) and real anvil.
// Two devnet nodes deployed through GraphQL without spec.ports, while the adapter's default port is held on
// the host (by this test when it is free, else already by something else), both run, each on its own port,
// and GraphQL shows where: Node.ports and Node.rpcUrl name the ports the agent gave them, which answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { devnetAdapter } from "../../src/adapters/devnet/anvil/adapter.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { type AgentProcess, agentProcess } from "./agent-process.ts";
import { ANVIL_BIN, ANVIL_FILE_NAME, blockNumber, holdPortIfFree, makeTestDir } from "./helpers.ts";

const T = 120_000;
const DEFAULT_RPC = devnetAdapter.formHints!().ports.rpc!;

interface NodePorts {
  id: string;
  phase: string;
  ports: { name: string; port: number; explicit: boolean; allocated: boolean }[];
  rpcUrl: string | null;
  observed: { ports?: Record<string, number> } | null;
}

describe("port plan end to end (control plane, agent process, anvil)", () => {
  let cp: ControlPlaneHandle;
  let agent: AgentProcess;
  let cookie: string;
  let executorId: string;
  let held: Server | null = null;
  const scratch = makeTestDir("port-plan-e2e");

  beforeAll(async () => {
    held = await holdPortIfFree(DEFAULT_RPC);
    cp = await startControlPlane();
    mkdirSync(join(cp.dataDir, "artifacts"), { recursive: true });
    copyFileSync(ANVIL_BIN, join(cp.dataDir, "artifacts", ANVIL_FILE_NAME));
    cookie = await cp.adminSession();
    const token = await cp.createExecutorKey("ports-agent");
    agent = agentProcess(scratch.dir, { url: cp.url, token, name: "ports-agent" });
    await agent.start();
    executorId = String((await agent.waitForLog("executor registered")).executorId);
  }, T);

  afterAll(async () => {
    await agent?.stop();
    await cp?.stop();
    held?.close();
    scratch.cleanup();
  }, T);

  const gql = async <R>(query: string, variables: Record<string, unknown>): Promise<R> => {
    const result = await cp.gql<R>(query, variables, { cookie });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  const FIELDS = "id phase ports { name port explicit allocated } rpcUrl observed";

  test(
    `two devnet nodes without spec.ports run while port ${DEFAULT_RPC} is held; GraphQL shows each one's own port`,
    async () => {
      const ids: string[] = [];
      for (const name of ["ports-one", "ports-two"]) {
        const created = await gql<{ createNode: { id: string } }>(
          "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
          { data: { executorId, name, spec: DEVNET_SPEC } },
        );
        ids.push(created.createNode.id);
      }
      const nodes = await eventually(
        async () => {
          const found: NodePorts[] = [];
          for (const id of ids) {
            const { node } = await gql<{ node: NodePorts }>(
              `query($id: ID!) { node(where: { id: $id }) { ${FIELDS} } }`,
              { id },
            );
            if (node.phase !== "running" || !node.ports[0]?.allocated) return null;
            found.push(node);
          }
          return found;
        },
        { timeoutMs: 60_000, intervalMs: 250, message: "both nodes running with allocated ports" },
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
          timeoutMs: 30_000,
          message: `blocks on ${node.rpcUrl}`,
        });
      }
    },
    T,
  );
});
