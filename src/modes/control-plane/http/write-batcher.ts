// Coalesces high-rate, loss-tolerant writes (executor heartbeats, observations) into one transaction per
// flush, so a fleet of executors costs one disk flush per interval instead of one per request. User
// writes never go through here: they commit before they are acknowledged.
import type { Db } from "../../../db/client.ts";
import type { Logger } from "../../../lib/log.ts";

export type BatchedWrite = (tx: Db) => void;

export class WriteBatcher {
  /** key → latest write; a newer write for the same key replaces the older one. */
  private pending = new Map<string, BatchedWrite>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.intervalMs);
  }

  put(key: string, write: BatchedWrite): void {
    this.pending.set(key, write);
  }

  get size(): number {
    return this.pending.size;
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    try {
      this.db.transaction((tx) => {
        for (const write of batch) write(tx as unknown as Db);
      });
    } catch (error) {
      // A failed batch is dropped, not retried: every entry is superseded by the next heartbeat anyway.
      this.log.error("batched write failed", { error, writes: batch.length });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
