// The executor core's own guarantees: the desired set never goes back in time, loops run at once when
// triggered and never overlap, and every control-plane call is bounded by a deadline.
import { describe, expect, test } from "bun:test";
import { createServer, type Socket } from "node:net";
import { ControlPlaneClient, ControlPlaneError } from "../../src/executor/control-plane-client.ts";
import { DesiredSet } from "../../src/executor/desired-set.ts";
import { Loop } from "../../src/executor/loop.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { silentLogger } from "../../src/lib/log.ts";
import type { AssignedSpec } from "../../src/protocol/executor-api.ts";

const spec = (revision: number, patch: Partial<AssignedSpec> = {}): AssignedSpec => ({
  nodeId: "00000000-0000-4000-8000-000000000001",
  name: "n1",
  revision,
  spec: null,
  deleted: false,
  retainData: false,
  ...patch,
});

describe("desired set", () => {
  test("is not initialized before the first answer, then keeps the newest revision per node", () => {
    const set = new DesiredSet();
    expect(set.initialized).toBe(false);
    expect(set.apply({ cursor: 5, specs: [spec(2)] })).toHaveLength(1);
    expect(set.initialized).toBe(true);
    expect(set.apply({ cursor: 4, specs: [spec(1)] })).toEqual([]);
    expect(set.snapshot()[0]!.revision).toBe(2);
    expect(set.cursor).toBe(5);
  });

  test("a tombstone at the same revision still applies, and is forgotten only once reported", () => {
    const set = new DesiredSet();
    set.apply({ cursor: 1, specs: [spec(3)] });
    expect(set.apply({ cursor: 2, specs: [spec(3, { deleted: true })] })).toHaveLength(1);
    set.forget("00000000-0000-4000-8000-000000000001");
    expect(set.size).toBe(0);
  });
});

describe("executor loop", () => {
  test("ticks at once, runs again at once on trigger, and never overlaps ticks", async () => {
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    const loop = new Loop({
      name: "test",
      logger: silentLogger,
      intervalMs: () => 60_000,
      tick: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        ticks++;
        await Promise.resolve();
        running--;
      },
    });
    loop.start();
    await eventually(() => ticks === 1);
    loop.trigger();
    loop.trigger();
    await eventually(() => ticks >= 2);
    await loop.stop();
    expect(maxRunning).toBe(1);
  });

  test("a failing tick is retried with backoff and counted, not spun", async () => {
    let calls = 0;
    const loop = new Loop({
      name: "failing",
      logger: silentLogger,
      intervalMs: () => 10,
      tick: async () => {
        calls++;
        throw new Error("boom");
      },
    });
    loop.start();
    await eventually(() => loop.failures >= 1);
    const callsSoon = calls;
    await loop.stop();
    // The backoff starts at about a second: a spinning loop would have called hundreds of times.
    expect(callsSoon).toBeLessThan(5);
  });
});

describe("control-plane client", () => {
  test("a control plane that accepts but never answers fails the call within its deadline, as retryable", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new ControlPlaneClient({
        url: `http://127.0.0.1:${port}`,
        accessToken: "exc_x",
        requestTimeoutMs: 300,
      });
      const started = Date.now();
      const error = await client.specs(0, 200).catch((e) => e);
      expect(error).toBeInstanceOf(ControlPlaneError);
      expect(error.code).toBe("timeout");
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test("a request that breaks the protocol schema is refused before it is sent", async () => {
    const client = new ControlPlaneClient({ url: "http://127.0.0.1:9", accessToken: "exc_x" });
    const error = await client.events({ events: [] }).catch((e) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect(error.code).toBe("protocol_mismatch");
  });
});
