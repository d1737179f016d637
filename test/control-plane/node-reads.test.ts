// Reads that tell the truth about nodes, against a real control plane and SQLite file, with an executor
// speaking the real protocol: a node on a silent (offline) executor reads as stale rather than as its last
// phase, and a deleted node leaves `deleting` once its executor reports the teardown done.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import type { ProcessStatus } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { call, createNode, syncExecutor } from "./protocol-client.ts";

// The smallest heartbeat timeout the control plane accepts: the stale test waits this long once.
const HEARTBEAT_TIMEOUT_MS = 15_000;

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane({ env: { HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS) } });
  cookie = await cp.adminSession();
  key = await cp.createExecutorKey("reads");
});
afterAll(() => cp.stop());

interface NodeRead {
  phase: string;
  observedStale: boolean;
  executor: { status: string };
}

async function readNode(id: string): Promise<NodeRead | null> {
  const result = await cp.gql(
    `query($id: ID!) { node(where: { id: $id }) { phase observedStale executor { status } } }`,
    { id },
    { cookie },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.node;
}

async function report(
  executorId: string,
  observation: { nodeId: string; revision: number; statuses: ProcessStatus[]; removed?: boolean },
) {
  const result = await call(cp, "/api/v1/executor/observed", {
    key,
    executorId,
    body: {
      observations: [
        {
          nodeId: observation.nodeId,
          revision: observation.revision,
          processes: observation.statuses.map((status) => ({ role: "node", status })),
          ...(observation.removed ? { removed: true } : {}),
        },
      ],
    },
  });
  expect(result.json).toEqual({ accepted: 1, ignored: [] });
}

test("a node whose executor went offline reads as stale, and fresh again once the executor reports", async () => {
  const { executorId } = await syncExecutor(cp, key, "host-silent");
  const node = await createNode(cp, cookie, executorId, "silent-node");
  await report(executorId, { nodeId: node.id, revision: 1, statuses: ["running"] });
  await eventually(async () => {
    const read = await readNode(node.id);
    return read?.phase === "running" && read.observedStale === false;
  });

  // Silence: no sync, no report. Once the executor reads offline, its node must not read as current.
  await eventually(async () => (await readNode(node.id))?.executor.status === "offline", {
    timeoutMs: HEARTBEAT_TIMEOUT_MS + 10_000,
    intervalMs: 250,
    message: "the executor to go offline",
  });
  expect((await readNode(node.id))?.observedStale).toBe(true);

  await syncExecutor(cp, key, "host-silent");
  await report(executorId, { nodeId: node.id, revision: 1, statuses: ["running"] });
  const fresh = await eventually(async () => {
    const read = await readNode(node.id);
    return read?.observedStale === false ? read : null;
  });
  expect(fresh).toEqual({ phase: "running", observedStale: false, executor: { status: "online" } });
}, 60_000);

test("a deleted node is `deleting` until its executor reports the removal, then `deleted` for good", async () => {
  const { executorId } = await syncExecutor(cp, key, "host-delete");
  const node = await createNode(cp, cookie, executorId, "doomed-node");
  await report(executorId, { nodeId: node.id, revision: 1, statuses: ["running"] });
  const deleted = await cp.gql(
    `mutation($id: ID!) { deleteNode(where: { id: $id }) { revision phase } }`,
    { id: node.id },
    { cookie },
  );
  expect(deleted.data.deleteNode).toEqual({ revision: 2, phase: "deleting" });

  // Teardown under way: the executor still sees the process stopping.
  await report(executorId, { nodeId: node.id, revision: 2, statuses: ["stopping"] });
  expect((await readNode(node.id))?.phase).toBe("deleting");

  // Teardown done, as both supervisors report it (no process left, `removed`).
  await report(executorId, { nodeId: node.id, revision: 2, statuses: [], removed: true });
  await eventually(async () => (await readNode(node.id))?.phase === "deleted", {
    message: "the deleted node to leave `deleting`",
  });
  const listed = await cp.gql(
    `query($e: ID!) { nodes(where: { executorId: $e, includeDeleted: true }) { name phase observedStale } }`,
    { e: executorId },
    { cookie },
  );
  expect(listed.data.nodes).toEqual([{ name: "doomed-node", phase: "deleted", observedStale: false }]);
  const live = await cp.gql(
    `query($e: ID!) { nodes(where: { executorId: $e }) { name } }`,
    { e: executorId },
    { cookie },
  );
  expect(live.data.nodes).toEqual([]);
}, 30_000);
