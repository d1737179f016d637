// The executor engine shared by the agent and the operator: four loops over one desired set.
//   sync      heartbeat + registration every cadences.syncIntervalMs
//   specs     long-poll on the cursor; a new spec updates the desired set and wakes the reconciler at once
//   reconcile the backend converges the host to the whole desired set (level-triggered, idempotent)
//   report    the backend observes the host; observations go to POST /observed; runtime events to /events
// The backend (agent: supervisor + files; operator: Kubernetes objects) owns everything host-specific.
import { Backoff } from "../lib/backoff.ts";
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
import { Loop } from "./loop.ts";

export interface ExecutorBackend {
  readonly kind: ExecutorKind;
  capabilities(): ExecutorCapabilities;
  resources(): Promise<ExecutorResources | undefined>;
  /** Converge the host to the desired set. Returns true when it changed anything (reports then go at once). */
  reconcile(desired: DesiredSet, signal: AbortSignal): Promise<boolean>;
  /** What is actually on the host for every desired node (tombstones included, `removed` once gone). */
  observe(desired: DesiredSet): Promise<ObservedNodeState[]>;
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
}

const DEFAULT_CADENCES = { syncIntervalMs: 5000, specWaitMs: 25_000 };
const MAX_QUEUED_EVENTS = 1000;
const EVENTS_PER_REQUEST = 200;

export class Executor {
  readonly desired = new DesiredSet();
  /** The last sync answer; null until the first sync succeeds. */
  lastSync: SyncResponse | null = null;
  private readonly loops: Loop[];
  private readonly syncLoop: Loop;
  private readonly specsLoop: Loop;
  private readonly reconcileLoop: Loop;
  private readonly reportLoop: Loop;
  private readonly eventsLoop: Loop;
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
    this.eventsLoop = new Loop({
      name: "runtime events",
      logger: this.log,
      intervalMs: () => options.reportIntervalMs,
      maxBackoffMs: () => Math.max(options.reportIntervalMs, 15_000),
      tick: () => this.flushEvents(),
    });
    this.loops = [this.syncLoop, this.specsLoop, this.reconcileLoop, this.reportLoop, this.eventsLoop];
  }

  start(): void {
    // Only sync starts at once: specs, reconcile and report need a registered executor and a desired set.
    this.syncLoop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
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

  triggerReport(): void {
    this.reportLoop.trigger();
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
    if (!first && answer.compat !== this.lastSync?.compat)
      this.log.warn("compatibility changed", { compat: answer.compat });
    this.lastSync = answer;
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
      for (const loop of [this.specsLoop, this.reconcileLoop, this.reportLoop, this.eventsLoop]) loop.start();
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
    const changed = await this.options.backend.reconcile(this.desired, signal);
    if (changed) this.reportLoop.trigger();
  }

  private async report(): Promise<void> {
    if (!this.desired.initialized) return;
    const observations = await this.options.backend.observe(this.desired);
    for (let i = 0; i < observations.length; i += MAX_OBSERVATIONS_PER_REPORT) {
      const batch = observations.slice(i, i + MAX_OBSERVATIONS_PER_REPORT);
      await this.options.client.observed({ observations: batch });
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
