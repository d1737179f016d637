// Specs and plan environments the Ethereum adapter tests share: a minimal valid node, variants of it, and a
// host where the catalog delivered both clients.
import type { PlanEnv } from "../../../src/adapters/types.ts";
import type { NodeSpec } from "../../../src/protocol/node-spec.ts";
import { CONFORMANCE_ENV } from "../conformance.ts";

/** The version of each client whose documented flags test/adapters/fixtures holds. */
export const PINNED: Readonly<Record<string, string>> = {
  geth: "1.17.10",
  reth: "2.5.1",
  nethermind: "1.31.13",
  erigon: "3.3.9",
  lighthouse: "8.0.0",
  prysm: "7.1.6",
  lodestar: "1.44.0",
};
export const EL_CLIENTS = ["geth", "reth", "nethermind", "erigon"] as const;
export const CL_CLIENTS = ["lighthouse", "prysm", "lodestar"] as const;
export const NETWORK_NAMES = ["mainnet", "sepolia", "hoodi"] as const;

export const ETH_ENV: PlanEnv = {
  ...CONFORMANCE_ENV,
  artifacts: {
    el: { client: "/var/lib/novacula/artifacts/el-client" },
    cl: { client: "/var/lib/novacula/artifacts/cl-client" },
  },
};

export function ethSpec(el = "geth", cl = "lighthouse", patch: Partial<NodeSpec> = {}): NodeSpec {
  return {
    chain: "ethereum",
    network: "mainnet",
    nodeType: "full",
    clients: { el: { name: el, version: PINNED[el]! }, cl: { name: cl, version: PINNED[cl]! } },
    desiredState: "running",
    restartGeneration: 0,
    ...patch,
  };
}
