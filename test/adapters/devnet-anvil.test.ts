// The devnet adapter: conformance, its own validation rules (catalog artifact, version range), and its plan run
// as a real anvil process.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { devnetAdapter } from "../../src/adapters/devnet/adapter.ts";
import { getAdapter, supportedChains } from "../../src/adapters/registry.ts";
import type { PlanEnv, PlannedProcess } from "../../src/adapters/types.ts";
import { runProbe } from "../../src/executor/probe.ts";
import { eventually } from "../../src/lib/eventually.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { ANVIL_BIN, blockNumber, freePort, makeTestDir } from "../agent/helpers.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";

const base: NodeSpec = {
  chain: "devnet",
  network: "local",
  nodeType: "full",
  clients: { node: { name: "anvil", version: "1.7.1" } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });
/** Where the agent installs a catalog artifact: the plan takes it from the env, never from the adapter. */
const INSTALLED =
  "/var/lib/novacula/artifacts/10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b";
const env: PlanEnv = { ...CONFORMANCE_ENV, artifacts: { node: { client: INSTALLED } } };

function planned(spec: NodeSpec, planEnv: PlanEnv = env): PlannedProcess {
  const result = devnetAdapter.plan("n1", spec, planEnv);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes[0]!;
}

runAdapterConformance(devnetAdapter, {
  baseSpec: base,
  env,
  honoured: {
    "/chain": { spec: variant({ chain: "ethereum" }), expect: "rejected" },
    "/network": { spec: variant({ network: "mainnet" }), expect: "rejected" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "rejected" },
    "/clients": {
      spec: variant({ clients: { node: { name: "anvil", version: "0.0.1" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "500m" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "512Mi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { "anvil.toml": { a: 1 } } } }),
      expect: "rejected",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { anvil: ["--accounts", "3"] } } }),
      expect: "changes-plan",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { rpc: 18545 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { blockTimeSecs: 2, chainId: 1337 } }), expect: "changes-plan" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

describe("devnet adapter rules", () => {
  test("the registry serves devnet and reports it in capabilities", () => {
    expect(getAdapter("devnet")).toBe(devnetAdapter);
    expect(supportedChains().map((c) => c.chain)).toContain("devnet");
  });

  test("defaults give --host 127.0.0.1 --port 8545 --block-time 1 --chain-id 31337 and state in the data dir", () => {
    const node = planned(base);
    expect(node.args).toEqual([
      "--host",
      "127.0.0.1",
      "--port",
      "8545",
      "--block-time",
      "1",
      "--chain-id",
      "31337",
      "--state",
      `${CONFORMANCE_ENV.dataDir}/state.json`,
    ]);
    expect(node.executable).toBe(INSTALLED);
    expect(node.artifacts).toEqual(["client"]);
    expect(node.probe).toEqual({
      kind: "evm-jsonrpc",
      port: 8545,
      methods: [
        "eth_blockNumber",
        "eth_syncing",
        "net_peerCount",
        "eth_chainId",
        "web3_clientVersion",
        "eth_gasPrice",
      ],
    });
  });

  test("settings out of range, of the wrong type or unknown are rejected with their path", () => {
    const paths = (settings: NodeSpec["settings"]) =>
      devnetAdapter.validate(variant({ settings })).map((e) => e.path);
    expect(paths({ blockTimeSecs: 0 })).toEqual(["/settings/blockTimeSecs"]);
    expect(paths({ blockTimeSecs: -1 })).toEqual(["/settings/blockTimeSecs"]);
    expect(paths({ blockTimeSecs: 3601 })).toEqual(["/settings/blockTimeSecs"]);
    expect(paths({ blockTimeSecs: 1.5 })).toEqual(["/settings/blockTimeSecs"]);
    expect(paths({ chainId: "1" })).toEqual(["/settings/chainId"]);
    expect(paths({ gasPrice: 1 })).toEqual(["/settings/gasPrice"]);
    expect(paths({ blockTimeSecs: 3600, chainId: 1 })).toEqual([]);
  });

  test("an unknown port name and an arg override for another process are rejected with their path", () => {
    expect(devnetAdapter.validate(variant({ ports: { ws: 8546 } })).map((e) => e.path)).toEqual([
      "/ports/ws",
    ]);
    const spec = variant({ overrides: { args: { geth: ["--x"] } } });
    expect(devnetAdapter.validate(spec).map((e) => e.path)).toEqual(["/overrides/args/geth"]);
  });

  test("hostPorts(): the rpc port at /ports/rpc, 8545 unless the spec sets it", () => {
    expect(devnetAdapter.hostPorts(base)).toEqual([{ path: "/ports/rpc", port: 8545, explicit: false }]);
    expect(devnetAdapter.hostPorts(variant({ ports: { rpc: 18545 } }))).toEqual([
      { path: "/ports/rpc", port: 18545, explicit: true },
    ]);
  });

  test("an anvil whose artifact was not delivered (no build for the host's platform) is refused at the version's path, naming the catalog", () => {
    const result = devnetAdapter.plan("n1", base, { ...CONFORMANCE_ENV, platform: "linux-arm64" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(["/clients/node/version"]);
    expect(result.errors[0]!.message).toContain('"client" artifact');
    expect(result.errors[0]!.message).toContain("linux-arm64");
    expect(result.errors[0]!.message).toContain("catalog");
  });

  test("any anvil 1.x plans; one outside the version range its flags fit is refused with the range", () => {
    expect(
      devnetAdapter.validate(variant({ clients: { node: { name: "anvil", version: "1.3.0" } } })),
    ).toEqual([]);
    for (const version of ["0.3.0", "2.0.0"]) {
      const errors = devnetAdapter.validate(variant({ clients: { node: { name: "anvil", version } } }));
      expect(errors.map((e) => e.path)).toEqual(["/clients/node/version"]);
      expect(errors[0]!.message).toContain(">=1.0.0 <2.0.0");
    }
  });

  test("a syncing answer reports syncing with progress; a bad answer reports error", () => {
    const syncing = devnetAdapter.interpretProbe("node", {
      eth_blockNumber: "0x10",
      eth_syncing: { currentBlock: "0x10", highestBlock: "0x20" },
    });
    expect(syncing).toEqual({
      status: "syncing",
      metrics: { blockHeight: 16, networkHeight: 32, syncPercent: 50, syncing: true, peers: 0 },
    });
    expect(devnetAdapter.interpretProbe("node", { eth_blockNumber: "nope" }).status).toBe("error");
  });

  test("a synced devnet node is the network's head, with the peers it reports (none without an answer)", () => {
    const alone = devnetAdapter.interpretProbe("node", { eth_blockNumber: "0x2a", eth_syncing: false });
    expect(alone).toEqual({
      status: "running",
      metrics: { blockHeight: 42, networkHeight: 42, syncPercent: 100, syncing: false, peers: 0 },
    });
    const peered = devnetAdapter.interpretProbe("node", {
      eth_blockNumber: "0x2a",
      eth_syncing: false,
      net_peerCount: "0x3",
    });
    expect(peered.metrics.peers).toBe(3);
  });
});

describe("devnet plan run as a real anvil", () => {
  const scratch = makeTestDir("devnet-plan");
  afterAll(() => scratch.cleanup());

  test("the planned command produces blocks, probes as running, and keeps the chain across stop/start", async () => {
    const port = await freePort();
    const nodeDir = join(scratch.dir, "nodes", "n1");
    const env: PlanEnv = {
      platform: "linux-x64",
      nodeDir,
      configDir: join(nodeDir, "config"),
      dataDir: join(nodeDir, "data"),
      artifacts: { node: { client: ANVIL_BIN } },
    };
    mkdirSync(env.dataDir, { recursive: true });
    const node = planned(variant({ ports: { rpc: port } }), env);
    const run = () =>
      Bun.spawn([node.executable, ...node.args], { cwd: nodeDir, stdout: "ignore", stderr: "ignore" });

    let child = run();
    try {
      await eventually(async () => (await blockNumber(port)) >= 2, {
        timeoutMs: 20_000,
        message: "2 blocks",
      });
      const answer = await runProbe(node.probe, "127.0.0.1", 5000);
      if (!answer.ok) throw new Error(answer.message);
      const probed = devnetAdapter.interpretProbe("node", answer.raw);
      expect(probed.status).toBe("running");
      expect(probed.metrics.blockHeight).toBeGreaterThanOrEqual(2);
      // The chain's extras: its id, the client's own version string and the gas price it asks.
      expect(probed.details).toMatchObject({
        chainId: 31337,
        clientVersion: expect.stringMatching(/^anvil/),
      });
      expect(probed.details!.gasPriceWei).toBeGreaterThan(0);

      const before = await blockNumber(port);
      child.kill("SIGTERM"); // anvil dumps --state on SIGTERM
      await child.exited;
      expect(existsSync(join(env.dataDir, "state.json"))).toBe(true);
      child = run();
      const after = await eventually(async () => blockNumber(port).catch(() => null), { timeoutMs: 20_000 });
      expect(after).toBeGreaterThanOrEqual(before);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  });

  test("a probe of a port nobody answers on reports why, within the deadline", async () => {
    const port = await freePort();
    const answer = await runProbe(
      { kind: "evm-jsonrpc", port, methods: ["eth_blockNumber"] },
      "127.0.0.1",
      1000,
    );
    expect(answer.ok).toBe(false);
  });
});
