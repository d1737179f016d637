// The control plane's Prometheus metrics, in prom-client's exposition format: HTTP requests and their
// latency per route, executors online, held spec long-polls, the batched SQLite writes (latency per
// transaction, backlog), the metric history's intake, artifact fetches and bytes. Gauges and counters other
// than the histograms are computed when scraped, so the hot paths pay one histogram observation per request
// and per write transaction, nothing else. Every series is listed in docs/metrics.md (a test compares).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ControlPlaneServices } from "../services.ts";

/** Request latency buckets, in seconds: 1 ms (a sync) to 30 s (a held long-poll answers within 25 s). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Write transaction buckets, in seconds: a batched slice is budgeted 1.5 ms. */
const WRITE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

type RequestChild = ReturnType<Histogram<"route" | "method" | "status">["labels"]>;

export class ControlPlaneMetrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<"route" | "method" | "status">;
  /** "route method status" → the histogram child: the label lookup is done once per combination. */
  private readonly children = new Map<string, RequestChild>();

  constructor(s: ControlPlaneServices) {
    const registers = [this.registry];
    this.requests = new Histogram({
      name: "novacula_http_request_duration_seconds",
      help: "HTTP requests by route (the matched pattern), method and status, and how long they took",
      labelNames: ["route", "method", "status"],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    new Gauge({
      name: "novacula_executors_online",
      help: "Executors whose last sync is younger than HEARTBEAT_TIMEOUT_MS",
      registers,
      collect() {
        this.set(s.executors.onlineCount());
      },
    });
    new Gauge({
      name: "novacula_spec_long_polls_held",
      help: "Spec long-polls (GET /api/v1/executor/specs) held open right now",
      registers,
      collect() {
        this.set(s.feed.waiting);
      },
    });
    new Gauge({
      name: "novacula_graphql_subscriptions",
      help: "Live GraphQL subscriptions (server-sent event streams) open right now",
      registers,
      collect() {
        this.set(s.live.subscribers);
      },
    });
    new Gauge({
      name: "novacula_sqlite_batched_writes_pending",
      help: "Heartbeats and observations waiting for the next batched write",
      registers,
      collect() {
        this.set(s.batcher.size);
      },
    });
    const writes = new Histogram({
      name: "novacula_sqlite_batch_write_duration_seconds",
      help: "Batched SQLite write transactions (heartbeats, observations) and how long each took",
      buckets: WRITE_BUCKETS,
      registers,
    });
    s.batcher.onSliceWritten = (seconds) => writes.observe(seconds);
    const history = s.history.recorder;
    new Counter({
      name: "novacula_metric_history_points_total",
      help: "Points queued for the metric history since start, by resolution (10s: as reported, 5m: rollups)",
      labelNames: ["resolution"],
      registers,
      collect() {
        this.reset();
        this.inc({ resolution: "10s" }, history.pointsQueued);
        this.inc({ resolution: "5m" }, history.rollupsQueued);
      },
    });
    new Gauge({
      name: "novacula_metric_history_nodes_active",
      help: "Nodes whose metric history is being written (reported within the last 5 min bucket)",
      registers,
      collect() {
        this.set(history.activeNodes);
      },
    });
    const artifacts = s.artifacts;
    new Gauge({
      name: "novacula_artifact_fetches_active",
      help: "Artifact fetches from upstream running or waiting to retry right now",
      registers,
      collect() {
        this.set(artifacts.active);
      },
    });
    new Counter({
      name: "novacula_artifact_fetches_total",
      help: "Artifact fetches from upstream since start, by outcome (started, stored, failed)",
      labelNames: ["outcome"],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: "started" }, artifacts.counters.started);
        this.inc({ outcome: "stored" }, artifacts.counters.succeeded);
        this.inc({ outcome: "failed" }, artifacts.counters.failed);
      },
    });
    new Counter({
      name: "novacula_artifact_bytes_total",
      help: "Artifact bytes since start, by direction (fetched from upstream, served to executors)",
      labelNames: ["direction"],
      registers,
      collect() {
        this.reset();
        this.inc({ direction: "fetched" }, artifacts.counters.bytesFetched);
        this.inc({ direction: "served" }, artifacts.counters.bytesServed);
      },
    });
    s.notifications.metrics.register(this.registry);
  }

  /** One answered request; `route` is the matched pattern (never the raw path: the label set stays small). */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.requests.labels(route, method, String(status));
      this.children.set(key, child);
    }
    child.observe(seconds);
  }

  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
