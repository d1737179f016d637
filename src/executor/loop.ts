// A periodic loop the executor's jobs run in: first tick at once, then every jittered interval; trigger()
// wakes it early (coalescing bursts into one extra run); errors back off exponentially instead of spinning.
// Ticks never overlap, and stop() waits for the running tick to finish.
import { Backoff, delay, jittered } from "../lib/backoff.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";

export interface LoopOptions {
  name: string;
  /** Read on every wait, so a cadence the control plane changes takes effect at the next tick. */
  intervalMs: () => number;
  /** One tick; throwing counts as a failure and backs off. The signal aborts on stop(). */
  tick: (signal: AbortSignal) => Promise<void>;
  logger: Logger;
  backoff?: Backoff;
  /** Longest wait after a failure (default 60 s): a heartbeat must not back off past its own timeout. */
  maxBackoffMs?: () => number;
}

export class Loop {
  private readonly abort = new AbortController();
  private wake: AbortController | null = null;
  /** Run a tick as soon as possible (set at start, by trigger(), and when a wait ends). */
  private pending = true;
  private running: Promise<void> | null = null;
  private readonly backoff: Backoff;
  /** Consecutive failures; 0 after a good tick. */
  failures = 0;

  constructor(private readonly options: LoopOptions) {
    this.backoff = options.backoff ?? new Backoff({ initialMs: 1000, maxMs: 60_000 });
  }

  start(): void {
    if (this.running) return;
    this.running = this.run();
  }

  /** Run again as soon as the current tick (if any) ends. */
  trigger(): void {
    this.pending = true;
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { name, logger } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let waitMs: number;
      if (this.pending) {
        this.pending = false;
        try {
          await this.options.tick(signal);
          this.failures = 0;
          this.backoff.reset();
          waitMs = jittered(this.options.intervalMs());
        } catch (error) {
          if (signal.aborted) break;
          this.failures++;
          const cap = this.options.maxBackoffMs?.() ?? 60_000;
          waitMs = Math.max(100, Math.min(this.backoff.next(), cap));
          logger.warn(`${name} failed; retrying`, {
            error: errorMessage(error),
            retryInMs: waitMs,
            failures: this.failures,
          });
        }
      } else {
        waitMs = jittered(this.options.intervalMs());
      }
      if (signal.aborted || this.pending) continue;
      this.wake = new AbortController();
      await delay(waitMs, AbortSignal.any([signal, this.wake.signal]));
      this.wake = null;
      // A timer expiry is a tick too; a trigger() already set pending.
      this.pending = true;
    }
  }
}
