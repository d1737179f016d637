// Where a node can be reached: its host ports as its chain adapter resolves them (the spec's ports with the
// adapter's defaults filled in, the same ports the executor binds) and the RPC URL on its executor's host.
// Node detail shows them; the spec alone lacks every port left at its default.
import { getAdapter } from "../../../../adapters/registry.ts";
import type { NodeRow } from "../../nodes/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import type { GraphQLModule } from "../modules.ts";

const typeDefs = /* GraphQL */ `
  type NodePort {
    "The port's name in spec.ports (rpc, p2p, …)."
    name: String!
    port: Int!
    "True when the spec sets it; false when the chain adapter's default applies."
    explicit: Boolean!
  }

  extend type Node {
    "The host ports the node listens on, defaults included."
    ports: [NodePort!]!
    "The JSON-RPC URL on the executor's host (its public host when it has one), if the node serves one."
    rpcUrl: String
  }
`;

function portsOf(node: NodeRow) {
  const adapter = getAdapter(node.spec.chain);
  if (!adapter) return [];
  return adapter.hostPorts(node.spec).map((p) => ({
    name: p.path.replace(/^\/ports\//, ""),
    port: p.port,
    explicit: p.explicit,
  }));
}

function resolvers(s: ControlPlaneServices) {
  return {
    Node: {
      ports: portsOf,
      rpcUrl: (node: NodeRow) => {
        const rpc = portsOf(node).find((p) => p.name === "rpc" || p.name === "http");
        if (!rpc) return null;
        const host = s.executors.ofNode(node)?.publicHost ?? "127.0.0.1";
        return `http://${host}:${rpc.port}`;
      },
    },
  };
}

export const nodeEndpointsModule: GraphQLModule = { typeDefs, resolvers };
