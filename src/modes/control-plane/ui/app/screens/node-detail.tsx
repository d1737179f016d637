// Node detail: the phase badge, "pending change" while the executor has not applied the latest revision, a
// warning when the observation is stale, the metric tiles with their charts (node-detail-metrics.tsx),
// where to reach the node (its ports and RPC URL, defaults included), then its sections (events,
// configuration, …) and the actions the person's role allows. Live without polling: the live layer
// (api/live.ts) merges every change of this node into the cached answer.
//
// Sections: each is a component taking the node (and its recent events); add one to SECTIONS to mount it.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import type { ReactNode } from "react";
import type { NodeEvent } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { type LiveNode, NODE_DETAIL, nodeDetailKey } from "../api/node-detail.ts";
import { Badge, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import { NodeActions } from "./node-actions.tsx";
import { NodeConfiguration } from "./node-config.tsx";
import { MetricTiles } from "./node-detail-metrics.tsx";
import { NodeLogs } from "./node-logs.tsx";

export interface NodeSectionProps {
  node: LiveNode;
  events: NodeEvent[];
}

function EventsSection({ events }: NodeSectionProps) {
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {events.length === 0 ? (
        <EmptyState>No events for this node yet.</EmptyState>
      ) : (
        <ul className="events">
          {events.map((e) => (
            <li key={e.id} className={`level-${e.level}`}>
              <time dateTime={e.createdAt}>{formatTime(e.createdAt)}</time> <code>{e.type}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The spec read-only, Edit configuration, and the revisions with their diffs and Roll back. */
function ConfigurationSection({ node }: NodeSectionProps) {
  return <NodeConfiguration node={node} />;
}

/** The page's sections, in order, below the tiles and endpoints. */
function LogsSection({ node }: NodeSectionProps) {
  return <NodeLogs nodeId={node.id} roles={Object.keys(node.spec.clients ?? {})} />;
}

const SECTIONS: ((props: NodeSectionProps) => ReactNode)[] = [
  LogsSection,
  EventsSection,
  ConfigurationSection,
];

function Status({ node }: { node: LiveNode }) {
  return (
    <p>
      <Badge value={node.phase} />{" "}
      {node.drifted ? (
        <span
          className="note"
          title="The executor has not applied the latest revision yet"
          data-pending={node.revision}
        >
          pending change (revision {node.observedRevision ?? 0} of {node.revision})
        </span>
      ) : null}
    </p>
  );
}

function StaleWarning({ node }: { node: LiveNode }) {
  if (!node.observedStale) return null;
  const executor = node.executor;
  const why =
    executor?.status === "offline"
      ? `executor ${executor.name} is offline`
      : `executor ${executor?.name ?? ""} has not reported this node for a while`;
  return (
    <p className="stale-warning" role="status">
      Stale: {why}; last report {formatTime(node.observedAt)}. The figures below may no longer be true.
    </p>
  );
}

/** Where a port comes from: the spec, the host's port plan (a default may have moved), or the default. */
function portSource(port: LiveNode["ports"][number]): string {
  if (port.explicit) return "set in the spec";
  return port.allocated ? "allocated on the host" : "default, until the host reports";
}

function Endpoints({ node }: { node: LiveNode }) {
  if (node.ports.length === 0) return null;
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      <ul className="plain">
        {node.rpcUrl ? (
          <li>
            RPC URL <code data-endpoint="rpc-url">{node.rpcUrl}</code>{" "}
            <span className="muted">(on {node.executor?.name ?? "the executor"}'s host)</span>
          </li>
        ) : null}
        {node.ports.map((p) => (
          <li key={p.name}>
            {p.name} port <code data-endpoint={`port-${p.name}`}>{p.port}</code>{" "}
            <span className="muted">{portSource(p)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NodeDetailScreen() {
  const { nodeId } = useParams({ from: "/signed-in/nodes/$nodeId" });
  const query = useQuery({
    queryKey: nodeDetailKey(nodeId),
    queryFn: () => request(NODE_DETAIL, { id: nodeId }),
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
          <Status node={node} />
        </div>
        <NodeActions node={node} />
      </header>
      <StaleWarning node={node} />
      <MetricTiles node={node} />
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
      {SECTIONS.map((Section, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed at build time
        <Section key={i} node={node} events={query.data.events} />
      ))}
    </article>
  );
}
