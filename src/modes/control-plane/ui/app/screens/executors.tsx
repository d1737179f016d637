// Executors: every agent or operator of the organization with its status, version and compatibility,
// live while open; owners and admins connect a new one from here.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
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
              <th scope="col">Channel</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {executors.map((e) => (
              <tr key={e.id}>
                <td>{e.name}</td>
                <td>{e.kind}</td>
                <td>
                  <Badge value={e.status} />
                  {e.compat !== "in-window" ? <span className="note"> {e.compat}</span> : null}
                </td>
                <td>{e.currentVersion}</td>
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
