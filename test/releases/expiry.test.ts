// Time-bound rules of a requested upgrade, on a control plane with a short PENDING_UPGRADE_TTL_MS and the
// shortest heartbeat timeout: a request nobody carries out expires with an event and may be made again; an
// offline executor cannot be sent one (executor_offline).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { agent, publish, type ReleaseWorld, startReleaseWorld } from "./world.ts";

let w: ReleaseWorld;
let execKey: string;

const TTL_MS = 2_000;
const REQUEST = `mutation($id: ID!, $v: String!) { requestExecutorUpgrade(executorId: $id, targetVersion: $v) {
  id pendingUpgrade } }`;
const EVENTS = `query($id: ID!) { events(filter: { executorId: $id }) { type level payload } }`;

beforeAll(async () => {
  w = await startReleaseWorld({ PENDING_UPGRADE_TTL_MS: String(TTL_MS), HEARTBEAT_TIMEOUT_MS: "15000" });
  execKey = await w.cp.createExecutorKey("hosts");
  await publish(w, "3.0.0");
  await publish(w, "3.1.0");
}, 120_000);

afterAll(() => w.cp.stop());

test("a pendingUpgrade nobody carries out expires after PENDING_UPGRADE_TTL_MS with an event, and can be requested again", async () => {
  const e = await agent(w, execKey, "never-upgrades", "3.0.0");
  const first = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
  expect(first.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.1.0");
  // The executor keeps syncing at its old version: the request is answered until it expires.
  expect((await agent(w, execKey, "never-upgrades", "3.0.0")).pendingUpgrade?.targetVersion).toBe("3.1.0");
  await eventually(
    async () => {
      const synced = await agent(w, execKey, "never-upgrades", "3.0.0");
      if (synced.pendingUpgrade !== null) throw new Error("still pending");
      return true;
    },
    { timeoutMs: 10_000, intervalMs: 500, message: "the pending upgrade expires" },
  );
  const events = (await w.cp.gql(EVENTS, { id: e.executorId }, { cookie: w.cookie })).data.events;
  const expired = events.find((x: { type: string }) => x.type === "executor.upgrade.expired");
  expect(expired).toMatchObject({ level: "warn", payload: { targetVersion: "3.1.0" } });
  const again = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
  expect(again.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.1.0");
});

test("an executor that stopped syncing is executor_offline to an upgrade request", async () => {
  const e = await agent(w, execKey, "goes-quiet", "3.0.0");
  await eventually(
    async () => {
      const r = await w.cp.gql(
        "query($id: ID!) { executor(where: { id: $id }) { status } }",
        {
          id: e.executorId,
        },
        { cookie: w.cookie },
      );
      if (r.data.executor.status !== "offline") throw new Error("still online");
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 500, message: "the silent executor goes offline" },
  );
  const r = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
  expect(r.errors?.[0]?.extensions?.code).toBe("executor_offline");
  expect(r.errors?.[0]?.message).toContain("goes-quiet is offline");
  // Back online, the same request goes through.
  await agent(w, execKey, "goes-quiet", "3.0.0");
  const back = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
  expect(back.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.1.0");
});
