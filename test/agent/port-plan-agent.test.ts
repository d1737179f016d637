// The port plan under a real agent backend: devnet nodes without spec.ports become real anvil processes
// while the adapter's default port (8545) is held on the host, by this test when it is free, or already by
// something else; either way the nodes must run elsewhere. The port is released at the end of the test.
// Two specs that set the same port: the one that had it runs, the other is refused on the node.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { devnetAdapter } from "../../src/adapters/devnet/adapter.ts";
import { eventually } from "../../src/lib/eventually.ts";
import type { ObservedNodeState } from "../../src/protocol/observed.ts";
import { createBackendFixture, devnetSpec } from "./backend-fixture.ts";
import { blockNumber, freePort, holdPortIfFree, makeTestDir } from "./helpers.ts";

const T = 120_000;
const WAIT = { timeoutMs: 45_000, intervalMs: 100 };
const ID1 = "00000000-0000-4000-8000-0000000000a1";
const ID2 = "00000000-0000-4000-8000-0000000000a2";
const ID3 = "00000000-0000-4000-8000-0000000000a3";
const ID4 = "00000000-0000-4000-8000-0000000000a4";
const DEFAULT_RPC = devnetAdapter.formHints!().ports.rpc!;

describe("port plan under the agent (real anvil, process supervisor)", () => {
  const scratch = makeTestDir("port-plan-agent");
  const f = createBackendFixture(scratch.dir);
  let held: Server | null = null;

  beforeAll(async () => {
    held = await holdPortIfFree(DEFAULT_RPC);
  });

  afterAll(async () => {
    await f.close();
    held?.close();
    scratch.cleanup();
  }, T);

  const runningOn = (nodeId: string) =>
    eventually(
      async () => {
        const o = await f.observe(nodeId);
        return o.processes[0]?.status === "running" && o.ports?.rpc ? o : null;
      },
      { ...WAIT, message: `${nodeId} observed running with its ports` },
    );

  test(
    `two devnet nodes without spec.ports run on one host while port ${DEFAULT_RPC} is held, each on its own port`,
    async () => {
      const spec = devnetSpec(0, { ports: undefined });
      f.push({ nodeId: ID1, name: "first", revision: 1, spec });
      f.push({ nodeId: ID2, name: "second", revision: 1, spec });
      await f.reconcile();
      const [a, b] = [await runningOn(ID1), await runningOn(ID2)];
      const [pa, pb] = [a.ports!.rpc!, b.ports!.rpc!];
      expect(pa).not.toBe(DEFAULT_RPC);
      expect(pb).not.toBe(DEFAULT_RPC);
      expect(pa).not.toBe(pb);
      // Each answers on the port reported for it: two chains, not one probed twice.
      for (const port of [pa, pb]) {
        await eventually(async () => (await blockNumber(port)) >= 1, {
          ...WAIT,
          message: `blocks on ${port}`,
        });
      }
      const pids = new Set([a, b].map((o) => o.processes[0]!.mainPid));
      expect(pids.size).toBe(2);
      const moved = f.events.filter((e) => e.reason === "port.moved");
      expect(moved.map((e) => e.nodeId).sort()).toEqual([ID1, ID2]);
      expect(moved.find((e) => e.nodeId === ID1)!.message).toContain(
        `its rpc port is ${pa} (${DEFAULT_RPC} is held by another program on this host)`,
      );
    },
    T,
  );

  test(
    "a restarted agent keeps every node on its port without restarting it, and a deleted node releases its ports",
    async () => {
      const before = new Map<string, ObservedNodeState>();
      for (const id of [ID1, ID2]) before.set(id, await runningOn(id));
      f.restartAgent();
      await f.reconcile();
      for (const id of [ID1, ID2]) {
        const now = await runningOn(id);
        expect(now.ports).toEqual(before.get(id)!.ports!);
        expect(now.processes[0]!.mainPid).toBe(before.get(id)!.processes[0]!.mainPid!);
      }
      f.push({ nodeId: ID2, name: "second", revision: 2, deleted: true });
      await f.reconcile();
      const plan = JSON.parse(readFileSync(join(f.dataDir, "ports.json"), "utf8"));
      expect(Object.keys(plan.nodes)).toEqual([ID1]);
      expect(plan.nodes[ID1].ports).toEqual(before.get(ID1)!.ports);
    },
    T,
  );

  test(
    "two specs setting one port: the node that had it keeps running, the other reports error with /ports/rpc",
    async () => {
      const port = await freePort();
      f.push({ nodeId: ID3, name: "holder", revision: 1, spec: devnetSpec(port) });
      await f.reconcile();
      await runningOn(ID3);
      f.push({ nodeId: ID4, name: "again", revision: 1, spec: devnetSpec(port) });
      await f.reconcile();
      const refused = await f.observe(ID4);
      expect(refused.processes[0]).toMatchObject({ status: "error" });
      expect(refused.processes[0]!.message).toContain(
        `/ports/rpc: port ${port} is also set for node "holder" on this host`,
      );
      expect(f.events.some((e) => e.nodeId === ID4 && e.reason === "port.conflict")).toBe(true);
      expect((await runningOn(ID3)).ports).toEqual({ rpc: port });
      expect(await blockNumber(port)).toBeGreaterThanOrEqual(0);
    },
    T,
  );
});
