// Acknowledged writes survive a crash: the control plane is SIGKILLed right after its answers and restarted
// on the same SQLite file; every executor, key, node, revision and event it acknowledged is still there.
import { expect, test } from "bun:test";
import { startControlPlane } from "../harness/control-plane.ts";
import { call, createNode, syncExecutor } from "./protocol-client.ts";

test("every acknowledged executor, key, node, revision and event survives kill -9 and a restart", async () => {
  const cp = await startControlPlane();
  try {
    const cookie = await cp.adminSession();
    const key = await cp.createExecutorKey("crash");
    const { executorId } = await syncExecutor(cp, key, "host-crash");
    const nodes = [];
    for (let i = 0; i < 5; i++) nodes.push(await createNode(cp, cookie, executorId, `crash-${i}`));
    for (const node of nodes.slice(0, 3)) {
      await cp.gql(
        `mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: restart) { revision } }`,
        { id: node.id },
        { cookie },
      );
    }
    await cp.gql(
      `mutation($id: ID!) { rollbackNode(id: $id, revision: 1) { revision } }`,
      { id: nodes[0]!.id },
      { cookie },
    );
    const deleted = await cp.gql(
      `mutation($id: ID!) { deleteNode(where: { id: $id }) { revision } }`,
      { id: nodes[4]!.id },
      { cookie },
    );
    expect(deleted.data.deleteNode.revision).toBe(2);
    const lastKey = await cp.createExecutorKey("created-last");
    const before = await cp.gql(`{ events(filter: { take: 500 }) { id type } }`, {}, { cookie });

    await cp.kill();
    await cp.restart();

    const after = await cp.gql(
      `{ nodes(where: { includeDeleted: true }) { name revision deletedAt revisions { revision summary } } }`,
      {},
      { cookie: await cp.adminSession() },
    );
    const byName = Object.fromEntries(after.data.nodes.map((n: { name: string }) => [n.name, n]));
    expect(byName["crash-0"].revision).toBe(3);
    expect(byName["crash-0"].revisions.map((r: { summary: string }) => r.summary)).toEqual([
      "created",
      "restart requested",
      "rolled back to revision 1",
    ]);
    expect(byName["crash-1"].revision).toBe(2);
    expect(byName["crash-3"].revision).toBe(1);
    expect(byName["crash-4"].deletedAt).not.toBeNull();
    const events = await cp.gql(
      `{ events(filter: { take: 500 }) { id type } }`,
      {},
      { cookie: await cp.adminSession() },
    );
    expect(events.data.events.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining(before.data.events.map((e: { id: string }) => e.id)),
    );
    // Both keys still authenticate, and the executor is the same row.
    expect((await syncExecutor(cp, key, "host-crash")).executorId).toBe(executorId);
    const fresh = await call(cp, "/api/v1/executor/sync", {
      key: lastKey,
      body: {
        name: "host-2",
        kind: "agent",
        version: "0.1.0",
        channel: "stable",
        capabilities: { supportedChains: [], features: ["sync"], storageClasses: [] },
      },
    });
    expect(fresh.status).toBe(200);
    // The executor's cursor view after the crash still lists every live node at its latest revision.
    const specs = await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId });
    expect(
      specs.json.specs.map((s: { name: string; revision: number }) => `${s.name}@${s.revision}`).sort(),
    ).toEqual(["crash-0@3", "crash-1@2", "crash-2@2", "crash-3@1", "crash-4@2"]);
  } finally {
    await cp.stop();
  }
}, 60_000);

test("the first admin and the auth secret persist: a session cookie from before a crash still works", async () => {
  const cp = await startControlPlane();
  try {
    const cookie = await cp.adminSession();
    await cp.kill();
    await cp.restart();
    const me = await cp.gql(`{ me { email systemAdmin } }`, {}, { cookie });
    expect(me.data.me).toEqual({ email: cp.adminEmail, systemAdmin: true });
  } finally {
    await cp.stop();
  }
}, 60_000);
