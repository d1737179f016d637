// Executors: every agent or operator of the organization with its status, version and compatibility
// window, live while open, each linking to its detail page; owners and admins connect a new one here.
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { COMPAT_LABEL } from "../api/executors.ts";
import { describeError } from "../api/graphql.ts";
import { executorsQuery, useCanManage } from "../api/queries.ts";
import { Badge, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import { ConnectExecutorDialog } from "./connect-executor.tsx";

export function ExecutorsScreen() {
  const canManage = useCanManage();
  const query = useQuery(executorsQuery);
  const [connecting, setConnecting] = useState(false);
  const executors = query.data?.executors ?? [];
  const connect = (
    <button type="button" className="primary" onClick={() => setConnecting(true)}>
      Connect executor
    </button>
  );
  return (
    <section aria-labelledby="executors-title">
      <header className="page-header">
        <h1 id="executors-title">Executors</h1>
        {canManage ? connect : null}
      </header>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && executors.length === 0 ? (
        <EmptyState>
          {canManage ? (
            <>No executors yet — Connect executor to run nodes on a machine or cluster you own.</>
          ) : (
            <>No executors yet — an owner or admin of this organization connects them.</>
          )}
        </EmptyState>
      ) : null}
      {executors.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Support</th>
              <th scope="col">Channel</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {executors.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link to="/executors/$executorId" params={{ executorId: e.id }}>
                    {e.name}
                  </Link>
                </td>
                <td>{e.kind}</td>
                <td>
                  <Badge value={e.status} />
                </td>
                <td>{e.currentVersion}</td>
                <td>
                  <CompatBadge compat={e.compat} />
                </td>
                <td>{e.channel}</td>
                <td>{formatTime(e.lastSyncAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ConnectExecutorDialog open={connecting} onClose={() => setConnecting(false)} />
    </section>
  );
}

/** The compatibility window as a badge: supported, deprecated (works, upgrade soon), out of support. */
export function CompatBadge({ compat }: { compat: string }) {
  const tone = compat === "in-window" ? "good" : compat === "deprecated" ? "warn" : "bad";
  return <span className={`badge tone-${tone}`}>{COMPAT_LABEL[compat] ?? compat}</span>;
}
