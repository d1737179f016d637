// `bun scripts/bench-alerts.ts --nodes 10000 --rounds 20`: what alert evaluation costs per observation.
// Runs the control plane in this process (a fresh SQLite file under .cache/bench), creates N real devnet
// nodes through GraphQL (a tenth of them stopped), then feeds the alert engine N observations per round,
// exactly what the signal hub hands it on ingestion, and measures the process CPU per evaluation:
// - steady: every node healthy, heads advancing, disks below the threshold (memory only);
// - stopped: the same plus the stopped tenth reported stopped (node_down asks whether they should run, once
//   per revision, then from memory);
// - flapping: the same plus 1 % of the nodes crossing the disk threshold each round (incidents open and
//   resolve: a transaction and an event each).
// The share of one core at N nodes reporting every 10 s is (CPU µs per evaluation) × N / 10 s.
// Not part of `npm test`; figures go to docs/benchmarks.md.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { supportedChains } from "../src/adapters/registry.ts";
import { createLogger } from "../src/lib/log.ts";
import { loadControlPlaneConfig } from "../src/modes/control-plane/config.ts";
import { startControlPlane } from "../src/modes/control-plane/server.ts";
import type { ObservedNodeState } from "../src/protocol/index.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    nodes: { type: "string", default: "10000" },
    rounds: { type: "string", default: "20" },
  },
});
const N = Number(flags.nodes);
const ROUNDS = Number(flags.rounds);
const EMAIL = "bench@novacula.test";
const PASSWORD = "bench-password-0123";

const dir = join(ROOT, ".cache/bench", `alerts-${Date.now()}`);
mkdirSync(dir, { recursive: true });
const cp = await startControlPlane(
  loadControlPlaneConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    NOVACULA_DATA_DIR: dir,
    INITIAL_ADMIN_EMAIL: EMAIL,
    INITIAL_ADMIN_PASSWORD: PASSWORD,
  }),
  { log: createLogger({ level: "error" }) },
);
const signIn = await fetch(`${cp.url}/api/auth/sign-in/email`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
});
const cookie = signIn.headers
  .getSetCookie()
  .map((c) => c.split(";")[0])
  .join("; ");
async function gql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${cp.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the documents of this script are its own
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const key = (await gql(`mutation { createApiKey(input: { name: "bench" }) { key } }`)).createApiKey.key;
const synced = await fetch(`${cp.url}/api/v1/executor/sync`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
  body: JSON.stringify({
    name: "bench-host",
    kind: "agent",
    version: "0.1.0",
    channel: "stable",
    capabilities: { supportedChains: supportedChains(), features: ["sync"], storageClasses: [] },
  }),
});
const executor = (await synced.json()) as { executorId: string };

const started = performance.now();
const ids: string[] = [];
for (let i = 0; i < N; i += 16) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(16, N - i) }, (_, j) =>
      gql(`mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`, {
        data: {
          executorId: executor.executorId,
          name: `n-${i + j}`,
          spec: {
            chain: "devnet",
            network: "local",
            nodeType: "full",
            clients: { node: { name: "anvil", version: "1.7.1" } },
          },
        },
      }),
    ),
  );
  ids.push(...batch.map((b) => b.createNode.id as string));
}
const stopped = new Set(ids.filter((_, i) => i % 10 === 0));
const toStop = [...stopped];
// In slices: one bulk action must fit the API's per-request time budget.
for (let i = 0; i < toStop.length; i += 100) {
  await gql(`mutation($ids: [ID!]!) { requestNodesLifecycleAction(ids: $ids, action: stop) { id } }`, {
    ids: toStop.slice(i, i + 100),
  });
}
console.log(`setup: ${N} nodes in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const engine = cp.services.notifications.engine;
const TOTAL = 1000 * 1024 ** 3;
function observation(id: string, round: number, scenario: string, index: number): ObservedNodeState {
  const down = scenario !== "steady" && stopped.has(id);
  const full = scenario === "flapping" && index % 100 === round % 100 && round % 2 === 0;
  return {
    nodeId: id,
    revision: down ? 2 : 1,
    processes: [{ role: "node", status: down ? "stopped" : "running", peers: 3 }],
    metrics: {
      blockHeight: 1000 + round,
      networkHeight: 1000 + round,
      syncPercent: 100,
      diskTotalBytes: TOTAL,
      diskAvailableBytes: full ? TOTAL * 0.05 : TOTAL * 0.5,
    },
  };
}

const organizationId = (await gql("{ organization { id } }")).organization.id as string;
const signals = ids.map((id, index) => ({
  node: {
    id,
    organizationId,
    name: `n-${index}`,
    executorId: executor.executorId,
    executorName: "bench-host",
  },
  index,
}));

function measure(scenario: string) {
  // One warm-up round, then the measured ones.
  let cpu = 0;
  let evaluations = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const observations = signals.map((s) => observation(s.node.id, round, scenario, s.index));
    const before = process.cpuUsage();
    for (let i = 0; i < signals.length; i++) {
      engine.nodeObserved({ node: signals[i]!.node, observation: observations[i]!, at: Date.now() });
    }
    const used = process.cpuUsage(before);
    if (round > 0) {
      cpu += used.user + used.system;
      evaluations += signals.length;
    }
  }
  const perEvaluationUs = cpu / evaluations;
  const coreShare = (perEvaluationUs * N) / 10_000_000;
  console.log(
    `${scenario.padEnd(9)} ${perEvaluationUs.toFixed(2)} µs CPU per evaluation → ${(coreShare * 100).toFixed(2)} % of one core at ${N} nodes every 10 s`,
  );
}

for (const scenario of ["steady", "stopped", "flapping"]) measure(scenario);
const incidents = cp.services.notifications.incidents.list(organizationId, null, null, 500).length;
console.log(
  `incidents (newest 500 shown at most): ${incidents}; RSS ${(process.memoryUsage().rss / 1024 ** 2).toFixed(0)} MiB`,
);
await cp.stop();
