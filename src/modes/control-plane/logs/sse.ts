// One reader's server-sent event stream of a log session, with bounded memory. Lines wait in a queue until
// the connection takes them (the stream's pull); a reader slower than the log loses the oldest lines, and the
// next batch it gets starts with a marker line saying how many. Events:
//   event: status  data: {"state":"waiting"|"streaming","message":…}
//   event: lines   data: [{"ts"?,"level","text","marker"?}, …]
//   event: end     data: {"message":…}          (then the stream closes)
// and a comment line every KEEPALIVE_MS, which keeps proxies and the server's idle timeout from closing a
// quiet stream and lets a dead connection be noticed.
import type { LogLine } from "../../../protocol/logs.ts";
import type { LogSink } from "./sessions.ts";

/** Lines held for one slow reader, and their bytes: past either, the oldest are dropped. */
export const MAX_QUEUED_LINES = 5000;
export const MAX_QUEUED_BYTES = 2 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

interface Frame {
  text: string;
  /** The end event: the stream closes after it. */
  last?: boolean;
}

const encoder = new TextEncoder();

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseLogStream implements LogSink {
  readonly body: ReadableStream<Uint8Array>;
  /** Status and end events, never dropped. */
  private readonly events: Frame[] = [];
  private queue: LogLine[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private wake: (() => void) | null = null;
  private ended = false;
  private closed = false;
  private readonly keepalive: ReturnType<typeof setInterval>;

  /** `onGone` runs once when the reader disconnects (not when the session ends on its own). */
  constructor(private readonly onGone: () => void) {
    this.keepalive = setInterval(() => {
      this.events.push({ text: ": keep-alive\n\n" });
      this.notify();
    }, KEEPALIVE_MS);
    this.body = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.pull(controller),
        cancel: () => this.gone(),
      },
      { highWaterMark: 0 },
    );
  }

  /** Lines queued and not yet taken by the reader (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  lines(lines: LogLine[], dropped: number): void {
    if (this.ended) return;
    this.dropped += dropped;
    for (const line of lines) {
      this.queue.push(line);
      this.queuedBytes += line.text.length + 64;
    }
    this.trim();
    this.notify();
  }

  status(state: "waiting" | "streaming", message: string): void {
    if (this.ended) return;
    this.events.push({ text: event("status", { state, message }) });
    this.notify();
  }

  end(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.events.push({ text: event("end", { message }), last: true });
    this.notify();
  }

  /** The reader went away (the connection closed or the request was aborted). */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    clearInterval(this.keepalive);
    this.queue = [];
    this.notify();
    this.onGone();
  }

  private trim(): void {
    let cut = 0;
    while (
      this.queue.length - cut > MAX_QUEUED_LINES ||
      (this.queuedBytes > MAX_QUEUED_BYTES && cut < this.queue.length)
    ) {
      this.queuedBytes -= this.queue[cut]!.text.length + 64;
      cut++;
    }
    if (cut > 0) {
      this.queue = this.queue.slice(cut);
      this.dropped += cut;
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (!this.closed && this.events.length === 0 && this.queue.length === 0 && this.dropped === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.closed) {
      controller.close();
      return;
    }
    // In order: what happened before these lines (status), the lines, then the end (which closes the stream).
    const frames = this.events.splice(0);
    const end = frames.find((f) => f.last);
    let text = frames
      .filter((f) => !f.last)
      .map((f) => f.text)
      .join("");
    if (this.queue.length > 0 || this.dropped > 0) {
      const batch: (LogLine & { marker?: true })[] = [];
      if (this.dropped > 0) {
        batch.push({
          level: "warn",
          text: `[novacula] ${this.dropped} lines dropped: this reader was slower than the log`,
          marker: true,
        });
        this.dropped = 0;
      }
      batch.push(...this.queue);
      this.queue = [];
      this.queuedBytes = 0;
      text += event("lines", batch);
    }
    if (end) text += end.text;
    controller.enqueue(encoder.encode(text));
    if (end) {
      this.closed = true;
      clearInterval(this.keepalive);
      controller.close();
    }
  }
}
