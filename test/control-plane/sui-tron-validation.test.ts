// Sui and Tron specs through the real control plane: an executor advertising this binary's adapters gets a
// valid node of each, and a Sui archive node or a Tron heap override is refused with the path and the fix
// before anything is written. Real control plane process, real SQLite file, GraphQL as the UI sends it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { NodeSpecInput } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  [cookie, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("sui-tron")]);
});
afterAll(() => cp.stop());

const SUI: NodeSpecInput = {
  chain: "sui",
  network: "mainnet",
  nodeType: "full",
  clients: { node: { name: "sui-node", version: "1.72.2" } },
};
const TRON: NodeSpecInput = {
  chain: "tron",
  network: "nile",
  nodeType: "full",
  clients: { node: { name: "java-tron", version: "4.8.0" } },
};

async function refusedWith(executorId: string, name: string, spec: NodeSpecInput) {
  const result = await cp.gql(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`,
    { data: { executorId, name, spec } },
    { cookie },
  );
  expect(result.data).toBeNull();
  const error = result.errors?.[0];
  return {
    code: error?.extensions?.code,
    problems: Object.fromEntries((error?.extensions?.details ?? []).map((d) => [d.path, d.message])),
  };
}

async function nodeNames(executorId: string): Promise<string[]> {
  const result = await cp.gql(
    `query($e: ID!) { nodes(where: { executorId: $e }) { name } }`,
    { e: executorId },
    { cookie },
  );
  return (result.data.nodes as { name: string }[]).map((n) => n.name).sort();
}

describe("Sui and Tron nodes through the control plane", () => {
  test("a full Sui node and a Nile Tron node are accepted and stored", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-accept");
    await createNode(cp, cookie, executorId, "sui-main", SUI);
    await createNode(cp, cookie, executorId, "tron-nile", TRON);
    expect(await nodeNames(executorId)).toEqual(["sui-main", "tron-nile"]);
  });

  test("an archive Sui node is refused at /spec/nodeType with what to deploy instead; nothing is written", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-sui-archive");
    const result = await refusedWith(executorId, "sui-archive", { ...SUI, nodeType: "archive" });
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems)).toEqual(["/spec/nodeType"]);
    expect(result.problems["/spec/nodeType"]).toContain('deploy nodeType "full"');
    expect(await nodeNames(executorId)).toEqual([]);
  });

  test("a Tron heap set per node, as a setting or as -Xmx, is refused at its path with the fix", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-tron-heap");
    const result = await refusedWith(executorId, "tron-heap", {
      ...TRON,
      settings: { heapSize: 24 },
      overrides: { args: { "java-tron": ["-Xmx24g"] } },
    });
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems).sort()).toEqual([
      "/spec/overrides/args/java-tron/0",
      "/spec/settings/heapSize",
    ]);
    expect(result.problems["/spec/overrides/args/java-tron/0"]).toContain(
      "the JVM heap is managed by Novacula and follows the network (nile: 9 GiB",
    );
    expect(await nodeNames(executorId)).toEqual([]);
  });
});
