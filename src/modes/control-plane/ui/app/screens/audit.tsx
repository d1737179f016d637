// Audit log (reference §15): who did what to which target, newest first, with filters kept in the URL
// (action multi-select, actor name or email, target kind and id, a date range), cursor pages ("Load
// older"), and Export CSV of the same filter (the server streams it: audit/routes.ts). What each person
// sees follows their role (owner everything, admin not the owner's rows, member their own).
import { useInfiniteQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { describeError, request } from "../api/graphql.ts";
import { AUDIT_ACTIONS } from "../api/tenancy.ts";
import { EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import {
  AUDIT_ACTION_NAMES,
  type AuditSearch,
  auditFilter,
  exportHref,
  parseAuditSearch,
  selectedActions,
  TARGET_KINDS,
} from "./audit-filters.ts";

const PAGE = 50;

export function AuditScreen() {
  const search = useSearch({ from: "/signed-in/audit" });
  const navigate = useNavigate();
  const set = (change: Partial<AuditSearch>) =>
    navigate({ to: "/audit", search: parseAuditSearch({ ...search, ...change }), replace: true });
  const pages = useInfiniteQuery({
    queryKey: ["audit", search],
    queryFn: ({ pageParam }) =>
      request(AUDIT_ACTIONS, { filter: { ...auditFilter(search), cursor: pageParam, take: PAGE } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) =>
      last.auditActions?.pageInfo.hasNextPage ? last.auditActions.pageInfo.endCursor : undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.auditActions?.nodes ?? []) ?? [];
  const filtered = Object.keys(search).length > 0;
  const actions = selectedActions(search);
  return (
    <section aria-labelledby="audit-title">
      <header className="page-header">
        <h1 id="audit-title">Audit log</h1>
        <a className="button" href={exportHref(search)} download>
          Export CSV
        </a>
      </header>
      <search className="filters audit-filters">
        <label>
          Actions
          <select
            multiple
            size={5}
            value={actions}
            onChange={(e) => set({ actions: [...e.target.selectedOptions].map((o) => o.value).join(",") })}
            aria-describedby="actions-hint"
          >
            {AUDIT_ACTION_NAMES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <span id="actions-hint" className="muted hint">
            Ctrl or ⌘ to pick several
          </span>
        </label>
        <label>
          Actor
          <input
            type="search"
            value={search.actor ?? ""}
            placeholder="Name or email"
            onChange={(e) => set({ actor: e.target.value })}
          />
        </label>
        <label>
          Target kind
          <select value={search.targetKind ?? ""} onChange={(e) => set({ targetKind: e.target.value })}>
            <option value="">Any target</option>
            {TARGET_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target ID
          <input value={search.targetId ?? ""} onChange={(e) => set({ targetId: e.target.value })} />
        </label>
        <label>
          From
          <input type="date" value={search.from ?? ""} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={search.to ?? ""} onChange={(e) => set({ to: e.target.value })} />
        </label>
        {filtered ? (
          <button type="button" onClick={() => navigate({ to: "/audit", search: {}, replace: true })}>
            Clear all
          </button>
        ) : null}
      </search>
      <ErrorNote error={pages.error ? describeError(pages.error) : null} />
      {search.from && search.to && search.from > search.to ? (
        <p className="error" role="alert">
          From: pick a day on or before To.
        </p>
      ) : null}
      {pages.isSuccess && rows.length === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              No audit rows match these filters —{" "}
              <button
                type="button"
                className="link"
                onClick={() => navigate({ to: "/audit", search: {}, replace: true })}
              >
                Clear all
              </button>
            </>
          ) : (
            <>
              Nothing recorded yet — changes to keys, nodes, members and settings appear here as they happen.
            </>
          )}
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <div className="table-scroll">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>
                    {r.actor.name}
                    <br />
                    <span className="muted">{r.actor.email}</span>
                  </td>
                  <td>
                    <code>{r.action}</code>
                    {r.outcome !== "success" ? <span className="note"> {r.outcome}</span> : null}
                  </td>
                  <td>
                    {r.target.kind}
                    {r.target.name ? ` ${r.target.name}` : ""}
                    {r.target.id ? (
                      <>
                        <br />
                        <code className="muted">{r.target.id}</code>
                      </>
                    ) : null}
                  </td>
                  <td className="wrap">
                    <code>{Object.keys(r.details).length > 0 ? JSON.stringify(r.details) : "—"}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages.hasNextPage ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={pages.isFetchingNextPage} onClick={() => pages.fetchNextPage()}>
            Load older
          </button>
          <span className="muted">{rows.length} rows shown</span>
        </nav>
      ) : null}
    </section>
  );
}
