// GraphQL for notifications (reference §6.13, §13): settings with per-node policies, saving them (owners and
// admins), the webhook signing secret (shown once, when made or rotated), incidents and the bell, webhook
// deliveries, manual redelivery and the test send. Any role reads; owners and admins change.
import { SaveNotificationSettingsInput } from "../../notifications/models.ts";
import type { NotificationSettingsRow } from "../../notifications/settings.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, MANAGERS, READ_LIST, READ_ONE } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  "The fields a node may override (null: inherit the organization's)."
  type NotificationPolicy {
    nodeDownEnabled: Boolean!
    diskUsageEnabled: Boolean!
    diskUsageThresholdPercent: Int!
    syncStalledEnabled: Boolean!
    syncStalledMinutes: Int!
  }

  "A live node's notification policy: its own override fields (null = inherit) and what applies."
  type NotificationNodeOverride {
    nodeId: ID!
    nodeName: String!
    chain: String
    network: String
    executorId: ID!
    executorName: String!
    hasOverride: Boolean!
    nodeDownEnabled: Boolean
    diskUsageEnabled: Boolean
    diskUsageThresholdPercent: Int
    syncStalledEnabled: Boolean
    syncStalledMinutes: Int
    effective: NotificationPolicy!
  }

  type NotificationSettings {
    nodeDownEnabled: Boolean!
    diskUsageEnabled: Boolean!
    "1..100."
    diskUsageThresholdPercent: Int!
    syncStalledEnabled: Boolean!
    "sync_stalled fires when the head has not advanced for this long while not synced."
    syncStalledMinutes: Int!
    executorOfflineEnabled: Boolean!
    webhookUrl: String
    "Off keeps the URL."
    webhookEnabled: Boolean!
    "Whether a signing secret exists (its value is shown only when made or rotated)."
    webhookSecretSet: Boolean!
    webhookSecretRotatedAt: DateTime
    updatedAt: DateTime
    "Every live node, with its override and effective values."
    nodeOverrides: [NotificationNodeOverride!]!
  }

  type SavedNotificationSettings {
    settings: NotificationSettings!
    "The webhook signing secret, only when this save created it (the first webhook URL). Shown once."
    webhookSecret: String
  }

  type WebhookSecret {
    "Shown once: it cannot be read again."
    secret: String!
    rotatedAt: DateTime!
  }

  input NotificationNodeOverrideInput {
    nodeId: ID!
    nodeDownEnabled: Boolean
    diskUsageEnabled: Boolean
    diskUsageThresholdPercent: Int
    syncStalledEnabled: Boolean
    syncStalledMinutes: Int
  }

  "Omitted fields keep their value. Each listed node's override is replaced (null fields inherit)."
  input SaveNotificationSettingsInput {
    nodeDownEnabled: Boolean
    diskUsageEnabled: Boolean
    diskUsageThresholdPercent: Int
    syncStalledEnabled: Boolean
    syncStalledMinutes: Int
    executorOfflineEnabled: Boolean
    "https:// (http:// only for loopback); empty removes it."
    webhookUrl: String
    webhookEnabled: Boolean
    nodeOverrides: [NotificationNodeOverrideInput!]
  }

  enum AlertIncidentStatus { open resolved }

  type AlertIncident {
    id: ID!
    "node_down, disk_usage, sync_stalled or executor_offline."
    rule: String!
    status: AlertIncidentStatus!
    openedAt: DateTime!
    resolvedAt: DateTime
    "node or executor."
    subjectKind: String!
    subjectKey: String!
    subjectName: String!
    message: String!
  }

  type NotificationCenter {
    openCount: Int!
    "The latest 10 incidents, newest first."
    latest: [AlertIncident!]!
  }

  type WebhookDelivery {
    id: ID!
    targetUrl: String!
    requestBody: String!
    ok: Boolean!
    statusCode: Int
    "At most 4000 characters."
    responseBody: String
    errorMessage: String
    createdAt: DateTime!
    "Null for test sends."
    incidentId: ID
    "1 for the first attempt of a delivery, 2 for its first retry, …"
    attempt: Int!
  }

  extend type Query {
    notificationSettings: NotificationSettings
    notificationCenter: NotificationCenter
    "Newest first; cursor: the last id of the previous page. 100 per page by default, at most 500."
    notificationIncidents(status: AlertIncidentStatus, cursor: ID, take: Int): [AlertIncident!]!
    "The latest 50 attempts, newest first."
    webhookDeliveries: [WebhookDelivery!]!
  }

  extend type Mutation {
    saveNotificationSettings(input: SaveNotificationSettingsInput!): SavedNotificationSettings!
    "A new webhook signing secret; the old one stops signing at once."
    rotateWebhookSecret: WebhookSecret!
    "One signed synthetic delivery to the webhook URL (incidentId null), recorded like any other."
    testNotificationWebhook: WebhookDelivery!
    "Sends a recorded delivery's body again, now, to the current URL."
    redeliverWebhook(id: ID!): WebhookDelivery!
  }
`;

function resolvers(s: ControlPlaneServices) {
  const n = s.notifications;
  return {
    Query: {
      notificationSettings: guard("Query.notificationSettings", READ_ONE, (_s, _a, ctx: Ctx) =>
        n.settings.of(ctx.caller.organizationId),
      ),
      notificationCenter: guard("Query.notificationCenter", READ_ONE, (_s, _a, ctx: Ctx) =>
        n.incidents.center(ctx.caller.organizationId),
      ),
      notificationIncidents: guard("Query.notificationIncidents", READ_LIST, (_s, args: Args, ctx: Ctx) =>
        n.incidents.list(
          ctx.caller.organizationId,
          args.status ?? null,
          args.cursor ?? null,
          args.take ?? null,
        ),
      ),
      webhookDeliveries: guard("Query.webhookDeliveries", READ_LIST, (_s, _a, ctx: Ctx) =>
        n.webhooks.list(ctx.caller.organizationId),
      ),
    },
    Mutation: {
      saveNotificationSettings: guard(
        "Mutation.saveNotificationSettings",
        MANAGERS,
        (_s, args: Args, ctx: Ctx) => {
          const input = checkInput(SaveNotificationSettingsInput, args.input, "the notification settings");
          const saved = n.save(ctx.caller, input);
          return { settings: saved.settings, webhookSecret: saved.createdSecret };
        },
      ),
      rotateWebhookSecret: guard("Mutation.rotateWebhookSecret", MANAGERS, (_s, _a, ctx: Ctx) =>
        n.settings.rotateSecret(ctx.caller),
      ),
      testNotificationWebhook: guard("Mutation.testNotificationWebhook", MANAGERS, (_s, _a, ctx: Ctx) => {
        const org = s.organizations.get(ctx.caller.organizationId);
        return n.webhooks.test(ctx.caller.organizationId, org?.name ?? "your organization");
      }),
      redeliverWebhook: guard("Mutation.redeliverWebhook", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        n.webhooks.redeliver(ctx.caller.organizationId, args.id),
      ),
    },
    NotificationSettings: {
      webhookSecretSet: (row: NotificationSettingsRow) => row.webhookSecretSealed !== null,
      updatedAt: (row: NotificationSettingsRow) => (row.updatedAt.getTime() === 0 ? null : row.updatedAt),
      nodeOverrides: (row: NotificationSettingsRow) =>
        n.settings.nodePolicies(row.organizationId).map((p) => ({
          nodeId: p.id,
          nodeName: p.name,
          chain: p.chain,
          network: p.network,
          executorId: p.executorId,
          executorName: p.executorName,
          hasOverride: p.hasOverride,
          ...p.override,
          effective: p.effective,
        })),
    },
  };
}

export const notificationsModule: GraphQLModule = { typeDefs, resolvers };
