// A bystander for scripts/bench-graphql.ts, run as its own process so that the benchmark's own work
// (parsing large responses) never delays it: polls /healthz every `--every-ms` and sends an executor sync
// every `--sync-every-ms` (within the key's rate limit) until its stdin closes, then prints the worst and
// the median latency of each, and the status of any failed request, as JSON.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    key: { type: "string" },
    body: { type: "string" },
    "every-ms": { type: "string", default: "20" },
    "sync-every-ms": { type: "string", default: "100" },
  },
});
const failed: string[] = [];
const health: number[] = [];
const syncs: number[] = [];
let failures = 0;
let running = true;

async function timed(into: number[], every: number, request: () => Promise<Response>) {
  while (running) {
    const next = Bun.sleep(every);
    const started = performance.now();
    try {
      const response = await request();
      await response.arrayBuffer();
      if (!response.ok) {
        failures++;
        failed.push(`${response.url}: ${response.status}`);
      }
    } catch (error) {
      failures++;
      failed.push(String(error));
    }
    into.push(performance.now() - started);
    await next;
  }
}

const loops = [
  timed(health, Number(values["every-ms"]), () => fetch(`${values.url}/healthz`)),
  timed(syncs, Number(values["sync-every-ms"]), () =>
    fetch(`${values.url}/api/v1/executor/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${values.key}`, "content-type": "application/json" },
      body: values.body,
    }),
  ),
];
// Runs until the benchmark closes our stdin.
await new Response(Bun.stdin.stream()).arrayBuffer();
running = false;
await Promise.all(loops);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  JSON.stringify({
    healthMaxMs: Math.max(0, ...health),
    healthMedianMs: median(health),
    healthCount: health.length,
    syncMaxMs: Math.max(0, ...syncs),
    syncMedianMs: median(syncs),
    syncCount: syncs.length,
    failures,
    failed: failed.slice(0, 5),
  }),
);
