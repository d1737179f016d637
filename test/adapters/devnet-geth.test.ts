// The devnet chain run by geth in dev mode: conformance, its rules (catalog artifact, version range, the fixed
// dev chain id, overrides per client), golden plans, and the rendered flags held against the real geth built
// from its Go module: its --help, and the planned command run as a process.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gethHelpFixturePath, renderGethHelpFixture } from "../../scripts/fixtures/geth-help.ts";
import { devnetAdapter } from "../../src/adapters/devnet/adapter.ts";
import { supportedChains } from "../../src/adapters/registry.ts";
import type { PlanEnv, PlannedProcess } from "../../src/adapters/types.ts";
import { runProbe } from "../../src/executor/probe.ts";
import { eventually } from "../../src/lib/eventually.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { blockNumber, freePort, jsonRpc, makeTestDir } from "../agent/helpers.ts";
import { GETH_VERSION, gethHelpFlags, testGeth } from "../harness/geth.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";

const GETH = await testGeth();

/** Where an executor would install the catalog's geth: the plan takes it from PlanEnv.artifacts. */
const INSTALLED = "/var/lib/novacula/artifacts/geth-1.17.10-linux-x64/geth";
const env: PlanEnv = { ...CONFORMANCE_ENV, artifacts: { node: { client: INSTALLED } } };

const base: NodeSpec = {
  chain: "devnet",
  network: "local",
  nodeType: "full",
  clients: { node: { name: "geth", version: GETH_VERSION } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });
const paths = (spec: NodeSpec) => devnetAdapter.validate(spec).map((e) => e.path);

function planned(spec: NodeSpec, planEnv: PlanEnv = env): PlannedProcess {
  const result = devnetAdapter.plan("n1", spec, planEnv);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes[0]!;
}

runAdapterConformance(devnetAdapter, {
  baseSpec: base,
  env,
  fixedSettings: { chainId: 1337 },
  honoured: {
    "/chain": { spec: variant({ chain: "ethereum" }), expect: "rejected" },
    "/network": { spec: variant({ network: "mainnet" }), expect: "rejected" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "rejected" },
    "/clients": {
      spec: variant({ clients: { node: { name: "geth", version: "1.13.15" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "500m" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "2Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { "geth.toml": { a: 1 } } } }),
      expect: "rejected",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { geth: ["--verbosity", "4"] } } }),
      expect: "changes-plan",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { rpc: 18545 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { blockTimeSecs: 2 } }), expect: "changes-plan" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

describe("devnet geth rules", () => {
  test("the devnet capability offers anvil and geth for the node role, geth by version range", () => {
    const devnet = supportedChains().find((c) => c.chain === "devnet")!;
    expect(devnet.roles).toEqual([
      {
        role: "node",
        clients: [
          { name: "anvil", versions: ["1.7.1"], versionRange: ">=1.0.0 <2.0.0" },
          // The shipped catalog's geth (tests run GETH_VERSION, built from its Go module: inside the range).
          { name: "geth", versions: ["1.17.5"], versionRange: ">=1.14.0 <2.0.0" },
        ],
      },
    ]);
    expect(Object.keys(devnet.configOverrideSchema.args)).toEqual(["anvil", "geth"]);
  });

  test("geth runs the catalog's installed binary: executable and artifact come from the plan env", () => {
    const node = planned(base);
    expect(node.executable).toBe(INSTALLED);
    expect(node.artifacts).toEqual(["client"]);
    expect(node.stopTimeoutSecs).toBeGreaterThanOrEqual(60);
  });

  test("a geth whose artifact was not delivered is refused at the version's path, naming the catalog", () => {
    const result = devnetAdapter.plan("n1", base, CONFORMANCE_ENV);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(["/clients/node/version"]);
    expect(result.errors[0]!.message).toContain('"client" artifact');
    expect(result.errors[0]!.message).toContain("catalog");
  });

  test("any geth inside the version range plans; one outside it is refused with the range", () => {
    expect(paths(variant({ clients: { node: { name: "geth", version: "1.16.9" } } }))).toEqual([]);
    for (const version of ["1.13.15", "2.0.0"]) {
      const errors = devnetAdapter.validate(variant({ clients: { node: { name: "geth", version } } }));
      expect(errors.map((e) => e.path)).toEqual(["/clients/node/version"]);
      expect(errors[0]!.message).toContain(">=1.14.0 <2.0.0");
    }
  });

  test("settings.chainId: geth's dev chain is 1337, any other id is refused at its path with the fix", () => {
    expect(paths(variant({ settings: { chainId: 1337 } }))).toEqual([]);
    expect(planned(variant({ settings: { chainId: 1337 } }))).toEqual(planned(base));
    const errors = devnetAdapter.validate(variant({ settings: { chainId: 31337 } }));
    expect(errors.map((e) => e.path)).toEqual(["/settings/chainId"]);
    expect(errors[0]!.message).toContain("1337");
    // A malformed id is reported once, by the shared setting check.
    expect(paths(variant({ settings: { chainId: "1" } }))).toEqual(["/settings/chainId"]);
    // anvil keeps any chain id.
    expect(
      paths(variant({ clients: { node: { name: "anvil", version: "1.7.1" } }, settings: { chainId: 5 } })),
    ).toEqual([]);
  });

  test("arguments for the client the node does not run, and geth's managed flags, are refused at their paths", () => {
    expect(paths(variant({ overrides: { args: { anvil: ["--accounts", "3"] } } }))).toEqual([
      "/overrides/args/anvil",
    ]);
    expect(
      paths(variant({ overrides: { args: { geth: ["--cache", "512", "--datadir=/elsewhere"] } } })),
    ).toEqual(["/overrides/args/geth/2"]);
  });

  test("a dev-mode geth answer: the node is the head, with the peers it reports and its chain id", () => {
    const probed = devnetAdapter.interpretProbe("node", {
      eth_blockNumber: "0x5",
      eth_syncing: false,
      net_peerCount: "0x0",
      eth_chainId: "0x539",
      web3_clientVersion: "Geth/v1.17.10-stable/linux-amd64/go1.26.8",
    });
    expect(probed.status).toBe("running");
    expect(probed.metrics).toEqual({
      blockHeight: 5,
      networkHeight: 5,
      peers: 0,
      syncing: false,
      syncPercent: 100,
    });
    expect(probed.details).toEqual({
      chainId: 1337,
      clientVersion: "Geth/v1.17.10-stable/linux-amd64/go1.26.8",
    });
  });
});

describe("devnet golden plans", () => {
  // Each client runs from where the agent installs its catalog artifact (artifacts/<sha256> for a binary).
  const anvilInstalled =
    "/var/lib/novacula/artifacts/10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b";
  const goldens: Record<string, { spec: NodeSpec; client: string }> = {
    "devnet-local-geth.json": { spec: base, client: INSTALLED },
    "devnet-local-anvil.json": {
      spec: variant({ clients: { node: { name: "anvil", version: "1.7.1" } } }),
      client: anvilInstalled,
    },
  };
  const nodeDir = "/var/lib/novacula/nodes/devnet-local-1";
  for (const [file, { spec, client }] of Object.entries(goldens)) {
    const goldenEnv: PlanEnv = {
      ...env,
      nodeDir,
      configDir: `${nodeDir}/config`,
      dataDir: `${nodeDir}/data`,
      artifacts: { node: { client } },
    };
    test(`${file}: the plan matches its golden file byte for byte`, () => {
      const result = devnetAdapter.plan("devnet-local-1", spec, goldenEnv);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const rendered = `${JSON.stringify(result.plan, null, 2)}\n`;
      const path = join(import.meta.dir, "../golden/plans", file);
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, rendered);
      expect(rendered).toBe(readFileSync(path, "utf8"));
    });
  }
});

describe(`the rendered flags against the real geth ${GETH_VERSION}`, () => {
  const fixture = readFileSync(gethHelpFixturePath(), "utf8");
  const known = gethHelpFlags(fixture);

  test("the --help fixture is what the binary built from the module prints", async () => {
    expect(await renderGethHelpFixture(GETH)).toBe(fixture);
    expect(fixture).toContain(`VERSION:\n   ${GETH_VERSION}-stable`);
  });

  test("every flag the plan renders, and every managed and known override flag, is one geth --help lists", () => {
    expect(known.size).toBeGreaterThan(150);
    const rendered = planned(base).args.filter((a) => a.startsWith("-"));
    const schema = devnetAdapter.capability().configOverrideSchema.args.geth!;
    const all = [...rendered, ...schema.managedFlags, ...Object.keys(schema.knownFlags)];
    expect(all.filter((flag) => !known.has(flag))).toEqual([]);
    expect(rendered).toContain("--dev.period");
  });
});

describe("the planned geth run as a real process", () => {
  const scratch = makeTestDir("devnet-geth");
  afterAll(() => scratch.cleanup());

  test("it produces blocks, probes as running with no peers, stops on SIGTERM in time and restarts on its data", async () => {
    const port = await freePort();
    const nodeDir = join(scratch.dir, "nodes", "n1");
    const runEnv: PlanEnv = {
      platform: "linux-x64",
      nodeDir,
      configDir: join(nodeDir, "config"),
      dataDir: join(nodeDir, "data"),
      artifacts: { node: { client: GETH } },
    };
    mkdirSync(runEnv.dataDir, { recursive: true });
    const node = planned(variant({ ports: { rpc: port } }), runEnv);
    const log = join(nodeDir, "geth.log");
    const run = () =>
      Bun.spawn([node.executable!, ...node.args], { cwd: nodeDir, stdout: "ignore", stderr: Bun.file(log) });

    /** The head once the RPC answers with at least `min`; a geth that exits instead fails at once, with its log. */
    const head = (min: number) =>
      Promise.race([
        eventually(async () => ((await blockNumber(port)) >= min ? blockNumber(port) : null), {
          timeoutMs: 90_000,
          message: `block ${min}`,
        }),
        child.exited.then((code) => {
          throw new Error(`geth exited ${code}: ${readFileSync(log, "utf8").slice(-2000)}`);
        }),
      ]);

    let child = run();
    try {
      await head(2);
      const answer = await runProbe(node.probe, "127.0.0.1", 5000);
      if (!answer.ok) throw new Error(answer.message);
      expect(answer.raw.net_peerCount).toBe("0x0");
      const probed = devnetAdapter.interpretProbe("node", answer.raw);
      expect(probed.status).toBe("running");
      expect(probed.metrics.peers).toBe(0);
      expect(probed.details).toMatchObject({
        chainId: 1337,
        clientVersion: expect.stringMatching(new RegExp(`^Geth/v${GETH_VERSION.replaceAll(".", "\\.")}`)),
      });

      const block1 = ((await jsonRpc(port, "eth_getBlockByNumber", ["0x1", false])) as { hash: string }).hash;
      const before = await blockNumber(port);
      const stopping = performance.now();
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      expect(performance.now() - stopping).toBeLessThan(node.stopTimeoutSecs * 1000);
      expect(readFileSync(log, "utf8")).toContain("Blockchain stopped");

      child = run();
      // The first head it answers after the restart is already past the old one: the chain was not reset.
      expect(await head(0)).toBeGreaterThanOrEqual(before);
      const again = ((await jsonRpc(port, "eth_getBlockByNumber", ["0x1", false])) as { hash: string }).hash;
      expect(again).toBe(block1);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  }, 300_000);
});
