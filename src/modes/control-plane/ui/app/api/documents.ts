// Every GraphQL document the UI sends, with the shape of its answer. Field lists stay small: a nodes page
// asks only for what a row shows (the API's cost budget admits a page of 500 with every field).
import { graphql } from "./graphql.ts";

export type Role = "owner" | "admin" | "member";

export interface Viewer {
  me: { id: string; name: string; email: string; role: Role | null; systemAdmin: boolean } | null;
  organization: { id: string; name: string; slug: string } | null;
}
export const VIEWER = graphql<Viewer>(
  "query Viewer { me { id name email role systemAdmin } organization { id name slug } }",
);

export interface NodeMetrics {
  blockHeight?: number;
  networkHeight?: number;
  syncPercent?: number;
  syncing?: boolean;
  peers?: number;
  lastBlockAt?: string;
}
export interface Observed {
  revision: number;
  processes: { role: string; status: string; message?: string; restarts?: number; peers?: number }[];
  metrics?: NodeMetrics;
}
export interface Spec {
  chain: string;
  network: string;
  nodeType: string;
  clients: Record<string, { name: string; version: string }>;
  ports?: Record<string, number>;
  settings?: Record<string, string | number | boolean>;
  desiredState: "running" | "stopped";
  [key: string]: unknown;
}

export interface NodeRow {
  id: string;
  name: string;
  executorId: string;
  phase: string;
  drifted: boolean;
  observedStale: boolean;
  spec: Spec;
}
export interface NodeEvent {
  id: string;
  type: string;
  level: "info" | "warn" | "error";
  message: string;
  createdAt: string;
}
export interface NodeDetail extends NodeRow {
  revision: number;
  observedRevision: number | null;
  desiredState: "running" | "stopped";
  observed: Observed | null;
  observedAt: string | null;
  deletedAt: string | null;
  createdAt: string;
  executor: { id: string; name: string; status: "online" | "offline"; publicHost: string | null } | null;
}
export const NODE = graphql<{ node: NodeDetail | null; events: NodeEvent[] }, { id: string }>(
  `query Node($id: ID!) {
    node(where: { id: $id }) {
      id name executorId phase drifted observedStale spec revision observedRevision desiredState
      observed observedAt deletedAt createdAt
      executor { id name status publicHost }
    }
    events(filter: { nodeId: $id, take: 20 }) { id type level message createdAt }
  }`,
);

export type LifecycleAction = "start" | "stop" | "restart";
export const NODE_LIFECYCLE = graphql<
  { requestNodeLifecycleAction: { id: string; revision: number } },
  { id: string; action: LifecycleAction }
>(
  `mutation NodeLifecycle($id: ID!, $action: NodeLifecycleAction!) {
    requestNodeLifecycleAction(id: $id, action: $action) { id revision }
  }`,
);
export const DELETE_NODE = graphql<{ deleteNode: { id: string } }, { id: string }>(
  "mutation DeleteNode($id: ID!) { deleteNode(where: { id: $id }) { id } }",
);
export const CREATE_NODE = graphql<
  { createNode: { id: string } },
  { data: { executorId: string; name?: string; spec: Record<string, unknown> } }
>("mutation CreateNode($data: NodeCreateInput!) { createNode(data: $data) { id } }");

export interface ClientCapability {
  name: string;
  versions: string[];
}
export interface ChainCapability {
  chain: string;
  networks: string[];
  nodeTypes: string[];
  roles: { role: string; clients: ClientCapability[] }[];
}
export interface ExecutorRow {
  id: string;
  name: string;
  kind: "agent" | "operator";
  status: "online" | "offline";
  currentVersion: string;
  channel: string;
  compat: string;
  lastSyncAt: string;
  capabilities: { supportedChains?: ChainCapability[] };
}
export const EXECUTORS = graphql<{ executors: ExecutorRow[] }>(
  `query Executors {
    executors(orderBy: { name: asc }, take: 500) {
      id name kind status currentVersion channel compat lastSyncAt capabilities
    }
  }`,
);

export interface ConnectedExecutor {
  key: string;
  name: string;
  kind: "agent" | "operator";
  channel: string;
  installCommand: string;
}
export const CONNECT_EXECUTOR = graphql<
  { connectExecutor: ConnectedExecutor },
  { input: { kind: "agent" | "operator"; name: string; channel: "stable" | "beta" } }
>(
  `mutation ConnectExecutor($input: ConnectExecutorInput!) {
    connectExecutor(input: $input) { key name kind channel installCommand }
  }`,
);
