// Prometheus series of alerting and webhooks, owned here and added to the control plane's registry
// (metrics/registry.ts) by `register`: alert evaluations (count and duration, one per observation or
// liveness change), webhook delivery attempts by outcome, and the outbox depth (counted when scraped).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Evaluation buckets, in seconds: a few microseconds normally, a millisecond or more when it writes. */
const EVALUATION_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.001, 0.005, 0.025, 0.1];

export type DeliveryOutcome =
  | "success"
  | "http_error"
  | "timeout"
  | "network_error"
  | "no_secret"
  | "refused";

export class NotificationMetrics {
  private readonly evaluations = new Histogram({
    name: "novacula_alert_evaluation_duration_seconds",
    help: "Alert rule evaluations (one per node observation or executor liveness change) and their duration",
    buckets: EVALUATION_BUCKETS,
    registers: [],
  });
  private readonly attempts = new Counter({
    name: "novacula_webhook_delivery_attempts_total",
    help: "Webhook delivery attempts by outcome: success, http_error (non-2xx), timeout, network_error, no_secret, refused (not a public address)",
    labelNames: ["outcome"],
    registers: [],
  });
  private readonly depth: Gauge;

  constructor(queueDepth: () => number) {
    this.depth = new Gauge({
      name: "novacula_webhook_queue_depth",
      help: "Webhook deliveries waiting in the outbox (first attempts and retries)",
      registers: [],
      collect() {
        this.set(queueDepth());
      },
    });
  }

  evaluated(seconds: number): void {
    this.evaluations.observe(seconds);
  }

  attempted(outcome: DeliveryOutcome): void {
    this.attempts.inc({ outcome });
  }

  register(registry: Registry): void {
    for (const metric of [this.evaluations, this.attempts, this.depth]) registry.registerMetric(metric);
  }
}
