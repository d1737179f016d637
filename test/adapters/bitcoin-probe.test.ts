// bitcoind's probe: documented RPC answers (fixtures/bitcoind-29-rpc-answers.json, source noted there) become
// status, metrics and Bitcoin's extras; and the planned ProbeSpec, run by the executor's real probe against a
// stand-in server speaking bitcoind's JSON-RPC 1.0 with cookie auth, reads the cookie and gets them.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bitcoinAdapter } from "../../src/adapters/bitcoin/bitcoind/adapter.ts";
import type { PlanEnv } from "../../src/adapters/types.ts";
import { runProbe } from "../../src/executor/probe.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { freePort, makeTestDir } from "../agent/helpers.ts";

const answers = JSON.parse(
  readFileSync(join(import.meta.dir, "fixtures/bitcoind-29-rpc-answers.json"), "utf8"),
);

describe("bitcoind probe against documented answers", () => {
  test("a synced node: running, height and peers, verification progress, and the documented extras", () => {
    expect(bitcoinAdapter.interpretProbe("node", answers.synced)).toEqual({
      status: "running",
      metrics: {
        blockHeight: 905123,
        networkHeight: 905123,
        syncPercent: 100,
        syncing: false,
        peers: 10,
      },
      details: {
        difficulty: 126982285146989.3,
        hash_rate: 9.1e20,
        mempool_bytes: 2100000,
        mempool_usage_bytes: 9800000,
        uptime_seconds: 86400,
        chain: "main",
      },
    });
  });

  test("initial block download: syncing, headers as the network height, progress in percent, warnings shown", () => {
    const result = bitcoinAdapter.interpretProbe("node", answers.initialBlockDownload);
    expect(result.status).toBe("syncing");
    expect(result.metrics).toMatchObject({
      blockHeight: 120000,
      networkHeight: 4600000,
      syncPercent: 1.23,
      syncing: true,
      peers: 3,
    });
    expect(result.details).toMatchObject({ mempool_bytes: 0, uptime_seconds: 120, chain: "test" });
    expect(result.details).not.toHaveProperty("hash_rate");
    expect(result.message).toBe("bitcoind warns: (illustrative) testnet3 is deprecated");
  });

  test("a pre-29 warnings string is shown too; an empty one is no message", () => {
    const withWarning = structuredClone(answers.synced);
    withWarning.blockchain.warnings = "Unknown new rules activated";
    expect(bitcoinAdapter.interpretProbe("node", withWarning).message).toBe(
      "bitcoind warns: Unknown new rules activated",
    );
    withWarning.blockchain.warnings = "";
    expect(bitcoinAdapter.interpretProbe("node", withWarning).message).toBeUndefined();
  });

  test("no getblockchaininfo, or garbage in it: error with what to check; other failed calls only drop extras", () => {
    expect(bitcoinAdapter.interpretProbe("node", {}).status).toBe("error");
    expect(bitcoinAdapter.interpretProbe("node", { blockchain: { blocks: "many" } }).message).toContain(
      "RPC cookie",
    );
    const partial = bitcoinAdapter.interpretProbe("node", { blockchain: answers.synced.blockchain });
    expect(partial.status).toBe("running");
    expect(partial.metrics.peers).toBeUndefined();
    expect(partial.details).toEqual({ difficulty: 126982285146989.3, chain: "main" });
  });
});

describe("bitcoind probe over HTTP with the node's cookie", () => {
  const scratch = makeTestDir("bitcoin-probe");
  afterAll(() => scratch.cleanup());

  test("the planned probe sends the cookie as basic auth, in one JSON-RPC 1.0 batch, and reads the answers", async () => {
    const port = await freePort();
    const env: PlanEnv = {
      platform: "linux-x64",
      nodeDir: scratch.dir,
      configDir: join(scratch.dir, "config"),
      dataDir: scratch.dir,
      artifacts: { node: { client: "/opt/bitcoind" } },
    };
    const spec: NodeSpec = {
      chain: "bitcoin",
      network: "signet",
      nodeType: "full",
      clients: { node: { name: "bitcoind", version: "29.1" } },
      ports: { rpc: port },
      desiredState: "running",
      restartGeneration: 0,
    };
    const result = bitcoinAdapter.plan("btc-probe", spec, env);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const probe = result.plan.processes[0]!.probe;
    // What bitcoind writes at start: __cookie__:<random hex>.
    const cookie = `__cookie__:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}`;
    writeFileSync(probe.basicAuthFile!, cookie, { mode: 0o600 });
    const seen: unknown[] = [];
    const server = Bun.serve({
      port,
      hostname: "127.0.0.1",
      async fetch(request) {
        if (request.headers.get("authorization") !== `Basic ${Buffer.from(cookie).toString("base64")}`)
          return new Response("", { status: 401 });
        const batch = (await request.json()) as { id: number; method: string; jsonrpc: string }[];
        seen.push(...batch.map((call) => [call.jsonrpc, call.method]));
        const byMethod: Record<string, unknown> = {
          getblockchaininfo: answers.synced.blockchain,
          getnetworkinfo: answers.synced.network,
          getmempoolinfo: answers.synced.mempool,
          getnetworkhashps: answers.synced.hashps,
          uptime: answers.synced.uptime,
        };
        return Response.json(
          batch.map((call) => ({ result: byMethod[call.method], error: null, id: call.id })),
        );
      },
    });
    try {
      const answer = await runProbe(probe, "127.0.0.1", 5000);
      if (!answer.ok) throw new Error(answer.message);
      expect(seen).toEqual([
        ["1.0", "getblockchaininfo"],
        ["1.0", "getnetworkinfo"],
        ["1.0", "getmempoolinfo"],
        ["1.0", "getnetworkhashps"],
        ["1.0", "uptime"],
      ]);
      expect(bitcoinAdapter.interpretProbe("node", answer.raw)).toEqual(
        bitcoinAdapter.interpretProbe("node", answers.synced),
      );
      // A restarted bitcoind writes a new cookie: the probe must not hold on to the old one.
      writeFileSync(probe.basicAuthFile!, "__cookie__:stale");
      const refused = await runProbe(probe, "127.0.0.1", 5000);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.message).toContain("401");
    } finally {
      server.stop(true);
    }
  });
});
