// The executor protocol end to end over real HTTP against a real control plane and SQLite file:
// registration, long-poll wake-ups, tombstones, observations and runtime events.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { call, createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  key = await cp.createExecutorKey("protocol");
});
afterAll(() => cp.stop());

const EVENTS = `query($f: EventFilterInput) { events(filter: $f) { type level message executorName nodeName payload } }`;

describe("sync", () => {
  test("first contact registers the executor once and records executor.connected", async () => {
    const first = await syncExecutor(cp, key, "host-a");
    const second = await syncExecutor(cp, key, "host-a");
    expect(second.executorId).toBe(first.executorId);
    expect(first.compat).toBe("in-window");
    expect(first.pendingUpgrade).toBeNull();
    expect(first.cadences.syncIntervalMs).toBe(5000);
    const { data } = await cp.gql(`{ executors { id name kind status currentVersion } }`, {}, { cookie });
    expect(data.executors.filter((e: { name: string }) => e.name === "host-a")).toEqual([
      { id: first.executorId, name: "host-a", kind: "agent", status: "online", currentVersion: "0.1.0" },
    ]);
    const events = await cp.gql(
      EVENTS,
      { f: { executorName: "host-a", type: "executor.connected" } },
      { cookie },
    );
    expect(events.data.events).toHaveLength(1);
  });

  test("first syncs arriving together (group commit) register each name once, with one event each", async () => {
    const names = ["burst-a", "burst-a", "burst-a", "burst-b", "burst-c"];
    const answers = await Promise.all(names.map((name) => syncExecutor(cp, key, name)));
    expect(new Set(answers.slice(0, 3).map((a) => a.executorId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.executorId)).size).toBe(3);
    const { data } = await cp.gql(`{ executors { name } }`, {}, { cookie });
    const burst = data.executors
      .map((e: { name: string }) => e.name)
      .filter((n: string) => n.startsWith("burst-"));
    expect(burst.sort()).toEqual(["burst-a", "burst-b", "burst-c"]);
    const events = await cp.gql(
      EVENTS,
      { f: { executorName: "burst-a", type: "executor.connected" } },
      { cookie },
    );
    expect(events.data.events).toHaveLength(1);
  });

  test("an executor's kind is fixed at first sync: another kind gets 409 naming the stored kind", async () => {
    await syncExecutor(cp, key, "host-kind");
    const result = await call(cp, "/api/v1/executor/sync", {
      key,
      body: {
        name: "host-kind",
        kind: "operator",
        version: "0.1.0",
        channel: "stable",
        capabilities: { supportedChains: [], features: ["sync"], storageClasses: [] },
      },
    });
    expect(result.status).toBe(409);
    expect(result.json.message).toContain('"agent"');
    expect(result.json.details[0].path).toBe("/kind");
  });
});

describe("specs long-poll", () => {
  test("a spec write wakes a waiting long-poll, which answers with the new revision and a later cursor", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-poll");
    const initial = await call(cp, "/api/v1/executor/specs?cursor=0&waitMs=0", { key, executorId });
    expect(initial.json).toEqual({ cursor: 0, specs: [] });
    // Held for up to 30 s; only the write below can end it before the test's own timeout.
    const held = call(cp, "/api/v1/executor/specs?cursor=0&waitMs=30000", { key, executorId });
    await eventually(() => cp.logs.length > 0);
    const node = await createNode(cp, cookie, executorId, "poll-node");
    const woken = await held;
    expect(woken.status).toBe(200);
    expect(woken.json.specs).toHaveLength(1);
    expect(woken.json.specs[0]).toMatchObject({
      nodeId: node.id,
      name: "poll-node",
      revision: 1,
      deleted: false,
    });
    expect(woken.json.cursor).toBeGreaterThan(0);
  }, 15_000);

  test("a long-poll with nothing new answers empty at waitMs, keeping the cursor", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-idle");
    const result = await call(cp, "/api/v1/executor/specs?cursor=0&waitMs=300", { key, executorId });
    expect(result.json).toEqual({ cursor: 0, specs: [] });
  });

  test("each change is answered once, in order, and deletions arrive as tombstones", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-order");
    const node = await createNode(cp, cookie, executorId, "order-node");
    const first = await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId });
    expect(first.json.specs.map((s: { revision: number }) => s.revision)).toEqual([1]);
    await cp.gql(
      `mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: stop) { revision } }`,
      { id: node.id },
      { cookie },
    );
    await cp.gql(
      `mutation($id: ID!) { deleteNode(where: { id: $id }, retainData: true) { revision } }`,
      { id: node.id },
      { cookie },
    );
    const next = await call(cp, `/api/v1/executor/specs?cursor=${first.json.cursor}`, { key, executorId });
    expect(next.json.specs).toEqual([
      { nodeId: node.id, name: "order-node", revision: 3, spec: null, deleted: true, retainData: true },
    ]);
    const none = await call(cp, `/api/v1/executor/specs?cursor=${next.json.cursor}&waitMs=0`, {
      key,
      executorId,
    });
    expect(none.json.specs).toEqual([]);
  });

  test("another executor's writes do not wake or leak into this executor's poll", async () => {
    const mine = await syncExecutor(cp, key, "host-mine");
    const other = await syncExecutor(cp, key, "host-other");
    const held = call(cp, "/api/v1/executor/specs?cursor=0&waitMs=600", { key, executorId: mine.executorId });
    await createNode(cp, cookie, other.executorId, "not-mine");
    expect((await held).json.specs).toEqual([]);
  });
});

describe("bulk lifecycle action", () => {
  const BULK = `mutation($ids: [ID!]!, $a: NodeLifecycleAction!) {
    requestNodesLifecycleAction(ids: $ids, action: $a) { id revision spec }
  }`;

  test("one restart of nodes on two executors gives each a revision and wakes both held polls", async () => {
    const a = await syncExecutor(cp, key, "bulk-a");
    const b = await syncExecutor(cp, key, "bulk-b");
    const nodeA = await createNode(cp, cookie, a.executorId, "bulk-node-a");
    const nodeB = await createNode(cp, cookie, b.executorId, "bulk-node-b");
    const cursorOf = async (executorId: string) =>
      (await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId })).json.cursor as number;
    const [cursorA, cursorB] = [await cursorOf(a.executorId), await cursorOf(b.executorId)];
    const heldA = call(cp, `/api/v1/executor/specs?cursor=${cursorA}&waitMs=30000`, {
      key,
      executorId: a.executorId,
    });
    const heldB = call(cp, `/api/v1/executor/specs?cursor=${cursorB}&waitMs=30000`, {
      key,
      executorId: b.executorId,
    });
    const { data, errors } = await cp.gql(
      BULK,
      { ids: [nodeA.id, nodeB.id, nodeA.id], a: "restart" },
      { cookie },
    );
    expect(errors).toBeUndefined();
    expect(data.requestNodesLifecycleAction.map((n: { revision: number }) => n.revision)).toEqual([2, 2]);
    // One mutation, one audit row; each node's event links to it.
    const audit = await cp.gql(
      `{ auditActions(filter: { actions: ["node.restart.requested"], take: 500 }) { nodes { id target { name } details } } }`,
      {},
      { cookie },
    );
    const bulkRows = audit.data.auditActions.nodes.filter(
      (row: { details: { nodeCount?: number } }) => row.details.nodeCount === 2,
    );
    expect(bulkRows).toHaveLength(1);
    expect(bulkRows[0].target.name).toBe("2 nodes");
    const events = await cp.gql(
      EVENTS,
      { f: { nodeName: "bulk-node-b", type: "node.lifecycle.requested" } },
      { cookie },
    );
    expect(events.data.events).toHaveLength(1);
    for (const [held, node] of [
      [heldA, nodeA],
      [heldB, nodeB],
    ] as const) {
      const answer = (await held).json;
      expect(answer.specs).toHaveLength(1);
      expect(answer.specs[0]).toMatchObject({ nodeId: node.id, revision: 2 });
      expect(answer.specs[0].spec.restartGeneration).toBe(1);
    }
  }, 15_000);

  test("an unknown id fails the whole action and names it; no node gets a revision", async () => {
    const { executorId } = await syncExecutor(cp, key, "bulk-c");
    const node = await createNode(cp, cookie, executorId, "bulk-node-c");
    const missing = "00000000-0000-7000-8000-000000000000";
    const { errors } = await cp.gql(BULK, { ids: [node.id, missing], a: "stop" }, { cookie });
    expect(errors?.[0]?.message).toContain(missing);
    const { data } = await cp.gql(
      `query($id: ID!) { node(where: { id: $id }) { revision } }`,
      { id: node.id },
      { cookie },
    );
    expect(data.node.revision).toBe(1);
    const empty = await cp.gql(BULK, { ids: [], a: "stop" }, { cookie });
    expect(empty.errors?.[0]?.message).toContain("from 1 to 10000 node ids");
  });
});

describe("observed and events", () => {
  test("observations are stored and a status change records node.lifecycle.transition", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-obs");
    const node = await createNode(cp, cookie, executorId, "obs-node");
    const report = (status: string) =>
      call(cp, "/api/v1/executor/observed", {
        key,
        executorId,
        body: {
          observations: [
            {
              nodeId: node.id,
              revision: 1,
              processes: [{ role: "node", status }],
              metrics: { blockHeight: 7 },
            },
          ],
        },
      });
    expect((await report("starting")).json).toEqual({ accepted: 1, ignored: [] });
    await report("running");
    await report("running");
    const phase = await eventually(async () => {
      const { data } = await cp.gql(
        `query($id: ID!) { node(where: { id: $id }) { phase drifted observedRevision observed } }`,
        { id: node.id },
        { cookie },
      );
      return data.node.phase === "running" ? data.node : null;
    });
    expect(phase).toMatchObject({ drifted: false, observedRevision: 1 });
    expect(phase.observed.metrics.blockHeight).toBe(7);
    const { data } = await cp.gql(
      EVENTS,
      { f: { nodeName: "obs-node", type: "node.lifecycle.transition" } },
      { cookie },
    );
    expect(data.events.map((e: { payload: { to: string } }) => e.payload.to).reverse()).toEqual([
      "node=starting",
      "node=running",
    ]);
  });

  test("an observation of a node the executor does not own is ignored, not stored", async () => {
    const owner = await syncExecutor(cp, key, "host-owner");
    const intruder = await syncExecutor(cp, key, "host-intruder");
    const node = await createNode(cp, cookie, owner.executorId, "owned-node");
    const result = await call(cp, "/api/v1/executor/observed", {
      key,
      executorId: intruder.executorId,
      body: {
        observations: [{ nodeId: node.id, revision: 1, processes: [{ role: "node", status: "error" }] }],
      },
    });
    expect(result.json).toEqual({ accepted: 0, ignored: [node.id] });
  });

  test("runtime events land in the timeline as runtime.event with the executor and node names", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-rt");
    const node = await createNode(cp, cookie, executorId, "rt-node");
    const result = await call(cp, "/api/v1/executor/events", {
      key,
      executorId,
      body: {
        events: [
          {
            nodeId: node.id,
            level: "error",
            message: "anvil exited with status 1",
            reason: "process.crashed",
          },
        ],
      },
    });
    expect(result.json).toEqual({ accepted: 1 });
    const { data } = await cp.gql(EVENTS, { f: { nodeName: "rt-node", type: "runtime.event" } }, { cookie });
    expect(data.events[0]).toMatchObject({
      level: "error",
      executorName: "host-rt",
      message: "anvil exited with status 1",
    });
  });
});
