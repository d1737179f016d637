// The admin console's cross-organization audit: every organization's rows and the platform's, newest
// first, filtered by actor, paged forward by cursor and back through the cursors already visited.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ADMIN_AUDIT, type OrganizationOverview } from "../api/admin.ts";
import { describeError, request } from "../api/graphql.ts";
import { EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";

const PAGE = 50;

export function AdminAudit({ organizations }: { organizations: OrganizationOverview[] }) {
  const [actor, setActor] = useState("");
  // The cursors of the pages above the one shown (empty: the newest page).
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = useQuery({
    queryKey: ["admin", "audit", actor, cursor],
    queryFn: () =>
      request(ADMIN_AUDIT, {
        filter: { allOrganizations: true, actor: actor || undefined, cursor, take: PAGE },
      }),
    placeholderData: (previous) => previous,
  });
  const orgName = new Map(organizations.map((o) => [o.organization.id, o.organization.name]));
  const page = query.data?.auditActions;
  const rows = page?.nodes ?? [];
  return (
    <section aria-labelledby="admin-audit-title">
      <h2 id="admin-audit-title">Audit, every organization</h2>
      <search className="filters">
        <label>
          Actor
          <input
            type="search"
            value={actor}
            placeholder="Name or email"
            onChange={(e) => {
              setActor(e.target.value);
              setCursors([]);
            }}
          />
        </label>
      </search>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && rows.length === 0 ? <EmptyState>No audit rows match.</EmptyState> : null}
      {rows.length > 0 ? (
        <table aria-labelledby="admin-audit-title" className="wrap">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Organization</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{formatTime(r.createdAt)}</td>
                <td>{r.organizationId ? (orgName.get(r.organizationId) ?? r.organizationId) : "platform"}</td>
                <td>
                  {r.actor.name} <span className="muted">{r.actor.email}</span>
                </td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>
                  {r.target.kind} {r.target.name ?? r.target.id ?? ""}
                </td>
                <td>{r.source ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursors.length > 0 || page?.pageInfo.hasNextPage ? (
        <nav className="pager" aria-label="Audit pages">
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer rows
          </button>
          <button
            type="button"
            disabled={!page?.pageInfo.hasNextPage || !page.pageInfo.endCursor}
            onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
          >
            Older rows
          </button>
        </nav>
      ) : null}
    </section>
  );
}
