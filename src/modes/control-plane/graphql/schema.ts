// The GraphQL schema (SDL) of the user API, with the reference's operation names.
export const typeDefs = /* GraphQL */ `
  scalar JSON
  scalar DateTime

  enum ExecutorKind { agent operator }
  enum ExecutorStatus { online offline }
  enum NodeLifecycleAction { start stop restart }
  enum EventLevel { info warn error }
  enum SortOrder { asc desc }
  "Which side of the cursor an events page is taken from: older (the default) or newer events."
  enum EventDirection { older newer }

  type Viewer {
    id: ID!
    name: String!
    email: String!
    systemAdmin: Boolean!
    organizationId: ID
    role: String
  }

  type Executor {
    id: ID!
    name: String!
    kind: ExecutorKind!
    status: ExecutorStatus!
    currentVersion: String!
    channel: String!
    compat: String!
    capabilities: JSON!
    resources: JSON
    publicHost: String
    pendingUpgrade: JSON
    lastSyncAt: DateTime!
    createdAt: DateTime!
    lastUsedKeyId: ID
    nodes: [Node!]!
  }

  type NodeRevision {
    revision: Int!
    spec: JSON!
    summary: String!
    authorId: ID
    createdAt: DateTime!
  }

  type Node {
    id: ID!
    name: String!
    executorId: ID!
    executor: Executor
    spec: JSON!
    revision: Int!
    desiredState: String!
    restartGeneration: Int!
    observed: JSON
    observedAt: DateTime
    observedRevision: Int
    "True while the executor has not yet applied the latest revision (shown as pending change)."
    drifted: Boolean!
    phase: String!
    "observed and phase may be out of date: no word of this node for HEARTBEAT_TIMEOUT_MS (executor offline)."
    observedStale: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
    deletedAt: DateTime
    retainData: Boolean!
    revisions: [NodeRevision!]!
  }

  type Event {
    id: ID!
    source: String!
    type: String!
    level: EventLevel!
    message: String!
    executorId: ID
    executorName: String
    nodeId: ID
    nodeName: String
    payload: JSON
    auditActionId: ID
    createdAt: DateTime!
  }

  input IdInput { id: ID! }
  input StringFilter { equals: String, contains: String }
  input ExecutorWhereInput { name: StringFilter, kind: ExecutorKind }
  enum NodePhase {
    provisioning configuring starting running syncing stopping stopped error deleting deleted
  }
  "phase: the derived phase (Node.phase), filtered over every node before the page is cut."
  input NodeWhereInput {
    name: StringFilter
    executorId: ID
    chain: String
    phase: NodePhase
    includeDeleted: Boolean
  }
  "Sort by name or by creation time (name wins when both are given)."
  input NameOrderInput { name: SortOrder, createdAt: SortOrder }
  """
  Events filters and paging. A page is newest first either way. To go down the timeline, pass the last
  (oldest) id of the page shown as cursor (direction older, the default); to go up, its first (newest) id
  with direction newer. take: 100 by default, at most 500; a page is also cut at 1 MiB. An empty page
  means there is nothing more that way.
  """
  input EventFilterInput {
    executorId: ID
    executorName: String
    nodeName: String
    nodeId: ID
    level: EventLevel
    type: String
    cursor: ID
    direction: EventDirection
    take: Int
  }
  input NodeCreateInput { executorId: ID!, name: String, spec: JSON! }
  input NodeUpdateInput {
    spec: JSON!
    "The revision this edit started from: when the node has moved on since, the save is refused (conflict)."
    expectedRevision: Int
  }

  type Query {
    me: Viewer
    executors(where: ExecutorWhereInput, orderBy: NameOrderInput, take: Int, skip: Int): [Executor!]!
    executor(where: IdInput!): Executor
    nodes(where: NodeWhereInput, orderBy: NameOrderInput, take: Int, skip: Int): [Node!]!
    node(where: IdInput!): Node
    events(filter: EventFilterInput): [Event!]!
  }

  type Mutation {
    createNode(data: NodeCreateInput!): Node!
    updateNode(data: NodeUpdateInput!, where: IdInput!): Node!
    requestNodeLifecycleAction(id: ID!, action: NodeLifecycleAction!): Node!
    "The same action on up to 10,000 nodes at once, all or nothing (one revision each)."
    requestNodesLifecycleAction(ids: [ID!]!, action: NodeLifecycleAction!): [Node!]!
    rollbackNode(id: ID!, revision: Int!): Node!
    deleteNode(where: IdInput!, retainData: Boolean = false): Node!
  }
`;
