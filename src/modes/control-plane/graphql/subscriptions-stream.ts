// One subscriber's stream of changes (GraphQL `Subscription.changes`): what the hub says changed waits
// here, coalesced, until the transport asks for the next item. A node changed ten times meanwhile is sent
// once, in its latest state, and at most once per NODE_MIN_INTERVAL_MS; rows are read when sent, not when
// announced, so a slow reader costs memory proportional to what changed, never to how often. Past
// MAX_PENDING waiting items the stream drops them and sends one `resync` instead ("refetch what you show"),
// which bounds a subscriber's memory after a bulk action on thousands of nodes.
import type { ObservedNodeState } from "../../../protocol/index.ts";
import type { EventRow } from "../events/service.ts";
import type { ExecutorRow } from "../executors/service.ts";
import type { NodeRow } from "../nodes/service.ts";

/** At most this often per node per subscriber (≤ 4 updates a second). */
export const NODE_MIN_INTERVAL_MS = 250;
/** Waiting nodes, executors and events beyond which the stream sends a resync instead. */
export const MAX_PENDING = 1_000;

/** An observation the hub already holds, newer than what the database may have (writes are batched). */
export interface NodeNotice {
  observation?: ObservedNodeState;
  at?: number;
}

export interface Change {
  executor?: ExecutorRow;
  node?: NodeRow;
  event?: EventRow;
  resync: boolean;
}

/** Reads a row when it is about to be sent, scoped to the subscriber's organization. */
export interface ChangeLoader {
  node(organizationId: string, id: string, notice: NodeNotice): NodeRow | null;
  executor(organizationId: string, id: string): ExecutorRow | null;
}

const DONE: IteratorResult<Change> = { done: true, value: undefined };

export class ChangeStream implements AsyncIterableIterator<Change> {
  private nodes = new Map<string, NodeNotice>();
  private sentAt = new Map<string, number>();
  private executors = new Set<string>();
  private events: EventRow[] = [];
  private resync = false;
  private waiting: ReturnType<typeof Promise.withResolvers<IteratorResult<Change>>> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    readonly organizationId: string,
    private readonly load: ChangeLoader,
    private readonly onClose: (stream: ChangeStream) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  nodeChanged(id: string, notice: NodeNotice = {}): void {
    const held = this.nodes.get(id);
    this.nodes.set(id, notice.observation ? notice : (held ?? notice));
    this.wake();
  }

  executorChanged(id: string): void {
    this.executors.add(id);
    this.wake();
  }

  eventAdded(event: EventRow): void {
    this.events.push(event);
    this.wake();
  }

  next(): Promise<IteratorResult<Change>> {
    if (this.closed) return Promise.resolve(DONE);
    const change = this.take();
    if (change) return Promise.resolve({ done: false, value: change });
    this.waiting ??= Promise.withResolvers();
    this.schedule();
    return this.waiting.promise;
  }

  /** The client went away (or the transport finished): forget everything and leave the hub. */
  return(): Promise<IteratorResult<Change>> {
    this.close();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<Change>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Change> {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nodes.clear();
    this.sentAt.clear();
    this.executors.clear();
    this.events = [];
    this.waiting?.resolve(DONE);
    this.waiting = null;
    this.onClose(this);
  }

  private get pending(): number {
    return this.nodes.size + this.executors.size + this.events.length;
  }

  private wake(): void {
    if (this.closed) return;
    if (this.pending > MAX_PENDING) {
      this.nodes.clear();
      this.executors.clear();
      this.events = [];
      this.resync = true;
    }
    if (!this.waiting) return;
    const change = this.take();
    if (!change) {
      this.schedule();
      return;
    }
    const waiting = this.waiting;
    this.waiting = null;
    waiting.resolve({ done: false, value: change });
  }

  /** The next change to send now, or null (nothing waiting, or only nodes sent too recently). */
  private take(): Change | null {
    if (this.resync) {
      this.resync = false;
      return { resync: true };
    }
    const event = this.events.shift();
    if (event) return { event, resync: false };
    for (const id of this.executors) {
      this.executors.delete(id);
      const executor = this.load.executor(this.organizationId, id);
      if (executor) return { executor, resync: false };
    }
    const now = Date.now();
    for (const [id, notice] of this.nodes) {
      if (now - (this.sentAt.get(id) ?? 0) < NODE_MIN_INTERVAL_MS) continue;
      this.nodes.delete(id);
      this.sentAt.set(id, now);
      const node = this.load.node(this.organizationId, id, notice);
      if (node) return { node, resync: false };
    }
    if (this.nodes.size === 0) this.forgetSentBefore(now - NODE_MIN_INTERVAL_MS);
    return null;
  }

  private forgetSentBefore(cutoff: number): void {
    for (const [id, at] of this.sentAt) if (at <= cutoff) this.sentAt.delete(id);
  }

  /** A wake-up for when the earliest waiting node may be sent again. */
  private schedule(): void {
    if (this.timer || this.nodes.size === 0 || this.closed) return;
    let due = Number.POSITIVE_INFINITY;
    for (const id of this.nodes.keys())
      due = Math.min(due, (this.sentAt.get(id) ?? 0) + NODE_MIN_INTERVAL_MS);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.wake();
      },
      Math.max(0, due - Date.now()),
    );
  }
}
