// The notification documents of the UI (bell, incidents, Settings → Notifications) with the shape of their
// answers, and the bell's live query. test/notifications/ui-documents.test.ts validates them.
import { queryOptions } from "@tanstack/react-query";
import { graphql, request } from "./graphql.ts";

export interface Incident {
  id: string;
  rule: string;
  status: "open" | "resolved";
  openedAt: string;
  resolvedAt: string | null;
  subjectKind: string;
  subjectKey: string;
  subjectName: string;
  message: string;
}
const INCIDENT_FIELDS = "id rule status openedAt resolvedAt subjectKind subjectKey subjectName message";

export const NOTIFICATION_CENTER = graphql<{
  notificationCenter: { openCount: number; latest: Incident[] } | null;
}>(`query NotificationCenter { notificationCenter { openCount latest { ${INCIDENT_FIELDS} } } }`);

export const INCIDENTS = graphql<
  { notificationIncidents: Incident[] },
  { status: "open" | "resolved" | null; cursor: string | null; take: number }
>(
  `query Incidents($status: AlertIncidentStatus, $cursor: ID, $take: Int) {
    notificationIncidents(status: $status, cursor: $cursor, take: $take) { ${INCIDENT_FIELDS} }
  }`,
);

export interface Policy {
  nodeDownEnabled: boolean;
  diskUsageEnabled: boolean;
  diskUsageThresholdPercent: number;
  syncStalledEnabled: boolean;
  syncStalledMinutes: number;
}
export type PolicyOverride = { [K in keyof Policy]: Policy[K] | null };

export interface NodePolicyRow extends PolicyOverride {
  nodeId: string;
  nodeName: string;
  chain: string | null;
  network: string | null;
  executorName: string;
  hasOverride: boolean;
  effective: Policy;
}

export interface NotificationSettings extends Policy {
  executorOfflineEnabled: boolean;
  webhookUrl: string | null;
  webhookEnabled: boolean;
  webhookSecretSet: boolean;
  webhookSecretRotatedAt: string | null;
  nodeOverrides: NodePolicyRow[];
}
const POLICY =
  "nodeDownEnabled diskUsageEnabled diskUsageThresholdPercent syncStalledEnabled syncStalledMinutes";
const SETTINGS_FIELDS = `${POLICY} executorOfflineEnabled webhookUrl webhookEnabled webhookSecretSet
  webhookSecretRotatedAt nodeOverrides { nodeId nodeName chain network executorName hasOverride ${POLICY}
  effective { ${POLICY} } }`;

export const NOTIFICATION_SETTINGS = graphql<{ notificationSettings: NotificationSettings | null }>(
  `query NotificationSettings { notificationSettings { ${SETTINGS_FIELDS} } }`,
);

export type SaveInput = Partial<
  Omit<NotificationSettings, "webhookSecretSet" | "webhookSecretRotatedAt" | "nodeOverrides">
> & {
  nodeOverrides?: (Partial<PolicyOverride> & { nodeId: string })[];
};
export const SAVE_NOTIFICATION_SETTINGS = graphql<
  { saveNotificationSettings: { webhookSecret: string | null; settings: NotificationSettings } },
  { input: SaveInput }
>(
  `mutation SaveNotificationSettings($input: SaveNotificationSettingsInput!) {
    saveNotificationSettings(input: $input) { webhookSecret settings { ${SETTINGS_FIELDS} } }
  }`,
);

export const ROTATE_WEBHOOK_SECRET = graphql<{ rotateWebhookSecret: { secret: string; rotatedAt: string } }>(
  "mutation RotateWebhookSecret { rotateWebhookSecret { secret rotatedAt } }",
);

export interface Delivery {
  id: string;
  targetUrl: string;
  requestBody: string;
  ok: boolean;
  statusCode: number | null;
  responseBody: string | null;
  errorMessage: string | null;
  createdAt: string;
  incidentId: string | null;
  attempt: number;
}
const DELIVERY_FIELDS =
  "id targetUrl requestBody ok statusCode responseBody errorMessage createdAt incidentId attempt";

export const WEBHOOK_DELIVERIES = graphql<{ webhookDeliveries: Delivery[] }>(
  `query WebhookDeliveries { webhookDeliveries { ${DELIVERY_FIELDS} } }`,
);
export const TEST_WEBHOOK = graphql<{ testNotificationWebhook: Delivery }>(
  `mutation TestNotificationWebhook { testNotificationWebhook { ${DELIVERY_FIELDS} } }`,
);
export const REDELIVER_WEBHOOK = graphql<{ redeliverWebhook: Delivery }, { id: string }>(
  `mutation RedeliverWebhook($id: ID!) { redeliverWebhook(id: $id) { ${DELIVERY_FIELDS} } }`,
);

export const notificationCenterQuery = queryOptions({
  queryKey: ["notification-center"],
  queryFn: () => request(NOTIFICATION_CENTER),
});
