// The Ethereum probes against real HTTP servers answering as the clients document: the execution client's
// JSON-RPC batch (eth_blockNumber, eth_syncing, net_peerCount) and the consensus client's beacon API
// (recorded answers in test/adapters/fixtures/beacon-api-answers.json, source noted there). The probe spec
// is the plan's own, pointed at the test server's port.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ethereumAdapter } from "../../../src/adapters/ethereum/adapter.ts";
import type { ProbeSpec } from "../../../src/adapters/types.ts";
import { runProbe } from "../../../src/executor/probe.ts";
import { ETH_ENV, ethSpec } from "./fixture.ts";

type Answers = Record<string, unknown>;
const BEACON = JSON.parse(
  readFileSync(join(import.meta.dir, "..", "fixtures", "beacon-api-answers.json"), "utf8"),
) as Record<string, Answers>;

const PATHS: Record<string, string> = {
  "/eth/v1/node/syncing": "syncing",
  "/eth/v1/node/peer_count": "peers",
  "/eth/v1/beacon/states/head/finality_checkpoints": "finality",
};

let server: ReturnType<typeof Bun.serve> | undefined;
afterEach(() => server?.stop(true));

/** A beacon node answering the standard paths from `answers`; a missing answer is a 503, as when it starts. */
function beaconNode(answers: Answers): number {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const key = PATHS[new URL(request.url).pathname];
      const body = key ? answers[key] : undefined;
      return body === undefined
        ? Response.json({ code: 503, message: "Beacon node is currently syncing" }, { status: 503 })
        : Response.json(body);
    },
  });
  return server.port!;
}

/** An execution client answering JSON-RPC batches from `results` (method → result; absent = method error). */
function executionNode(results: Record<string, unknown>): number {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const batch = (await request.json()) as { id: number; method: string }[];
      return Response.json(
        batch.map(({ id, method }) =>
          method in results
            ? { jsonrpc: "2.0", id, result: results[method] }
            : { jsonrpc: "2.0", id, error: { code: -32601, message: "the method does not exist" } },
        ),
      );
    },
  });
  return server.port!;
}

function plannedProbe(role: "el" | "cl", cl = "lighthouse"): ProbeSpec {
  const result = ethereumAdapter.plan("n1", ethSpec("geth", cl), ETH_ENV);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.processes.find((p) => p.role === role)!.probe;
}

async function probeCl(answers: Answers) {
  const port = beaconNode(answers);
  const answer = await runProbe({ ...plannedProbe("cl"), port }, "127.0.0.1", 5000);
  if (!answer.ok) throw new Error(answer.message);
  return ethereumAdapter.interpretProbe("cl", answer.raw);
}

describe("consensus client probe (beacon API)", () => {
  test("every consensus client is probed on its beacon port through the standard beacon API paths", () => {
    for (const cl of ["lighthouse", "prysm", "lodestar"]) {
      expect(plannedProbe("cl", cl)).toEqual({
        kind: "http-json",
        port: 5052,
        requests: [
          { key: "syncing", path: "/eth/v1/node/syncing" },
          { key: "peers", path: "/eth/v1/node/peer_count" },
          { key: "finality", path: "/eth/v1/beacon/states/head/finality_checkpoints" },
        ],
      });
    }
  });

  test("a synced beacon node reports running with its head slot and epoch, sync distance, finalized epoch and peers", async () => {
    expect(await probeCl(BEACON.synced!)).toEqual({
      status: "running",
      metrics: {},
      details: {
        headSlot: 12345678,
        headEpoch: 385802,
        syncDistance: 0,
        clPeers: 56,
        finalizedEpoch: 385799,
      },
    });
  });

  test("a syncing beacon node reports syncing with how far it is behind", async () => {
    expect(await probeCl(BEACON.syncing!)).toEqual({
      status: "syncing",
      metrics: {},
      details: { headSlot: 9000, headEpoch: 281, syncDistance: 3000, clPeers: 3, finalizedEpoch: 0 },
    });
  });

  test("a beacon node that lost its execution client says so; one without a sync answer is an error", async () => {
    const offline = await probeCl(BEACON.elOffline!);
    expect(offline.status).toBe("syncing");
    expect(offline.message).toContain("cannot reach its execution client");
    const starting = await probeCl({ peers: (BEACON.synced as Answers).peers });
    expect(starting.status).toBe("error");
    expect(starting.message).toContain("/eth/v1/node/syncing");
    expect(starting.details).toEqual({ clPeers: 56 });
  });
});

describe("execution client probe (JSON-RPC)", () => {
  test("a syncing execution client reports height, network height, progress and peers", async () => {
    // geth on sepolia without peers answers eth_syncing with an object and net_peerCount 0x0 (docs/testing.md).
    const port = executionNode({
      eth_blockNumber: "0x10",
      eth_syncing: { startingBlock: "0x0", currentBlock: "0x10", highestBlock: "0x40" },
      net_peerCount: "0x0",
    });
    const probe = plannedProbe("el");
    expect(probe).toEqual({
      kind: "evm-jsonrpc",
      port: 8545,
      methods: ["eth_blockNumber", "eth_syncing", "net_peerCount"],
    });
    const answer = await runProbe({ ...probe, port }, "127.0.0.1", 5000);
    if (!answer.ok) throw new Error(answer.message);
    expect(ethereumAdapter.interpretProbe("el", answer.raw)).toEqual({
      status: "syncing",
      metrics: { blockHeight: 16, networkHeight: 64, syncPercent: 25, syncing: true, peers: 0 },
    });
  });

  test("a synced execution client reports running at its head with its peers", async () => {
    const port = executionNode({ eth_blockNumber: "0x1312d00", eth_syncing: false, net_peerCount: "0x32" });
    const answer = await runProbe({ ...plannedProbe("el"), port }, "127.0.0.1", 5000);
    if (!answer.ok) throw new Error(answer.message);
    expect(ethereumAdapter.interpretProbe("el", answer.raw)).toEqual({
      status: "running",
      metrics: { blockHeight: 20_000_000, syncing: false, syncPercent: 100, peers: 50 },
    });
  });
});
