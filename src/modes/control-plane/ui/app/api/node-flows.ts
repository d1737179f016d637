// The GraphQL documents of the deploy wizard, Edit configuration and Revisions, with the shapes of their
// answers. test/ui/documents.test.ts validates each against the server's schema.
import type { ChainCapability, Spec } from "./documents.ts";
import { graphql } from "./graphql.ts";

export interface FieldError {
  path: string;
  message: string;
}

/** A deploy input: what createNode and checkNode take. */
export interface NodeInput {
  executorId: string;
  name?: string;
  spec: Record<string, unknown>;
}

export const CHECK_NODE = graphql<
  { checkNode: { ok: boolean; code: string | null; message: string | null; errors: FieldError[] } },
  { data: NodeInput }
>(
  `query CheckNode($data: NodeCreateInput!) {
    checkNode(data: $data) { ok code message errors { path message } }
  }`,
);

export interface IntSettingHint {
  default: number;
  min: number;
  max: number;
  description: string;
}
export interface FormHints {
  settings: Record<string, IntSettingHint>;
  ports: Record<string, number>;
}
export const CHAIN_FORM_HINTS = graphql<{ chainFormHints: FormHints | null }, { chain: string }>(
  "query ChainFormHints($chain: String!) { chainFormHints(chain: $chain) { settings ports } }",
);

/** The full capability of a chain as an executor reports it (the list screens need less of it). */
export interface ChainOffer extends Omit<ChainCapability, "roles"> {
  roles: {
    role: string;
    /** versionConstraints: network → range, e.g. { hoodi: ">=1.15.0" }. */
    clients: { name: string; versions: string[]; versionConstraints?: Record<string, string> }[];
  }[];
  defaults: Record<string, { cpu: string; memory: string; storage: { data: string } }>;
  configOverrideSchema: {
    files: Record<
      string,
      { managedPaths: string[]; knownKeys: Record<string, { type: string; description: string }> }
    >;
    args: Record<string, { managedFlags: string[]; knownFlags: Record<string, { description: string }> }>;
  };
}
export interface ExecutorOffer {
  id: string;
  name: string;
  kind: "agent" | "operator";
  status: "online" | "offline";
  capabilities: { supportedChains?: ChainOffer[]; storageClasses?: string[] };
}

export interface Revision {
  revision: number;
  spec: Spec;
  summary: string;
  authorName: string | null;
  createdAt: string;
  /** The client version change the revision made, and what its executor made of it. */
  clientUpgrade: { outcome: "pending" | "succeeded" | "reverted"; reason: string | null } | null;
}
export interface NodeConfig {
  id: string;
  name: string;
  revision: number;
  spec: Spec;
  deletedAt: string | null;
  executor: ExecutorOffer | null;
  /** Newest first; a page of the history (recentRevisions). */
  recentRevisions: Revision[];
}
export const NODE_CONFIG = graphql<{ node: NodeConfig | null }, { id: string; take: number }>(
  `query NodeConfig($id: ID!, $take: Int) {
    node(where: { id: $id }) {
      id name revision spec deletedAt
      executor { id name kind status capabilities }
      recentRevisions(take: $take) { revision spec summary authorName createdAt clientUpgrade { outcome reason } }
    }
  }`,
);

export const UPDATE_NODE = graphql<
  { updateNode: { id: string; revision: number } },
  { id: string; spec: Record<string, unknown>; expectedRevision: number }
>(
  `mutation UpdateNode($id: ID!, $spec: JSON!, $expectedRevision: Int) {
    updateNode(where: { id: $id }, data: { spec: $spec, expectedRevision: $expectedRevision }) { id revision }
  }`,
);

export const ROLLBACK_NODE = graphql<
  { rollbackNode: { id: string; revision: number } },
  { id: string; revision: number }
>(
  `mutation RollbackNode($id: ID!, $revision: Int!) {
    rollbackNode(id: $id, revision: $revision) { id revision }
  }`,
);
