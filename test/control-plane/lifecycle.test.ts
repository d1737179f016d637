// Server lifecycle: SIGTERM drains (held long-polls answer, exit 0), and runtime events are pruned by age
// and per-organization count while control-plane events are kept.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { pruneRuntimeEvents } from "../../src/modes/control-plane/events/retention.ts";
import { appendEvent } from "../../src/modes/control-plane/events/service.ts";
import { startControlPlane, testDir } from "../harness/control-plane.ts";
import { call, syncExecutor } from "./protocol-client.ts";

test("SIGTERM answers held long-polls and exits 0", async () => {
  const cp = await startControlPlane();
  const key = await cp.createExecutorKey("drain");
  const { executorId } = await syncExecutor(cp, key, "host-drain");
  const held = call(cp, "/api/v1/executor/specs?cursor=0&waitMs=30000", { key, executorId });
  await new Promise((r) => setTimeout(r, 100)); // let the request reach the server before the signal
  const code = await cp.stop();
  expect((await held).json).toEqual({ cursor: 0, specs: [] });
  expect(code).toBe(0);
  expect(cp.logs.some((l) => l.includes('"msg":"control plane stopped"'))).toBe(true);
}, 30_000);

test("runtime events are pruned by age and per-organization cap; control-plane events stay", () => {
  const db = openDatabase(join(testDir("retention"), "cp.db"));
  const now = new Date("2026-06-01T00:00:00Z");
  const day = 86_400_000;
  const add = (org: string, source: "runtime" | "control_plane", ageDays: number) =>
    appendEvent(db, {
      organizationId: org,
      source,
      type: source === "runtime" ? "runtime.event" : "node.created",
      message: "m",
      createdAt: new Date(now.getTime() - ageDays * day),
    });
  add("org-a", "runtime", 100); // too old
  add("org-a", "control_plane", 100); // never pruned
  for (let i = 0; i < 5; i++) add("org-a", "runtime", 1);
  for (let i = 0; i < 2; i++) add("org-b", "runtime", 1);
  expect(pruneRuntimeEvents(db, now, 90, 3)).toBe(3);
  const left = db.sqlite
    .query<{ organization_id: string; source: string; n: number }, []>(
      "SELECT organization_id, source, count(*) AS n FROM events GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .all();
  expect(left).toEqual([
    { organization_id: "org-a", source: "control_plane", n: 1 },
    { organization_id: "org-a", source: "runtime", n: 3 },
    { organization_id: "org-b", source: "runtime", n: 2 },
  ]);
  db.close();
});

test("with PORT=0 the public URL in install commands names the port actually served", async () => {
  const cp = await startControlPlane();
  try {
    const result = await cp.gql(
      `mutation { connectExecutor(input: { kind: agent, name: "port-check", channel: "stable" }) { installCommand } }`,
      {},
      { cookie: await cp.adminSession() },
    );
    expect(cp.port).toBeGreaterThan(0);
    expect(result.data.connectExecutor.installCommand).toContain(`http://localhost:${cp.port}/install.sh`);
  } finally {
    await cp.stop();
  }
}, 30_000);
