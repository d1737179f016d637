// GraphQL documents of the nodes list: a page with every filter applied by the server (phase included,
// over the whole organization), and the bulk lifecycle action on the selected rows.
import type { LifecycleAction, NodeRow } from "./documents.ts";
import { graphql } from "./graphql.ts";

export interface NodesListVariables {
  where: {
    name?: { contains: string };
    chain?: string;
    executorId?: string;
    phase?: string;
  };
  orderBy: { name?: "asc" | "desc"; createdAt?: "asc" | "desc" };
  take: number;
  skip: number;
}

export const NODES_LIST = graphql<{ nodes: NodeRow[] }, NodesListVariables>(
  `query NodesList($where: NodeWhereInput, $orderBy: NameOrderInput, $take: Int, $skip: Int) {
    nodes(where: $where, orderBy: $orderBy, take: $take, skip: $skip) {
      id name executorId phase drifted observedStale spec
    }
  }`,
);

export const NODES_LIFECYCLE = graphql<
  { requestNodesLifecycleAction: { id: string; desiredState: string }[] },
  { ids: string[]; action: LifecycleAction }
>(
  `mutation NodesLifecycle($ids: [ID!]!, $action: NodeLifecycleAction!) {
    requestNodesLifecycleAction(ids: $ids, action: $action) { id desiredState }
  }`,
);
