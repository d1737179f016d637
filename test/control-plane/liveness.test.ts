// Executor liveness: silent for HEARTBEAT_TIMEOUT_MS → offline with executor.disconnected; the next sync →
// online with executor.reconnected. The timeout is the smallest the control plane accepts (15 s).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  cp = await startControlPlane({ env: { HEARTBEAT_TIMEOUT_MS: "15000" } });
});
afterAll(() => cp.stop());

test("a silent executor goes offline with executor.disconnected and comes back with executor.reconnected", async () => {
  const cookie = await cp.adminSession();
  const key = await cp.createExecutorKey("liveness");
  const { executorId } = await syncExecutor(cp, key, "host-quiet");
  const status = async () =>
    (
      await cp.gql(
        `query($id: ID!) { executor(where: { id: $id }) { status } }`,
        { id: executorId },
        { cookie },
      )
    ).data.executor.status;
  expect(await status()).toBe("online");
  await eventually(async () => (await status()) === "offline", { timeoutMs: 25_000, intervalMs: 500 });
  const types = async () =>
    (
      await cp.gql(`{ events(filter: { executorName: "host-quiet" }) { type } }`, {}, { cookie })
    ).data.events.map((e: { type: string }) => e.type);
  await eventually(async () => (await types()).includes("executor.disconnected"), { timeoutMs: 5_000 });
  await syncExecutor(cp, key, "host-quiet");
  expect(await status()).toBe("online");
  // The executor_offline alert opens after the disconnection and resolves after the comeback.
  const timeline = [
    "executor.connected",
    "executor.disconnected",
    "notification.alert.opened",
    "executor.reconnected",
    "notification.alert.resolved",
  ];
  await eventually(async () => (await types()).length === timeline.length, { timeoutMs: 5_000 });
  expect((await types()).reverse()).toEqual(timeline);
}, 60_000);
