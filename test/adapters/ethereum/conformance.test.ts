// The Ethereum adapter under the shared ChainAdapter conformance suite, and in the registry.
import { describe, expect, test } from "bun:test";
import { ethereumAdapter } from "../../../src/adapters/ethereum/adapter.ts";
import { getAdapter, supportedChains } from "../../../src/adapters/registry.ts";
import { runAdapterConformance } from "../conformance.ts";
import { EL_CLIENTS, ETH_ENV, ethSpec } from "./fixture.ts";

// Geth × Lodestar binds exactly the ports every pair binds (those the form hints offer).
const base = ethSpec("geth", "lodestar");
const variant = (patch: Parameters<typeof ethSpec>[2]) => ethSpec("geth", "lodestar", patch);

runAdapterConformance(ethereumAdapter, {
  baseSpec: base,
  env: ETH_ENV,
  specWithClient: (client) =>
    EL_CLIENTS.includes(client as never) ? ethSpec(client, "lodestar") : ethSpec("geth", client),
  honoured: {
    "/chain": { spec: variant({ chain: "devnet" }), expect: "rejected" },
    "/network": { spec: variant({ network: "sepolia" }), expect: "changes-plan" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "changes-plan" },
    "/clients": { spec: ethSpec("reth", "prysm"), expect: "changes-plan" },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "4" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "16Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { "geth.toml": { a: 1 } } } }),
      expect: "rejected",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { geth: ["--cache", "4096"] } } }),
      expect: "changes-plan",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://beacon.example.org" }),
      expect: "changes-plan",
    },
    "/ports": { spec: variant({ ports: { rpc: 18545, engine: 18551 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { checkpointSync: false } }), expect: "changes-plan" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

describe("ethereum in the registry", () => {
  test("the registry serves ethereum and reports it, with both roles and all seven clients, in capabilities", () => {
    expect(getAdapter("ethereum")).toBe(ethereumAdapter);
    const capability = supportedChains().find((c) => c.chain === "ethereum");
    expect(capability?.networks).toEqual(["mainnet", "sepolia", "hoodi"]);
    expect(capability?.nodeTypes).toEqual(["full", "archive"]);
    expect(capability?.roles.map((r) => [r.role, r.clients.map((c) => c.name)])).toEqual([
      ["el", ["geth", "reth", "nethermind", "erigon"]],
      ["cl", ["lighthouse", "prysm", "lodestar"]],
    ]);
    expect(Object.keys(capability?.configOverrideSchema.args ?? {})).toHaveLength(7);
  });
});
