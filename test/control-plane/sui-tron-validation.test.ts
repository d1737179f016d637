// Sui and Tron specs through the real control plane: an executor advertising this binary's adapters gets a
// valid node of each, and a Sui archive node or a Tron heap override is refused with the path and the fix
// before anything is written. The shipped Sui entry's genesis files carry no upstream sha256, so a Sui node
// is refused until a system admin vouches for them. Real control plane process, real SQLite file, GraphQL
// as the UI sends it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { defaultCatalog } from "../../src/modes/control-plane/catalog/defaults.ts";
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

describe("Sui with the shipped catalog", () => {
  test("a Sui node is refused while its genesis file is unverified, naming the file and the pin; nothing is written", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-sui-unverified");
    const result = await refusedWith(executorId, "sui-unverified", SUI);
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems)).toEqual(["/spec/clients/node/version"]);
    const message = result.problems["/spec/clients/node/version"];
    expect(message).toContain("its genesis file for network mainnet");
    expect(message).toContain("https://github.com/MystenLabs/sui-genesis/raw/");
    expect(message).toContain("pinCatalogChecksum");
    expect(await nodeNames(executorId)).toEqual([]);
  });
});

/**
 * What a system admin does once the Sui genesis blobs are checked: replace the shipped entry with one that
 * carries their sha256. The values stand in for the admin's check (this test downloads nothing).
 */
async function vouchForSuiGenesis(): Promise<void> {
  const entry = structuredClone(
    defaultCatalog().find((e) => e.chain === "sui" && e.version === SUI.clients.node!.version)!,
  );
  for (const files of Object.values(entry.networks ?? {}))
    for (const file of Object.values(files))
      file.sha256 = new Bun.CryptoHasher("sha256").update(file.url).digest("hex");
  const added = await cp.gql(
    "mutation($e: JSON!) { addCatalogEntries(entries: $e) { version } }",
    { e: [entry] },
    { cookie },
  );
  expect(added.errors).toBeUndefined();
}

describe("Sui and Tron nodes through the control plane, once the Sui genesis files are vouched for", () => {
  beforeAll(vouchForSuiGenesis);

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
