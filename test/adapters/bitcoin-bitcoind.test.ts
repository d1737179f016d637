// The bitcoin adapter: conformance, golden plans per network, bitcoin.conf keys checked against bitcoind
// 29.1's documented options, override rules and bad input, and its probe read against documented RPC answers.
import { describe, expect, test } from "bun:test";
import { bitcoinAdapter } from "../../src/adapters/bitcoin/bitcoind/adapter.ts";
import { KNOWN_KEYS, MANAGED_KEYS, RETIRED_KEYS } from "../../src/adapters/bitcoin/bitcoind/config.ts";
import { getAdapter, supportedChains } from "../../src/adapters/registry.ts";
import { renderConfigFile } from "../../src/adapters/shared/render.ts";
import { versionSatisfies } from "../../src/adapters/shared/spec.ts";
import type { PlannedProcess } from "../../src/adapters/types.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { CONFORMANCE_ENV, runAdapterConformance } from "./conformance.ts";
import { expectGoldenPlan, goldenFiles, hostEnv, readFlagFixture } from "./plan-golden.ts";

const BITCOIND = "/var/lib/novacula/bin/bitcoind-29.1-linux-x64/bin/bitcoind";
const env = { ...CONFORMANCE_ENV, artifacts: { node: { client: BITCOIND } } };

const base: NodeSpec = {
  chain: "bitcoin",
  network: "mainnet",
  nodeType: "full",
  clients: { node: { name: "bitcoind", version: "29.1" } },
  desiredState: "running",
  restartGeneration: 0,
};
const variant = (patch: Partial<NodeSpec>): NodeSpec => ({ ...structuredClone(base), ...patch });
const conf = (keys: Record<string, unknown>) => variant({ overrides: { files: { "bitcoin.conf": keys } } });

function planned(spec: NodeSpec): PlannedProcess {
  const result = bitcoinAdapter.plan("btc-1", spec, env);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes[0]!;
}
const rendered = (spec: NodeSpec) => renderConfigFile(planned(spec).configFiles[0]!);
const paths = (spec: NodeSpec) => bitcoinAdapter.validate(spec).map((e) => e.path);

runAdapterConformance(bitcoinAdapter, {
  baseSpec: base,
  env,
  honoured: {
    "/chain": { spec: variant({ chain: "ethereum" }), expect: "rejected" },
    "/network": { spec: variant({ network: "signet" }), expect: "changes-plan" },
    "/nodeType": { spec: variant({ nodeType: "archive" }), expect: "rejected" },
    "/clients": {
      spec: variant({ clients: { node: { name: "bitcoind", version: "27.0" } } }),
      expect: "rejected",
    },
    "/resources/cpuLimit": { spec: variant({ resources: { cpuLimit: "2" } }), expect: "changes-plan" },
    "/resources/memoryLimit": {
      spec: variant({ resources: { memoryLimit: "6Gi" } }),
      expect: "changes-plan",
    },
    "/overrides/files": { spec: conf({ dbcache: 4096 }), expect: "changes-plan" },
    "/overrides/args": {
      spec: variant({ overrides: { args: { bitcoind: ["-dbcache=4096"] } } }),
      expect: "rejected",
    },
    "/checkpointSyncUrl": {
      spec: variant({ checkpointSyncUrl: "https://example.invalid" }),
      expect: "rejected",
    },
    "/ports": { spec: variant({ ports: { p2p: 18444 } }), expect: "changes-plan" },
    "/settings": { spec: variant({ settings: { dbcache: 4096 } }), expect: "rejected" },
    "/restartPolicy": { spec: variant({ restartPolicy: "always" }), expect: "changes-plan" },
  },
});

describe("bitcoin golden plans", () => {
  for (const network of ["mainnet", "test", "signet"]) {
    test(`${network}: the plan, its bitcoin.conf and its unit match the golden file byte for byte`, () => {
      const nodeName = `btc-${network}`;
      const spec = variant({
        network,
        ...(network === "mainnet" ? conf({ dbcache: 4096, txindex: true }) : {}),
      });
      const files = goldenFiles(
        bitcoinAdapter,
        nodeName,
        spec,
        hostEnv(nodeName, { node: { client: BITCOIND } }),
      );
      expectGoldenPlan(`bitcoin-${network}`, files);
    });
  }
});

describe("bitcoin adapter rules", () => {
  test("the registry serves bitcoin and reports its override schema in the capabilities", () => {
    expect(getAdapter("bitcoin")).toBe(bitcoinAdapter);
    const capability = supportedChains().find((c) => c.chain === "bitcoin")!;
    expect(capability.networks).toEqual(["mainnet", "test", "signet"]);
    expect(capability.nodeTypes).toEqual(["full"]);
    expect(capability.configOverrideSchema.files["bitcoin.conf"]!.managedPaths).toEqual(
      expect.arrayContaining(["bind", "rpcbind", "datadir", "rpcuser", "rpcpassword", "rpcauth"]),
    );
    expect(Object.keys(capability.configOverrideSchema.files["bitcoin.conf"]!.knownKeys).sort()).toEqual(
      [
        "assumevalid",
        "blockfilterindex",
        "coinstatsindex",
        "dbcache",
        "maxconnections",
        "maxmempool",
        "mempoolfullrbf",
        "par",
        "peerblockfilters",
        "prune",
        "txindex",
      ].sort(),
    );
    expect(capability.configOverrideSchema.args).toEqual({});
  });

  test("ports per network: P2P public on every address, RPC on loopback only", () => {
    const expected = { mainnet: [8333, 8332], test: [18333, 18332], signet: [38333, 38332] };
    for (const [network, [p2p, rpc]] of Object.entries(expected)) {
      const process = planned(variant({ network }));
      expect(process.ports).toEqual([
        { name: "p2p", port: p2p!, protocol: "tcp", exposure: "public" },
        { name: "rpc", port: rpc!, protocol: "tcp", exposure: "local" },
      ]);
      const section = network === "mainnet" ? "main" : network;
      const text = rendered(variant({ network }));
      expect(text).toContain(`chain=${section}\n`);
      // Network-only keys are read from the network's section on test networks: they must sit there.
      expect(text).toContain(
        `[${section}]\nbind=0.0.0.0:${p2p}\nport=${p2p}\nrpcallowip=127.0.0.1\nrpcbind=127.0.0.1\nrpcport=${rpc}\n`,
      );
    }
  });

  test("test is testnet3 as bitcoind 29 names it (chain=test, section [test]), not testnet4", () => {
    const text = rendered(variant({ network: "test" }));
    expect(text).toContain("chain=test\n");
    expect(text).not.toContain("testnet4");
  });

  test("every key Novacula renders is a documented bitcoind 29.1 option", () => {
    const documented = readFlagFixture("bitcoind-29.1-flags.txt");
    for (const network of ["mainnet", "test", "signet"]) {
      const keys = rendered(variant({ network }))
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => line.slice(0, line.indexOf("=")));
      expect(keys.length).toBeGreaterThan(5);
      expect(keys.filter((key) => !documented.has(key))).toEqual([]);
    }
    // The command line too: -conf and -datadir.
    const flags = planned(base).args.map((arg) => arg.slice(1, arg.indexOf("=")));
    expect(flags.filter((flag) => !documented.has(flag))).toEqual([]);
  });

  test("managed and known keys are documented options, except those a newer version retired", () => {
    const documented = readFlagFixture("bitcoind-29.1-flags.txt");
    // regtest is documented under -help-debug only (not in the manual page), and managed all the same.
    expect(MANAGED_KEYS.filter((key) => !documented.has(key))).toEqual(["regtest"]);
    expect(Object.keys(KNOWN_KEYS).filter((key) => !documented.has(key))).toEqual(Object.keys(RETIRED_KEYS));
  });

  test("RPC credentials: cookie auth into the data dir, read by the probe; none in args, spec or config", () => {
    const process = planned(base);
    expect(process.probe).toEqual({
      kind: "jsonrpc",
      port: 8332,
      jsonrpcVersion: "1.0",
      basicAuthFile: `${CONFORMANCE_ENV.dataDir}/.cookie`,
      calls: [
        { key: "blockchain", method: "getblockchaininfo" },
        { key: "network", method: "getnetworkinfo" },
        { key: "mempool", method: "getmempoolinfo" },
        { key: "hashps", method: "getnetworkhashps" },
        { key: "uptime", method: "uptime" },
      ],
    });
    const text = rendered(base);
    expect(text).toContain(`rpccookiefile=${CONFORMANCE_ENV.dataDir}/.cookie\n`);
    expect(text).not.toMatch(/rpcuser|rpcpassword|rpcauth/);
    expect(process.args.join(" ")).not.toMatch(/rpcuser|rpcpassword|rpcauth/);
    for (const key of ["rpcuser", "rpcpassword", "rpcauth", "rpccookiefile"])
      expect(paths(conf({ [key]: "x" }))).toEqual([`/overrides/files/bitcoin.conf/${key}`]);
  });

  test("the process: the catalog's bitcoind, -conf and -datadir, a 600 s stop for the cache flush", () => {
    const process = planned(variant({ resources: { memoryLimit: "4Gi" } }));
    expect(process.executable).toBe(BITCOIND);
    expect(process.artifacts).toEqual(["client"]);
    expect(process.args).toEqual([
      `-conf=${CONFORMANCE_ENV.configDir}/bitcoin.conf`,
      `-datadir=${CONFORMANCE_ENV.dataDir}`,
    ]);
    expect(process.stopTimeoutSecs).toBe(600);
    expect(process.memoryMaxBytes).toBe(4 * 2 ** 30);
    expect(bitcoinAdapter.capability().defaults).toEqual({
      mainnet: { cpu: "2", memory: "4Gi", storage: { data: "600Gi" } },
      test: { cpu: "2", memory: "4Gi", storage: { data: "600Gi" } },
      signet: { cpu: "1", memory: "2Gi", storage: { data: "20Gi" } },
    });
  });

  test("user keys land in the network's section, booleans as 1/0, lists as repeated keys", () => {
    const text = rendered(
      variant({
        network: "signet",
        overrides: {
          files: {
            "bitcoin.conf": {
              txindex: true,
              blockfilterindex: "basic",
              peerblockfilters: 1,
              addnode: ["a:1", "b:2"],
            },
          },
        },
      }),
    );
    expect(text).toContain(
      "[signet]\naddnode=a:1\naddnode=b:2\nbind=0.0.0.0:38333\nblockfilterindex=basic\n",
    );
    expect(text).toContain("peerblockfilters=1\n");
    expect(text).toContain("txindex=1\n");
    expect(text).not.toContain("true");
  });

  test("a catalog version inside the range is accepted without a new binary; one outside is refused", () => {
    expect(versionSatisfies("29.1", ">=29.0.0 <30.0.0")).toBe(true);
    expect(paths(variant({ clients: { node: { name: "bitcoind", version: "29.2" } } }))).toEqual([]);
    expect(paths(variant({ clients: { node: { name: "bitcoind", version: "30.0" } } }))).toEqual([
      "/clients/node/version",
    ]);
  });

  test("no artifact delivered: plan() names the version and the catalog as the fix", () => {
    const result = bitcoinAdapter.plan("btc-1", base, CONFORMANCE_ENV);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.path)).toEqual(["/clients/node/version"]);
      expect(result.errors[0]!.message).toContain("client catalog");
    }
  });
});

describe("bitcoin bad input is refused with its path and the fix", () => {
  const refused = (spec: NodeSpec, path: string, fix: RegExp) => {
    const errors = bitcoinAdapter.validate(spec);
    const error = errors.find((e) => e.path === path);
    expect({ path, found: error !== undefined }).toEqual({ path, found: true });
    expect(error!.message).toMatch(fix);
    expect(bitcoinAdapter.plan("btc-1", spec, env).ok).toBe(false);
  };

  test("an unknown network, with the networks to use", () => {
    refused(variant({ network: "testnet4" }), "/network", /use one of "mainnet", "test", "signet"/);
  });

  test("an archive node (not offered), with full as the fix", () => {
    refused(variant({ nodeType: "archive" }), "/nodeType", /use "full"/);
  });

  test("a managed key, a negated managed key, and a dotted network key", () => {
    refused(
      conf({ rpcbind: "0.0.0.0" }),
      "/overrides/files/bitcoin.conf/rpcbind",
      /managed by Novacula.*remove it/,
    );
    refused(conf({ datadir: "/srv" }), "/overrides/files/bitcoin.conf/datadir", /managed by Novacula/);
    refused(conf({ nobind: 1 }), "/overrides/files/bitcoin.conf/nobind", /negates a key managed/);
    refused(conf({ "test.bind": "x" }), "/overrides/files/bitcoin.conf/test.bind", /letters, digits/);
  });

  test("arguments instead of bitcoin.conf keys", () => {
    refused(
      variant({ overrides: { args: { bitcoind: ["-txindex"] } } }),
      "/overrides/args/bitcoind",
      /overrides\.files\["bitcoin\.conf"\]/,
    );
  });

  test("known keys of the wrong type or range, and combinations bitcoind refuses to start with", () => {
    refused(conf({ dbcache: "big" }), "/overrides/files/bitcoin.conf/dbcache", /integer/);
    refused(conf({ dbcache: 2 }), "/overrides/files/bitcoin.conf/dbcache", /at least 4/);
    refused(conf({ txindex: "yes" }), "/overrides/files/bitcoin.conf/txindex", /true or false/);
    refused(conf({ prune: 100 }), "/overrides/files/bitcoin.conf/prune", /0, 1 or at least 550/);
    refused(conf({ assumevalid: "xyz" }), "/overrides/files/bitcoin.conf/assumevalid", /hex block hash/);
    refused(conf({ prune: 550, txindex: true }), "/overrides/files/bitcoin.conf/txindex", /prune to 0/);
    refused(
      conf({ peerblockfilters: true }),
      "/overrides/files/bitcoin.conf/peerblockfilters",
      /blockfilterindex/,
    );
    refused(conf({ uacomment: "a\nrpcuser=x" }), "/overrides/files/bitcoin.conf/uacomment", /one line/);
    refused(
      conf({ uacomment: { a: 1 } }),
      "/overrides/files/bitcoin.conf/uacomment",
      /string, number or boolean/,
    );
    expect(
      paths(conf({ prune: 550, dbcache: 4096, par: -2, assumevalid: "0", mempoolfullrbf: true })),
    ).toEqual([]);
  });

  test("a setting, a checkpoint URL and an unknown port name", () => {
    refused(
      variant({ settings: { dbcache: 1 } }),
      "/settings/dbcache",
      /overrides\.files\["bitcoin\.conf"\]/,
    );
    refused(variant({ checkpointSyncUrl: "https://example.invalid" }), "/checkpointSyncUrl", /remove/);
    refused(variant({ ports: { ws: 1 } }), "/ports/ws", /use "p2p", "rpc"/);
  });
});
