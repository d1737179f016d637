// The sui adapter (sui-node): conformance, golden plans per network, its rendered fullnode.yaml against the
// documented keys, override and bad-input refusals, and its probe read against documented JSON-RPC answers.
import { describe, expect, test } from "bun:test";
import { getAdapter, supportedChains } from "../../src/adapters/registry.ts";
import { dottedLeaves } from "../../src/adapters/shared/file-overrides.ts";
import { renderConfigFile } from "../../src/adapters/shared/render.ts";
import { suiAdapter } from "../../src/adapters/sui/sui-node/adapter.ts";
import type { PlanEnv, PlannedProcess } from "../../src/adapters/types.ts";
import { runProbe } from "../../src/executor/probe.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { goldenPlanFiles, testGoldenPlanFiles } from "../golden/plans/golden-plans.ts";
import { libyamlParser } from "../harness/yaml/libyaml.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";
import { fixtureKeys } from "./fixtures/fixture-keys.ts";

const ARTIFACTS = {
  node: {
    client: "/var/lib/novacula/artifacts/sha256-aa/sui-node",
    genesis: "/var/lib/novacula/artifacts/sha256-bb/genesis.blob",
  },
};
const ENV: PlanEnv = { ...CONFORMANCE_ENV, artifacts: ARTIFACTS };
const FILE = "fullnode.yaml";

const base: NodeSpec = {
  chain: "sui",
  network: "mainnet",
  nodeType: "full",
  clients: { node: { name: "sui-node", version: "1.72.2" } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });

runAdapterConformance(suiAdapter, {
  baseSpec: base,
  env: ENV,
  honoured: {
    "/chain": { spec: variant({ chain: "tron" }), expect: "rejected" },
    "/network": { spec: variant({ network: "testnet" }), expect: "changes-plan" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "rejected" },
    "/clients": {
      spec: variant({ clients: { node: { name: "sui-node", version: "0.0.1" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "8" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "96Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { [FILE]: { "enable-event-processing": false } } } }),
      expect: "changes-plan",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { "sui-node": ["--help"] } } }),
      expect: "rejected",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { rpc: 19000, p2p: 18084 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { heapSize: 1 } }), expect: "rejected" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

function planned(spec: NodeSpec, env: PlanEnv = ENV): PlannedProcess {
  const result = suiAdapter.plan("sui-1", spec, env);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes[0]!;
}

const paths = (spec: NodeSpec) => suiAdapter.validate(spec).map((e) => e.path);
const messages = (spec: NodeSpec) => suiAdapter.validate(spec).map((e) => `${e.path}: ${e.message}`);

describe("sui golden plans per network", () => {
  for (const network of ["mainnet", "testnet"]) {
    testGoldenPlanFiles(
      goldenPlanFiles(suiAdapter, `sui-${network}`, `sui-${network}-1`, variant({ network }), ARTIFACTS),
    );
  }
});

describe("sui-node plan", () => {
  test("the registry serves sui and its capability offers mainnet and testnet, full only", () => {
    expect(getAdapter("sui")).toBe(suiAdapter);
    const capability = supportedChains().find((c) => c.chain === "sui")!;
    expect(capability.networks).toEqual(["mainnet", "testnet"]);
    expect(capability.nodeTypes).toEqual(["full"]);
    expect(capability.defaults.mainnet).toEqual({ cpu: "16", memory: "128Gi", storage: { data: "4000Gi" } });
    expect(capability.defaults.testnet).toEqual({ cpu: "8", memory: "64Gi", storage: { data: "3000Gi" } });
  });

  test("sui-node runs from the catalog's artifact with --config-path and copies the network's genesis first", () => {
    const result = suiAdapter.plan("sui-1", base, ENV);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [process] = result.plan.processes;
    expect(process!.executable).toBe(ARTIFACTS.node.client);
    expect(process!.artifacts).toEqual(["client", "genesis"]);
    expect(process!.args).toEqual(["--config-path", `${ENV.configDir}/${FILE}`]);
    expect(result.plan.initSteps).toEqual([
      {
        id: "sui-genesis",
        description: "copy the mainnet genesis.blob into the node's config directory",
        kind: "copy-artifact",
        role: "node",
        artifact: "genesis",
        path: `${ENV.configDir}/genesis.blob`,
      },
    ]);
    const content = process!.configFiles[0]!.content as Record<string, unknown>;
    expect((content.genesis as Record<string, unknown>)["genesis-file-location"]).toBe(
      `${ENV.configDir}/genesis.blob`,
    );
    expect(process!.stopTimeoutSecs).toBeGreaterThanOrEqual(120);
  });

  test("a node without its client or genesis artifact is refused with the catalog as the fix", () => {
    const result = suiAdapter.plan("sui-1", base, { ...ENV, artifacts: { node: { client: "/x/sui-node" } } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        path: "/clients/node/version",
        message:
          'no "genesis" artifact was delivered for sui-node 1.72.2 on linux-x64 (mainnet): add it to the control plane\'s client catalog',
      },
    ]);
  });

  test("each network gets its own documented seed peers and state archive; ports follow spec.ports", () => {
    const main = planned(base).configFiles[0]!.content as Record<string, any>;
    const test_ = planned(variant({ network: "testnet", ports: { p2p: 18084, rpc: 19000 } })).configFiles[0]!
      .content as Record<string, any>;
    expect(main["p2p-config"]["seed-peers"][0]).toEqual({
      address: "/dns/mel-00.mainnet.sui.io/udp/8084",
      "peer-id": "d32b55bdf1737ec415df8c88b3bf91e194b59ee3127e3f38ea46fd88ba2e7849",
    });
    expect(main["p2p-config"]["seed-peers"].map((p: { address: string }) => p.address)).toContain(
      "/dns/ewr-00.mainnet.sui.io/udp/8084",
    );
    expect(
      test_["p2p-config"]["seed-peers"].every((p: { address: string }) => p.address.includes("testnet")),
    ).toBe(true);
    expect(main["state-archive-read-config"][0]["ingestion-url"]).toBe("https://checkpoints.mainnet.sui.io");
    expect(test_["state-archive-read-config"][0]["ingestion-url"]).toBe("https://checkpoints.testnet.sui.io");
    expect(test_["p2p-config"]["listen-address"]).toBe("0.0.0.0:18084");
    expect(test_["json-rpc-address"]).toBe("127.0.0.1:19000");
    const ports = planned(variant({ ports: { p2p: 18084 } })).ports;
    expect(ports.find((p) => p.name === "p2p")).toEqual({
      name: "p2p",
      port: 18084,
      protocol: "udp",
      exposure: "public",
    });
  });

  test("every key the rendered fullnode.yaml sets is a documented sui-node key", () => {
    const documented = fixtureKeys("sui-node-1.72.2-fullnode-keys.txt");
    const overrides = {
      "authority-store-pruning-config.num-epochs-to-retain-for-checkpoints": 2,
      "authority-store-pruning-config.periodic-compaction-threshold-days": 1,
    };
    for (const network of ["mainnet", "testnet"]) {
      const file = planned(variant({ network, overrides: { files: { [FILE]: overrides } } })).configFiles[0]!;
      const unknown = dottedLeaves(file.content as Record<string, unknown>).filter((k) => !documented.has(k));
      expect({ network, unknown }).toEqual({ network, unknown: [] });
    }
  });

  test("dotted overrides merge into the nested YAML; unknown keys pass through", () => {
    const file = planned(
      variant({
        overrides: {
          files: {
            [FILE]: {
              "authority-store-pruning-config.num-epochs-to-retain": 0,
              "checkpoint-executor-config.checkpoint-execution-max-concurrency": 40,
            },
          },
        },
      }),
    ).configFiles[0]!;
    const content = file.content as Record<string, any>;
    expect(content["authority-store-pruning-config"]["num-epochs-to-retain"]).toBe(0);
    expect(content["authority-store-pruning-config"]["max-checkpoints-in-batch"]).toBe(10);
    expect(content["checkpoint-executor-config"]).toEqual({ "checkpoint-execution-max-concurrency": 40 });
    // JSON is YAML 1.2: the bytes parse back to the same tree.
    expect(JSON.parse(renderConfigFile(file))).toEqual(content);
  });
});

describe("sui-node overrides that reach into a list", () => {
  const withKeys = (keys: Record<string, unknown>) => variant({ overrides: { files: { [FILE]: keys } } });

  test("a number steps into a list of the file: the first archive's concurrency is raised, the list kept", () => {
    const content = planned(withKeys({ "state-archive-read-config.0.concurrency": 10 })).configFiles[0]!
      .content as Record<string, any>;
    expect(content["state-archive-read-config"]).toEqual([
      { "ingestion-url": "https://checkpoints.mainnet.sui.io", concurrency: 10 },
    ]);
  });

  test("a key that would go into a list by name or past its end is refused at its path, not dropped", () => {
    for (const key of ["state-archive-read-config.concurrency", "state-archive-read-config.3.concurrency"]) {
      const result = suiAdapter.plan("sui-1", withKeys({ [key]: 10 }), ENV);
      expect({ key, refused: result.ok ? [] : result.errors.map((e) => e.path) }).toEqual({
        key,
        refused: [`/overrides/files/${FILE}/${key}`],
      });
      // The control plane's validate() refuses it too, before a revision is written.
      expect(paths(withKeys({ [key]: 10 }))).toEqual([`/overrides/files/${FILE}/${key}`]);
    }
  });
});

describe("libyaml reads each network's rendered fullnode.yaml as sui-node would", () => {
  const libyaml = libyamlParser();
  for (const network of ["mainnet", "testnet"]) {
    test.skipIf("missing" in libyaml)(
      `${network}: the parsed tree equals the model (skipped only without python3-yaml)`,
      () => {
        if (!("parse" in libyaml)) return;
        const file = planned(variant({ network })).configFiles[0]!;
        expect(libyaml.parse(renderConfigFile(file))).toEqual(file.content);
      },
    );
  }
});

describe("sui bad input is refused with its path and the fix", () => {
  test("an archive Sui node is not offered, and the refusal says what to deploy instead", () => {
    const errors = suiAdapter.validate(variant({ nodeType: "archive" }));
    expect(errors.map((e) => e.path)).toEqual(["/nodeType"]);
    expect(errors[0]!.message).toContain('deploy nodeType "full"');
    expect(suiAdapter.plan("sui-1", variant({ nodeType: "archive" }), ENV).ok).toBe(false);
  });

  test("an unknown network names the ones there are", () => {
    expect(messages(variant({ network: "devnet" }))).toEqual([
      '/network: unknown network "devnet": use one of "mainnet", "testnet"',
    ]);
  });

  test("managed keys are refused however they are written: exact, as a parent object, or inside", () => {
    const spec = (keys: Record<string, unknown>) => variant({ overrides: { files: { [FILE]: keys } } });
    expect(paths(spec({ "json-rpc-address": "0.0.0.0:9000" }))).toEqual([
      `/overrides/files/${FILE}/json-rpc-address`,
    ]);
    expect(paths(spec({ genesis: { "genesis-file-location": "/etc/passwd" } }))).toEqual([
      `/overrides/files/${FILE}/genesis`,
    ]);
    expect(paths(spec({ "p2p-config": { "seed-peers": [] } }))).toEqual([
      `/overrides/files/${FILE}/p2p-config`,
    ]);
    expect(paths(spec({ "p2p-config.seed-peers.0": "x" }))).toEqual([
      `/overrides/files/${FILE}/p2p-config.seed-peers.0`,
    ]);
    expect(messages(spec({ "p2p-config": { "listen-address": "0.0.0.0:1" } }))[0]).toContain(
      "set ports in spec.ports",
    );
    // A p2p-config key Novacula does not manage is the user's business.
    expect(paths(spec({ "p2p-config.external-address": "/dns/me.example/udp/8084" }))).toEqual([]);
  });

  test("a known key with a value of the wrong type is refused with its path", () => {
    const spec = variant({
      overrides: { files: { [FILE]: { "authority-store-pruning-config.num-epochs-to-retain": "two" } } },
    });
    expect(messages(spec)).toEqual([
      `/overrides/files/${FILE}/authority-store-pruning-config.num-epochs-to-retain: authority-store-pruning-config.num-epochs-to-retain must be an integer`,
    ]);
  });

  test("the memory limit defaults to the network's RAM and follows spec.resources.memoryLimit", () => {
    expect(planned(variant({ resources: { memoryLimit: "96Gi" } })).memoryMaxBytes).toBe(96 * 1024 ** 3);
    expect(planned(base).memoryMaxBytes).toBe(128 * 1024 ** 3);
    expect(planned(variant({ network: "testnet" })).memoryMaxBytes).toBe(64 * 1024 ** 3);
  });
});

describe("sui-node probe, read against documented JSON-RPC answers", () => {
  // docs.sui.io JSON-RPC reference, sui_getLatestCheckpointSequenceNumber.
  const checkpoint = { jsonrpc: "2.0", result: "507021", id: 1 };
  // docs.sui.io JSON-RPC reference, suix_getLatestSuiSystemState (its example; validator lists left out).
  const systemStateResult = {
    epoch: "1",
    protocolVersion: "1",
    systemStateVersion: "1",
    referenceGasPrice: "1000",
    safeMode: false,
    epochStartTimestampMs: "1640995200000",
    epochDurationMs: "86400000",
  };
  const systemState = { jsonrpc: "2.0", result: systemStateResult, id: 1 };

  test("the probe sends one JSON-RPC call per request, never a batch: sui-node refuses batches", () => {
    const call = (method: string) => ({ jsonrpc: "2.0", id: 1, method, params: [] });
    expect(planned(variant({ ports: { rpc: 19000 } })).probe).toEqual({
      kind: "http-json",
      port: 19000,
      requests: [
        { key: "checkpoint", path: "/", method: "POST", body: call("sui_getLatestCheckpointSequenceNumber") },
        { key: "systemState", path: "/", method: "POST", body: call("suix_getLatestSuiSystemState") },
      ],
    });
  });

  test("the executor's probe of a server that answers like sui-node (no batches) gives the checkpoint", async () => {
    // Stands in for sui-node's RPC port: the documented answers to single calls, and the refusal jsonrpsee
    // gives a batch when batches are disabled (MystenLabs/sui#9295, again in #21014).
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request) {
        const body = (await request.json()) as { method?: string } | unknown[];
        if (Array.isArray(body))
          return Response.json({
            jsonrpc: "2.0",
            error: { code: -32005, message: "Batched requests are not supported by this server" },
            id: null,
          });
        if (body.method === "sui_getLatestCheckpointSequenceNumber") return Response.json(checkpoint);
        if (body.method === "suix_getLatestSuiSystemState") return Response.json(systemState);
        return Response.json({ jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: 1 });
      },
    });
    try {
      const probe = planned(variant({ ports: { rpc: server.port! } })).probe;
      const answer = await runProbe(probe, "127.0.0.1", 5000);
      if (!answer.ok) throw new Error(answer.message);
      expect(suiAdapter.interpretProbe("node", answer.raw).metrics.blockHeight).toBe(507021);
      expect(suiAdapter.interpretProbe("node", answer.raw).details?.epoch).toBe(1);
    } finally {
      server.stop(true);
    }
  });

  test("the checkpoint is the height, the epoch a detail; an epoch long over means the node is catching up", () => {
    const result = suiAdapter.interpretProbe("node", { checkpoint, systemState });
    expect(result.status).toBe("syncing");
    expect(result.metrics).toEqual({ blockHeight: 507021, syncing: true });
    expect(result.details).toEqual({
      checkpoint: 507021,
      epoch: 1,
      protocolVersion: 1,
      referenceGasPrice: 1000,
      epochStartTimestampMs: 1640995200000,
    });
  });

  test("a node in the current epoch is running and in sync", () => {
    const current = {
      ...systemState,
      result: { ...systemStateResult, epochStartTimestampMs: String(Date.now() - 3_600_000) },
    };
    const result = suiAdapter.interpretProbe("node", { checkpoint, systemState: current });
    expect(result.status).toBe("running");
    expect(result.metrics).toEqual({ blockHeight: 507021, syncing: false, syncPercent: 100 });
  });

  test("no checkpoint is an error (an RPC error or a refusal too); without a system state the node still runs", () => {
    expect(suiAdapter.interpretProbe("node", {}).status).toBe("error");
    const refused = { jsonrpc: "2.0", error: { code: -32603, message: "busy" }, id: 1 };
    expect(suiAdapter.interpretProbe("node", { checkpoint: refused }).status).toBe("error");
    expect(suiAdapter.interpretProbe("node", { checkpoint: { status: 503, body: "busy" } }).status).toBe(
      "error",
    );
    expect(suiAdapter.interpretProbe("node", { checkpoint: { ...checkpoint, result: 507021 } }).status).toBe(
      "error",
    );
    expect(suiAdapter.interpretProbe("node", { checkpoint }).metrics).toEqual({ blockHeight: 507021 });
  });
});
