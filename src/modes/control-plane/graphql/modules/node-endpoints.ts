// Where a node can be reached: its host ports as its executor reports it allocated them (an agent moves a
// default port another node or program holds), else as its chain adapter resolves them (the spec's ports
// with the adapter's defaults filled in), and the RPC URL on its executor's host. Node detail shows them;
// the spec alone lacks every port left at its default.
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
    "True when this is the port the executor reports it gave the node on its host (a default moves there when another node or program holds it); false until the executor has reported, when the port is the spec's or the default."
    allocated: Boolean!
  }

  extend type Node {
    "The host ports the node listens on, defaults included."
    ports: [NodePort!]!
    "The JSON-RPC URL on the executor's host (its public host when it has one), if the node serves one."
    rpcUrl: String
  }
`;

/** The ports the executor reports it allocated, over the spec's and the adapter's defaults. */
function portsOf(node: NodeRow) {
  const adapter = getAdapter(node.spec.chain);
  const allocated = node.observed?.ports ?? {};
  const ports = (adapter?.hostPorts(node.spec) ?? []).map((p) => {
    const name = p.path.replace(/^\/ports\//, "");
    const given = allocated[name];
    return { name, port: given ?? p.port, explicit: p.explicit, allocated: given !== undefined };
  });
  // A chain this binary has no adapter for: what its executor reports is all there is to show.
  for (const [name, port] of Object.entries(allocated)) {
    if (ports.some((p) => p.name === name)) continue;
    ports.push({ name, port, explicit: node.spec.ports?.[name] !== undefined, allocated: true });
  }
  return ports;
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
