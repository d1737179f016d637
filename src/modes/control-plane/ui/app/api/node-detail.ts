// The node detail page's documents: the node with everything its tiles, badges and endpoints show, plus
// its recent events. NODE_FIELDS is also what a live change carries (api/live.ts), so an update merged
// into the cache has exactly the fields the page reads.
import type { NodeDetail, NodeEvent } from "./documents.ts";
import { graphql } from "./graphql.ts";

export interface NodePort {
  name: string;
  port: number;
  explicit: boolean;
  /** The executor reported it gave the node this port on its host. */
  allocated: boolean;
}

/** A node as node detail shows it (and as the live stream sends it). */
export interface LiveNode extends NodeDetail {
  ports: NodePort[];
  rpcUrl: string | null;
}

export const NODE_FIELDS = `id name executorId phase drifted observedStale spec revision observedRevision desiredState
      observed observedAt deletedAt createdAt
      executor { id name status publicHost }
      ports { name port explicit allocated } rpcUrl`;

export const NODE_DETAIL = graphql<{ node: LiveNode | null; events: NodeEvent[] }, { id: string }>(
  `query NodeDetail($id: ID!) {
    node(where: { id: $id }) { ${NODE_FIELDS} }
    events(filter: { nodeId: $id, take: 20 }) { id type level message createdAt }
  }`,
);

/** The cache key of a node's detail page (mutations that change a node invalidate it). */
export const nodeDetailKey = (id: string) => ["node", id] as const;
