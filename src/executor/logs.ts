// The executor's side of live logs, shared by every backend: long-poll the open log sessions
// (pollExecutorLogSessions), start a tail for each new one through the backend, stop the tails of sessions
// that are gone, and post each tail's lines (levels normalized, below the minimum dropped) as chunks, at most
// one per FLUSH_MS (a line after a quiet spell goes at once). A chunk answered `open: false` ends that tail at once; a quiet tail posts an empty chunk
// every LOG_KEEPALIVE_MS so the control plane knows it is alive. The backend owns what a tail is (journalctl,
// a log file): it must leave nothing behind once closed.
import { Backoff } from "../lib/backoff.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/log.ts";
import {
  LOG_KEEPALIVE_MS,
  type LogLevel,
  type LogLine,
  type LogSession,
  levelRank,
  MAX_LOG_LINE_CHARS,
  MAX_LOG_LINES_PER_CHUNK,
  MAX_LOG_SESSION_WAIT_MS,
} from "../protocol/logs.ts";
import type { ControlPlaneClient } from "./control-plane-client.ts";
import { lineLevel, stripAnsi } from "./logs-levels.ts";
import { Loop } from "./loop.ts";

/** One line as a source gives it. */
export interface RawLogLine {
  text: string;
  /** ISO time, when the source records it. */
  ts?: string;
  /** journald's syslog priority, when the source has one. */
  priority?: number;
}

/** A running tail; close() stops it and releases everything it holds (process, file). */
export interface LogTail {
  close(): Promise<void>;
  /** Resolves when the source stopped by itself (not after close()), with the reason. */
  readonly ended: Promise<string>;
}

/** A log that cannot be tailed on this host; the message goes to the reader. */
export class LogTailError extends Error {
  override name = "LogTailError";
}

export type OpenLogTail = (
  target: { nodeName: string; role: string; tail: number; follow: boolean },
  onLines: (lines: RawLogLine[]) => void,
) => Promise<LogTail>;

/** Least time between two posts of one tail: a burst of lines makes one request per FLUSH_MS. */
export const FLUSH_MS = 200;
/** Lines one tail holds while its posts are slow; past it the oldest are dropped (and counted). */
const MAX_BUFFERED_LINES = 5000;
/** A chunk's lines stay under this many characters (the control plane reads at most MAX_LOG_CHUNK_BYTES). */
const MAX_CHUNK_CHARS = 256 * 1024;

/** Normalize one raw line: ANSI colours removed, cut to the protocol's length, its level read. */
export function toLogLine(raw: RawLogLine): LogLine {
  let text = stripAnsi(raw.text).replace(/\r$/, "");
  if (text.length > MAX_LOG_LINE_CHARS) text = `${text.slice(0, MAX_LOG_LINE_CHARS - 1)}…`;
  return { ...(raw.ts ? { ts: raw.ts } : {}), level: lineLevel(text, raw.priority), text };
}

/** Keeps the lines at or above `level`. */
export function atLeast(lines: LogLine[], level: LogLevel): LogLine[] {
  const min = levelRank(level);
  return lines.filter((line) => levelRank(line.level) >= min);
}

type Post = (
  sessionId: string,
  chunk: { lines: LogLine[]; dropped?: number; end?: { message: string } },
) => Promise<{ open: boolean }>;

/** One session's tail and the posting of its lines. */
class SessionTail {
  private buffer: LogLine[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private keepalive: ReturnType<typeof setInterval>;
  private posting: Promise<void> = Promise.resolve();
  private lastPostAt = 0;
  /** The tail being opened or running; null when it could not be opened. */
  private tail: Promise<LogTail | null> = Promise.resolve(null);
  closed = false;

  constructor(
    readonly session: LogSession,
    private readonly post: Post,
    private readonly log: Logger,
    private readonly onEnd: (id: string) => void,
  ) {
    this.keepalive = setInterval(() => {
      if (Date.now() - this.lastPostAt >= LOG_KEEPALIVE_MS - FLUSH_MS) this.schedule();
    }, LOG_KEEPALIVE_MS / 3);
  }

  async start(open: OpenLogTail): Promise<void> {
    const { nodeName, role, tail } = this.session;
    const opening = open({ nodeName, role, tail, follow: true }, (lines) => this.add(lines));
    this.tail = opening.catch(() => null);
    let running: LogTail;
    try {
      running = await opening;
    } catch (error) {
      const message =
        error instanceof LogTailError ? error.message : `cannot tail the log: ${errorMessage(error)}`;
      await this.finish(message);
      return;
    }
    // Closed while it opened: close() closes it too (it waits for this.tail).
    if (this.closed) return;
    running.ended.then((reason) => this.finish(reason));
    // The first post says the tail runs, even before the log has anything to show.
    this.schedule();
  }

  private add(raw: RawLogLine[]): void {
    if (this.closed) return;
    const lines = atLeast(raw.map(toLogLine), this.session.level);
    if (lines.length === 0) return;
    this.buffer.push(...lines);
    if (this.buffer.length > MAX_BUFFERED_LINES) {
      const cut = this.buffer.length - MAX_BUFFERED_LINES;
      this.buffer.splice(0, cut);
      this.dropped += cut;
    }
    this.schedule();
  }

  /** Posts now, or FLUSH_MS after the previous post: a lone line goes at once, a burst at 5 posts a second. */
  private schedule(): void {
    if (this.closed || this.timer) return;
    const delayMs = Math.max(0, this.lastPostAt + FLUSH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.posting = this.posting.then(() => this.flush());
    }, delayMs);
  }

  private async flush(): Promise<void> {
    if (this.closed) return;
    do {
      const chunk = this.takeChunk();
      this.lastPostAt = Date.now();
      let open: boolean;
      try {
        ({ open } = await this.post(this.session.sessionId, chunk));
      } catch (error) {
        // Lost lines are counted, not resent: a live view prefers the present to a backlog.
        this.dropped += chunk.lines.length + (chunk.dropped ?? 0);
        this.log.debug("log chunk not delivered", {
          session: this.session.sessionId,
          error: errorMessage(error),
        });
        return;
      }
      if (!open) {
        await this.close();
        this.onEnd(this.session.sessionId);
        return;
      }
    } while (this.buffer.length > 0 && !this.closed);
  }

  private takeChunk(): { lines: LogLine[]; dropped?: number } {
    let chars = 0;
    let count = 0;
    while (count < this.buffer.length && count < MAX_LOG_LINES_PER_CHUNK) {
      chars += this.buffer[count]!.text.length + 64;
      if (chars > MAX_CHUNK_CHARS && count > 0) break;
      count++;
    }
    const lines = this.buffer.splice(0, count);
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped > 0 ? { lines, dropped } : { lines };
  }

  /** The source ended or could not start: tell the reader why, then stop. */
  private async finish(message: string): Promise<void> {
    if (this.closed) return;
    await this.posting;
    const lines = this.buffer.splice(0);
    await this.close();
    await this.post(this.session.sessionId, { lines, end: { message } }).catch(() => undefined);
    this.onEnd(this.session.sessionId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await (await this.tail)?.close();
  }
}

export interface LogSessionsOptions {
  client: Pick<ControlPlaneClient, "logSessions" | "postLogChunk">;
  open: OpenLogTail;
  logger: Logger;
  /** How long a poll is held (default MAX_LOG_SESSION_WAIT_MS). */
  waitMs?: number;
}

/** The long-poll loop and the tails it runs. */
export class LogSessions {
  private readonly tails = new Map<string, SessionTail>();
  private readonly loop: Loop;
  private readonly log: Logger;

  constructor(private readonly options: LogSessionsOptions) {
    this.log = options.logger;
    this.loop = new Loop({
      name: "log session poll",
      logger: this.log,
      // The poll itself waits; between answers only a short pause (a new session, e.g. the same reader with
      // another level, starts at once) that still keeps a server answering at once from making this spin.
      intervalMs: () => 25,
      backoff: new Backoff({ initialMs: 1000, maxMs: 30_000 }),
      // Past a few failures (a control plane restarting, or one too old to offer live logs) retry every 30 s.
      maxBackoffMs: () => 30_000,
      tick: (signal) => this.poll(signal),
    });
  }

  /** Sessions being tailed now (ids). */
  get running(): string[] {
    return [...this.tails.keys()];
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and closes every tail (nothing is left running). */
  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.tails.values()].map((t) => t.close()));
    this.tails.clear();
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const waitMs = this.options.waitMs ?? MAX_LOG_SESSION_WAIT_MS;
    const { sessions } = await this.options.client.logSessions([...this.tails.keys()], waitMs, signal);
    if (signal.aborted) return;
    const open = new Set(sessions.map((s) => s.sessionId));
    for (const [id, tail] of this.tails) {
      if (open.has(id)) continue;
      this.tails.delete(id);
      this.log.debug("log session ended", { session: id });
      await tail.close();
    }
    for (const session of sessions) {
      if (this.tails.has(session.sessionId)) continue;
      const tail = new SessionTail(
        session,
        (id, chunk) => this.options.client.postLogChunk(id, chunk),
        this.log,
        (id) => {
          if (this.tails.get(id) === tail) this.tails.delete(id);
        },
      );
      this.tails.set(session.sessionId, tail);
      this.log.debug("log session started", {
        session: session.sessionId,
        node: session.nodeName,
        role: session.role,
      });
      void tail.start(this.options.open);
    }
  }
}
