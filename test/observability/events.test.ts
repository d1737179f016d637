// The events timeline through GraphQL on a real control plane: filters by executor, node, level and type,
// and cursor pages in both directions (100 by default, at most 500) that together return every matching
// event exactly once, in order. Events are reported the way executors report them (POST /events).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EVENT_TYPES } from "../../src/protocol/events.ts";
import { call, createNode, DEVNET_SPEC, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

interface Ev {
  id: string;
  type: string;
  level: string;
  executorId: string | null;
  executorName: string | null;
  nodeId: string | null;
  nodeName: string | null;
}

const FIELDS = "id type level executorId executorName nodeId nodeName";
/** Runtime events reported by executor A: more than the largest page. */
const A_EVENTS = 520;
const LEVELS = ["info", "warn", "error"] as const;

let cp: ControlPlaneHandle;
let cookie: string;
let a: { id: string; key: string };
let b: { id: string; key: string };
let nodeId: string;

async function events(filter: Record<string, unknown>): Promise<Ev[]> {
  const result = await cp.gql<{ events: Ev[] }>(
    `query($f: EventFilterInput) { events(filter: $f) { ${FIELDS} } }`,
    { f: filter },
    { cookie },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.events;
}

async function report(executor: { id: string; key: string }, batch: unknown[]) {
  const result = await call(cp, "/api/v1/executor/events", {
    key: executor.key,
    executorId: executor.id,
    body: { events: batch },
  });
  expect(result.status).toBe(200);
}

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  const keyA = await cp.createExecutorKey("events-a");
  const keyB = await cp.createExecutorKey("events-b");
  a = { id: (await syncExecutor(cp, keyA, "host-a")).executorId, key: keyA };
  b = { id: (await syncExecutor(cp, keyB, "host-b")).executorId, key: keyB };
  nodeId = (await createNode(cp, cookie, a.id, "timeline-node")).id;
  // A configuration edit: audited and kept in the revision history, but no timeline event type of its own.
  const edited = await cp.gql(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
    { id: nodeId, spec: { ...DEVNET_SPEC, settings: { blockTimeSecs: 2 } } },
    { cookie },
  );
  expect(edited.data).toEqual({ updateNode: { revision: 2 } });
  const all = Array.from({ length: A_EVENTS }, (_, i) => ({
    level: LEVELS[i % 3],
    message: `a ${i}`,
    ...(i % 4 === 0 ? { nodeId } : {}),
  }));
  for (let i = 0; i < all.length; i += 200) await report(a, all.slice(i, i + 200));
  await report(
    b,
    Array.from({ length: 30 }, (_, i) => ({ level: "error", message: `b ${i}` })),
  );
});
afterAll(() => cp.stop());

describe("events filters", () => {
  test("by executor (id or name), node, level and type, alone and together", async () => {
    const ofB = await events({ executorId: b.id, take: 500 });
    expect(ofB.length).toBe(31); // executor.connected and 30 runtime events
    expect(ofB.every((e) => e.executorId === b.id && e.executorName === "host-b")).toBe(true);
    expect(await events({ executorName: "host-b", take: 500 })).toEqual(ofB);

    const ofNode = await events({ nodeId, take: 500 });
    // node.created and every fourth runtime event of A.
    expect(ofNode.length).toBe(1 + A_EVENTS / 4);
    expect(ofNode.every((e) => e.nodeId === nodeId && e.nodeName === "timeline-node")).toBe(true);
    expect(await events({ nodeName: "timeline-node", take: 500 })).toEqual(ofNode);

    const warnOfA = await events({ executorId: a.id, level: "warn", take: 500 });
    const warnings = Array.from({ length: A_EVENTS }, (_, i) => LEVELS[i % 3]).filter((l) => l === "warn");
    expect(warnOfA.length).toBe(warnings.length);
    expect(warnOfA.every((e) => e.level === "warn" && e.executorId === a.id)).toBe(true);

    const created = await events({ type: "node.created" });
    expect(created.map((e) => e.nodeId)).toEqual([nodeId]);
    const connectedOfA = await events({ type: "executor.connected", executorId: a.id });
    expect(connectedOfA).toHaveLength(1);
  });

  test("the timeline has exactly the reference's event types (plus the upgrade events), and every stored event has one", async () => {
    expect([...EVENT_TYPES].sort() as string[]).toEqual(
      [
        "executor.connected",
        "executor.reconnected",
        "executor.disconnected",
        "executor.deleted",
        "executor.upgrade.requested",
        "executor.upgrade.cancelled",
        "executor.upgrade.completed",
        "executor.upgrade.expired",
        "executor.upgrade.rolled_back",
        "node.created",
        "node.deleted",
        "node.lifecycle.requested",
        "node.lifecycle.transition",
        "notification.alert.opened",
        "notification.alert.resolved",
        "runtime.event",
      ].sort(),
    );
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await events({ take: 500, ...(cursor ? { cursor } : {}) });
      if (page.length === 0) break;
      for (const e of page) seen.add(e.type);
      cursor = page.at(-1)!.id;
    }
    for (const type of seen) expect(EVENT_TYPES as readonly string[]).toContain(type);
  });
});

describe("events pages", () => {
  const filter = () => ({ executorId: a.id, type: "runtime.event" });

  test("100 by default, at most 500", async () => {
    expect(await events(filter())).toHaveLength(100);
    expect(await events({ ...filter(), take: 10_000 })).toHaveLength(500);
  });

  test("older pages walk down the timeline and newer pages walk back up, each event once, in order", async () => {
    const everything = await events({ ...filter(), take: 500 }).then(async (first) => [
      ...first,
      ...(await events({ ...filter(), take: 500, cursor: first.at(-1)!.id })),
    ]);
    expect(everything).toHaveLength(A_EVENTS);
    const ids = everything.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids); // newest first

    // Down: pages of 200 from the top.
    const down: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await events({ ...filter(), take: 200, ...(cursor ? { cursor } : {}) });
      if (page.length === 0) break;
      down.push(page.map((e) => e.id));
      cursor = page.at(-1)!.id;
    }
    expect(down.map((p) => p.length)).toEqual([200, 200, 120]);
    expect(down.flat()).toEqual(ids);

    // Up: from the oldest event, pages of 200 newer ones, each shown newest first.
    const up: string[][] = [];
    cursor = ids.at(-1)!;
    for (;;) {
      const page = await events({ ...filter(), take: 200, cursor, direction: "newer" });
      if (page.length === 0) break;
      const pageIds = page.map((e) => e.id);
      expect([...pageIds].sort().reverse()).toEqual(pageIds);
      up.push(pageIds);
      cursor = pageIds[0]!;
    }
    expect(up.map((p) => p.length)).toEqual([200, 200, 119]);
    expect(up.reverse().flat()).toEqual(ids.slice(0, -1));
  });

  test("a newer page starts right above the cursor", async () => {
    const page = await events({ ...filter(), take: 200 });
    const middle = page[100]!.id;
    const above = await events({ ...filter(), take: 5, cursor: middle, direction: "newer" });
    expect(above.map((e) => e.id)).toEqual(page.slice(95, 100).map((e) => e.id));
  });
});
