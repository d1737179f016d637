// One timeline of events, newest first: time, level, type, message, the executor, and a link to the node
// it concerns.
// Used by the events screen and the executor detail page.
import { Link } from "@tanstack/react-router";
import type { TimelineEvent } from "../api/events.ts";
import { formatTime } from "./ui.tsx";

export function EventList({ events, label }: { events: TimelineEvent[]; label: string }) {
  return (
    <ol className="events" aria-label={label}>
      {events.map((e) => (
        <li key={e.id} className={`level-${e.level}`}>
          <time dateTime={e.createdAt}>{formatTime(e.createdAt)}</time>{" "}
          <span className="sr-only">level </span>
          <strong>{e.level}</strong> <code>{e.type}</code> {e.message}
          {e.executorName ? <span className="muted"> · {e.executorName}</span> : null}
          {e.nodeId && e.nodeName ? (
            <>
              {" "}
              ·{" "}
              <Link to="/nodes/$nodeId" params={{ nodeId: e.nodeId }}>
                {e.nodeName}
              </Link>
            </>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
