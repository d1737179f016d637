// Setup for scripts/bench-sync.ts, done before the simulated fleet starts so that it neither measures nor
// is slowed by a thundering herd: executor keys, each executor's first sync (its registration, exactly as
// its agent's first contact), and one node per executor, all through the public APIs.
import { supportedChains } from "../../src/adapters/registry.ts";
import { batchedMutations, DEVNET_SPEC, gql } from "./control-plane.ts";

const CAPABILITIES = {
  supportedChains: supportedChains(),
  features: ["sync", "event", "lifecycle"],
  storageClasses: [],
};

export interface SyncBody {
  name: string;
  resources: { diskAvailableBytes: number } & Record<string, unknown>;
  [field: string]: unknown;
}

/** The sync body executor `index` sends, as the agent builds it (src/modes/agent/backend.ts). */
export function syncBodyFor(index: number): SyncBody {
  return {
    name: `bench-${index}`,
    kind: "agent",
    version: "0.1.0",
    channel: "stable",
    capabilities: CAPABILITIES,
    // Free disk changes from one sync to the next, as on a real host.
    resources: {
      cpuCores: 8,
      memoryBytes: 32 * 2 ** 30,
      diskTotalBytes: 2 * 2 ** 40,
      diskAvailableBytes: 2 ** 40,
      os: "linux",
      arch: "x64",
    },
  };
}

/** `count` executor keys, `batch` per GraphQL document (smaller on a busy machine, as for createNodes). */
export async function createKeys(url: string, cookie: string, count: number, batch = 100): Promise<string[]> {
  const keys: string[] = [];
  await batchedMutations(
    url,
    cookie,
    Array.from({ length: count }, (_, i) => i),
    (i, alias) => `${alias}: createApiKey(input: { name: "bench-${i}" }) { key }`,
    {
      batch,
      concurrency: 1,
      onAck: (items, data) => {
        for (const [i] of items.entries()) keys.push((data[`m${i}`] as { key: string }).key);
      },
      // Keys a refused document created are never shown: make the chunk's keys again, one at a time.
      overBudget: async (items) => {
        for (const i of items)
          keys.push(
            await retried(() =>
              createOne(url, cookie, `createApiKey(input: { name: "bench-${i}" }) { key }`, "key"),
            ),
          );
      },
    },
  );
  return keys;
}

/** First contact of every executor (index → executorId), `concurrency` at a time. */
export async function registerExecutors(
  url: string,
  keys: string[],
  executors: number,
  concurrency = 64,
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, executors) }, async () => {
    while (next < executors) {
      const index = next++;
      const response = await fetch(`${url}/api/v1/executor/sync`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys[index % keys.length]}`, "content-type": "application/json" },
        body: JSON.stringify(syncBodyFor(index)),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`registering bench-${index}: HTTP ${response.status} ${body}`);
      ids.set(index, (JSON.parse(body) as { executorId: string }).executorId);
    }
  });
  await Promise.all(lanes);
  return ids;
}

/**
 * One node per executor (index → nodeId), through GraphQL createNode in aliased documents of `batch`
 * mutations (smaller on a busy machine: a document past the GraphQL time budget is refused after some of
 * its writes, and is not safe to resend).
 */
export async function createNodes(
  url: string,
  cookie: string,
  ids: Map<number, string>,
  batch = 50,
): Promise<Map<number, string>> {
  const nodeIds = new Map<number, string>();
  await batchedMutations(
    url,
    cookie,
    [...ids].sort((a, b) => a[0] - b[0]),
    ([index, id], alias) =>
      `${alias}: createNode(data: {executorId: "${id}", name: "bench-${index}", spec: $spec}) { id }`,
    {
      batch,
      concurrency: 2,
      variables: { declarations: "$spec: JSON!", values: { spec: DEVNET_SPEC } },
      onAck: (items, data) => {
        for (const [i, [index]] of items.entries()) nodeIds.set(index, (data[`m${i}`] as { id: string }).id);
      },
      // Some of a refused document's nodes may exist: look each up by name, create the missing ones.
      overBudget: async (items) => {
        for (const [index, id] of items) {
          nodeIds.set(index, await retried(() => nodeNamed(url, cookie, id, `bench-${index}`)));
        }
      },
    },
  );
  return nodeIds;
}

/** One mutation on its own, answering `field` of its result. */
async function createOne(url: string, cookie: string, mutation: string, field: string): Promise<string> {
  const result = await gql(url, cookie, `mutation { m: ${mutation} }`);
  return (result.data!.m as Record<string, string>)[field]!;
}

/** The id of the executor's node `name`, created when it does not exist yet. */
async function nodeNamed(url: string, cookie: string, executorId: string, name: string): Promise<string> {
  const found = await gql(
    url,
    cookie,
    `query($e: ID!, $n: String!) { nodes(where: { executorId: $e, name: { equals: $n } }) { id name } }`,
    { e: executorId, n: name },
  );
  const node = (found.data!.nodes as { id: string; name: string }[]).find((n) => n.name === name);
  if (node) return node.id;
  const created = await gql(
    url,
    cookie,
    `mutation($spec: JSON!) { m: createNode(data: { executorId: "${executorId}", name: "${name}", spec: $spec }) { id } }`,
    { spec: DEVNET_SPEC },
  );
  return (created.data!.m as { id: string }).id;
}

/** `attempt`, again while the GraphQL time budget refuses it (at most 10 times). */
async function retried<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= 10 || !String((error as Error).message).includes("query_too_complex")) throw error;
    }
  }
}
