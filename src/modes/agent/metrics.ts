// The agent's Prometheus endpoint (`[metrics] listen`, loopback only): GET /metrics in prom-client's
// exposition format. Reconcile passes are timed as they end; everything else (last successful sync, each
// process's status, CPU and memory, each node's chain and disk figures) is read from the executor's latest
// observations when scraped, so an agent nobody scrapes does no work for it. Loaded only when configured
// (run.ts imports it on demand): an agent without metrics does not even load the library.
import { Gauge, Histogram, Registry } from "prom-client";
import type { Executor } from "../../executor/executor.ts";
import type { Logger } from "../../lib/log.ts";
import { PROCESS_STATUSES } from "../../protocol/observed.ts";
import { NOVACULA_VERSION } from "../../protocol/version.ts";

export interface AgentMetricsServer {
  /** Time one reconcile pass (called by the executor as each pass ends). */
  reconciled(durationMs: number, ok: boolean): void;
  readonly port: number;
  stop(): void;
}

type NodeLabels = "node" | "node_id";
type ProcessLabels = NodeLabels | "role" | "status";

/** Node gauges: metric name suffix, help, and how to read it from an observation's metrics. */
const NODE_FIGURES = [
  ["block_height", "Latest block the node has", "blockHeight"],
  ["network_height", "Head of the network as the node knows it", "networkHeight"],
  ["sync_percent", "Sync progress, 0 to 100", "syncPercent"],
  ["peers", "Peers of the node", "peers"],
  ["disk_used_bytes", "Bytes under the node's directory", "diskUsedBytes"],
  ["disk_total_bytes", "Size of the filesystem holding the node's directory", "diskTotalBytes"],
  ["disk_available_bytes", "Bytes available on that filesystem", "diskAvailableBytes"],
] as const;

function createRegistry(executor: Executor, nodeName: (nodeId: string) => string) {
  const registry = new Registry();
  const registers = [registry];
  const reconcile = new Histogram({
    name: "novacula_agent_reconcile_duration_seconds",
    help: "Reconcile passes by outcome (ok, failed) and how long each took",
    labelNames: ["outcome"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers,
  });
  new Gauge({
    name: "novacula_agent_info",
    help: "This agent's version (always 1)",
    labelNames: ["version"],
    registers,
    collect() {
      this.set({ version: NOVACULA_VERSION }, 1);
    },
  });
  new Gauge({
    name: "novacula_agent_last_sync_success_timestamp_seconds",
    help: "When a sync with the control plane last succeeded (Unix time; 0: never)",
    registers,
    collect() {
      this.set(executor.lastSyncOkAt / 1000);
    },
  });
  // Every node series is filled by one pass over the latest observations, at the first collect of a scrape.
  const nodes = (labels: NodeLabels[] | ProcessLabels[], name: string, help: string) =>
    new Gauge<string>({ name, help, labelNames: labels, registers, collect: () => fill() });
  const figures = NODE_FIGURES.map(
    ([suffix, help, key]) => [nodes(["node", "node_id"], `novacula_node_${suffix}`, help), key] as const,
  );
  const lag = nodes(["node", "node_id"], "novacula_node_block_lag", "Blocks behind the network's head");
  const lastBlock = nodes(
    ["node", "node_id"],
    "novacula_node_last_block_timestamp_seconds",
    "When the node's head last advanced, as the agent saw it (Unix time)",
  );
  const status = nodes(
    ["node", "node_id", "role", "status"],
    "novacula_node_process_status",
    "1 for the status each node process is in, 0 for the others",
  );
  const cpu = nodes(
    ["node", "node_id", "role"],
    "novacula_node_process_cpu_millicores",
    "CPU use of the process",
  );
  const memory = nodes(["node", "node_id", "role"], "novacula_node_process_memory_bytes", "Resident memory");
  const restarts = nodes(
    ["node", "node_id", "role"],
    "novacula_node_process_restarts",
    "Restarts of the process",
  );
  let filledAt = -1;
  function fill(): void {
    const now = performance.now();
    if (now - filledAt < 50) return;
    filledAt = now;
    for (const [gauge] of figures) gauge.reset();
    for (const gauge of [lag, lastBlock, status, cpu, memory, restarts]) gauge.reset();
    for (const observation of executor.reports.observations()) {
      const node = { node: nodeName(observation.nodeId), node_id: observation.nodeId };
      const m = observation.metrics ?? {};
      for (const [gauge, key] of figures) if (m[key] !== undefined) gauge.set(node, Number(m[key]));
      if (m.networkHeight !== undefined && m.blockHeight !== undefined)
        lag.set(node, Math.max(0, m.networkHeight - m.blockHeight));
      if (m.lastBlockAt) lastBlock.set(node, Date.parse(m.lastBlockAt) / 1000);
      for (const p of observation.processes) {
        const labels = { ...node, role: p.role };
        for (const s of PROCESS_STATUSES) status.set({ ...labels, status: s }, p.status === s ? 1 : 0);
        if (p.cpuMillicores !== undefined) cpu.set(labels, p.cpuMillicores);
        if (p.memoryBytes !== undefined) memory.set(labels, p.memoryBytes);
        if (p.restarts !== undefined) restarts.set(labels, p.restarts);
      }
    }
  }
  return { registry, reconcile };
}

/** Serves GET /metrics on host:port (loopback); throws when the port cannot be bound. */
export function serveAgentMetrics(
  listen: { host: string; port: number },
  executor: Executor,
  log: Logger,
): AgentMetricsServer {
  const names = () => new Map(executor.desired.snapshot().map((e) => [e.nodeId, e.name]));
  let nameCache = new Map<string, string>();
  const { registry, reconcile } = createRegistry(executor, (id) => nameCache.get(id) ?? id);
  const server = Bun.serve({
    hostname: listen.host,
    port: listen.port,
    reusePort: false,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path !== "/metrics" || request.method !== "GET") {
        return new Response("only GET /metrics is served here\n", { status: 404 });
      }
      nameCache = names();
      return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
    },
  });
  log.info("metrics served", {
    url: `http://${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${server.port}/metrics`,
  });
  return {
    port: server.port ?? listen.port,
    reconciled: (durationMs, ok) => reconcile.observe({ outcome: ok ? "ok" : "failed" }, durationMs / 1000),
    stop: () => server.stop(true),
  };
}
