// The bell of the top bar: how many incidents are open, and on click the latest 10 with a link to the
// incidents screen. Polled while the app is open; closes on Escape or a click elsewhere.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { notificationCenterQuery } from "../api/notifications.ts";
import { formatTime } from "./ui.tsx";

export function IncidentBadge({ status }: { status: "open" | "resolved" }) {
  return <span className={`badge tone-${status === "open" ? "bad" : "good"}`}>{status}</span>;
}

export function Bell() {
  const center = useQuery(notificationCenterQuery).data?.notificationCenter;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (
        event instanceof KeyboardEvent ? event.key === "Escape" : !box.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener("keydown", close);
    document.addEventListener("mousedown", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("mousedown", close);
    };
  }, [open]);
  const count = center?.openCount ?? 0;
  return (
    <div className="bell" ref={box}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Alerts: ${count} open`}
        onClick={() => setOpen((o) => !o)}
      >
        <svg
          aria-hidden="true"
          width="16"
          height="16"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>{" "}
        {count > 0 ? <strong className="bell-count">{count}</strong> : null}
      </button>
      {open ? (
        <section id={panelId} aria-label="Latest alerts" className="bell-panel">
          <p>
            <strong>{count}</strong> open
          </p>
          {center && center.latest.length > 0 ? (
            <ul className="bell-list">
              {center.latest.map((i) => (
                <li key={i.id}>
                  <IncidentBadge status={i.status} /> {i.message}
                  <br />
                  <small className="muted">
                    {i.rule} · {formatTime(i.status === "open" ? i.openedAt : i.resolvedAt)}
                  </small>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No alerts yet.</p>
          )}
          <Link to="/incidents" search={{}} onClick={() => setOpen(false)}>
            All incidents
          </Link>
        </section>
      ) : null}
    </div>
  );
}
