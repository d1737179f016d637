// The Logs panel of node detail: one role's live log over server-sent events (same origin, the session
// cookie), with the tail and minimum level the person picks. It streams only after "Watch logs" (each open
// stream runs a tail on the node's host) and until "Stop watching" or the page is left. Pause holds arriving lines in a queue, Resume
// shows them (flushes the queue), Clear empties the view; none of the three touches the stream itself.
// A stream that ends or drops is not reopened by itself (each connection replays the tail): the panel says
// so and offers Reconnect.
import { useCallback, useEffect, useRef, useState } from "react";

const LEVELS = ["debug", "info", "warn", "error"] as const;
/** Lines kept in view (and in the paused queue): past it the oldest go, as in the control plane's queue. */
const MAX_VIEW_LINES = 5000;

interface Line {
  ts?: string;
  level: string;
  text: string;
  marker?: boolean;
  /** Arrival order: the React key (lines have no identity of their own). */
  seq: number;
}

type Status = { state: "connecting" | "waiting" | "streaming" | "ended"; message: string };

function capped(lines: Line[]): Line[] {
  return lines.length > MAX_VIEW_LINES ? lines.slice(lines.length - MAX_VIEW_LINES) : lines;
}

/** The panel: a stream runs (and a tail on the host) only while the person watches. */
export function NodeLogs({ nodeId, roles }: { nodeId: string; roles: string[] }) {
  const [watching, setWatching] = useState(false);
  if (roles.length === 0) return null;
  return (
    <section aria-labelledby="logs-title" className="node-logs">
      <h2 id="logs-title">Logs</h2>
      {watching ? (
        <LiveLog nodeId={nodeId} roles={roles} onStop={() => setWatching(false)} />
      ) : (
        <p>
          <button type="button" className="button" onClick={() => setWatching(true)}>
            Watch logs
          </button>{" "}
          <span className="muted">the node's process log, live from its host while you watch</span>
        </p>
      )}
    </section>
  );
}

function LiveLog({ nodeId, roles, onStop }: { nodeId: string; roles: string[]; onStop: () => void }) {
  const [role, setRole] = useState(roles[0] ?? "");
  const [tail, setTail] = useState(200);
  const [tailText, setTailText] = useState("200");
  const [level, setLevel] = useState<(typeof LEVELS)[number]>("info");
  const [lines, setLines] = useState<Line[]>([]);
  const [status, setStatus] = useState<Status>({ state: "connecting", message: "connecting…" });
  const [paused, setPaused] = useState(false);
  const [queued, setQueued] = useState(0);
  const [generation, setGeneration] = useState(0);
  const pausedRef = useRef(false);
  const queue = useRef<Line[]>([]);
  const view = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const seq = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is Reconnect: a new stream on purpose.
  useEffect(() => {
    if (!role) return;
    const query = new URLSearchParams({ role, tail: String(tail), level });
    const source = new EventSource(`/nodes/${encodeURIComponent(nodeId)}/logs/stream?${query}`);
    setLines([]);
    queue.current = [];
    setQueued(0);
    setStatus({ state: "connecting", message: "connecting…" });
    source.addEventListener("status", (e) => setStatus(JSON.parse((e as MessageEvent).data) as Status));
    source.addEventListener("lines", (e) => {
      const batch = (JSON.parse((e as MessageEvent).data) as Omit<Line, "seq">[]).map((line) => ({
        ...line,
        seq: seq.current++,
      }));
      if (pausedRef.current) {
        queue.current = capped([...queue.current, ...batch]);
        setQueued(queue.current.length);
      } else setLines((shown) => capped([...shown, ...batch]));
    });
    source.addEventListener("end", (e) => {
      const { message } = JSON.parse((e as MessageEvent).data) as { message: string };
      setStatus({ state: "ended", message });
      source.close();
    });
    source.onerror = () => {
      // EventSource would reconnect and replay the tail into the view: stop and let the person choose.
      if (source.readyState !== EventSource.CLOSED) source.close();
      setStatus((s) =>
        s.state === "ended" ? s : { state: "ended", message: "the connection was lost or refused" },
      );
    };
    return () => source.close();
  }, [nodeId, role, tail, level, generation]);

  // Follow the end of the log unless the person scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after new lines render, by design.
  useEffect(() => {
    const el = view.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const pause = useCallback(() => {
    pausedRef.current = true;
    setPaused(true);
  }, []);
  const resume = useCallback(() => {
    pausedRef.current = false;
    setPaused(false);
    const held = queue.current;
    queue.current = [];
    setQueued(0);
    setLines((shown) => capped([...shown, ...held]));
  }, []);
  const clear = useCallback(() => {
    setLines([]);
    queue.current = [];
    setQueued(0);
  }, []);
  const applyTail = () => {
    const n = Number(tailText);
    if (Number.isInteger(n) && n >= 1 && n <= 1000) setTail(n);
    else setTailText(String(tail));
  };

  return (
    <>
      <search className="filters">
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tail (lines, 1–1000)
          <input
            type="number"
            min={1}
            max={1000}
            value={tailText}
            onChange={(e) => setTailText(e.target.value)}
            onBlur={applyTail}
            onKeyDown={(e) => {
              if (e.key === "Enter") applyTail();
            }}
          />
        </label>
        <label>
          Minimum level
          <select value={level} onChange={(e) => setLevel(e.target.value as (typeof LEVELS)[number])}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <fieldset>
            {paused ? (
              <button type="button" className="button" onClick={resume}>
                Resume{queued > 0 ? ` (${queued} new)` : ""}
              </button>
            ) : (
              <button type="button" className="button" onClick={pause}>
                Pause
              </button>
            )}
            <button type="button" className="button" onClick={clear}>
              Clear
            </button>
            <button type="button" className="button" onClick={onStop}>
              Stop watching
            </button>
            {status.state === "ended" ? (
              <button type="button" className="button" onClick={() => setGeneration((g) => g + 1)}>
                Reconnect
              </button>
            ) : null}
          </fieldset>
        </div>
      </search>
      <p className={status.state === "ended" ? "note" : "muted"} role="status" data-log-state={status.state}>
        {status.message}
      </p>
      <ol
        ref={view}
        // A scrollable region must take keyboard focus, or keyboard users cannot scroll back (WCAG 2.1.1).
        // biome-ignore lint/a11y/noNoninteractiveTabindex: see above.
        tabIndex={0}
        className="events log-lines"
        aria-label={`${role} log`}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {lines.map((line) => (
          <li
            key={line.seq}
            className={`level-${line.level}${line.marker ? " note" : ""}`}
            data-level={line.level}
          >
            {line.ts ? <time dateTime={line.ts}>{line.ts.slice(11, 23)} </time> : null}
            {line.text}
          </li>
        ))}
      </ol>
    </>
  );
}
