// The bsc adapter: conformance, golden plans per network and node type, rendered flags checked against BSC
// geth 1.7.3's flags, the genesis init steps, override rules and bad input, and its probe read against the
// documented Ethereum JSON-RPC answers BSC geth gives.
import { describe, expect, test } from "bun:test";
import { BSC_GETH_MANAGED_FLAGS, bscAdapter } from "../../src/adapters/bsc/geth/adapter.ts";
import { interpretBscProbe, STALE_HEAD_SECS } from "../../src/adapters/bsc/geth/probe.ts";
import { getAdapter, supportedChains } from "../../src/adapters/registry.ts";
import type { PlanEnv, ProcessPlan } from "../../src/adapters/types.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";
import { expectGoldenPlan, goldenFiles, hostEnv, readFlagFixture } from "./plan-golden.ts";

const artifacts = {
  node: {
    client: "/var/lib/novacula/bin/bsc-geth-1.7.3-linux-x64/geth_linux",
    genesis: "/var/lib/novacula/bin/bsc-mainnet-1.7.3/genesis.json",
    config: "/var/lib/novacula/bin/bsc-mainnet-1.7.3/config.toml",
  },
};
const env: PlanEnv = { ...CONFORMANCE_ENV, artifacts };
const { configDir, dataDir } = CONFORMANCE_ENV;

const base: NodeSpec = {
  chain: "bsc",
  network: "mainnet",
  nodeType: "full",
  clients: { node: { name: "geth", version: "1.7.3" } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });

function planOf(spec: NodeSpec, planEnv: PlanEnv = env): ProcessPlan {
  const result = bscAdapter.plan("bsc-1", spec, planEnv);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

runAdapterConformance(bscAdapter, {
  baseSpec: base,
  env,
  honoured: {
    "/chain": { spec: variant({ chain: "ethereum" }), expect: "rejected" },
    "/network": { spec: variant({ network: "chapel" }), expect: "changes-plan" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "changes-plan" },
    "/clients": {
      spec: variant({ clients: { node: { name: "geth", version: "1.5.19" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "4" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "16Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { "config.toml": { Eth: 1 } } } }),
      expect: "rejected",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { geth: ["--cache=8192"] } } }),
      expect: "changes-plan",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { p2p: 30312 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { cache: 8192 } }), expect: "rejected" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

describe("bsc golden plans", () => {
  const cases: [string, Partial<NodeSpec>][] = [
    ["mainnet", {}],
    ["chapel", { network: "chapel" }],
    ["mainnet-archive", { nodeType: "archive", overrides: { args: { geth: ["--cache=8192"] } } }],
  ];
  for (const [name, patch] of cases) {
    test(`${name}: the plan, its init steps and its unit match the golden files byte for byte`, () => {
      const nodeName = `bsc-${name}`;
      const files = goldenFiles(bscAdapter, nodeName, variant(patch), hostEnv(nodeName, artifacts));
      expectGoldenPlan(`bsc-${name}`, files);
    });
  }
});

describe("bsc adapter rules", () => {
  test("the registry serves bsc with its networks, node types, args-only override schema and defaults", () => {
    expect(getAdapter("bsc")).toBe(bscAdapter);
    const capability = supportedChains().find((c) => c.chain === "bsc")!;
    expect(capability.networks).toEqual(["mainnet", "chapel"]);
    expect(capability.nodeTypes).toEqual(["full", "archive"]);
    expect(capability.configOverrideSchema).toEqual({
      files: {},
      args: { geth: { managedFlags: BSC_GETH_MANAGED_FLAGS, knownFlags: {} } },
    });
    expect(BSC_GETH_MANAGED_FLAGS).toEqual(
      expect.arrayContaining([
        "--datadir",
        "--http.addr",
        "--http.port",
        "--ws.addr",
        "--ws.port",
        "--port",
        "--metrics",
        "--metrics.addr",
        "--metrics.port",
        "--config",
        "--networkid",
      ]),
    );
    const full = { cpu: "4", memory: "16Gi", storage: { data: "500Gi" } };
    expect(capability.defaults).toEqual({ mainnet: full, chapel: full });
  });

  test("network id per network, listening on loopback but P2P, TCP and UDP discovery on 30311", () => {
    for (const [network, id] of [
      ["mainnet", "56"],
      ["chapel", "97"],
    ] as const) {
      const [process] = planOf(variant({ network })).processes;
      const args = process!.args;
      expect(args[args.indexOf("--networkid") + 1]).toBe(id);
      expect(process!.ports).toEqual([
        { name: "rpc", port: 8545, protocol: "tcp", exposure: "local" },
        { name: "ws", port: 8546, protocol: "tcp", exposure: "local" },
        { name: "p2p", port: 30311, protocol: "tcp", exposure: "public" },
        { name: "p2p", port: 30311, protocol: "udp", exposure: "public" },
        { name: "metrics", port: 6060, protocol: "tcp", exposure: "local" },
      ]);
      for (const flag of ["--http.addr", "--ws.addr", "--metrics.addr"])
        expect(args[args.indexOf(flag) + 1]).toBe("127.0.0.1");
    }
  });

  test("genesis init: copy genesis.json and config.toml, then geth --datadir D init genesis.json, once", () => {
    const plan = planOf(base);
    expect(plan.initSteps).toEqual([
      {
        id: "bsc-genesis",
        description: expect.any(String),
        kind: "copy-artifact",
        role: "node",
        artifact: "genesis",
        path: `${configDir}/genesis.json`,
      },
      {
        id: "bsc-config-journal",
        description: expect.any(String),
        kind: "copy-artifact",
        role: "node",
        artifact: "config",
        path: `${configDir}/config.toml`,
        dropTomlTables: ["Node.LogConfig"],
      },
      {
        id: "bsc-init",
        description: expect.any(String),
        kind: "run",
        executable: artifacts.node.client,
        args: ["--datadir", dataDir, "init", `${configDir}/genesis.json`],
        timeoutSecs: 600,
      },
    ]);
    const [process] = plan.processes;
    expect(process!.executable).toBe(artifacts.node.client);
    expect(process!.artifacts).toEqual(["client", "genesis", "config"]);
    expect(process!.args.slice(0, 4)).toEqual(["--config", `${configDir}/config.toml`, "--datadir", dataDir]);
    expect(process!.stopTimeoutSecs).toBeGreaterThanOrEqual(180);
  });

  test("the log goes to the journal: every plan copies config.toml without [Node.LogConfig], under an id of its own", () => {
    // BSC geth (node/node.go) swaps its stderr logger for a rotating data/bsc.log when the file's
    // [Node.LogConfig] names FilePath, FileRoot, MaxBytesSize and Level, and no flag undoes it: the table must go.
    for (const spec of [base, variant({ network: "chapel" }), variant({ nodeType: "archive" })]) {
      const copies = planOf(spec).initSteps.filter(
        (s) => s.kind === "copy-artifact" && s.artifact === "config",
      );
      expect(copies).toEqual([expect.objectContaining({ dropTomlTables: ["Node.LogConfig"] })]);
      // A node initialised while the step kept the table (marker bsc-config) copies the file again.
      expect(copies[0]!.id).not.toBe("bsc-config");
    }
  });

  test("an archive node: gcmode archive on the hash scheme, full sync, and an init on the same scheme", () => {
    const plan = planOf(variant({ nodeType: "archive" }));
    expect(plan.processes[0]!.args.join(" ")).toContain(
      "--gcmode archive --state.scheme hash --syncmode full",
    );
    expect(plan.initSteps.find((s) => s.id === "bsc-init")).toMatchObject({
      args: ["--datadir", dataDir, "--state.scheme", "hash", "init", `${configDir}/genesis.json`],
    });
  });

  test("every flag Novacula passes (start and init) is a flag of BSC geth 1.7.3", () => {
    const documented = readFlagFixture("bsc-geth-1.7.3-flags.txt");
    const flagsOf = (args: readonly string[]) =>
      args.filter((arg) => arg.startsWith("--")).map((arg) => arg.split("=")[0]!);
    for (const spec of [base, variant({ network: "chapel" }), variant({ nodeType: "archive" })]) {
      const plan = planOf(spec);
      const used = [
        ...flagsOf(plan.processes[0]!.args),
        ...plan.initSteps.flatMap((s) => (s.kind === "run" ? flagsOf(s.args) : [])),
      ];
      expect(used.length).toBeGreaterThan(10);
      expect(used.filter((flag) => !documented.has(flag))).toEqual([]);
    }
    expect(BSC_GETH_MANAGED_FLAGS.filter((flag) => !documented.has(flag))).toEqual([]);
  });

  test("user flags pass through after the managed ones, verbatim", () => {
    const [process] = planOf(
      variant({ overrides: { args: { geth: ["--cache", "8192", "--tries-verify-mode", "none"] } } }),
    ).processes;
    expect(process!.args.slice(-4)).toEqual(["--cache", "8192", "--tries-verify-mode", "none"]);
  });

  test("a missing genesis artifact is named with the catalog as the fix", () => {
    const result = bscAdapter.plan("bsc-1", base, {
      ...CONFORMANCE_ENV,
      artifacts: { node: { client: artifacts.node.client } },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('no "genesis" artifact'),
        expect.stringContaining('no "config" artifact'),
      ]);
    }
  });
});

describe("bsc bad input is refused with its path and the fix", () => {
  const refused = (spec: NodeSpec, path: string, fix: RegExp) => {
    const error = bscAdapter.validate(spec).find((e) => e.path === path);
    expect({ path, found: error !== undefined }).toEqual({ path, found: true });
    expect(error!.message).toMatch(fix);
    expect(bscAdapter.plan("bsc-1", spec, env).ok).toBe(false);
  };

  test("an unknown network, with the networks to use", () => {
    refused(variant({ network: "testnet" }), "/network", /use one of "mainnet", "chapel"/);
  });

  test("a managed flag, alone or as --flag=value", () => {
    refused(
      variant({ overrides: { args: { geth: ["--cache=8192", "--datadir=/srv"] } } }),
      "/overrides/args/geth/1",
      /managed by Novacula.*remove it/,
    );
    refused(
      variant({ overrides: { args: { geth: ["--http.port", "1"] } } }),
      "/overrides/args/geth/0",
      /remove it/,
    );
  });

  test("config file overrides, settings and a checkpoint URL, each with where to go instead", () => {
    refused(
      variant({ overrides: { files: { "config.toml": { Eth: 1 } } } }),
      "/overrides/files/config.toml",
      /overrides\.args/,
    );
    refused(variant({ settings: { cache: 1 } }), "/settings/cache", /overrides\.args\.geth/);
    refused(variant({ checkpointSyncUrl: "https://example.invalid" }), "/checkpointSyncUrl", /remove/);
  });
});

describe("bsc probe against documented answers", () => {
  // The Ethereum JSON-RPC API's documented examples (ethereum.org/en/developers/docs/apis/json-rpc/:
  // eth_blockNumber, eth_syncing, net_peerCount, eth_getBlockByNumber), which BSC geth answers alike; chain
  // id 0x38 is BSC mainnet's 56.
  const NOW = Date.UTC(2026, 0, 1) / 1000;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const block = (timestamp: number) => ({ number: "0x1b4", timestamp: hex(timestamp), transactions: [] });

  test("a synced node with a fresh head: running, with its head age, block and chain id", () => {
    const result = interpretBscProbe(
      {
        eth_blockNumber: "0x1b4",
        eth_syncing: false,
        net_peerCount: "0x2",
        eth_chainId: "0x38",
        latest_block: block(NOW - 3),
      },
      NOW * 1000,
    );
    expect(result).toEqual({
      status: "running",
      metrics: {
        blockHeight: 436,
        syncing: false,
        syncPercent: 100,
        peers: 2,
      },
      details: { chain_id: 56, latest_block: 436, head_age_seconds: 3 },
    });
  });

  test("eth_syncing's documented object: syncing, with progress toward the highest block", () => {
    const result = interpretBscProbe(
      {
        eth_blockNumber: "0x386",
        eth_syncing: { startingBlock: "0x384", currentBlock: "0x386", highestBlock: "0x454" },
        net_peerCount: "0x2",
      },
      NOW * 1000,
    );
    expect(result.status).toBe("syncing");
    expect(result.metrics).toMatchObject({ blockHeight: 902, networkHeight: 1108, syncing: true });
  });

  test("eth_syncing false but a head older than the stale limit: behind, with the head's age as the reason", () => {
    const age = STALE_HEAD_SECS + 60;
    const result = interpretBscProbe(
      { eth_blockNumber: "0x1b4", eth_syncing: false, net_peerCount: "0x0", latest_block: block(NOW - age) },
      NOW * 1000,
    );
    expect(result.status).toBe("syncing");
    expect(result.metrics.syncing).toBe(true);
    expect(result.metrics.syncPercent).toBeUndefined();
    expect(result.details?.head_age_seconds).toBe(age);
    expect(result.message).toContain(`${age} s old`);
  });

  test("no block number is an error; a missing block only drops the head age", () => {
    expect(bscAdapter.interpretProbe("node", {}).status).toBe("error");
    const result = interpretBscProbe({ eth_blockNumber: "0x10", eth_syncing: false, latest_block: null });
    expect(result.status).toBe("running");
    expect(result.details).toBeUndefined();
  });
});
