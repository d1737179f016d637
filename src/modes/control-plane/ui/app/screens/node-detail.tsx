// Node detail: phase, drift ("pending change" while the executor has not applied the latest revision),
// stale observations greyed out, metric tiles from the last observation, where to reach it (ports, RPC
// URL), recent events, the read-only configuration and the actions the person's role allows. Live while
// open: the block height rises without a reload.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { NODE, type NodeDetail } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { LIVE_MS } from "../api/queries.ts";
import { Badge, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import { NodeActions } from "./node-actions.tsx";
import { NodeConfiguration } from "./node-config.tsx";

function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="tile">
      <dt>{label}</dt>
      <dd data-metric={label}>{value}</dd>
      {hint ? <dd className="muted">{hint}</dd> : null}
    </div>
  );
}

function Metrics({ node }: { node: NodeDetail }) {
  const m = node.observed?.metrics ?? {};
  const peers = m.peers ?? node.observed?.processes.reduce((n, p) => n + (p.peers ?? 0), 0);
  const sync =
    m.syncPercent !== undefined
      ? `${m.syncPercent.toFixed(1)} %`
      : m.syncing === false
        ? "in sync"
        : m.syncing
          ? "syncing"
          : "—";
  return (
    <dl className={`tiles${node.observedStale ? " stale" : ""}`}>
      <Tile
        label="Block height"
        value={m.blockHeight?.toLocaleString("en-US") ?? "—"}
        hint={m.networkHeight ? `network ${m.networkHeight.toLocaleString("en-US")}` : undefined}
      />
      <Tile label="Peers" value={peers === undefined ? "—" : String(peers)} />
      <Tile label="Sync" value={sync} />
      <Tile label="Last block" value={formatTime(m.lastBlockAt)} />
    </dl>
  );
}

function Endpoints({ node }: { node: NodeDetail }) {
  const ports = Object.entries(node.spec.ports ?? {});
  if (ports.length === 0) return null;
  const host = node.executor?.publicHost ?? "127.0.0.1";
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      <ul className="plain">
        {ports.map(([name, port]) => (
          <li key={name}>
            {name === "rpc" ? "RPC URL " : `${name} port `}
            <code>{name === "rpc" ? `http://${host}:${port}` : port}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NodeDetailScreen() {
  const { nodeId } = useParams({ from: "/signed-in/nodes/$nodeId" });
  const query = useQuery({
    queryKey: ["node", nodeId],
    queryFn: () => request(NODE, { id: nodeId }),
    refetchInterval: LIVE_MS,
  });
  if (query.isPending) return <p aria-busy="true">Loading…</p>;
  if (query.isError) return <ErrorNote error={describeError(query.error)} />;
  const node = query.data.node;
  if (!node) {
    return (
      <EmptyState>
        This node does not exist in this organization (it may have been deleted) —{" "}
        <Link to="/nodes" search={{}}>
          back to Nodes
        </Link>
      </EmptyState>
    );
  }
  const events = query.data.events;
  const failing = (node.observed?.processes ?? []).filter((p) => p.message);
  return (
    <article aria-labelledby="node-title">
      <header className="page-header">
        <div>
          <p className="crumbs">
            <Link to="/nodes" search={{}}>
              Nodes
            </Link>{" "}
            /
          </p>
          <h1 id="node-title">{node.name}</h1>
          <p>
            <Badge value={node.phase} />{" "}
            {node.drifted ? (
              <span className="note" title="The executor has not applied the latest revision yet">
                pending change (revision {node.observedRevision ?? 0} of {node.revision})
              </span>
            ) : null}{" "}
            {node.observedStale ? (
              <span className="note">
                stale: executor {node.executor?.name ?? ""} is {node.executor?.status ?? "unknown"}; last
                report {formatTime(node.observedAt)}
              </span>
            ) : null}
          </p>
        </div>
        <NodeActions node={node} />
      </header>
      <Metrics node={node} />
      <p className="muted">
        {node.spec.chain} / {node.spec.network} · {node.spec.nodeType} · on{" "}
        {node.executor?.name ?? "an unknown executor"} · desired {node.desiredState} · revision{" "}
        {node.revision}
      </p>
      {failing.length > 0 ? (
        <ul className="plain">
          {failing.map((p) => (
            <li key={p.role} className="error">
              {p.role}: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      <Endpoints node={node} />
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {events.length === 0 ? (
          <EmptyState>No events for this node yet.</EmptyState>
        ) : (
          <ul className="events">
            {events.map((e) => (
              <li key={e.id} className={`level-${e.level}`}>
                <time dateTime={e.createdAt}>{formatTime(e.createdAt)}</time> <code>{e.type}</code>{" "}
                {e.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <NodeConfiguration node={node} />
    </article>
  );
}
