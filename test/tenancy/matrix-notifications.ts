// The notification rows of the authorization matrix: settings, incidents and the bell, deliveries (any role
// reads), and saving, the signing secret, test sends and redelivery (owners and admins). Organization A gets
// an incident (a full disk reported for its node) and a delivery (a test send to a closed loopback port)
// before the reads, so its members read data and everyone else reads nothing of it.
import { call } from "../control-plane/protocol-client.ts";
import { type MatrixContext, manage, ownerAuth, type Row, read } from "./matrix-kit.ts";
import type { Auth } from "./world.ts";

/** Nothing listens on the discard port: a test send there is a quick, recorded failure. */
const CLOSED_HOOK = "http://127.0.0.1:9/hook";
const hooked = new Set<string>();
let deliveryOfA: string | null = null;
let incidentInA = false;

async function withWebhook(c: MatrixContext, auth: Auth, organization: string) {
  if (hooked.has(organization)) return;
  await c.w.api.ok(
    "mutation($u: String!) { saveNotificationSettings(input: { webhookUrl: $u }) { webhookSecret } }",
    { u: CLOSED_HOOK },
    auth,
    (d) => [d.saveNotificationSettings.webhookSecret].filter(Boolean),
  );
  hooked.add(organization);
}

/** A delivery recorded in organization A (made once). */
async function aDelivery(c: MatrixContext): Promise<string> {
  if (deliveryOfA) return deliveryOfA;
  await withWebhook(c, ownerAuth(c), c.w.orgA);
  const sent = await c.w.api.ok("mutation { testNotificationWebhook { id } }", {}, ownerAuth(c));
  deliveryOfA = sent.testNotificationWebhook.id as string;
  return deliveryOfA;
}

/** An open incident in organization A: its node reported with a full disk (once). */
async function anIncident(c: MatrixContext) {
  if (incidentInA) return {};
  const answer = await call(c.w.api.cp, "/api/v1/executor/observed", {
    key: c.w.executorKey.key,
    executorId: c.executorId,
    body: {
      observations: [
        {
          nodeId: c.nodeId,
          revision: 1,
          processes: [{ role: "node", status: "running" }],
          metrics: { diskTotalBytes: 100, diskAvailableBytes: 1 },
        },
      ],
    },
  });
  if (answer.status !== 200) throw new Error(`observation refused: ${JSON.stringify(answer.json)}`);
  incidentInA = true;
  return {};
}

/** The caller's own organization has a webhook URL (A for its members, B for `other`). */
async function callerHooked(c: MatrixContext) {
  if (c.p === "other") await withWebhook(c, { cookie: c.w.other.cookie }, c.w.orgB);
  else await withWebhook(c, ownerAuth(c), c.w.orgA);
  return {};
}

export const NOTIFICATION_ROWS: Row[] = [
  {
    op: "Query.notificationSettings",
    doc: "{ notificationSettings { diskUsageThresholdPercent } }",
    expect: read("ok"),
  },
  {
    op: "Query.notificationIncidents",
    doc: "{ notificationIncidents { id } }",
    vars: anIncident,
    expect: read("empty"),
  },
  {
    op: "Query.notificationCenter",
    doc: "{ notificationCenter { openCount latest { id } } }",
    vars: anIncident,
    expect: read("ok"),
  },
  {
    op: "Query.webhookDeliveries",
    doc: "{ webhookDeliveries { id } }",
    vars: async (c) => {
      await aDelivery(c);
      return {};
    },
    expect: read("empty"),
  },
  {
    op: "Mutation.saveNotificationSettings",
    doc: "mutation { saveNotificationSettings(input: { diskUsageThresholdPercent: 90 }) { settings { diskUsageThresholdPercent } } }",
    expect: manage("ok"),
  },
  {
    op: "Mutation.rotateWebhookSecret",
    doc: "mutation { rotateWebhookSecret { secret } }",
    expect: manage("ok"),
    reveals: (d) => [d.rotateWebhookSecret.secret],
  },
  {
    op: "Mutation.testNotificationWebhook",
    doc: "mutation { testNotificationWebhook { id ok } }",
    vars: callerHooked,
    expect: manage("ok"),
  },
  {
    op: "Mutation.redeliverWebhook",
    doc: "mutation($id: ID!) { redeliverWebhook(id: $id) { id } }",
    vars: async (c) => ({ id: await aDelivery(c) }),
    expect: manage("not_found"),
  },
];
