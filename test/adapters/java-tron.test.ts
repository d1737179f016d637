// The tron adapter (java-tron): conformance, golden plans per network, its rendered config.conf and flags
// against the documented keys and flags of the pinned version (config.conf also read back by Typesafe
// Config), the managed heap and other refusals, and its probe read against documented HTTP API answers.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { getAdapter, supportedChains } from "../../src/adapters/registry.ts";
import { dottedLeaves } from "../../src/adapters/shared/file-overrides.ts";
import { renderConfigFile } from "../../src/adapters/shared/render.ts";
import { tronAdapter } from "../../src/adapters/tron/java-tron/adapter.ts";
import type { PlanEnv, PlannedProcess } from "../../src/adapters/types.ts";
import { runProbe } from "../../src/executor/probe.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { goldenPlanFiles, testGoldenPlanFiles } from "../golden/plans/golden-plans.ts";
import { parseHoconFile, typesafeConfigJar } from "../harness/hocon/typesafe-config.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";
import { fixtureKeys } from "./fixtures/fixture-keys.ts";

const ARTIFACTS = {
  node: {
    client: "/var/lib/novacula/artifacts/sha256-cc/FullNode.jar",
    jre: "/var/lib/novacula/artifacts/sha256-dd/jre",
  },
};
const ENV: PlanEnv = { ...CONFORMANCE_ENV, artifacts: ARTIFACTS };
const FILE = "config.conf";
const GIB = 1024 ** 3;

const base: NodeSpec = {
  chain: "tron",
  network: "mainnet",
  nodeType: "full",
  clients: { node: { name: "java-tron", version: "4.8.0" } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });

runAdapterConformance(tronAdapter, {
  baseSpec: base,
  env: ENV,
  honoured: {
    "/chain": { spec: variant({ chain: "sui" }), expect: "rejected" },
    "/network": { spec: variant({ network: "nile" }), expect: "changes-plan" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "rejected" },
    "/clients": {
      spec: variant({ clients: { node: { name: "java-tron", version: "0.0.1" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "8" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "24Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": {
      spec: variant({ overrides: { files: { [FILE]: { "node.openHistoryQueryWhenLiteFN": true } } } }),
      expect: "changes-plan",
    },
    "/overrides/args": {
      spec: variant({ overrides: { args: { "java-tron": ["--es"] } } }),
      expect: "changes-plan",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { http: 18090, p2p: 28888 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { heapSize: 16 } }), expect: "rejected" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

function planned(spec: NodeSpec, env: PlanEnv = ENV): PlannedProcess {
  const result = tronAdapter.plan("tron-1", spec, env);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes[0]!;
}

const messages = (spec: NodeSpec) => tronAdapter.validate(spec).map((e) => `${e.path}: ${e.message}`);
const paths = (spec: NodeSpec) => tronAdapter.validate(spec).map((e) => e.path);

describe("tron golden plans per network", () => {
  for (const network of ["mainnet", "nile"]) {
    testGoldenPlanFiles(
      goldenPlanFiles(tronAdapter, `tron-${network}`, `tron-${network}-1`, variant({ network }), ARTIFACTS),
    );
  }
});

describe("java-tron plan", () => {
  test("the registry serves tron and its capability offers mainnet and nile, full only, with §11 defaults", () => {
    expect(getAdapter("tron")).toBe(tronAdapter);
    const capability = supportedChains().find((c) => c.chain === "tron")!;
    expect(capability.networks).toEqual(["mainnet", "nile"]);
    expect(capability.nodeTypes).toEqual(["full"]);
    expect(capability.defaults.mainnet).toEqual({ cpu: "16", memory: "32Gi", storage: { data: "4000Gi" } });
    expect(capability.defaults.nile).toEqual({ cpu: "8", memory: "16Gi", storage: { data: "300Gi" } });
  });

  test("java-tron runs on the delivered JRE with the network's heap, FullNode.jar, -c and -d", () => {
    const main = planned(base);
    expect(main.executable).toBe(`${ARTIFACTS.node.jre}/bin/java`);
    expect(main.artifacts).toEqual(["client", "jre"]);
    expect(main.args.slice(0, 2)).toEqual(["-Xms12g", "-Xmx12g"]);
    expect(main.args.slice(-6)).toEqual([
      "-jar",
      ARTIFACTS.node.client,
      "-c",
      `${ENV.configDir}/${FILE}`,
      "-d",
      ENV.dataDir,
    ]);
    expect(planned(variant({ network: "nile" })).args.slice(0, 2)).toEqual(["-Xms9g", "-Xmx9g"]);
    expect(main.memoryMaxBytes).toBe(32 * GIB);
    expect(main.stopTimeoutSecs).toBeGreaterThanOrEqual(120);
  });

  test("the JVM options fit the JDK of the platform: CMS on x64 (JDK 8), none of it on arm64 (JDK 17)", () => {
    expect(planned(base).args).toContain("-XX:+UseConcMarkSweepGC");
    const arm = planned(base, { ...ENV, platform: "linux-arm64" }).args;
    expect(arm.filter((a) => a.includes("CMS") || a.includes("ConcMarkSweep"))).toEqual([]);
    expect(arm.slice(0, 2)).toEqual(["-Xms12g", "-Xmx12g"]);
  });

  test("a node without its FullNode.jar or JRE is refused with the catalog as the fix", () => {
    const result = tronAdapter.plan("tron-1", base, {
      ...ENV,
      artifacts: { node: { client: "/x/FullNode.jar" } },
    });
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([
      'no "jre" artifact was delivered for java-tron 4.8.0 on linux-x64 (mainnet): add it to the control plane\'s client catalog',
    ]);
  });

  test("each network gets its p2p id, seed nodes and genesis; ports follow spec.ports", () => {
    const content = (spec: NodeSpec) => planned(spec).configFiles[0]!.content as Record<string, any>;
    const main = content(variant({ ports: { grpc: 50052, http: 18090, p2p: 28888, metrics: 19527 } }));
    const nile = content(variant({ network: "nile" }));
    expect(main.node.p2p.version).toBe(11111);
    expect(nile.node.p2p.version).toBe(201910292);
    expect(main.seed.node.ip.list).toContain("3.225.171.164:18888");
    expect(nile.seed.node.ip.list).toContain("47.90.214.183:18888");
    expect(main.genesis.block.witnesses[0]).toEqual({
      address: "THKJYuUmMKKARNf7s2VT51g5uPY6KEqnat",
      url: "http://GR1.com",
      voteCount: 100000026,
    });
    expect(main.genesis.block.witnesses).toHaveLength(27);
    expect(nile.genesis.block.witnesses[0].address).toBe("TD23EqH3ixYMYh8CMXKdHyQWjePi3KQvxV");
    expect(nile.storage.merkleRoot).toEqual({
      "reward-vi": "b474b61f93824cd70106f8f5283fa740d61b83a7d57a3c12401d627f1fae0a77",
    });
    expect(main.node.listen.port).toBe(28888);
    expect(main.node.rpc.port).toBe(50052);
    expect(main.node.trustNode).toBe("127.0.0.1:50052");
    expect(main.node.http.fullNodePort).toBe(18090);
    expect(main.node.metrics.prometheus).toEqual({ enable: true, port: 19527 });
    expect(planned(variant({ ports: { http: 18090 } })).probe).toEqual({
      kind: "http-json",
      port: 18090,
      requests: [
        { key: "nowBlock", path: "/wallet/getnowblock" },
        { key: "nodeInfo", path: "/wallet/getnodeinfo" },
      ],
    });
  });

  test("every key the rendered config.conf sets, and every java-tron flag, is documented for 4.8.0", () => {
    const keys = fixtureKeys("java-tron-4.8.0-config-keys.txt");
    const documented = (key: string) =>
      key.split(".").some((_, i, parts) => keys.has(parts.slice(0, i + 1).join(".")));
    for (const network of ["mainnet", "nile"]) {
      const file = planned(variant({ network })).configFiles[0]!;
      const unknown = dottedLeaves(file.content as Record<string, unknown>).filter((k) => !documented(k));
      expect({ network, unknown }).toEqual({ network, unknown: [] });
    }
    const flags = fixtureKeys("java-tron-4.8.0-flags.txt");
    const args = planned(base).args;
    const programArgs = args.slice(args.indexOf("-jar") + 2).filter((a) => a.startsWith("-"));
    expect(programArgs.filter((a) => !flags.has(a))).toEqual([]);
  });

  test("file overrides merge as HOCON assignments; unknown keys pass through", () => {
    const file = planned(
      variant({
        overrides: {
          files: {
            [FILE]: { "node.openHistoryQueryWhenLiteFN": true, "node.maxConnections": 50, "x.y": "z" },
          },
        },
      }),
    ).configFiles[0]!;
    const text = renderConfigFile(file);
    expect(text).toContain("  openHistoryQueryWhenLiteFN = true\n");
    expect(text).toContain("  maxConnections = 50\n");
    expect(text).toContain('x = {\n  y = "z"\n}\n');
  });
});

describe("Typesafe Config reads each network's rendered config.conf as java-tron would", () => {
  const found = typesafeConfigJar();
  const work = makeTestDir("java-tron-conf");
  afterAll(() => work.cleanup());

  for (const network of ["mainnet", "nile"]) {
    test.skipIf("missing" in found)(
      `${network}: the parsed tree equals the model (skipped only without java and mvn)`,
      () => {
        if (!("jar" in found)) return;
        const conf = planned(variant({ network })).configFiles[0]!;
        const path = join(work.dir, `${network}.conf`);
        writeFileSync(path, renderConfigFile(conf));
        expect(parseHoconFile(found.jar, path)).toEqual(JSON.parse(JSON.stringify(conf.content)));
      },
      120_000,
    );
  }
});

describe("a real JVM takes the planned JVM options", () => {
  // This machine's JDK is 17, the JDK java-tron documents for ARM64; x64 takes JDK 8 (CMS), which JDK 17 lacks.
  const jvmOptions = (platform: "linux-x64" | "linux-arm64") => {
    const args = planned(variant({ network: "nile" }), { ...ENV, platform }).args;
    return args.slice(0, args.indexOf("-jar"));
  };
  const java = (options: string[]) =>
    Bun.spawnSync(["java", ...options, "-version"], { stdout: "pipe", stderr: "pipe" });
  const hasJava = Bun.which("java") !== null;

  test.skipIf(!hasJava)(
    "JDK 17 starts with the linux-arm64 options, heap included (skipped only without java)",
    () => {
      const run = java(jvmOptions("linux-arm64"));
      expect({ code: run.exitCode, stderr: run.stderr.toString().includes("Error") }).toEqual({
        code: 0,
        stderr: false,
      });
    },
  );

  test.skipIf(!hasJava)(
    "JDK 17 refuses the linux-x64 options: that platform's JRE must be the JDK 8 java-tron documents",
    () => {
      const run = java(jvmOptions("linux-x64"));
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr.toString()).toContain("UseConcMarkSweepGC");
    },
  );
});

describe("tron bad input is refused with its path and the fix", () => {
  test("a heap setting is refused: the heap follows the network", () => {
    expect(messages(variant({ settings: { heapSize: 16 } }))).toEqual([
      '/settings/heapSize: java-tron takes no settings (the JVM heap is managed by Novacula and follows the network (mainnet: 12 GiB; mainnet 12 GiB, nile 9 GiB), not a per-node setting: remove it); other options go in overrides.files["config.conf"]',
    ]);
  });

  test("an -Xmx or -Xms in the overrides is refused at its index, in every spelling", () => {
    for (const arg of ["-Xmx24g", "-Xmx", "-Xms8G", "-XX:MaxHeapSize=1g", "-XX:MaxRAMPercentage=80"]) {
      const errors = tronAdapter.validate(variant({ overrides: { args: { "java-tron": ["--es", arg] } } }));
      expect({ arg, errors: errors.map((e) => e.path) }).toEqual({
        arg,
        errors: ["/overrides/args/java-tron/1"],
      });
      expect(errors[0]!.message).toContain("the JVM heap is managed by Novacula");
    }
  });

  test("witness (block producer) mode and the managed flags are refused", () => {
    expect(paths(variant({ overrides: { args: { "java-tron": ["--witness", "-d", "/srv"] } } }))).toEqual([
      "/overrides/args/java-tron/0",
      "/overrides/args/java-tron/1",
    ]);
  });

  test("managed config paths are refused, also when reached through a parent object", () => {
    const spec = (keys: Record<string, unknown>) => variant({ overrides: { files: { [FILE]: keys } } });
    expect(paths(spec({ "node.listen.port": 1 }))).toEqual([`/overrides/files/${FILE}/node.listen.port`]);
    expect(paths(spec({ node: { rpc: { port: 1 } } }))).toEqual([`/overrides/files/${FILE}/node`]);
    expect(messages(spec({ "node.http": { solidityEnable: true } }))[0]).toContain("set ports in spec.ports");
    expect(paths(spec({ "genesis.block.witnesses": [] }))).toEqual([
      `/overrides/files/${FILE}/genesis.block.witnesses`,
    ]);
    expect(paths(spec({ "node.maxConnections": "many" }))).toEqual([
      `/overrides/files/${FILE}/node.maxConnections`,
    ]);
  });

  test("a memory limit below the heap plus the JVM's off-heap memory is refused with the minimum", () => {
    expect(messages(variant({ resources: { memoryLimit: "12Gi" } }))).toEqual([
      "/resources/memoryLimit: 12Gi is below what the node needs (a 12 GiB JVM heap on mainnet plus 4 GiB off the heap): raise it to at least 16Gi",
    ]);
    expect(paths(variant({ network: "nile", resources: { memoryLimit: "13Gi" } }))).toEqual([]);
    expect(planned(variant({ resources: { memoryLimit: "24Gi" } })).memoryMaxBytes).toBe(24 * GIB);
  });

  test("an archive Tron node and an unknown network are refused", () => {
    expect(paths(variant({ nodeType: "archive" }))).toEqual(["/nodeType"]);
    expect(messages(variant({ network: "shasta" }))).toEqual([
      '/network: unknown network "shasta": use one of "mainnet", "nile"',
    ]);
  });
});

describe("java-tron probe, read against documented HTTP API answers", () => {
  // GET /wallet/getnowblock: the field names of TRON's HTTP API reference (blockID, block_header.raw_data
  // number, timestamp, parentHash, version); the values are those of the getnodeinfo answer below (its head
  // block and the block before it, and its peers' lastBlockUpdateTime on the 3-second slot).
  const nowBlock = {
    blockID: "000000000443f3d1b185131a08abaa5c1c1b148f3c4d46f117d732afb9076a6c",
    block_header: {
      raw_data: {
        number: 71562193,
        parentHash: "000000000443f3d04bc09148f84085fcaa7577dcb13438bd884091b8a0467d1c",
        version: 31,
        timestamp: 1745341503000,
      },
    },
  };
  // GET /wallet/getnodeinfo: the documented answer of a 4.7.7 mainnet node (GetBlock's TRON API
  // reference, getnodeinfo), peer list and memory pools shortened.
  const nodeInfo = {
    activeConnectCount: 9,
    beginSyncNum: 71562174,
    block: "Num:71562193,ID:000000000443f3d1b185131a08abaa5c1c1b148f3c4d46f117d732afb9076a6c",
    cheatWitnessInfoMap: {},
    configNodeInfo: { codeVersion: "4.7.7", listenPort: 18888, p2pVersion: "11111", versionNum: "18386" },
    currentConnectCount: 9,
    machineInfo: {
      cpuCount: 20,
      deadLockThreadCount: 0,
      deadLockThreadInfoList: [],
      freeMemory: 660168704,
      javaVersion: "1.8.0_202",
      jvmFreeMemory: 20474562280,
      jvmTotalMemory: 25638993920,
      memoryDescInfoList: [
        { initSize: 2555904, maxSize: 268435456, name: "Code Cache", useRate: 0.3024, useSize: 81183296 },
        {
          initSize: 24461180928,
          maxSize: 24461180928,
          name: "CMS Old Gen",
          useRate: 0.1817,
          useSize: 4444704968,
        },
      ],
      threadCount: 303,
      totalMemory: 67075801088,
    },
    passiveConnectCount: 0,
    peerList: [],
    solidityBlock: "Num:71562175,ID:000000000443f3bf504204d8b0bc311e9d30a7934d1fb802cddab9099cfd9c0f",
    totalFlow: 0,
  };
  const details = {
    solidifiedHeight: 71562175,
    beginSyncNum: 71562174,
    clientVersion: "4.7.7",
    heapCommittedBytes: 25638993920,
    heapUsedBytes: 25638993920 - 20474562280,
    oldGenUsedBytes: 4444704968,
    deadLockThreadCount: 0,
  };

  test("height and head time from getnowblock, peers, solidified height and JVM memory from getnodeinfo", () => {
    const result = tronAdapter.interpretProbe("node", { nowBlock, nodeInfo });
    expect(result.status).toBe("syncing"); // the documented head is from 2025: far behind today's network
    expect(result.metrics).toEqual({
      blockHeight: 71562193,
      peers: 9,
      lastBlockAt: "2025-04-22T17:05:03.000Z",
      syncing: true,
    });
    expect(result.details).toEqual(details);
  });

  test("the executor's probe of a server answering as java-tron's HTTP API reads height, peers and heap", async () => {
    // Stands in for java-tron's HTTP port: the documented answers, by GET, at their paths.
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        const { pathname } = new URL(request.url);
        if (request.method !== "GET") return new Response("GET only here", { status: 405 });
        if (pathname === "/wallet/getnowblock") return Response.json(nowBlock);
        if (pathname === "/wallet/getnodeinfo") return Response.json(nodeInfo);
        return new Response("not found", { status: 404 });
      },
    });
    try {
      const answer = await runProbe(
        planned(variant({ ports: { http: server.port! } })).probe,
        "127.0.0.1",
        5000,
      );
      if (!answer.ok) throw new Error(answer.message);
      const result = tronAdapter.interpretProbe("node", answer.raw);
      expect(result.metrics.blockHeight).toBe(71562193);
      expect(result.metrics.peers).toBe(9);
      expect(result.details).toEqual(details);
    } finally {
      server.stop(true);
    }
  });

  test("a fresh head block is a running node in sync", () => {
    const fresh = structuredClone(nowBlock);
    fresh.block_header.raw_data.timestamp = Date.now() - 3000;
    const result = tronAdapter.interpretProbe("node", { nowBlock: fresh, nodeInfo });
    expect(result.status).toBe("running");
    expect(result.metrics.syncing).toBe(false);
    expect(result.metrics.syncPercent).toBe(100);
  });

  test("without getnowblock the height comes from getnodeinfo; without both it is an error", () => {
    expect(tronAdapter.interpretProbe("node", { nodeInfo }).metrics.blockHeight).toBe(71562193);
    expect(tronAdapter.interpretProbe("node", {}).status).toBe("error");
    expect(tronAdapter.interpretProbe("node", { nowBlock: { status: 503, body: "busy" } }).status).toBe(
      "error",
    );
  });
});
