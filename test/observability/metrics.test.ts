// Prometheus /metrics, parsed with a text-format parser library: the control plane's (behind METRICS_TOKEN:
// off without it, 401 without the right bearer token) with requests per route, executors online, held
// long-polls, batched write latency and the metric history's intake; and a real agent's (on its loopback
// `[metrics] listen`) with reconcile timings, the last successful sync, and a real anvil node's process
// status and chain figures.
// Every series either endpoint exposes is listed in docs/metrics.md.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { freePort, makeTestDir } from "../agent/helpers.ts";
import { call, createNode, DEVNET_SPEC, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { samples, scrape, undocumented, value } from "./prometheus.ts";

const T = 120_000;
const TOKEN = "metrics-token-0123456789abcdef0123456789";
const WAIT = { timeoutMs: 45_000, intervalMs: 200 };

describe("control plane /metrics", () => {
  let cp: ControlPlaneHandle;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    cp = await startControlPlane({ env: { METRICS_TOKEN: TOKEN } });
    cp.leakWatch.secret(TOKEN);
  }, T);
  afterAll(() => cp?.stop(), T);

  test("answers only the configured bearer token", async () => {
    expect((await fetch(`${cp.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${cp.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toContain("METRICS_TOKEN");
    expect((await fetch(`${cp.url}/metrics`, { headers: auth })).status).toBe(200);
  });

  test(
    "reports requests per route, executors online, held long-polls and batched write latency",
    async () => {
      const key = await cp.createExecutorKey("metrics-exec");
      const { executorId } = await syncExecutor(cp, key, "host-metrics");
      await syncExecutor(cp, key, "host-metrics"); // a heartbeat: a batched write
      await call(cp, "/api/v1/executor/sync", { key, body: { name: "nope" } }); // a 400
      // Hold a spec long-poll while scraping.
      const held = call(cp, "/api/v1/executor/specs?cursor=0&waitMs=20000", { key, executorId }).catch(
        () => null,
      );
      await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId });
      const metrics = await eventually(
        async () => {
          const m = await scrape(`${cp.url}/metrics`, auth);
          const heldNow = value(m, "novacula_spec_long_polls_held");
          const writes = samples(m, "novacula_sqlite_batch_write_duration_seconds")[0];
          return heldNow === 1 && Number(writes?.count) > 0 ? m : null;
        },
        { ...WAIT, message: "a held long-poll and a batched write in /metrics" },
      );
      expect(value(metrics, "novacula_executors_online")).toBe(1);
      const syncs = samples(metrics, "novacula_http_request_duration_seconds", {
        route: "/api/v1/executor/sync",
        method: "POST",
      });
      const byStatus = Object.fromEntries(syncs.map((s) => [s.labels.status, s]));
      expect(Object.keys(byStatus).sort()).toEqual(["200", "400"]);
      expect(byStatus["200"]!.count).toBe(2);
      expect(byStatus["400"]!.count).toBe(1);
      for (const s of syncs) {
        expect(s.buckets!["+Inf"]).toBe(s.count!);
        expect(s.sum!).toBeGreaterThan(0);
      }
      expect(metrics.novacula_http_request_duration_seconds!.type).toBe("histogram");
      // Unknown paths share one label: a scanner cannot grow the label set.
      await fetch(`${cp.url}/no/such/${crypto.randomUUID()}`);
      const after = await scrape(`${cp.url}/metrics`, auth);
      const routes = new Set(
        samples(after, "novacula_http_request_duration_seconds").map((s) => s.labels.route ?? ""),
      );
      expect([...routes].some((r) => r.includes("no/such"))).toBe(false);
      expect(undocumented(after)).toEqual([]);
      void held; // answered when the control plane stops
    },
    T,
  );

  test(
    "counts what the metric history takes in",
    async () => {
      const key = await cp.createExecutorKey("history-metrics");
      const { executorId } = await syncExecutor(cp, key, "host-history");
      const node = await createNode(cp, await cp.adminSession(), executorId, "history-metered");
      const observation = { nodeId: node.id, revision: 1, processes: [{ role: "node", status: "running" }] };
      const body = { observations: [{ ...observation, metrics: { blockHeight: 5 } }] };
      expect((await call(cp, "/api/v1/executor/observed", { key, executorId, body })).status).toBe(200);
      const metrics = await scrape(`${cp.url}/metrics`, auth);
      expect(value(metrics, "novacula_metric_history_points_total", { resolution: "10s" })).toBe(1);
      expect(value(metrics, "novacula_metric_history_nodes_active")).toBe(1);
      expect(undocumented(metrics)).toEqual([]);
    },
    T,
  );
});

test(
  "without METRICS_TOKEN the control plane's /metrics is off, and says how to turn it on",
  async () => {
    const cp = await startControlPlane();
    try {
      const response = await fetch(`${cp.url}/metrics`);
      expect(response.status).toBe(404);
      expect((await response.json()).message).toContain("METRICS_TOKEN");
    } finally {
      await cp.stop();
    }
  },
  T,
);

describe("agent /metrics", () => {
  let cp: ControlPlaneHandle;
  let agent: AgentProcess;
  let metricsUrl: string;
  const scratch = makeTestDir("agent-metrics");

  beforeAll(async () => {
    cp = await startControlPlane();
    const token = await cp.createExecutorKey("metrics-agent");
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    agent = agentProcess(scratch.dir, {
      url: cp.url,
      token,
      name: "metrics-agent",
      metricsListen: `127.0.0.1:${port}`,
    });
    await agent.start();
    await agent.waitForLog("executor registered");
  }, T);

  afterAll(async () => {
    await agent?.stop();
    await cp?.stop();
    scratch.cleanup();
  }, T);

  test(
    "reports reconcile timings, the last sync, and a running node's status and chain figures",
    async () => {
      const cookie = await cp.adminSession();
      const executorId = (
        await cp.gql<{ executors: { id: string }[] }>("{ executors { id } }", {}, { cookie })
      ).data!.executors[0]!.id;
      const rpc = await freePort();
      const node = await createNode(cp, cookie, executorId, "metered", { ...DEVNET_SPEC, ports: { rpc } });
      const labels = { node: "metered", node_id: node.id };
      const metrics = await eventually(
        async () => {
          const m = await scrape(metricsUrl);
          const running = value(m, "novacula_node_process_status", {
            ...labels,
            role: "node",
            status: "running",
          });
          return running === 1 && (value(m, "novacula_node_block_height", labels) ?? 0) > 0 ? m : null;
        },
        { ...WAIT, message: "the running node in the agent's /metrics" },
      );
      expect(value(metrics, "novacula_node_process_status", { ...labels, status: "error" })).toBe(0);
      expect(value(metrics, "novacula_node_peers", labels)).toBe(0);
      expect(value(metrics, "novacula_node_block_lag", labels)).toBe(0);
      expect(value(metrics, "novacula_node_disk_used_bytes", labels)).toBeGreaterThan(0);
      expect(
        value(metrics, "novacula_node_process_memory_bytes", { ...labels, role: "node" }),
      ).toBeGreaterThan(0);
      const lastSync = value(metrics, "novacula_agent_last_sync_success_timestamp_seconds")!;
      expect(Math.abs(Date.now() / 1000 - lastSync)).toBeLessThan(60);
      const passes = samples(metrics, "novacula_agent_reconcile_duration_seconds", { outcome: "ok" });
      expect(Number(passes[0]?.count)).toBeGreaterThan(0);
      expect((await fetch(metricsUrl.replace("/metrics", "/other"))).status).toBe(404);
      expect(undocumented(metrics)).toEqual([]);
    },
    T,
  );
});
