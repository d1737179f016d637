// The source of every live subscription: which organizations have subscribers, and what changed in them.
// - Node observations and executor online/offline come from the signal hub, the moment they are accepted
//   (an observation is carried along, since its database write is batched and may not have landed yet).
// - Spec writes, new events and executor versions are polled every POLL_MS, and only while someone
//   subscribes: the newest node_changes sequence and events rowid are ranges on a rowid, so a poll costs
//   two tiny reads whatever writes them (node service, executors, alert rules, the runtime-event intake).
//   Polling rather than a publish in each writer keeps every present and future writer covered.
// - A node whose observation ages past HEARTBEAT_TIMEOUT_MS turns `observedStale` by time alone: the hub
//   keeps its deadline while its organization has subscribers and announces it when due.
// Tenancy: a change is fanned out only to the streams of the organization the row belongs to, and each
// stream reads rows scoped to its own organization again (ChangeLoader).
import type { Db } from "../../../db/client.ts";
import {
  eventsAfter,
  executorVersions,
  latestEventSeq,
  latestNodeChange,
  nodeChangesAfter,
} from "../../../db/queries/live.ts";
import { AppError } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import type { ExecutorService } from "../executors/service.ts";
import type { NodeService } from "../nodes/service.ts";
import type { SignalHub } from "../signals/hub.ts";
import { type ChangeLoader, ChangeStream } from "./subscriptions-stream.ts";

/** How often spec writes and new events are looked for (while anyone subscribes). */
export const POLL_MS = 200;
/** Executor versions are compared every this many polls (they change on upgrades only). */
const VERSION_POLLS = 5;
/** Rows taken per poll; a larger burst continues at the next poll. */
const POLL_ROWS = 2_000;
/** Concurrent subscriptions one session (or one user's tokens) may hold: a tab needs one. */
export const MAX_SUBSCRIPTIONS_PER_HOLDER = 8;

export class LiveHub {
  private byOrg = new Map<string, Set<ChangeStream>>();
  private perHolder = new Map<string, number>();
  private holders = new WeakMap<ChangeStream, string>();
  private total = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private polls = 0;
  private nodeSeq = 0;
  private eventSeq = 0;
  /** organization → executor id → version, for the organizations with subscribers. */
  private versions = new Map<string, Map<string, string>>();
  /** node id → when its latest observation turns stale, for the organizations with subscribers. */
  private staleAt = new Map<string, { organizationId: string; at: number }>();

  constructor(
    private readonly db: Db,
    signals: SignalHub,
    private readonly nodes: NodeService,
    private readonly executors: ExecutorService,
    private readonly heartbeatTimeoutMs: number,
    private readonly log: Logger,
  ) {
    signals.onNodeObserved(({ node, observation, at }) => {
      const streams = this.byOrg.get(node.organizationId);
      if (!streams) return;
      this.staleAt.set(node.id, { organizationId: node.organizationId, at: at + this.heartbeatTimeoutMs });
      for (const stream of streams) stream.nodeChanged(node.id, { observation, at });
    });
    signals.onExecutorStatus(({ executor }) => {
      const streams = this.byOrg.get(executor.organizationId);
      if (!streams) return;
      // Its nodes' observedStale (and so their display) follows the executor's liveness.
      const hosted = this.nodes.onExecutor(executor).map((n) => n.id);
      for (const stream of streams) {
        stream.executorChanged(executor.id);
        for (const id of hosted) stream.nodeChanged(id);
      }
    });
  }

  /** Open subscriptions right now (the control plane's /metrics). */
  get subscribers(): number {
    return this.total;
  }

  /** A new stream for the organization; `holder` names the session or token owner its cap counts against. */
  open(organizationId: string, holder: string): ChangeStream {
    const held = this.perHolder.get(holder) ?? 0;
    if (held >= MAX_SUBSCRIPTIONS_PER_HOLDER) {
      throw new AppError(
        "rate_limited",
        `this session already holds ${held} live subscriptions, the most it may hold at once`,
        429,
        [{ path: "/subscription", message: "close another tab or stream of this session first" }],
        true,
      );
    }
    if (this.total === 0) this.start();
    const stream = new ChangeStream(organizationId, this.loader, (s) => this.closed(s));
    this.perHolder.set(holder, held + 1);
    this.holders.set(stream, holder);
    this.total++;
    let streams = this.byOrg.get(organizationId);
    if (!streams) {
      streams = new Set();
      this.byOrg.set(organizationId, streams);
    }
    streams.add(stream);
    return stream;
  }

  /** Ends every stream (shutdown): their transports complete and the clients reconnect elsewhere. */
  closeAll(): void {
    for (const streams of [...this.byOrg.values()]) for (const stream of [...streams]) stream.close();
  }

  private readonly loader: ChangeLoader = {
    node: (organizationId, id, notice) => {
      const row = this.nodes.get({ organizationId }, id);
      if (!row || !notice.observation || notice.at === undefined) return row;
      if (row.observedAt && row.observedAt.getTime() >= notice.at) return row;
      return { ...row, observed: notice.observation, observedAt: new Date(notice.at) };
    },
    executor: (organizationId, id) => this.executors.get({ organizationId }, id),
  };

  private closed(stream: ChangeStream): void {
    const streams = this.byOrg.get(stream.organizationId);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) this.forgetOrganization(stream.organizationId);
    const holder = this.holders.get(stream) as string;
    const held = (this.perHolder.get(holder) ?? 1) - 1;
    if (held > 0) this.perHolder.set(holder, held);
    else this.perHolder.delete(holder);
    this.total--;
    if (this.total === 0) this.stop();
  }

  private forgetOrganization(organizationId: string): void {
    this.byOrg.delete(organizationId);
    this.versions.delete(organizationId);
    for (const [id, due] of this.staleAt) if (due.organizationId === organizationId) this.staleAt.delete(id);
  }

  private start(): void {
    this.nodeSeq = latestNodeChange(this.db);
    this.eventSeq = latestEventSeq(this.db);
    this.timer = setInterval(() => {
      try {
        this.poll();
      } catch (error) {
        this.log.error("live subscription poll failed", { error: String(error) });
      }
    }, POLL_MS);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    for (const change of nodeChangesAfter(this.db, this.nodeSeq, POLL_ROWS)) {
      this.nodeSeq = change.seq;
      for (const stream of this.byOrg.get(change.organizationId) ?? []) stream.nodeChanged(change.nodeId);
    }
    for (const { seq, event } of eventsAfter(this.db, this.eventSeq, POLL_ROWS)) {
      this.eventSeq = seq;
      for (const stream of this.byOrg.get(event.organizationId) ?? []) stream.eventAdded(event);
    }
    const now = Date.now();
    for (const [id, due] of this.staleAt) {
      if (due.at > now) continue;
      this.staleAt.delete(id);
      for (const stream of this.byOrg.get(due.organizationId) ?? []) stream.nodeChanged(id);
    }
    if (++this.polls % VERSION_POLLS === 0) for (const org of this.byOrg.keys()) this.compareVersions(org);
  }

  private compareVersions(organizationId: string): void {
    const known = this.versions.get(organizationId);
    const current = new Map(executorVersions(this.db, organizationId).map((e) => [e.id, e.version]));
    this.versions.set(organizationId, current);
    if (!known) return;
    for (const [id, version] of current) {
      // A new executor was announced online by its signal already.
      if (!known.has(id) || known.get(id) === version) continue;
      for (const stream of this.byOrg.get(organizationId) ?? []) stream.executorChanged(id);
    }
  }
}
