// Alerts and signed webhooks on a real control plane (the harness: real SQLite, real HTTP), with
// observations sent the way executors send them (POST /api/v1/executor/observed) and a real HTTP receiver:
// the disk alert follows a per-node override, every incident change reaches the receiver signed as
// docs/webhooks.md says, a failing receiver gets the delivery on a later attempt, a SIGKILL of the control
// plane mid-retry loses nothing, deleting a node resolves its incidents, test sends and redeliveries are
// recorded, and the series reach /metrics.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { call, createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { samples, scrape } from "../observability/prometheus.ts";
import { Receiver, verifySignature } from "./receiver.ts";

const T = 60_000;
const WAIT = { timeoutMs: 20_000, intervalMs: 100 };
const METRICS_TOKEN = "webhook-metrics-token-0123456789abcdef";
const PAYLOAD_KEYS = [
  "rule",
  "status",
  "subjectKind",
  "subjectKey",
  "subjectName",
  "message",
  "openedAt",
  "resolvedAt",
  "incidentId",
];

let cp: ControlPlaneHandle;
let cookie: string;
let executor: { id: string; key: string };
let receiver: Receiver;
let secret: string;
const nodes: Record<string, string> = {};

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

/** Reports the node running with its filesystem `percent` full, as an executor does. */
async function observeDisk(nodeId: string, percent: number) {
  const total = 100 * 1024 ** 3;
  const result = await call(cp, "/api/v1/executor/observed", {
    key: executor.key,
    executorId: executor.id,
    body: {
      observations: [
        {
          nodeId,
          revision: 1,
          processes: [{ role: "node", status: "running" }],
          metrics: { diskTotalBytes: total, diskAvailableBytes: total * (1 - percent / 100) },
        },
      ],
    },
  });
  expect(result.status).toBe(200);
}

interface Incident {
  id: string;
  rule: string;
  status: string;
  subjectKey: string;
  subjectName: string;
  message: string;
  resolvedAt: string | null;
}
const INCIDENT = "id rule status subjectKey subjectName message resolvedAt";
const incidents = async (status?: string) =>
  (
    await gql<{ notificationIncidents: Incident[] }>(
      `query($s: AlertIncidentStatus) { notificationIncidents(status: $s) { ${INCIDENT} } }`,
      { s: status ?? null },
    )
  ).notificationIncidents;
const openIncident = (rule: string, nodeId: string) =>
  eventually(async () => (await incidents("open")).find((i) => i.rule === rule && i.subjectKey === nodeId), {
    ...WAIT,
    message: `${rule} open for ${nodeId}`,
  });

interface Delivery {
  id: string;
  incidentId: string | null;
  ok: boolean;
  statusCode: number | null;
  attempt: number;
  requestBody: string;
  responseBody: string | null;
  errorMessage: string | null;
  targetUrl: string;
}
const deliveries = async () =>
  (
    await gql<{ webhookDeliveries: Delivery[] }>(
      "{ webhookDeliveries { id incidentId ok statusCode attempt requestBody responseBody errorMessage targetUrl } }",
    )
  ).webhookDeliveries;

beforeAll(async () => {
  cp = await startControlPlane({
    env: { WEBHOOK_RETRY_BASE_MS: "300", WEBHOOK_MAX_ATTEMPTS: "8", METRICS_TOKEN },
  });
  cookie = await cp.adminSession();
  const key = await cp.createExecutorKey("alerts-host");
  executor = { id: (await syncExecutor(cp, key, "alerts-host")).executorId, key };
  for (const name of ["disk-canary", "disk-default", "doomed"])
    nodes[name] = (await createNode(cp, cookie, executor.id, name)).id;
  receiver = new Receiver();
  const saved = await gql(
    `mutation($i: SaveNotificationSettingsInput!) {
       saveNotificationSettings(input: $i) { webhookSecret settings { webhookEnabled webhookSecretSet } } }`,
    {
      i: {
        webhookUrl: receiver.url,
        webhookEnabled: true,
        // Liveness of this protocol-driven executor is not what these tests watch.
        executorOfflineEnabled: false,
        diskUsageThresholdPercent: 85,
        nodeOverrides: [{ nodeId: nodes["disk-canary"], diskUsageThresholdPercent: 50 }],
      },
    },
  );
  secret = saved.saveNotificationSettings.webhookSecret;
  cp.leakWatch.secret(secret);
  expect(secret).toStartWith("whsec_");
  expect(saved.saveNotificationSettings.settings).toEqual({ webhookEnabled: true, webhookSecretSet: true });
}, T);

afterAll(async () => {
  await cp?.stop();
  receiver?.stop();
}, T);

describe("alerts and webhooks", () => {
  test(
    "disk_usage follows the per-node threshold, and the receiver gets open then resolved, signed",
    async () => {
      // 70 %: above the canary's override (50 %), below the organization's threshold (85 %).
      await observeDisk(nodes["disk-canary"]!, 70);
      await observeDisk(nodes["disk-default"]!, 70);
      const incident = await openIncident("disk_usage", nodes["disk-canary"]!);
      expect(incident.message).toBe("Node disk-canary disk usage is 70% (threshold 50%)");
      expect((await incidents("open")).filter((i) => i.subjectKey === nodes["disk-default"])).toEqual([]);

      const opened = await eventually(
        () => receiver.matching({ incidentId: incident.id, status: "open" })[0],
        {
          ...WAIT,
          message: "the open delivery",
        },
      );
      expect(Object.keys(opened.json)).toEqual(PAYLOAD_KEYS);
      expect(opened.json).toMatchObject({
        rule: "disk_usage",
        subjectKind: "node",
        subjectKey: nodes["disk-canary"],
        subjectName: "disk-canary",
        resolvedAt: null,
      });
      expect(verifySignature(secret, opened.headers["x-novacula-signature"], opened.body)).toBe(true);
      expect(verifySignature(`${secret}x`, opened.headers["x-novacula-signature"], opened.body)).toBe(false);

      await observeDisk(nodes["disk-canary"]!, 40);
      const resolved = await eventually(
        () => receiver.matching({ incidentId: incident.id, status: "resolved" })[0],
        { ...WAIT, message: "the resolved delivery" },
      );
      expect(resolved.json.openedAt).toBe(opened.json.openedAt);
      expect(Date.parse(String(resolved.json.resolvedAt))).toBeGreaterThanOrEqual(
        Date.parse(String(opened.json.openedAt)),
      );
      expect(verifySignature(secret, resolved.headers["x-novacula-signature"], resolved.body)).toBe(true);

      const events = await gql<{ events: { type: string; nodeId: string; payload: any }[] }>(
        `query($id: ID!) { events(filter: { nodeId: $id }) { type nodeId payload } }`,
        { id: nodes["disk-canary"] },
      );
      const alertEvents = events.events.filter((e) => e.type.startsWith("notification.alert."));
      expect(alertEvents.map((e) => e.type).sort()).toEqual([
        "notification.alert.opened",
        "notification.alert.resolved",
      ]);
      expect(alertEvents.every((e) => e.payload.incidentId === incident.id)).toBe(true);
      const center = await gql("{ notificationCenter { openCount latest { id status resolvedAt } } }");
      expect(center.notificationCenter.openCount).toBe(0);
      expect(center.notificationCenter.latest[0]).toMatchObject({ id: incident.id, status: "resolved" });
    },
    T,
  );

  test(
    "a receiver that fails three times gets the delivery on the fourth attempt, and every attempt is kept",
    async () => {
      receiver.failNext(3);
      await observeDisk(nodes["disk-canary"]!, 75);
      const incident = await openIncident("disk_usage", nodes["disk-canary"]!);
      const tries = await eventually(
        () => {
          const got = receiver.matching({ incidentId: incident.id, status: "open" });
          return got.length >= 4 ? got : null;
        },
        { ...WAIT, message: "four attempts" },
      );
      expect(tries.map((t) => t.answered)).toEqual([500, 500, 500, 200]);
      // One delivery, retried: the same delivery id and body on every attempt.
      expect(new Set(tries.map((t) => t.headers["x-novacula-delivery"])).size).toBe(1);
      expect(new Set(tries.map((t) => t.body)).size).toBe(1);
      const recorded = (await deliveries()).filter(
        (d) => d.incidentId === incident.id && JSON.parse(d.requestBody).status === "open",
      );
      expect(recorded.map((d) => [d.attempt, d.ok, d.statusCode])).toEqual([
        [4, true, 200],
        [3, false, 500],
        [2, false, 500],
        [1, false, 500],
      ]);
      expect(recorded[1]!.responseBody).toBe("receiver broken");
      expect(recorded[1]!.errorMessage).toBe("the receiver answered 500");
      await observeDisk(nodes["disk-canary"]!, 10);
      await eventually(() => receiver.matching({ incidentId: incident.id, status: "resolved" })[0], WAIT);
    },
    T,
  );

  test(
    "a control-plane SIGKILL in the middle of a retry loop loses no delivery",
    async () => {
      receiver.failNext(1_000);
      await observeDisk(nodes["disk-canary"]!, 90);
      const incident = await openIncident("disk_usage", nodes["disk-canary"]!);
      await eventually(() => receiver.matching({ incidentId: incident.id }).length >= 2, {
        ...WAIT,
        message: "two failed attempts",
      });
      await cp.kill();
      receiver.failNext(0);
      await cp.restart();
      cookie = await cp.adminSession();
      const delivered = await eventually(
        () => receiver.matching({ incidentId: incident.id, status: "open" }).find((r) => r.answered === 200),
        { ...WAIT, message: "the open delivery after the restart" },
      );
      expect(verifySignature(secret, delivered.headers["x-novacula-signature"], delivered.body)).toBe(true);
      // The incident survived the restart, still open; a later reading resolves it.
      expect((await incidents("open")).map((i) => i.id)).toContain(incident.id);
      await observeDisk(nodes["disk-canary"]!, 10);
      await eventually(() => receiver.matching({ incidentId: incident.id, status: "resolved" })[0], WAIT);
    },
    T,
  );

  test(
    "deleting a node resolves its open incidents",
    async () => {
      await observeDisk(nodes.doomed!, 99);
      const incident = await openIncident("disk_usage", nodes.doomed!);
      await gql(`mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }`, { id: nodes.doomed });
      const resolved = await eventually(
        async () => (await incidents("resolved")).find((i) => i.id === incident.id),
        { ...WAIT, message: "the deleted node's incident resolved" },
      );
      expect(resolved.resolvedAt).not.toBeNull();
      const delivered = await eventually(
        () => receiver.matching({ incidentId: incident.id, status: "resolved" })[0],
        WAIT,
      );
      expect(delivered.json.message).toBe(
        "Node doomed disk usage is back below its threshold (node deleted)",
      );
    },
    T,
  );

  test(
    "a test send and a redelivery are signed, sent at once and recorded; a rotated secret signs from then on",
    async () => {
      const sent = await gql(
        "mutation { testNotificationWebhook { id ok statusCode incidentId requestBody } }",
      );
      expect(sent.testNotificationWebhook).toMatchObject({ ok: true, statusCode: 200, incidentId: null });
      const body = JSON.parse(sent.testNotificationWebhook.requestBody);
      expect(body.incidentId).toBeNull();
      expect(Date.parse(body.sentAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(body.message).toContain("Test notification");
      const got = receiver.received.at(-1)!;
      expect(got.body).toBe(sent.testNotificationWebhook.requestBody);
      expect(verifySignature(secret, got.headers["x-novacula-signature"], got.body)).toBe(true);

      const earlier = (await deliveries()).find((d) => d.incidentId !== null && d.ok)!;
      const rotated = await gql("mutation { rotateWebhookSecret { secret rotatedAt } }");
      const newSecret = cp.leakWatch.secret(rotated.rotateWebhookSecret.secret);
      expect(newSecret).not.toBe(secret);
      const again = await gql(
        "mutation($id: ID!) { redeliverWebhook(id: $id) { id ok incidentId requestBody } }",
        {
          id: earlier.id,
        },
      );
      expect(again.redeliverWebhook).toMatchObject({ ok: true, incidentId: earlier.incidentId });
      expect(again.redeliverWebhook.requestBody).toBe(earlier.requestBody);
      const last = receiver.received.at(-1)!;
      expect(last.body).toBe(earlier.requestBody);
      expect(verifySignature(newSecret, last.headers["x-novacula-signature"], last.body)).toBe(true);
      expect(verifySignature(secret, last.headers["x-novacula-signature"], last.body)).toBe(false);
      secret = newSecret;
      expect((await deliveries()).length).toBeLessThanOrEqual(50);
    },
    T,
  );

  test("alert evaluations, delivery attempts by outcome and the queue depth reach /metrics", async () => {
    const metrics = await scrape(`${cp.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
    const evaluations = samples(metrics, "novacula_alert_evaluation_duration_seconds")[0]!;
    expect(evaluations.count).toBeGreaterThan(0);
    expect(metrics.novacula_alert_evaluation_duration_seconds!.type).toBe("histogram");
    const attempts = (outcome: string) =>
      samples(metrics, "novacula_webhook_delivery_attempts_total", { outcome })[0]?.value ?? 0;
    // Since the restart: the redelivery and the test send succeeded.
    expect(attempts("success")).toBeGreaterThanOrEqual(2);
    expect(samples(metrics, "novacula_webhook_queue_depth")[0]!.value).toBe(0);
  });
});
