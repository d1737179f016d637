// Live log sessions, in memory only: a reader (an SSE connection) opens one for a node's role; the node's
// executor finds it by long-poll, tails the log on its host and posts chunks, which are handed to the reader.
// Nothing is stored. A session ends when its reader goes, when the executor says it cannot tail, at shutdown,
// or after LOG_SESSION_IDLE_TIMEOUT_MS without a word from the executor (a poll that hands the session over,
// a chunk, or a keep-alive: a tailing executor posts at least every LOG_KEEPALIVE_MS). An ended session drops
// out of the executor's next poll answer, and its next chunk post is answered `open: false`.
//
// Waking held polls reuses the spec change feed's mechanism (a ChangeFeed keyed by executor); this hub owns
// only which sessions are open.
import { randomUUID } from "node:crypto";
import { AppError } from "../../../lib/errors.ts";
import {
  type LogChunkRequest,
  type LogLevel,
  type LogLine,
  type LogSession,
  MAX_LOG_SESSION_WAIT_MS,
  MAX_LOG_SESSIONS_PER_EXECUTOR,
} from "../../../protocol/logs.ts";
import { ChangeFeed } from "../nodes/change-feed.ts";

/** Without a poll, chunk or keep-alive from the executor for this long, a session ends (documented). */
export const LOG_SESSION_IDLE_TIMEOUT_MS = 60_000;
const IDLE_SWEEP_MS = 5_000;

/** Where a session's lines go: the SSE stream of its reader. */
export interface LogSink {
  lines(lines: LogLine[], dropped: number): void;
  status(state: "waiting" | "streaming", message: string): void;
  /** The session is over (never called after the reader itself went away). */
  end(message: string): void;
}

export interface OpenSession {
  organizationId: string;
  executorId: string;
  executorName: string;
  nodeId: string;
  nodeName: string;
  role: string;
  client: string;
  tail: number;
  level: LogLevel;
}

interface Session extends OpenSession {
  id: string;
  sink: LogSink;
  /** The executor has received this session (in a poll answer). */
  handedOver: boolean;
  /** The executor has posted for it (its tail is running). */
  streaming: boolean;
  lastHeardAt: number;
}

export class LogSessionHub {
  private readonly sessions = new Map<string, Session>();
  private readonly byExecutor = new Map<string, Set<string>>();
  /** Held polls, one per executor nearly always; woken when that executor's open sessions change. */
  private readonly feed = new ChangeFeed();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session and wakes the executor's held poll. Returns its id; `close(id)` when the reader goes. */
  open(request: OpenSession, sink: LogSink): string {
    const ids = this.byExecutor.get(request.executorId) ?? new Set<string>();
    if (ids.size >= MAX_LOG_SESSIONS_PER_EXECUTOR) {
      throw new AppError(
        "rate_limited",
        `${MAX_LOG_SESSIONS_PER_EXECUTOR} log streams are already open on executor ${request.executorName}`,
        429,
        [{ path: "/", message: "close another log stream of a node on this executor, then retry" }],
        true,
      );
    }
    const id = randomUUID();
    const session: Session = {
      ...request,
      id,
      sink,
      handedOver: false,
      streaming: false,
      lastHeardAt: this.now(),
    };
    this.sessions.set(id, session);
    ids.add(id);
    this.byExecutor.set(request.executorId, ids);
    this.sweeper ??= setInterval(() => this.sweepIdle(), IDLE_SWEEP_MS);
    this.feed.notify(request.executorId);
    return id;
  }

  /** The reader went away: forget the session and tell the executor (its held poll answers now). */
  close(id: string): void {
    this.remove(id);
  }

  /** Every session open on the executor, as its poll answers them (marks them handed over). */
  sessionsOf(executorId: string): LogSession[] {
    const ids = this.byExecutor.get(executorId);
    if (!ids) return [];
    const out: LogSession[] = [];
    const now = this.now();
    for (const id of ids) {
      const s = this.sessions.get(id)!;
      if (!s.handedOver) {
        s.handedOver = true;
        s.lastHeardAt = now;
      }
      out.push({
        sessionId: s.id,
        nodeId: s.nodeId,
        nodeName: s.nodeName,
        role: s.role,
        client: s.client,
        tail: s.tail,
        level: s.level,
      });
    }
    return out;
  }

  /**
   * The long-poll: answers at once when the open sessions differ from those the executor says it holds,
   * otherwise when they change, or after `waitMs` with the same set.
   */
  async poll(executorId: string, held: ReadonlySet<string>, waitMs: number): Promise<LogSession[]> {
    if (waitMs > 0 && this.sameAsHeld(executorId, held)) {
      await this.feed.wait(executorId, Math.min(waitMs, MAX_LOG_SESSION_WAIT_MS));
    }
    return this.sessionsOf(executorId);
  }

  /** A chunk from the executor; false when the session is over (or is not this executor's). */
  post(executorId: string, id: string, chunk: LogChunkRequest): boolean {
    const s = this.sessions.get(id);
    if (!s || s.executorId !== executorId) return false;
    s.lastHeardAt = this.now();
    if (!s.streaming) {
      s.streaming = true;
      s.sink.status("streaming", `streaming ${s.role} of ${s.nodeName} from executor ${s.executorName}`);
    }
    if (chunk.lines.length > 0 || (chunk.dropped ?? 0) > 0) s.sink.lines(chunk.lines, chunk.dropped ?? 0);
    if (chunk.end) {
      this.end(s, chunk.end.message);
      return false;
    }
    return true;
  }

  /** Ends every session (shutdown): readers are told, held polls answer. */
  closeAll(message: string): void {
    for (const s of [...this.sessions.values()]) this.end(s, message);
    this.feed.notifyAll();
    this.feed.close();
  }

  private sameAsHeld(executorId: string, held: ReadonlySet<string>): boolean {
    const ids = this.byExecutor.get(executorId);
    const open = ids?.size ?? 0;
    if (open !== held.size) return false;
    for (const id of held) if (!ids?.has(id)) return false;
    return true;
  }

  private end(s: Session, message: string): void {
    if (!this.sessions.has(s.id)) return;
    this.remove(s.id);
    s.sink.end(message);
  }

  private remove(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    const ids = this.byExecutor.get(s.executorId);
    ids?.delete(id);
    if (ids?.size === 0) this.byExecutor.delete(s.executorId);
    this.feed.notify(s.executorId);
    if (this.sessions.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private sweepIdle(): void {
    const now = this.now();
    for (const s of [...this.sessions.values()]) {
      if (now - s.lastHeardAt < LOG_SESSION_IDLE_TIMEOUT_MS) continue;
      const seconds = Math.round(LOG_SESSION_IDLE_TIMEOUT_MS / 1000);
      this.end(
        s,
        s.handedOver
          ? `executor ${s.executorName} stopped sending this log for ${seconds} s; reconnect to try again`
          : `executor ${s.executorName} did not pick the log session up within ${seconds} s (is it online and up to date?)`,
      );
    }
  }
}
