// Account → Active sessions (address, browser, created, last active, the current one marked, sessions a
// system admin opened as you flagged; Revoke one or Sign out everywhere else) and My recent activity (the
// person's own audit rows, newest first; no CSV here).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { describeError, request } from "../api/graphql.ts";
import {
  AUDIT_ACTIONS,
  REVOKE_OTHER_SESSIONS,
  REVOKE_SESSION,
  SESSIONS,
  type SessionRow,
} from "../api/tenancy.ts";
import { EmptyState, ErrorNote, formatTime, relativeTime } from "../components/ui.tsx";

export function Sessions() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ["sessions"], queryFn: () => request(SESSIONS) });
  // Ending a session is recorded in the audit log: My recent activity below shows it at once.
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["sessions"] });
    void queryClient.invalidateQueries({ queryKey: ["audit"] });
  };
  const others = useMutation({ mutationFn: () => request(REVOKE_OTHER_SESSIONS), onSuccess: refresh });
  const sessions = query.data?.sessions ?? [];
  const hasOthers = sessions.some((s) => !s.current);
  return (
    <section aria-labelledby="sessions-title">
      <div className="page-header">
        <h2 id="sessions-title">Active sessions</h2>
        {hasOthers ? (
          <button type="button" disabled={others.isPending} onClick={() => others.mutate()}>
            Sign out everywhere else
          </button>
        ) : null}
      </div>
      <ErrorNote error={(query.error ?? others.error) ? describeError(query.error ?? others.error) : null} />
      {others.isSuccess ? <p role="status">{others.data.revokeOtherSessions} other sessions ended.</p> : null}
      {sessions.length > 0 ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Created</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <SessionLine key={s.id} session={s} onRevoked={refresh} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function SessionLine({ session, onRevoked }: { session: SessionRow; onRevoked: () => void }) {
  const revoke = useMutation({
    mutationFn: () => request(REVOKE_SESSION, { id: session.id }),
    onSuccess: onRevoked,
  });
  return (
    <tr>
      <td className="wrap">
        {session.userAgent ?? "unknown browser"}
        {session.impersonatedBy ? (
          <span className="note"> opened by a system administrator as you</span>
        ) : null}
      </td>
      <td>{session.ipAddress ?? "—"}</td>
      <td>{formatTime(session.createdAt)}</td>
      <td title={formatTime(session.lastActiveAt)}>{relativeTime(session.lastActiveAt)}</td>
      <td>
        {session.current ? (
          <strong>This session</strong>
        ) : (
          <>
            <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
              Revoke
            </button>
            <ErrorNote error={revoke.error ? describeError(revoke.error) : null} />
          </>
        )}
      </td>
    </tr>
  );
}

export function RecentActivity() {
  const query = useQuery({
    queryKey: ["audit", "mine"],
    queryFn: () => request(AUDIT_ACTIONS, { filter: { mine: true, take: 20 } }),
  });
  const rows = query.data?.auditActions?.nodes ?? [];
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">My recent activity</h2>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && rows.length === 0 ? (
        <EmptyState>
          Nothing recorded yet in this organization — what you change here (keys, nodes, members) shows up in
          this list and in the <Link to="/audit">Audit log</Link>.
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <ul className="events">
          {rows.map((r) => (
            <li key={r.id}>
              <time dateTime={r.createdAt}>{formatTime(r.createdAt)}</time> · <code>{r.action}</code>
              {r.target.name ? ` · ${r.target.kind} ${r.target.name}` : ` · ${r.target.kind}`}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
