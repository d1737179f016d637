// Live logs on the wire: the log sessions an executor long-polls (GET /api/v1/executor/log-sessions, the
// reference's `pollExecutorLogSessions`), the chunks it posts back (POST /api/v1/executor/log-sessions/:id),
// and the one normalized level scale every client's lines are mapped onto. Nothing here is stored.
import { type Static, Type as T } from "@sinclair/typebox";

/** The normalized levels, lowest first: geth `WARN`, bitcoind `warning`, a journald priority all map here. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export const LogLevel = T.Union(LOG_LEVELS.map((level) => T.Literal(level)));
export type LogLevel = (typeof LOG_LEVELS)[number];

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Lines a session starts with unless the reader asks otherwise, and the most it may ask for. */
export const DEFAULT_LOG_TAIL = 200;
export const MAX_LOG_TAIL = 1000;
/** The longest a poll for log sessions is held (reference §4: ≤ 30 s). */
export const MAX_LOG_SESSION_WAIT_MS = 30_000;
/** Sessions one executor tails at once: each is a journalctl process or an open file on its host. */
export const MAX_LOG_SESSIONS_PER_EXECUTOR = 32;
/** One line's text; longer lines are cut by the executor and marked with "…". */
export const MAX_LOG_LINE_CHARS = 8 * 1024;
/** Lines in one chunk post (a full tail of MAX_LOG_TAIL fits in one). */
export const MAX_LOG_LINES_PER_CHUNK = 1000;
/** The largest chunk body the control plane reads (1000 lines of 8 KiB do not fit: the executor splits). */
export const MAX_LOG_CHUNK_BYTES = 512 * 1024;
/**
 * A tailing executor posts at least this often, with no lines when the log is quiet, so the control plane
 * can tell a quiet log from an executor that went away (LOG_SESSION_IDLE_TIMEOUT_MS).
 */
export const LOG_KEEPALIVE_MS = 15_000;

/** What an executor is asked to tail. */
export const LogSession = T.Object({
  sessionId: T.String(),
  nodeId: T.String(),
  nodeName: T.String(),
  role: T.String(),
  /** The client filling the role (its level vocabulary), e.g. "anvil", "geth". */
  client: T.String(),
  tail: T.Integer({ minimum: 1, maximum: MAX_LOG_TAIL }),
  level: LogLevel,
});
export type LogSession = Static<typeof LogSession>;

export const LogSessionsQuery = T.Object(
  {
    /**
     * The sessions the executor is tailing now, comma-separated. The poll answers at once when the open
     * sessions differ from these (a new one to start, or one to stop), else when they change.
     */
    held: T.Optional(T.String({ maxLength: 64 * MAX_LOG_SESSIONS_PER_EXECUTOR })),
    waitMs: T.Optional(T.Integer({ minimum: 0, maximum: MAX_LOG_SESSION_WAIT_MS, description: "0..30000" })),
  },
  { additionalProperties: false },
);
export type LogSessionsQuery = Static<typeof LogSessionsQuery>;

export const LogSessionsResponse = T.Object({
  /** Every session of this executor that is open now: tail these, and stop tailing any other. */
  sessions: T.Array(LogSession, { maxItems: MAX_LOG_SESSIONS_PER_EXECUTOR }),
});
export type LogSessionsResponse = Static<typeof LogSessionsResponse>;

export const LogLine = T.Object(
  {
    /** When the line was written, if the source says (journald does; a plain file does not). */
    ts: T.Optional(T.String({ format: "date-time" })),
    level: LogLevel,
    text: T.String({ maxLength: MAX_LOG_LINE_CHARS }),
  },
  { additionalProperties: false },
);
export type LogLine = Static<typeof LogLine>;

export const LogChunkRequest = T.Object(
  {
    lines: T.Array(LogLine, { maxItems: MAX_LOG_LINES_PER_CHUNK }),
    /** Lines the executor dropped before this chunk (the control plane was slower than the log). */
    dropped: T.Optional(T.Integer({ minimum: 0 })),
    /** The executor cannot (or can no longer) tail this log: the session ends with this message. */
    end: T.Optional(T.Object({ message: T.String({ minLength: 1, maxLength: 1000 }) })),
  },
  { additionalProperties: false },
);
export type LogChunkRequest = Static<typeof LogChunkRequest>;

export const LogChunkResponse = T.Object({
  /** False once the reader has gone (or the session never existed): stop tailing. */
  open: T.Boolean(),
});
export type LogChunkResponse = Static<typeof LogChunkResponse>;
