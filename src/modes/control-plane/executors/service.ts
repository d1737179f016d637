// Executors: the sync heartbeat (upsert on (organization, name), capabilities, key usage, compat window)
// and liveness (online/offline with connected/disconnected/reconnected events). Framework-free.
// Hot path: a known executor's sync touches only memory; its heartbeat is written by the WriteBatcher
// (HeartbeatWriter).
import type { Db } from "../../../db/client.ts";
import { GroupCommitter } from "../../../db/group-commit.ts";
import {
  allLiveExecutors,
  type ExecutorListQuery,
  type ExecutorRow,
  findExecutor,
  findLiveExecutor,
  findLiveExecutorNamed,
  insertExecutor,
  listExecutors,
  setAnnouncedOffline,
  setAnnouncedOnline,
} from "../../../db/queries/executors.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { Clock } from "../../../lib/clock.ts";
import { conflict } from "../../../lib/errors.ts";
import { type Platform, platformOf } from "../../../protocol/artifacts.ts";
import {
  type CompatStatus,
  compatWindowStatus,
  NOVACULA_VERSION,
  PENDING_UPGRADE_TTL_MS,
  type RuntimeEvent,
  type SyncRequest,
  type SyncResponse,
  type UpgradeSpec,
} from "../../../protocol/index.ts";
import { appendEvent } from "../events/service.ts";
import type { SignalHub } from "../signals/hub.ts";
import { type HeartbeatState, HeartbeatWriter } from "./heartbeats.ts";
import { completeIfReached, expireDue, type PendingState, rollbacksReported } from "./upgrades.ts";

export type { ExecutorRow };

interface LiveExecutor extends HeartbeatState, PendingState {
  organizationId: string;
  name: string;
  kind: ExecutorRow["kind"];
  lastSyncAt: number;
  online: boolean;
  compat: CompatStatus;
  /** The version `compat` was computed for, so an unchanged version costs no semver parse. */
  version: string;
  /** The client-build platform it last reported (agents only), for resolving artifacts in its specs. */
  platform: Platform | null;
}

export const SYNC_CADENCES = {
  syncIntervalMs: 5_000,
  specWaitMs: 25_000,
  reconcileIntervalMs: 5_000,
  reportIntervalMs: 10_000,
} as const;

export class ExecutorService {
  private live = new Map<string, LiveExecutor>();
  private byId = new Map<string, LiveExecutor>();
  private heartbeats: HeartbeatWriter;
  private commits: GroupCommitter;
  /** (organization, name) → the registration in flight, so a second sync meanwhile doesn't register twice. */
  private registering = new Map<string, Promise<LiveExecutor>>();

  constructor(
    private readonly db: Db,
    batcher: WriteBatcher,
    private readonly clock: Clock,
    private readonly heartbeatTimeoutMs: number,
    private readonly signals: SignalHub,
    private readonly pendingUpgradeTtlMs = PENDING_UPGRADE_TTL_MS,
  ) {
    this.heartbeats = new HeartbeatWriter(db, batcher);
    this.commits = new GroupCommitter(db);
    // Registrations and comebacks queued when the control plane stops still commit before it closes.
    batcher.onStop(() => this.commits.drain());
    // Every live executor is known from the start, so one that never syncs again still times out.
    for (const row of allLiveExecutors(this.db)) this.remember(row);
  }

  /** One page of the organization's live executors. */
  list(caller: { organizationId: string }, query: ExecutorListQuery): ExecutorRow[] {
    return listExecutors(this.db, caller.organizationId, query);
  }

  /** A live executor of the caller's organization, or null (another organization's id answers null too). */
  get(caller: { organizationId: string }, id: string): ExecutorRow | null {
    return findLiveExecutor(this.db, caller.organizationId, id);
  }

  /** The executor of a node the caller already holds (deleted executors included). */
  ofNode(node: { executorId: string }): ExecutorRow | null {
    return findExecutor(this.db, node.executorId);
  }

  private key(organizationId: string, name: string) {
    return `${organizationId}\u0000${name}`;
  }

  private remember(row: ExecutorRow): LiveExecutor {
    const entry: LiveExecutor = {
      id: row.id,
      organizationId: row.organizationId,
      name: row.name,
      kind: row.kind,
      lastSyncAt: row.lastSyncAt.getTime(),
      online: row.announcedStatus === "online",
      compat: compatWindowStatus(NOVACULA_VERSION, row.currentVersion),
      version: row.currentVersion,
      identity: this.heartbeats.identity(row.capabilities, row.currentVersion, row.channel, row.publicHost),
      identityDirty: false,
      pendingUpgrade: row.pendingUpgrade,
      platform: row.kind === "agent" ? platformOf(row.resources?.os, row.resources?.arch) : null,
      pendingUpgradeAt: row.pendingUpgradeAt?.getTime() ?? null,
    };
    this.live.set(this.key(row.organizationId, row.name), entry);
    this.byId.set(row.id, entry);
    return entry;
  }

  private lookup(organizationId: string, name: string): LiveExecutor | null {
    const cached = this.live.get(this.key(organizationId, name));
    if (cached) return cached;
    const row = findLiveExecutorNamed(this.db, organizationId, name);
    return row ? this.remember(row) : null;
  }

  /**
   * A known executor's sync answers at once; a first contact or a comeback answers once its durable write
   * (with its event) has committed, in a group commit shared with the other writes of the moment.
   */
  sync(organizationId: string, keyId: string, input: SyncRequest): SyncResponse | Promise<SyncResponse> {
    const now = this.clock.now();
    const key = this.key(organizationId, input.name);
    const registering = this.registering.get(key);
    if (registering) {
      // The same name is being registered right now: answer as its heartbeat once that has committed
      // (or, if it failed, try registering again).
      const retry = () => this.sync(organizationId, keyId, input);
      return registering.then(retry, retry);
    }
    const entry = this.lookup(organizationId, input.name);
    if (entry && entry.kind !== input.kind) {
      throw conflict(
        `executor "${input.name}" is registered as kind "${entry.kind}"; its kind cannot change`,
        [{ path: "/kind", message: `must be "${entry.kind}", or use another executor name` }],
      );
    }
    if (!entry) {
      const registered = this.register(organizationId, keyId, input, now);
      this.registering.set(key, registered);
      const done = () => {
        if (this.registering.get(key) === registered) this.registering.delete(key);
      };
      registered.then(done, done);
      return registered.then((e) => this.answer(e, organizationId, now));
    }
    const comeback = this.heartbeat(entry, keyId, input, now);
    return comeback
      ? comeback.then(() => this.answer(entry, organizationId, now))
      : this.answer(entry, organizationId, now);
  }

  private answer(entry: LiveExecutor, organizationId: string, now: Date): SyncResponse {
    return {
      executorId: entry.id,
      organizationId,
      compat: entry.compat,
      controlPlaneVersion: NOVACULA_VERSION,
      pendingUpgrade: entry.pendingUpgrade ?? null,
      cadences: SYNC_CADENCES,
      serverTime: now.toISOString(),
    };
  }

  /** First contact: durable before we answer, with `executor.connected`. */
  private async register(organizationId: string, keyId: string, input: SyncRequest, now: Date) {
    const row = await this.commits.run((tx) => {
      const inserted = insertExecutor(
        tx,
        {
          id: Bun.randomUUIDv7(),
          organizationId,
          name: input.name,
          kind: input.kind,
          capabilities: input.capabilities,
          currentVersion: input.version,
          channel: input.channel,
          resources: input.resources ?? null,
          publicHost: input.publicHost ?? null,
          lastSyncAt: now,
          lastKeyId: keyId,
          createdAt: now,
        },
        keyId,
      );
      appendEvent(tx, {
        organizationId,
        type: "executor.connected",
        message: `Executor ${input.name} (${input.kind} ${input.version}) connected`,
        executorId: inserted.id,
        executorName: input.name,
        createdAt: now,
      });
      return inserted;
    });
    const entry = this.remember(row);
    this.announce(entry, "online", now);
    return entry;
  }

  /** Records the heartbeat; for an executor announced offline, also the durable comeback (returned). */
  private heartbeat(entry: LiveExecutor, keyId: string, input: SyncRequest, now: Date): Promise<void> | null {
    entry.lastSyncAt = now.getTime();
    if (entry.version !== input.version) {
      entry.version = input.version;
      entry.compat = compatWindowStatus(NOVACULA_VERSION, input.version);
    }
    this.heartbeats.record(entry, keyId, now.getTime(), input);
    if (input.resources && entry.kind === "agent")
      entry.platform = platformOf(input.resources.os, input.resources.arch);
    const completed = completeIfReached(this.commits, entry, input.version, now);
    if (entry.online) return completed;
    entry.online = true;
    const comeback = this.commits
      .run((tx) => {
        setAnnouncedOnline(tx, entry.id, now);
        appendEvent(tx, {
          organizationId: entry.organizationId,
          type: "executor.reconnected",
          message: `Executor ${entry.name} is back online`,
          executorId: entry.id,
          executorName: entry.name,
          createdAt: now,
        });
      })
      .then(() => this.announce(entry, "online", now))
      .catch((error: unknown) => {
        // Not announced: the next sync tries again.
        entry.online = false;
        throw error;
      });
    return completed ? Promise.all([completed, comeback]).then(() => {}) : comeback;
  }

  /** The upgrade waiting for an executor this process knows, with when it was requested. */
  pendingUpgrade(executorId: string): { spec: UpgradeSpec; requestedAt: Date } | null {
    const entry = this.byId.get(executorId);
    if (!entry?.pendingUpgrade || entry.pendingUpgradeAt === null) return null;
    return { spec: entry.pendingUpgrade, requestedAt: new Date(entry.pendingUpgradeAt) };
  }

  /** After the row was written (releases/service.ts): the next sync answers with this upgrade, or none. */
  notePendingUpgrade(executorId: string, spec: UpgradeSpec | null, at: Date | null): void {
    const entry = this.byId.get(executorId);
    if (!entry) return;
    entry.pendingUpgrade = spec;
    entry.pendingUpgradeAt = at?.getTime() ?? null;
  }

  /** Runtime events just stored for this executor: a rollback of its pending upgrade clears it. */
  upgradeEvents(executorId: string, events: readonly RuntimeEvent[]): void {
    const entry = this.byId.get(executorId);
    if (entry) rollbacksReported(this.db, entry, events, this.clock.now());
  }

  /** Organization and name of a live (not deleted) executor known in memory, in the executors row's shape. */
  identify(executorId: string): { organization_id: string; name: string; deleted_at: null } | null {
    const entry = this.byId.get(executorId);
    return entry ? { organization_id: entry.organizationId, name: entry.name, deleted_at: null } : null;
  }

  /** The in-memory view of an executor this process has seen sync, if any. */
  liveState(executorId: string): { lastSyncAt: number; compat: CompatStatus } | null {
    return this.byId.get(executorId) ?? null;
  }

  /** The platform a live agent last reported (null: an operator, or none reported). */
  platform(executorId: string): Platform | null {
    return this.byId.get(executorId)?.platform ?? null;
  }

  /** An executor row's platform: the live one's latest report, else what the row stored. */
  platformOfRow(row: Pick<ExecutorRow, "id" | "kind" | "resources">): Platform | null {
    const live = this.byId.get(row.id);
    if (live) return live.platform;
    return row.kind === "agent" ? platformOf(row.resources?.os, row.resources?.arch) : null;
  }

  /** online iff the last sync is younger than HEARTBEAT_TIMEOUT_MS; uses the freshest known sync time. */
  status(row: Pick<ExecutorRow, "id" | "lastSyncAt">, now = this.clock.now()): "online" | "offline" {
    const last = this.byId.get(row.id)?.lastSyncAt ?? row.lastSyncAt.getTime();
    return now.getTime() - last < this.heartbeatTimeoutMs ? "online" : "offline";
  }

  /** Executors whose last sync is younger than the heartbeat timeout (for /metrics: one pass over memory). */
  onlineCount(now = this.clock.now().getTime()): number {
    let online = 0;
    for (const entry of this.byId.values()) if (now - entry.lastSyncAt < this.heartbeatTimeoutMs) online++;
    return online;
  }

  /** The version it last reported (the row's copy is written in batches, so it may trail by a second). */
  currentVersion(row: Pick<ExecutorRow, "id" | "currentVersion">): string {
    return this.byId.get(row.id)?.version ?? row.currentVersion;
  }

  lastSyncAt(row: Pick<ExecutorRow, "id" | "lastSyncAt">): Date {
    const live = this.byId.get(row.id);
    return live ? new Date(live.lastSyncAt) : row.lastSyncAt;
  }

  forget(executorId: string): void {
    const entry = this.byId.get(executorId);
    if (!entry) return;
    this.byId.delete(executorId);
    this.live.delete(this.key(entry.organizationId, entry.name));
  }

  /**
   * Liveness sweep: announce executors whose heartbeat stopped. Runs every second; all announcements of
   * one sweep share a transaction (after an outage thousands fall due at once).
   */
  sweep(): number {
    const now = this.clock.now();
    expireDue(this.db, this.byId.values(), now, this.pendingUpgradeTtlMs);
    const due: LiveExecutor[] = [];
    for (const entry of this.byId.values()) {
      if (entry.online && now.getTime() - entry.lastSyncAt >= this.heartbeatTimeoutMs) due.push(entry);
    }
    if (due.length === 0) return 0;
    this.db.transaction((tx) => {
      for (const entry of due) {
        setAnnouncedOffline(tx, entry.id);
        appendEvent(tx, {
          organizationId: entry.organizationId,
          type: "executor.disconnected",
          level: "warn",
          message: `Executor ${entry.name} stopped sending heartbeats`,
          executorId: entry.id,
          executorName: entry.name,
          createdAt: now,
        });
      }
    });
    for (const entry of due) {
      entry.online = false;
      this.announce(entry, "offline", now);
    }
    return due.length;
  }

  private announce(entry: LiveExecutor, status: "online" | "offline", at: Date): void {
    this.signals.executorStatusChanged({
      executor: { id: entry.id, organizationId: entry.organizationId, name: entry.name },
      status,
      at: at.getTime(),
    });
  }
}
