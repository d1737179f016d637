// Notification settings through GraphQL on a real control plane with real users (test/tenancy/world.ts):
// defaults, who may change them (owners and admins; members read), per-node overrides field by field with
// effective values (an override cleared of every field is deleted), the audit row, bad input answered with
// the field and the fix while the server keeps serving, and tenancy: another organization sees none of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { call, createNode } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, buildWorld, startTenancyPlane, type World } from "../tenancy/world.ts";
import { Receiver } from "./receiver.ts";

const T = 60_000;
const SETTINGS = `notificationSettings {
  nodeDownEnabled diskUsageEnabled diskUsageThresholdPercent syncStalledEnabled syncStalledMinutes
  executorOfflineEnabled webhookUrl webhookEnabled webhookSecretSet
  nodeOverrides { nodeId nodeName chain network executorName hasOverride nodeDownEnabled diskUsageEnabled
    diskUsageThresholdPercent syncStalledMinutes
    effective { nodeDownEnabled diskUsageEnabled diskUsageThresholdPercent syncStalledEnabled syncStalledMinutes } } }`;
const SAVE = `mutation($i: SaveNotificationSettingsInput!) { saveNotificationSettings(input: $i) { webhookSecret
  settings { diskUsageThresholdPercent webhookUrl webhookEnabled } } }`;

let cp: ControlPlaneHandle;
let w: World;
let api: Api;
let receiver: Receiver;
let executorId: string;
const nodeIds: string[] = [];

const read = async (cookie: string) => (await api.ok(`{ ${SETTINGS} }`, {}, { cookie })).notificationSettings;
const save = (cookie: string, input: Record<string, unknown>) =>
  api.gql(SAVE, { i: input }, { cookie }, (d) =>
    d.saveNotificationSettings.webhookSecret ? [d.saveNotificationSettings.webhookSecret] : [],
  );

beforeAll(async () => {
  cp = await startTenancyPlane();
  w = await buildWorld(cp);
  api = w.api;
  receiver = new Receiver();
  const synced = await api.sync(w.executorKey.key, "settings-host");
  executorId = synced.executorId!;
  for (const name of ["alpha", "beta"])
    nodeIds.push((await createNode(cp, w.owner.cookie, executorId, name)).id);
}, T);

afterAll(async () => {
  api?.watch.assertClean(cp.logs);
  await cp?.stop();
  receiver?.stop();
}, T);

describe("notification settings", () => {
  test("before the first save every member reads the defaults and every live node's effective policy", async () => {
    const settings = await read(w.member.cookie);
    expect(settings).toMatchObject({
      nodeDownEnabled: true,
      diskUsageEnabled: true,
      diskUsageThresholdPercent: 85,
      syncStalledEnabled: true,
      syncStalledMinutes: 10,
      executorOfflineEnabled: true,
      webhookUrl: null,
      webhookEnabled: false,
      webhookSecretSet: false,
    });
    expect(settings.nodeOverrides.map((n: any) => [n.nodeName, n.chain, n.network, n.executorName])).toEqual([
      ["alpha", "devnet", "local", "settings-host"],
      ["beta", "devnet", "local", "settings-host"],
    ]);
    expect(settings.nodeOverrides[0]).toMatchObject({
      hasOverride: false,
      nodeDownEnabled: null,
      effective: { nodeDownEnabled: true, diskUsageThresholdPercent: 85, syncStalledMinutes: 10 },
    });
  });

  test("a member cannot change them; an admin can, and the change is audited with its fields", async () => {
    const refused = await save(w.member.cookie, { diskUsageThresholdPercent: 70 });
    expect(Api.code(refused)).toBe("forbidden");
    const saved = await save(w.admin.cookie, { diskUsageThresholdPercent: 70, webhookUrl: receiver.url });
    expect(saved.errors).toBeUndefined();
    expect(saved.data.saveNotificationSettings.settings).toEqual({
      diskUsageThresholdPercent: 70,
      webhookUrl: receiver.url,
      webhookEnabled: false,
    });
    // The first webhook URL makes the signing secret, shown in this answer only.
    expect(saved.data.saveNotificationSettings.webhookSecret).toStartWith("whsec_");
    const again = await save(w.admin.cookie, { webhookEnabled: true });
    expect(again.data.saveNotificationSettings.webhookSecret).toBeNull();
    const audit = await api.ok(
      `{ auditActions(filter: { actions: ["notification_settings.updated"] }) { nodes { action details actor { id } } } }`,
      {},
      { cookie: w.owner.cookie },
    );
    expect(audit.auditActions.nodes.map((n: any) => n.details.changedFields)).toEqual([
      ["webhookEnabled"],
      ["diskUsageThresholdPercent", "webhookUrl", "webhookSecret"],
    ]);
    expect(audit.auditActions.nodes[0].actor.id).toBe(w.admin.id);
    expect(JSON.stringify(audit)).not.toContain("whsec_");
  });

  test("per-node overrides apply field by field; clearing every field deletes the override", async () => {
    const [alpha, beta] = nodeIds as [string, string];
    const saved = await save(w.owner.cookie, {
      diskUsageThresholdPercent: 250,
      nodeOverrides: [
        { nodeId: alpha, nodeDownEnabled: false, diskUsageThresholdPercent: 0 },
        { nodeId: beta, syncStalledMinutes: 30 },
      ],
    });
    expect(saved.errors).toBeUndefined();
    let settings = await read(w.member.cookie);
    expect(settings.diskUsageThresholdPercent).toBe(100); // clamped to 1..100
    const [a, b] = settings.nodeOverrides;
    expect(a).toMatchObject({
      hasOverride: true,
      nodeDownEnabled: false,
      diskUsageEnabled: null,
      diskUsageThresholdPercent: 1,
      effective: { nodeDownEnabled: false, diskUsageEnabled: true, diskUsageThresholdPercent: 1 },
    });
    expect(b).toMatchObject({
      hasOverride: true,
      syncStalledMinutes: 30,
      effective: { nodeDownEnabled: true, diskUsageThresholdPercent: 100, syncStalledMinutes: 30 },
    });
    await save(w.owner.cookie, { nodeOverrides: [{ nodeId: alpha, nodeDownEnabled: null }] });
    settings = await read(w.member.cookie);
    expect(settings.nodeOverrides[0]).toMatchObject({
      hasOverride: false,
      nodeDownEnabled: null,
      diskUsageThresholdPercent: null,
      effective: { nodeDownEnabled: true, diskUsageThresholdPercent: 100 },
    });
    expect(settings.nodeOverrides[1].hasOverride).toBe(true);
  });

  test("bad input is refused naming the field and the fix, and the server keeps serving", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ webhookUrl: "http://hooks.example.com/x" }, "/webhookUrl", /must use HTTPS.*https:\/\//],
      [{ webhookUrl: "not a url" }, "/webhookUrl", /is not a URL/],
      [{ webhookUrl: "ftp://example.com/x" }, "/webhookUrl", /https:\/\//],
      [{ webhookUrl: "", webhookEnabled: true }, "/webhookEnabled", /set webhookUrl/],
      [{ syncStalledMinutes: 0 }, "/syncStalledMinutes", /1 to 1440/],
      [{ nodeOverrides: [{ nodeId: "no-such-node" }] }, "/nodeOverrides/0/nodeId", /no node with this id/],
      [
        { nodeOverrides: [{ nodeId: nodeIds[0] }, { nodeId: nodeIds[0] }] },
        "/nodeOverrides/1/nodeId",
        /listed twice/,
      ],
    ];
    for (const [input, path, message] of cases) {
      const answer = await save(w.owner.cookie, input);
      const error = answer.errors?.[0] as any;
      expect(error?.extensions?.code).toBe("bad_request");
      const detail = error.extensions.details.find((d: any) => d.path === path);
      expect(detail?.message).toMatch(message);
    }
    // Loopback may use plain HTTP; the settings are unchanged by the refused saves.
    const ok = await save(w.owner.cookie, { webhookUrl: "http://localhost:9/hook" });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.saveNotificationSettings.settings.webhookEnabled).toBe(true);
    await save(w.owner.cookie, { webhookUrl: receiver.url });
  });

  test("another organization sees none of it and cannot touch this organization's nodes", async () => {
    const [alpha] = nodeIds as [string];
    // An incident and a delivery in organization A.
    expect((await save(w.owner.cookie, { diskUsageThresholdPercent: 50 })).errors).toBeUndefined();
    const reported = await call(cp, "/api/v1/executor/observed", {
      key: w.executorKey.key,
      executorId,
      body: {
        observations: [
          {
            nodeId: alpha,
            revision: 1,
            processes: [{ role: "node", status: "running" }],
            metrics: { diskTotalBytes: 1000, diskAvailableBytes: 0 },
          },
        ],
      },
    });
    expect(reported.status).toBe(200);
    const ofA = await eventually(
      async () =>
        (await api.ok("{ notificationCenter { openCount latest { id } } }", {}, { cookie: w.member.cookie }))
          .notificationCenter.openCount > 0,
      { timeoutMs: 10_000, message: "an incident in organization A" },
    );
    expect(ofA).toBe(true);
    await eventually(
      async () =>
        (await api.ok("{ webhookDeliveries { id } }", {}, { cookie: w.owner.cookie })).webhookDeliveries
          .length > 0,
      { timeoutMs: 10_000, message: "a delivery in organization A" },
    );

    const b = { cookie: w.other.cookie };
    const settings = (await api.ok(`{ ${SETTINGS} }`, {}, b)).notificationSettings;
    expect(settings).toMatchObject({ webhookUrl: null, diskUsageThresholdPercent: 85, nodeOverrides: [] });
    const seen = await api.ok(
      `{ notificationCenter { openCount latest { id } } notificationIncidents { id } webhookDeliveries { id } }`,
      {},
      b,
    );
    expect(seen).toEqual({
      notificationCenter: { openCount: 0, latest: [] },
      notificationIncidents: [],
      webhookDeliveries: [],
    });
    const theirs = await save(w.other.cookie, { nodeOverrides: [{ nodeId: alpha, nodeDownEnabled: false }] });
    const unknown = await save(w.other.cookie, { nodeOverrides: [{ nodeId: crypto.randomUUID() }] });
    const details = (answer: typeof theirs) => (answer.errors?.[0] as any)?.extensions?.details;
    expect(details(theirs)).toEqual(details(unknown));
    expect(details(theirs)).toHaveLength(1);
    const delivery = (await api.ok("{ webhookDeliveries { id } }", {}, { cookie: w.owner.cookie }))
      .webhookDeliveries[0].id;
    const replay = await api.gql(
      "mutation($id: ID!) { redeliverWebhook(id: $id) { id } }",
      { id: delivery },
      b,
    );
    expect(Api.code(replay)).toBe("not_found");
    expect((await read(w.owner.cookie)).nodeOverrides[0].nodeDownEnabled).toBeNull();
  });
});
