// Group commit for acknowledged writes that come in bursts (thousands of executors connecting for the
// first time, or coming back after an outage): the writes queued during one turn of the event loop share
// one transaction, so one fsync, instead of one each. Every caller's promise settles only after that
// transaction has committed, so an acknowledged write is exactly as durable as with its own transaction.
// Each write runs in its own savepoint: one that throws is rolled back and rejects alone.
import type { Db, DbOrTx } from "./client.ts";

interface Queued {
  work: (tx: DbOrTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes per transaction; a longer queue is committed in several transactions, one per event-loop turn. */
const MAX_BATCH = 500;

export class GroupCommitter {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  /** Runs `work` inside a shared transaction; resolves with its result once that transaction committed. */
  run<T>(work: (tx: DbOrTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Commits up to MAX_BATCH queued writes (the rest in the next turn). */
  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) this.schedule();
    if (batch.length > 0) this.commit(batch);
  }

  /** Commits everything queued, now (shutdown: the database is about to close). */
  drain(): void {
    while (this.queue.length > 0) this.commit(this.queue.splice(0, MAX_BATCH));
  }

  private commit(batch: Queued[]): void {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction((tx) => {
        for (const item of batch) {
          try {
            outcomes.push({
              ok: true,
              value: tx.transaction((savepoint) => item.work(savepoint)),
            });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
