// Events: the organization's timeline (control-plane and runtime events, reference §13), newest first,
// filtered by executor, node, level and type, and paged by cursor in both directions. Filters and the
// cursor live in the URL, so a page of the timeline can be shared. The newest page stays live; an older
// page holds still while it is read.
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect } from "react";
import { EVENT_TYPES } from "../../../../../protocol/events.ts";
import { EVENTS, type EventsVariables } from "../api/events.ts";
import { describeError, request } from "../api/graphql.ts";
import { executorsQuery } from "../api/queries.ts";
import { EventList } from "../components/event-list.tsx";
import { EmptyState, ErrorNote } from "../components/ui.tsx";
import { FilterSelect } from "./nodes-list.tsx";

export const EVENTS_PAGE = 100;
const LEVELS = ["info", "warn", "error"];

export interface EventsSearch {
  executor?: string;
  node?: string;
  level?: string;
  type?: string;
  /** An event id: the page shown is the one just `dir` of it. */
  cursor?: string;
  dir?: "older" | "newer";
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);

export function parseEventsSearch(search: Record<string, unknown>): EventsSearch {
  const cursor = text(search.cursor);
  const parsed: EventsSearch = {
    executor: text(search.executor),
    node: text(search.node),
    level: LEVELS.includes(String(search.level)) ? String(search.level) : undefined,
    type: text(search.type),
    cursor,
    dir: cursor ? (search.dir === "newer" ? "newer" : "older") : undefined,
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as EventsSearch;
}

function variables(search: EventsSearch): EventsVariables {
  return {
    filter: {
      executorName: search.executor,
      nodeName: search.node,
      level: search.level,
      type: search.type,
      cursor: search.cursor,
      direction: search.dir,
      take: EVENTS_PAGE,
    },
  };
}

export function EventsScreen() {
  const search = useSearch({ from: "/signed-in/events" });
  const navigate = useNavigate();
  const executors = useQuery(executorsQuery).data?.executors ?? [];
  const latest = !search.cursor;
  const query = useQuery({
    queryKey: ["events", search],
    queryFn: () => request(EVENTS, variables(search)),
    placeholderData: (previous) => previous,
  });
  const go = (next: EventsSearch, replace = false) =>
    navigate({ to: "/events", search: parseEventsSearch({ ...next }), replace });
  const filter = (change: Partial<EventsSearch>) =>
    go({ ...search, cursor: undefined, dir: undefined, ...change }, true);

  const events = query.data?.events ?? [];
  const settled = query.isSuccess && !query.isPlaceholderData;
  const reachedTop = settled && search.dir === "newer" && events.length < EVENTS_PAGE;
  useEffect(() => {
    // Paging up came back short: that is the top, so show the latest page (live again) instead.
    if (reachedTop)
      void navigate({
        to: "/events",
        search: { ...search, cursor: undefined, dir: undefined },
        replace: true,
      });
  }, [reachedTop, navigate, search]);
  // Older events exist below a full page; after paging up, the page we came from is below.
  const hasOlder = events.length > 0 && (events.length === EVENTS_PAGE || search.dir === "newer");
  const hasNewer = !latest && events.length > 0;
  const filtered = !!(search.executor || search.node || search.level || search.type);
  const executorNames = [...new Set([...executors.map((e) => e.name), search.executor ?? ""])]
    .filter(Boolean)
    .sort();

  return (
    <section aria-labelledby="events-title">
      <header className="page-header">
        <h1 id="events-title">Events</h1>
      </header>
      <search className="filters">
        <FilterSelect
          id="events-executor"
          label="Executor"
          allLabel="All executors"
          value={search.executor}
          options={executorNames.map((name) => ({ value: name, label: name }))}
          onChange={(executor) => filter({ executor })}
        />
        <label>
          Node name
          <input
            type="search"
            value={search.node ?? ""}
            placeholder="Exact node name"
            onChange={(e) => filter({ node: e.target.value })}
          />
        </label>
        <FilterSelect
          id="events-level"
          label="Level"
          allLabel="All levels"
          value={search.level}
          options={LEVELS.map((l) => ({ value: l, label: l }))}
          onChange={(level) => filter({ level })}
        />
        <FilterSelect
          id="events-type"
          label="Type"
          allLabel="All types"
          value={search.type}
          options={EVENT_TYPES.map((t) => ({ value: t, label: t }))}
          onChange={(type) => filter({ type })}
        />
        {filtered ? (
          <button type="button" onClick={() => go({}, true)}>
            Clear all
          </button>
        ) : null}
      </search>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && events.length === 0 ? (
        !latest ? (
          <EmptyState>
            No more events this way —{" "}
            <Link to="/events" search={{ ...search, cursor: undefined, dir: undefined }}>
              Latest events
            </Link>
          </EmptyState>
        ) : filtered ? (
          <EmptyState>
            No event matches these filters —{" "}
            <Link to="/events" search={{}}>
              Clear all
            </Link>
          </EmptyState>
        ) : (
          <EmptyState>
            No events yet — they appear when an executor connects or a node is deployed (
            <Link to="/executors">Executors</Link>).
          </EmptyState>
        )
      ) : null}
      {events.length > 0 ? <EventList events={events} label="Events, newest first" /> : null}
      {hasOlder || hasNewer ? (
        <nav className="pager" aria-label="Event pages">
          <button
            type="button"
            disabled={!hasNewer}
            onClick={() => go({ ...search, cursor: events[0]?.id, dir: "newer" })}
          >
            Newer events
          </button>
          {!latest ? (
            <Link to="/events" search={{ ...search, cursor: undefined, dir: undefined }}>
              Latest
            </Link>
          ) : null}
          <button
            type="button"
            disabled={!hasOlder}
            onClick={() => go({ ...search, cursor: events.at(-1)?.id, dir: "older" })}
          >
            Older events
          </button>
        </nav>
      ) : null}
    </section>
  );
}
