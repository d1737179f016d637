// Incidents: the history of alert incidents, newest first, filtered by open/resolved (kept in the URL),
// 100 at a time with "Older" paging; live while open.
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { describeError, request } from "../api/graphql.ts";
import { INCIDENTS } from "../api/notifications.ts";
import { IncidentBadge } from "../components/bell.tsx";
import { EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";

const PAGE = 100;

export interface IncidentsSearch {
  status?: "open" | "resolved";
  cursor?: string;
}

export function parseIncidentsSearch(search: Record<string, unknown>): IncidentsSearch {
  const out: IncidentsSearch = {};
  if (search.status === "open" || search.status === "resolved") out.status = search.status;
  if (typeof search.cursor === "string" && search.cursor) out.cursor = search.cursor;
  return out;
}

export function IncidentsScreen() {
  const search = useSearch({ from: "/signed-in/incidents" });
  const navigate = useNavigate();
  const query = useQuery({
    queryKey: ["incidents", search],
    queryFn: () =>
      request(INCIDENTS, { status: search.status ?? null, cursor: search.cursor ?? null, take: PAGE }),
    placeholderData: (previous) => previous,
  });
  const rows = query.data?.notificationIncidents ?? [];
  const show = (status?: "open" | "resolved") =>
    navigate({ to: "/incidents", search: status ? { status } : {}, replace: true });
  return (
    <section aria-labelledby="incidents-title">
      <header className="page-header">
        <h1 id="incidents-title">Incidents</h1>
        <Link to="/settings/notifications">Notification settings</Link>
      </header>
      <fieldset className="filters">
        <legend>Status</legend>
        {(["all", "open", "resolved"] as const).map((s) => (
          <label key={s}>
            <input
              type="radio"
              name="incident-status"
              checked={(search.status ?? "all") === s}
              onChange={() => show(s === "all" ? undefined : s)}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && rows.length === 0 ? <EmptyState>No incidents here.</EmptyState> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Rule</th>
              <th scope="col">Subject</th>
              <th scope="col">Message</th>
              <th scope="col">Opened</th>
              <th scope="col">Resolved</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <tr key={i.id}>
                <td>
                  <IncidentBadge status={i.status} />
                </td>
                <td>{i.rule}</td>
                <td>
                  {i.subjectKind === "node" ? (
                    <Link to="/nodes/$nodeId" params={{ nodeId: i.subjectKey }}>
                      {i.subjectName}
                    </Link>
                  ) : (
                    `${i.subjectName} (${i.subjectKind})`
                  )}
                </td>
                <td>{i.message}</td>
                <td>{formatTime(i.openedAt)}</td>
                <td>{formatTime(i.resolvedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <nav aria-label="Pages" className="pager">
        {search.cursor ? (
          <button
            type="button"
            onClick={() => navigate({ to: "/incidents", search: { status: search.status } })}
          >
            Newest
          </button>
        ) : null}
        {rows.length === PAGE ? (
          <button
            type="button"
            onClick={() => navigate({ to: "/incidents", search: { ...search, cursor: rows.at(-1)!.id } })}
          >
            Older
          </button>
        ) : null}
      </nav>
    </section>
  );
}
