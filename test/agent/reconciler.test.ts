// The agent backend against a real host: specs become real anvil processes through the real artifact installer and
// process supervisor; every assertion reads what is actually there (processes, RPC answers, files) or what
// the observer reports.
import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { installedArtifactPath } from "../../src/modes/agent/layout.ts";
import { compileValidator, ObservedNodeState, RuntimeEvent } from "../../src/protocol/index.ts";
import { type BackendFixture, createBackendFixture, devnetSpec, SERVED_ANVIL } from "./backend-fixture.ts";
import { ANVIL_BIN, blockNumber, freePort, makeTestDir } from "./helpers.ts";

const T = 90_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };
const ID1 = "00000000-0000-4000-8000-000000000001";
const ID2 = "00000000-0000-4000-8000-000000000002";

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function setup(name: string): BackendFixture {
  const scratch = makeTestDir(`agent-${name}`);
  const fixture = createBackendFixture(scratch.dir);
  cleanups.push(scratch.cleanup, () => fixture.close());
  return fixture;
}

/** Ticks as the agent does until the node produces blocks and is observed running. */
async function runningNode(f: BackendFixture, nodeId: string, port: number) {
  await eventually(
    async () => {
      await f.reconcile();
      return (await blockNumber(port)) >= 1;
    },
    { ...WAIT, message: "blocks" },
  );
  return eventually(
    async () => {
      const o = await f.observe(nodeId);
      return o.processes[0]?.status === "running" ? o : null;
    },
    { ...WAIT, message: "observed running" },
  );
}

describe("agent reconciler + observer on a real host", () => {
  test(
    "a devnet spec becomes a running anvil: downloaded and sha256-checked, producing blocks, reported with its revision",
    async () => {
      const f = setup("run");
      const port = await freePort();
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(port) });
      const observed = await runningNode(f, ID1, port);
      expect(f.artifactRequests).toEqual([SERVED_ANVIL]);
      expect(existsSync(installedArtifactPath(f.dataDir, f.anvilArtifacts.node!.client!))).toBe(true);
      expect(observed.revision).toBe(1);
      expect(observed.processes[0]!.mainPid).toBeGreaterThan(0);
      expect(observed.processes[0]!.memoryBytes).toBeGreaterThan(0);
      expect(observed.metrics?.blockHeight).toBeGreaterThanOrEqual(1);
      expect(observed.metrics?.diskTotalBytes).toBeGreaterThan(0);
      // Idempotent: an unchanged desired set changes nothing and downloads nothing.
      expect(await f.reconcile()).toBe(false);
      expect(f.artifactRequests).toHaveLength(1);
    },
    T,
  );

  test(
    "stop keeps the chain data and start resumes from it",
    async () => {
      const f = setup("stop");
      const port = await freePort();
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(port) });
      await runningNode(f, ID1, port);
      await eventually(async () => (await blockNumber(port)) >= 3, { ...WAIT, message: "3 blocks" });
      const height = await blockNumber(port);
      f.push({ nodeId: ID1, name: "n1", revision: 2, spec: devnetSpec(port, { desiredState: "stopped" }) });
      await f.reconcile();
      await expect(blockNumber(port)).rejects.toThrow();
      const stopped = await f.observe(ID1);
      expect(stopped.processes[0]!.status).toBe("stopped");
      expect(stopped.revision).toBe(2);
      expect(existsSync(join(f.dataDir, "nodes/n1/data/state.json"))).toBe(true);

      f.push({ nodeId: ID1, name: "n1", revision: 3, spec: devnetSpec(port) });
      await f.reconcile();
      const resumed = await eventually(async () => blockNumber(port).catch(() => null), WAIT);
      expect(resumed).toBeGreaterThanOrEqual(height);
    },
    T,
  );

  test(
    "a restartGeneration bump re-rolls the process once; a restarted agent does not re-roll it again",
    async () => {
      const f = setup("restart");
      const port = await freePort();
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(port) });
      const before = (await runningNode(f, ID1, port)).processes[0]!.mainPid!;
      f.push({ nodeId: ID1, name: "n1", revision: 2, spec: devnetSpec(port, { restartGeneration: 1 }) });
      await f.reconcile();
      const after = (await runningNode(f, ID1, port)).processes[0]!.mainPid!;
      expect(after).not.toBe(before);

      f.restartAgent();
      await f.reconcile();
      const adopted = await f.observe(ID1);
      expect(adopted.processes[0]!.mainPid).toBe(after);
      expect(adopted.revision).toBe(2);
    },
    T,
  );

  test(
    "a settings change re-renders the process and restarts it; the new setting takes effect",
    async () => {
      const f = setup("edit");
      const port = await freePort();
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(port) });
      const before = (await runningNode(f, ID1, port)).processes[0]!.mainPid!;
      f.push({
        nodeId: ID1,
        name: "n1",
        revision: 2,
        spec: devnetSpec(port, { settings: { chainId: 4242 } }),
      });
      expect(await f.reconcile()).toBe(true);
      const after = await runningNode(f, ID1, port);
      expect(after.processes[0]!.mainPid).not.toBe(before);
      expect(after.revision).toBe(2);
      const chainId = await fetch(`http://127.0.0.1:${port}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      }).then((r) => r.json() as Promise<{ result: string }>);
      expect(Number.parseInt(chainId.result, 16)).toBe(4242);
    },
    T,
  );

  test(
    "a tombstone removes the units and the node directory and then reports removed; retainData keeps the data",
    async () => {
      const f = setup("delete");
      const [p1, p2] = [await freePort(), await freePort()];
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(p1) });
      f.push({ nodeId: ID2, name: "n2", revision: 1, spec: devnetSpec(p2) });
      await runningNode(f, ID1, p1);
      await runningNode(f, ID2, p2);
      f.push({ nodeId: ID1, name: "n1", revision: 2, deleted: true });
      f.push({ nodeId: ID2, name: "n2", revision: 2, deleted: true, retainData: true });
      await f.reconcile();
      expect(await f.supervisor.list()).toEqual([]);
      await expect(blockNumber(p1)).rejects.toThrow();
      expect(existsSync(join(f.dataDir, "nodes/n1"))).toBe(false);
      expect(existsSync(join(f.dataDir, "nodes/n2/data/state.json"))).toBe(true);
      expect(await f.observe(ID1)).toEqual({ nodeId: ID1, revision: 2, processes: [], removed: true });
      expect((await f.observe(ID2)).removed).toBe(true);
    },
    T,
  );

  test(
    "a checksum mismatch refuses the binary: the node reports error with the reason, other nodes keep running",
    async () => {
      const f = setup("checksum");
      writeFileSync(join(f.artifactsDir, SERVED_ANVIL), "not anvil");
      const [p1, p2] = [await freePort(), await freePort()];
      f.push({ nodeId: ID1, name: "bad", revision: 1, spec: devnetSpec(p1) });
      await f.reconcile();
      const observed = await f.observe(ID1);
      expect(observed.processes[0]!.status).toBe("error");
      expect(observed.processes[0]!.message).toContain("sha256 mismatch");
      expect(existsSync(installedArtifactPath(f.dataDir, f.anvilArtifacts.node!.client!))).toBe(false);
      expect(f.events.map((e) => e.reason)).toContain("artifact.checksum");

      // Fix the source: once the refusal's hold is over, a tick installs it and both nodes run.
      copyFileSync(ANVIL_BIN, join(f.artifactsDir, SERVED_ANVIL));
      f.push({ nodeId: ID2, name: "good", revision: 1, spec: devnetSpec(p2) });
      await runningNode(f, ID2, p2);
      await runningNode(f, ID1, p1);
    },
    T,
  );

  test(
    "a port already in use reports error naming the port and the fix, and does not start the client",
    async () => {
      const f = setup("port");
      const port = await freePort();
      const squatter: Server = createServer();
      await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
      cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec: devnetSpec(port) });
      await f.reconcile();
      const observed = await f.observe(ID1);
      expect(observed.processes[0]!.status).toBe("error");
      expect(observed.processes[0]!.message).toContain(`port ${port} (rpc) is already in use`);
      expect(observed.processes[0]!.message).toContain("spec.ports.rpc");
      expect((await f.supervisor.list())[0]?.activeState).toBe("inactive");
      expect(f.events.some((e) => e.reason === "port.in_use" && e.nodeId === ID1)).toBe(true);
    },
    T,
  );

  test(
    "a client that exits at once reports error with its own output, and the agent keeps serving other nodes",
    async () => {
      const f = setup("exit");
      const [p1, p2] = [await freePort(), await freePort()];
      const broken = devnetSpec(p1, { overrides: { args: { anvil: ["--no-such-flag"] } } });
      f.push({ nodeId: ID1, name: "broken", revision: 1, spec: broken });
      f.push({ nodeId: ID2, name: "fine", revision: 1, spec: devnetSpec(p2) });
      await runningNode(f, ID2, p2);
      const failed = await eventually(
        async () => {
          const o = await f.observe(ID1);
          return o.processes[0]?.status === "error" ? o.processes[0] : null;
        },
        { timeoutMs: 60_000, message: "the broken node to report error" },
      );
      expect(failed.message).toContain("anvil exited with status");
      expect(failed.message).toContain("--no-such-flag");
      expect(f.events.some((e) => e.reason === "process.failed" && e.nodeId === ID1)).toBe(true);
    },
    T,
  );

  test(
    "a spec the adapter rejects reports error with the path, and nothing is written for it",
    async () => {
      const f = setup("reject");
      const spec = devnetSpec(await freePort(), { settings: { blockTimeSecs: 0 } });
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec });
      expect(await f.reconcile()).toBe(false);
      const observed = await f.observe(ID1);
      expect(observed).toMatchObject({ revision: 0, processes: [{ role: "node", status: "error" }] });
      expect(observed.processes[0]!.message).toContain("/settings/blockTimeSecs");
      expect(existsSync(join(f.dataDir, "nodes/n1"))).toBe(false);
      expect(f.events.some((e) => e.reason === "spec.rejected")).toBe(true);
    },
    T,
  );

  test(
    "a rejection with many problems is still a valid report and event: messages are capped at the protocol's limits",
    async () => {
      const f = setup("long-reject");
      const managed = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? "--port" : "--chain-id"));
      const spec = devnetSpec(await freePort(), { overrides: { args: { anvil: managed } } });
      f.push({ nodeId: ID1, name: "n1", revision: 1, spec });
      await f.reconcile();
      const observed = await f.observe(ID1);
      expect(observed.processes[0]!.status).toBe("error");
      expect(observed.processes[0]!.message).toContain("/overrides/args/anvil/0");
      expect(compileValidator(ObservedNodeState).errors(observed)).toEqual([]);
      // The event raised for it fits the events request too (one invalid event would hold back the batch).
      const raised = f.events.filter((e) => e.reason === "spec.rejected");
      expect(raised).toHaveLength(1);
      expect(compileValidator(RuntimeEvent).errors(raised[0])).toEqual([]);
    },
    T,
  );
});
