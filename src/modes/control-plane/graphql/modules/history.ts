// GraphQL for a node's metric history (the charts of the node screen): nodeMetricHistory(nodeId, from, to,
// resolution). A read of the active organization: another organization's node, or an unknown one, answers
// null, exactly alike. Bad ranges are refused before the node is looked up, so they reveal nothing either.
import type { ControlPlaneServices } from "../../services.ts";
import { guard, READ_ONE } from "../authz.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  "TEN_SECONDS: as reported (kept 24 h); FIVE_MINUTES: rollups (kept 30 days); ONE_HOUR: summarized from them."
  enum MetricResolution { TEN_SECONDS FIVE_MINUTES ONE_HOUR }

  "CPU and memory of one process of a node of several processes."
  type MetricRolePoint {
    role: String!
    cpuMillicores: Float
    memoryBytes: Float
  }

  """
  One point of a node's history, at the start of its interval. Heights, sync and disk are the interval's last
  values; peers, CPU (millicores, summed over processes) and memory (bytes, summed) its average, with the
  bounds in *Min / *Max. A figure the node did not report is null.
  """
  type MetricPoint {
    at: DateTime!
    blockHeight: Float
    networkHeight: Float
    syncPercent: Float
    peers: Float
    peersMin: Float
    peersMax: Float
    diskUsedBytes: Float
    diskTotalBytes: Float
    diskAvailableBytes: Float
    cpuMillicores: Float
    cpuMillicoresMax: Float
    memoryBytes: Float
    memoryBytesMax: Float
    "Reports the point summarizes (1 for TEN_SECONDS)."
    samples: Int!
    roles: [MetricRolePoint!]!
  }

  type NodeMetricHistory {
    nodeId: ID!
    resolution: MetricResolution!
    from: DateTime!
    to: DateTime!
    "Oldest first; at most 1440."
    points: [MetricPoint!]!
  }

  extend type Query {
    """
    A node's metric history from \`from\` to \`to\` (default: now). Without a resolution, the finest whose
    points fit in one answer (at most 1440). Null for a node outside the active organization.
    """
    nodeMetricHistory(
      nodeId: ID!
      from: DateTime!
      to: DateTime
      resolution: MetricResolution
    ): NodeMetricHistory
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      nodeMetricHistory: guard("Query.nodeMetricHistory", READ_ONE, (_s, args: Args, ctx: Ctx) =>
        s.history.read(ctx.caller, args.nodeId, args),
      ),
    },
  };
}

export const historyModule: GraphQLModule = { typeDefs, resolvers };
