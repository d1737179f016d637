// Wakes long-polling executors: a waiter per held request, keyed by executor. A spec write calls
// `notify(executorId)` after its transaction commits; waiting requests then re-read and answer at once.
export class ChangeFeed {
  private waiters = new Map<string, Set<() => void>>();

  /** Resolves true when notified, false at the timeout or when the signal aborts. */
  wait(executorId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiters.get(executorId);
      if (!set) {
        set = new Set();
        this.waiters.set(executorId, set);
      }
      const waiters = set;
      const finish = (notified: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(executorId) === waiters) this.waiters.delete(executorId);
        resolve(notified);
      };
      const wake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      waiters.add(wake);
    });
  }

  notify(executorId: string): void {
    const set = this.waiters.get(executorId);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (shutdown: held requests answer with what they have). */
  notifyAll(): void {
    for (const id of [...this.waiters.keys()]) this.notify(id);
  }

  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }
}
