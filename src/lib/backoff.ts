// Exponential backoff with full jitter, and jittered intervals for periodic loops.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions) {}

  /** The next delay: random in [0, min(max, initial * factor^attempt)]. */
  next(): number {
    const { initialMs, maxMs, factor = 2 } = this.options;
    const ceiling = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(initialMs / 2 + Math.random() * (ceiling - initialMs / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** An interval spread by ±ratio so that a fleet started together does not tick together. */
export function jittered(intervalMs: number, ratio = 0.1): number {
  return Math.round(intervalMs * (1 - ratio + Math.random() * 2 * ratio));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
