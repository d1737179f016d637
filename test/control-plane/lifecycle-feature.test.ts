// Start, stop and restart are asked only of an executor that declares the `lifecycle` feature (reference
// §3.4: undeclared features are never used): for any other, the action is refused with what to do and no
// revision is written. Real control plane, real SQLite file.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { CAPABILITIES, createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  [cookie, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("features")]);
});
afterAll(() => cp.stop());

const withoutLifecycle = { capabilities: { ...CAPABILITIES, features: ["sync", "event"] } };

async function revisionOf(id: string): Promise<number> {
  const result = await cp.gql(
    "query($id: ID!) { node(where: { id: $id }) { revision } }",
    { id },
    { cookie },
  );
  return result.data.node.revision;
}

test("an executor without the lifecycle feature is not asked to start, stop or restart; nothing is written", async () => {
  const { executorId } = await syncExecutor(cp, key, "no-lifecycle", withoutLifecycle);
  const node = await createNode(cp, cookie, executorId, "fixed-state");
  for (const action of ["stop", "start", "restart"]) {
    const one = await cp.gql(
      "mutation($id: ID!, $a: NodeLifecycleAction!) { requestNodeLifecycleAction(id: $id, action: $a) { revision } }",
      { id: node.id, a: action },
      { cookie },
    );
    expect(one.errors?.[0]?.extensions?.code).toBe("conflict");
    expect(one.errors?.[0]?.message).toContain(
      'executor "no-lifecycle" does not declare the lifecycle feature',
    );
    const many = await cp.gql(
      "mutation($ids: [ID!]!, $a: NodeLifecycleAction!) { requestNodesLifecycleAction(ids: $ids, action: $a) { revision } }",
      { ids: [node.id], a: action },
      { cookie },
    );
    expect(many.errors?.[0]?.extensions?.code).toBe("conflict");
  }
  expect(await revisionOf(node.id)).toBe(1);
});

test("an executor that declares lifecycle takes the actions", async () => {
  const { executorId } = await syncExecutor(cp, key, "with-lifecycle");
  const node = await createNode(cp, cookie, executorId, "movable");
  const stop = await cp.gql(
    "mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: stop) { revision } }",
    { id: node.id },
    { cookie },
  );
  expect(stop.errors).toBeUndefined();
  expect(await revisionOf(node.id)).toBe(2);
});
