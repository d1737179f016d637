// Setup for scripts/bench-sync.ts, done before the simulated fleet starts so that it neither measures nor
// is slowed by a thundering herd: executor keys, each executor's first sync (its registration, exactly as
// its agent's first contact), and one node per executor, all through the public APIs.
import { supportedChains } from "../../src/adapters/registry.ts";
import { batchedMutations, DEVNET_SPEC } from "./control-plane.ts";

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
    },
  );
  return nodeIds;
}
