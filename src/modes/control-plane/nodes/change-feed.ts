// Wakes long-polling executors: a waiter per held request, keyed by executor. A spec write calls
// `notify(executorId)` after its transaction commits; waiting requests then re-read and answer at once.
// Deadlines live in a coarse timer wheel (one interval for every waiter, TICK_MS apart) rather than in a
// timer and an abort listener per request: with 10,000 executors each holding a poll that is tens of
// thousands fewer live objects for the garbage collector to trace. A client that goes away keeps its
// waiter until the deadline (at most MAX_SPEC_WAIT_MS); answering it then writes to a closed connection.
// An executor holds one poll nearly always, so its waiter is stored as is; a Set appears only for a second
// one at the same time (an agent restarted while its old poll is still held).
interface Waiter {
  executorId: string;
  resolve: (notified: boolean) => void;
  settled: boolean;
}

/** Resolution of the deadlines: a poll with nothing new answers up to this much after its waitMs. */
const TICK_MS = 100;

export class ChangeFeed {
  private waiters = new Map<string, Waiter | Set<Waiter>>();
  /** Deadline slot (Date.now() / TICK_MS, rounded up) → the waiters due then. */
  private slots = new Map<number, Waiter[]>();
  /** The last slot already expired. */
  private expiredThrough = Math.floor(Date.now() / TICK_MS);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Resolves true when notified, false at the timeout. */
  wait(executorId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = { executorId, resolve, settled: false };
      const held = this.waiters.get(executorId);
      if (held === undefined) this.waiters.set(executorId, waiter);
      else if (held instanceof Set) held.add(waiter);
      else this.waiters.set(executorId, new Set([held, waiter]));
      const slot = Math.max(Math.ceil((Date.now() + timeoutMs) / TICK_MS), this.expiredThrough + 1);
      const due = this.slots.get(slot);
      if (due) due.push(waiter);
      else this.slots.set(slot, [waiter]);
      this.timer ??= setInterval(() => this.expire(), TICK_MS);
    });
  }

  notify(executorId: string): void {
    const held = this.waiters.get(executorId);
    if (held instanceof Set) for (const waiter of [...held]) this.settle(waiter, true);
    else if (held !== undefined) this.settle(held, true);
  }

  /** Wakes every waiter (shutdown: held requests answer with what they have). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }

  /** Stops the deadline timer (after notifyAll, at shutdown). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get waiting(): number {
    let n = 0;
    for (const held of this.waiters.values()) n += held instanceof Set ? held.size : 1;
    return n;
  }

  private expire(): void {
    const now = Math.floor(Date.now() / TICK_MS);
    for (let slot = this.expiredThrough + 1; slot <= now; slot++) {
      const due = this.slots.get(slot);
      if (!due) continue;
      this.slots.delete(slot);
      for (const waiter of due) this.settle(waiter, false);
    }
    this.expiredThrough = Math.max(this.expiredThrough, now);
    if (this.slots.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private settle(waiter: Waiter, notified: boolean): void {
    if (waiter.settled) return;
    waiter.settled = true;
    const held = this.waiters.get(waiter.executorId);
    if (held === waiter) this.waiters.delete(waiter.executorId);
    else if (held instanceof Set) {
      held.delete(waiter);
      if (held.size === 0) this.waiters.delete(waiter.executorId);
    }
    waiter.resolve(notified);
  }
}
