// Coalesces high-rate, loss-tolerant writes (executor heartbeats, observations) so that a fleet of
// executors costs neither a disk flush per request nor a long stall of the event loop:
// - a newer write for the same key replaces the older one while it waits;
// - every tick writes what is pending in small transactions, each ending after SLICE_BUDGET_MS of writing,
//   yielding to requests in between, so no flush holds the event loop for more than a couple of
//   milliseconds (a fixed count of writes did not: under load 200 writes took 5-10 ms);
// - those transactions commit with synchronous = NORMAL (no fsync of their own: they become durable with
//   the next fsync of the WAL, at the latest a user write or a checkpoint), and the WAL is checkpointed
//   from a worker thread (WalCheckpointer); batched writes wait while a checkpoint runs, so that the WAL
//   can start over instead of growing.
// User writes never go through here: they commit (with fsync) before they are acknowledged.
import type { Logger } from "../lib/log.ts";
import type { Db, DbOrTx } from "./client.ts";
import { WalCheckpointer } from "./wal-checkpointer.ts";

export type BatchedWrite = (tx: DbOrTx) => void;

/** Writing time per transaction: a request arriving meanwhile waits at most about this long. */
const SLICE_BUDGET_MS = 1.5;
/** And at most this many writes per transaction. */
const SLICE_WRITES = 500;

export class WriteBatcher {
  /** key → latest write; a newer write for the same key replaces the older one. */
  private pending = new Map<string, BatchedWrite>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private draining = false;
  /** Run first at stop(), while the database is still open (GroupCommitter queues flush here). */
  private stopHooks: (() => void)[] = [];
  private readonly checkpointer: WalCheckpointer;
  /** The connection's configured synchronous level, restored after each batch. */
  private readonly synchronous: number;
  /** Told how long each write transaction took, in seconds (the control plane's /metrics). */
  onSliceWritten: ((seconds: number, writes: number) => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = 100,
  ) {
    this.checkpointer = new WalCheckpointer(db.sqlite, log);
    const row = db.sqlite.query<{ synchronous: number }, []>("PRAGMA synchronous").get();
    this.synchronous = row?.synchronous ?? 2;
  }

  start(): void {
    this.checkpointer.start();
    this.timer ??= setInterval(() => this.drain(), this.intervalMs);
  }

  /** Registers work to finish at stop(), before the final flush and before the database closes. */
  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  put(key: string, write: BatchedWrite): void {
    this.pending.set(key, write);
  }

  get size(): number {
    return this.pending.size;
  }

  /** One tick: writes what is pending now, a slice at a time, letting requests run between slices. */
  private drain(): void {
    if (this.draining || this.pending.size === 0 || this.checkpointer.checkpointing) return;
    this.draining = true;
    let budget = this.pending.size;
    const step = () => {
      const written = this.writeSlice(Math.min(SLICE_WRITES, budget));
      budget -= written;
      if (budget > 0 && written > 0 && this.timer && !this.checkpointer.checkpointing) setImmediate(step);
      else this.draining = false;
    };
    step();
  }

  /** Writes everything pending now, synchronously (shutdown, tests). */
  flush(): void {
    while (this.pending.size > 0) this.writeSlice(SLICE_WRITES, Number.POSITIVE_INFINITY);
  }

  /**
   * Writes pending entries (oldest first) in one transaction until `max` of them or `budgetMs` of writing;
   * returns how many it took.
   */
  private writeSlice(max: number, budgetMs = SLICE_BUDGET_MS): number {
    if (this.pending.size === 0) return 0;
    const sqlite = this.db.sqlite;
    let taken = 0;
    let failed = 0;
    let firstError: unknown = null;
    const began = performance.now();
    try {
      sqlite.exec("PRAGMA synchronous = NORMAL");
      this.db.transaction((tx) => {
        const started = performance.now();
        for (const [key, write] of this.pending) {
          this.pending.delete(key);
          taken++;
          // A failing statement is rolled back alone; the rest of the slice still lands.
          try {
            write(tx);
          } catch (error) {
            failed++;
            firstError ??= error;
          }
          if (taken >= max || performance.now() - started >= budgetMs) break;
        }
      });
    } catch (error) {
      // A slice that can't commit is dropped, not retried: each entry is superseded by the next heartbeat.
      failed = taken;
      firstError = error;
    } finally {
      sqlite.exec(`PRAGMA synchronous = ${this.synchronous}`);
    }
    if (failed > 0) this.log.error("batched write failed", { error: firstError, failed, writes: taken });
    this.onSliceWritten?.((performance.now() - began) / 1000, taken);
    return taken;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const hook of this.stopHooks) hook();
    this.flush();
    this.checkpointer.stop();
  }
}
