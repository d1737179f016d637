// GraphQL documents of the executor screens: one executor with what its detail page shows (capabilities,
// resources, hosted nodes, recent events, the key it last synced with) and its deletion.
import type { ChainCapability, ExecutorRow } from "./documents.ts";
import type { TimelineEvent } from "./events.ts";
import { graphql } from "./graphql.ts";

export interface ExecutorResources {
  cpuCores?: number;
  memoryBytes?: number;
  diskTotalBytes?: number;
  diskAvailableBytes?: number;
  os?: string;
  arch?: string;
}

export interface ExecutorDetail extends Omit<ExecutorRow, "capabilities"> {
  capabilities: {
    supportedChains?: ChainCapability[];
    features?: string[];
    storageClasses?: string[];
  };
  resources: ExecutorResources | null;
  publicHost: string | null;
  pendingUpgrade: { targetVersion?: string } | null;
  createdAt: string;
  lastUsedKey: { id: string; name: string; start: string; status: string } | null;
  nodes: { id: string; name: string; phase: string; spec: { chain: string; network: string } }[];
}

export const EXECUTOR = graphql<{ executor: ExecutorDetail | null; events: TimelineEvent[] }, { id: string }>(
  `query Executor($id: ID!) {
    executor(where: { id: $id }) {
      id name kind status currentVersion channel compat lastSyncAt capabilities resources publicHost
      pendingUpgrade createdAt
      lastUsedKey { id name start status }
      nodes { id name phase spec }
    }
    events(filter: { executorId: $id, take: 20 }) {
      id type level message createdAt executorName nodeId nodeName
    }
  }`,
);

export const DELETE_EXECUTOR = graphql<{ deleteExecutor: { id: string } }, { id: string }>(
  "mutation DeleteExecutor($id: ID!) { deleteExecutor(where: { id: $id }) { id } }",
);

/** The compatibility window (protocol/compat.ts) in words a person reads. */
export const COMPAT_LABEL: Record<string, string> = {
  "in-window": "supported",
  deprecated: "deprecated",
  "out-of-support": "out of support",
};
