// The executor engine shared by the agent and the operator: four loops over one desired set.
//   sync      heartbeat + registration every cadences.syncIntervalMs
//   specs     long-poll on the cursor; a new spec updates the desired set and wakes the reconciler at once
//   reconcile the backend converges the host to the whole desired set (level-triggered, idempotent)
//   report    the backend observes the host; every node goes to POST /observed each report interval
//   watch     between reports, the nodes in motion are observed every second, and everything at once when
//             the backend says something changed; only observations with news (report-state.ts) are sent
//   events    runtime events go to POST /events
//   logs      live log sessions are long-polled and tailed through the backend (logs.ts)
// The backend (agent: supervisor + files; operator: Kubernetes objects) owns everything host-specific.
import { Backoff, delay } from "../lib/backoff.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import type { ExecutorCapabilities } from "../protocol/capabilities.ts";
import {
  type Channel,
  type ExecutorKind,
  type ExecutorResources,
  MAX_OBSERVATIONS_PER_REPORT,
  type RuntimeEvent,
  type SyncResponse,
} from "../protocol/executor-api.ts";
import type { ObservedNodeState } from "../protocol/observed.ts";
import { type ControlPlaneClient, ControlPlaneError } from "./control-plane-client.ts";
import { DesiredSet } from "./desired-set.ts";
import { LogSessions, type OpenLogTail } from "./logs.ts";
import { Loop } from "./loop.ts";
import { ReportState } from "./report-state.ts";

/** Which nodes to observe, and whether costly measurements (disk usage) may be reused from earlier. */
export interface ObserveOptions {
  /** Only these nodes (default: every desired node). */
  only?: ReadonlySet<string>;
  /** A quick look for state changes: measurements that take time (disk) may be reused. */
  quick?: boolean;
}

export interface ExecutorBackend {
  readonly kind: ExecutorKind;
  capabilities(): ExecutorCapabilities;
  resources(): Promise<ExecutorResources | undefined>;
  /** Converge the host to the desired set. Returns true when it changed anything (reports then go at once). */
  reconcile(desired: DesiredSet, signal: AbortSignal): Promise<boolean>;
  /** What is actually on the host for every desired node (tombstones included, `removed` once gone). */
  observe(desired: DesiredSet, options?: ObserveOptions): Promise<ObservedNodeState[]>;
  /** Tails a node role's log for a live log session (src/executor/logs.ts); absent: no live logs. */
  openLogTail?: OpenLogTail;
}

export interface ExecutorOptions {
  client: ControlPlaneClient;
  backend: ExecutorBackend;
  logger: Logger;
  name: string;
  version: string;
  channel: Channel;
  publicHost?: string;
  reconcileIntervalMs: number;
  reportIntervalMs: number;
  /** Told how long each reconcile pass took and whether it succeeded (the agent's metrics). */
  onReconciled?: (durationMs: number, ok: boolean) => void;
  /** Told every successful sync answer (the self-upgrade confirms on it and reads pendingUpgrade). */
  onSynced?: (answer: SyncResponse) => void;
}

const DEFAULT_CADENCES = { syncIntervalMs: 5000, specWaitMs: 25_000 };
const MAX_QUEUED_EVENTS = 1000;
const EVENTS_PER_REQUEST = 200;
/** Nodes in motion are looked at this often between reports. */
export const WATCH_INTERVAL_MS = 1000;
/** Watch ticks are at least this far apart: a burst of changes (exit, restart) makes one report. */
const WATCH_MIN_GAP_MS = 250;
/** With nothing in motion the watch sleeps until woken (a report or a change wakes it). */
const WATCH_IDLE_MS = 3_600_000;

export class Executor {
  readonly desired = new DesiredSet();
  /** The last sync answer; null until the first sync succeeds. */
  lastSync: SyncResponse | null = null;
  /** When a sync last succeeded (epoch ms); 0 before the first. */
  lastSyncOkAt = 0;
  /** What was last reported per node (and the latest observations, for metrics). */
  readonly reports = new ReportState();
  private readonly loops: Loop[];
  private readonly syncLoop: Loop;
  private readonly specsLoop: Loop;
  private readonly reconcileLoop: Loop;
  private readonly reportLoop: Loop;
  private readonly watchLoop: Loop;
  /** Set by triggerReport(): the next watch tick looks at every node, not only those in motion. */
  private watchAll = false;
  private lastWatchAt = 0;
  /** Observing and sending are serialized, so an older observation never overwrites a newer one. */
  private observing: Promise<unknown> = Promise.resolve();
  private readonly eventsLoop: Loop;
  /** Live log sessions: polled and tailed once registered (when the backend can tail logs). */
  readonly logSessions: LogSessions | null;
  private readonly events: RuntimeEvent[] = [];
  private readonly log: Logger;

  constructor(private readonly options: ExecutorOptions) {
    this.log = options.logger;
    const cadence = () => this.lastSync?.cadences ?? DEFAULT_CADENCES;
    this.syncLoop = new Loop({
      name: "sync",
      logger: this.log,
      intervalMs: () => cadence().syncIntervalMs,
      // Retrying no faster than a healthy heartbeat costs a recovering control plane nothing extra, and
      // keeps the executor from showing `offline` long after the control plane is back.
      maxBackoffMs: () => cadence().syncIntervalMs,
      tick: () => this.sync(),
    });
    this.specsLoop = new Loop({
      name: "spec poll",
      logger: this.log,
      // The long-poll itself waits; between answers only a short pause (so changes still arrive in
      // milliseconds, but a server that answers at once cannot make this loop spin).
      intervalMs: () => 100,
      backoff: new Backoff({ initialMs: 1000, maxMs: 30_000 }),
      maxBackoffMs: () => cadence().syncIntervalMs * 2,
      tick: (signal) => this.pollSpecs(signal),
    });
    this.reconcileLoop = new Loop({
      name: "reconcile",
      logger: this.log,
      intervalMs: () => options.reconcileIntervalMs,
      tick: (signal) => this.reconcile(signal),
    });
    this.reportLoop = new Loop({
      name: "report",
      logger: this.log,
      intervalMs: () => options.reportIntervalMs,
      maxBackoffMs: () => Math.max(options.reportIntervalMs, 15_000),
      tick: () => this.report(),
    });
    this.watchLoop = new Loop({
      name: "state watch",
      logger: this.log,
      intervalMs: () => (this.reports.inMotion(this.desired).size > 0 ? WATCH_INTERVAL_MS : WATCH_IDLE_MS),
      maxBackoffMs: () => Math.max(options.reportIntervalMs, 15_000),
      tick: (signal) => this.watch(signal),
    });
    this.eventsLoop = new Loop({
      name: "runtime events",
      logger: this.log,
      intervalMs: () => options.reportIntervalMs,
      maxBackoffMs: () => Math.max(options.reportIntervalMs, 15_000),
      tick: () => this.flushEvents(),
    });
    const openLogTail = options.backend.openLogTail?.bind(options.backend);
    this.logSessions = openLogTail
      ? new LogSessions({ client: options.client, open: openLogTail, logger: this.log })
      : null;
    this.loops = [
      this.syncLoop,
      this.specsLoop,
      this.reconcileLoop,
      this.reportLoop,
      this.watchLoop,
      this.eventsLoop,
    ];
  }

  start(): void {
    // Only sync starts at once: specs, reconcile and report need a registered executor and a desired set.
    this.syncLoop.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.loops.map((loop) => loop.stop()), this.logSessions?.stop()]);
  }

  /** Queue a runtime event (POST /api/v1/executor/events); sent at once, retried with backoff. */
  emit(event: RuntimeEvent): void {
    if (this.events.length >= MAX_QUEUED_EVENTS) this.events.shift();
    this.events.push({ ...event, occurredAt: event.occurredAt ?? new Date().toISOString() });
    this.eventsLoop.trigger();
  }

  /** Wake the reconciler now (e.g. after a supervised process died). */
  triggerReconcile(): void {
    this.reconcileLoop.trigger();
  }

  /** Something on the host changed (a process started or exited): look at every node now, send the news. */
  triggerReport(): void {
    this.watchAll = true;
    this.watchLoop.trigger();
  }

  private async sync(): Promise<void> {
    const { backend, name, version, channel, publicHost, client } = this.options;
    const capabilities = backend.capabilities();
    const resources = await backend.resources().catch(() => undefined);
    let answer: SyncResponse;
    try {
      answer = await client.sync({
        name,
        kind: backend.kind,
        version,
        channel,
        capabilities,
        ...(resources ? { resources } : {}),
        ...(publicHost ? { publicHost } : {}),
      });
    } catch (error) {
      if (error instanceof ControlPlaneError && error.status === 401) {
        this.log.error("the control plane refused the access token: check [control_plane] access_token", {
          error: error.message,
        });
      }
      throw error;
    }
    const first = this.lastSync === null;
    this.lastSyncOkAt = Date.now();
    if (!first && answer.compat !== this.lastSync?.compat)
      this.log.warn("compatibility changed", { compat: answer.compat });
    this.lastSync = answer;
    this.options.onSynced?.(answer);
    if (first) {
      this.log.info("executor registered", {
        executorId: answer.executorId,
        organizationId: answer.organizationId,
        compat: answer.compat,
        controlPlaneVersion: answer.controlPlaneVersion,
      });
      this.log.info("capabilities reported", {
        chains: capabilities.supportedChains.map((c) => c.chain),
        features: capabilities.features,
      });
      if (answer.compat !== "in-window") {
        this.log.warn(`this executor is ${answer.compat}: upgrade it`, { version });
      }
      for (const loop of [
        this.specsLoop,
        this.reconcileLoop,
        this.reportLoop,
        this.watchLoop,
        this.eventsLoop,
      ])
        loop.start();
      this.logSessions?.start();
    }
  }

  private async pollSpecs(signal: AbortSignal): Promise<void> {
    const waitMs = this.desired.initialized
      ? (this.lastSync?.cadences.specWaitMs ?? DEFAULT_CADENCES.specWaitMs)
      : 0;
    const answer = await this.options.client.specs(this.desired.cursor, waitMs, signal);
    const firstAnswer = !this.desired.initialized;
    const changed = this.desired.apply(answer);
    if (changed.length > 0 || firstAnswer) {
      this.log.debug("specs received", {
        cursor: answer.cursor,
        changed: changed.length,
        total: this.desired.size,
      });
      this.reconcileLoop.trigger();
    }
  }

  private async reconcile(signal: AbortSignal): Promise<void> {
    if (!this.desired.initialized) return;
    const started = performance.now();
    let changed: boolean;
    try {
      changed = await this.options.backend.reconcile(this.desired, signal);
    } catch (error) {
      this.options.onReconciled?.(performance.now() - started, false);
      throw error;
    }
    this.options.onReconciled?.(performance.now() - started, true);
    if (changed) this.triggerReport();
  }

  /** Every node, every report interval (the control plane's proof of life for each). */
  private report(): Promise<void> {
    if (!this.desired.initialized) return Promise.resolve();
    return this.serially(async () => {
      const observations = await this.options.backend.observe(this.desired);
      for (const observation of observations) this.reports.note(observation);
      await this.send(observations);
      // Something still moving is watched closely until the next report.
      if (this.reports.inMotion(this.desired).size > 0) this.watchLoop.trigger();
    });
  }

  /** The nodes in motion (or all, when woken by a change), quickly; only news is sent. */
  private async watch(signal: AbortSignal): Promise<void> {
    if (!this.desired.initialized) return;
    const gap = this.lastWatchAt + WATCH_MIN_GAP_MS - performance.now();
    if (gap > 0) await delay(gap, signal);
    if (signal.aborted) return;
    this.lastWatchAt = performance.now();
    const all = this.watchAll;
    this.watchAll = false;
    const only = all ? undefined : this.reports.inMotion(this.desired);
    if (only?.size === 0) return;
    await this.serially(async () => {
      const observations = await this.options.backend.observe(this.desired, {
        ...(only ? { only } : {}),
        quick: true,
      });
      for (const observation of observations) this.reports.note(observation);
      await this.send(observations.filter((o) => this.reports.isNews(o)));
    });
  }

  private serially(job: () => Promise<void>): Promise<void> {
    const run = this.observing.then(job, job);
    this.observing = run.catch(() => undefined);
    return run;
  }

  private async send(observations: ObservedNodeState[]): Promise<void> {
    for (let i = 0; i < observations.length; i += MAX_OBSERVATIONS_PER_REPORT) {
      const batch = observations.slice(i, i + MAX_OBSERVATIONS_PER_REPORT);
      await this.options.client.observed({ observations: batch });
      this.reports.accepted(batch);
      for (const observation of batch) if (observation.removed) this.desired.forget(observation.nodeId);
    }
  }

  private async flushEvents(): Promise<void> {
    while (this.events.length > 0) {
      const batch = this.events.slice(0, EVENTS_PER_REQUEST);
      try {
        await this.options.client.events({ events: batch });
      } catch (error) {
        // A batch the control plane refuses as invalid would block the queue forever: drop it, say so.
        if (error instanceof ControlPlaneError && !error.retryable && error.status !== 401) {
          this.log.error("runtime events dropped: the control plane refused them", {
            error: errorMessage(error),
          });
          this.events.splice(0, batch.length);
          continue;
        }
        throw error;
      }
      this.events.splice(0, batch.length);
    }
  }
}
