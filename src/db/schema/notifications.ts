// Notifications: each organization's alert settings and webhook (with its encrypted signing secret), the
// per-node overrides, alert incidents (at most one open per rule and subject, enforced here), the durable
// webhook outbox (what is still to be sent) and the record of every delivery attempt.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, id, timestampMs } from "./common.ts";
import { nodes } from "./nodes.ts";
import { organization } from "./organizations.ts";

export const notificationSettings = sqliteTable("notification_settings", {
  organizationId: text("organization_id")
    .primaryKey()
    .references(() => organization.id, { onDelete: "cascade" }),
  nodeDownEnabled: bool("node_down_enabled").notNull().default(true),
  diskUsageEnabled: bool("disk_usage_enabled").notNull().default(true),
  diskUsageThresholdPercent: integer("disk_usage_threshold_percent").notNull().default(85),
  syncStalledEnabled: bool("sync_stalled_enabled").notNull().default(true),
  syncStalledMinutes: integer("sync_stalled_minutes").notNull().default(10),
  executorOfflineEnabled: bool("executor_offline_enabled").notNull().default(true),
  webhookUrl: text("webhook_url"),
  webhookEnabled: bool("webhook_enabled").notNull().default(false),
  /** The HMAC signing secret, AES-256-GCM encrypted with a key kept outside the database. */
  webhookSecretSealed: text("webhook_secret_sealed"),
  webhookSecretRotatedAt: timestampMs("webhook_secret_rotated_at"),
  updatedAt: timestampMs("updated_at").notNull(),
});

/** Per node, each field null = inherit the organization's; a row with every field null is deleted. */
export const notificationNodeOverrides = sqliteTable(
  "notification_node_overrides",
  {
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    nodeDownEnabled: bool("node_down_enabled"),
    diskUsageEnabled: bool("disk_usage_enabled"),
    diskUsageThresholdPercent: integer("disk_usage_threshold_percent"),
    syncStalledEnabled: bool("sync_stalled_enabled"),
    syncStalledMinutes: integer("sync_stalled_minutes"),
    updatedAt: timestampMs("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.nodeId] }),
    uniqueIndex("notification_node_overrides_node_idx").on(t.nodeId),
  ],
);

export const alertIncidents = sqliteTable(
  "alert_incidents",
  {
    /** A UUIDv7: ordered by opening time. */
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    rule: text("rule").notNull(),
    status: text("status", { enum: ["open", "resolved"] }).notNull(),
    openedAt: timestampMs("opened_at").notNull(),
    resolvedAt: timestampMs("resolved_at"),
    subjectKind: text("subject_kind", { enum: ["node", "executor"] }).notNull(),
    subjectKey: text("subject_key").notNull(),
    subjectName: text("subject_name").notNull(),
    message: text("message").notNull(),
  },
  (t) => [
    uniqueIndex("alert_incidents_one_open_idx").on(t.rule, t.subjectKey).where(sql`status = 'open'`),
    index("alert_incidents_org_idx").on(t.organizationId, t.status, t.id),
  ],
);

/** Deliveries still to be sent: written in the transaction that opens or resolves the incident. */
export const webhookOutbox = sqliteTable(
  "webhook_outbox",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    incidentId: text("incident_id"),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestampMs("next_attempt_at").notNull(),
    createdAt: timestampMs("created_at").notNull(),
  },
  (t) => [index("webhook_outbox_due_idx").on(t.nextAttemptAt)],
);

/** Every attempt (automatic, manual or test); the newest 50 per organization are kept. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    incidentId: text("incident_id"),
    /** The outbox entry this attempt belongs to (retries share it); null for manual and test sends. */
    outboxId: text("outbox_id"),
    attempt: integer("attempt").notNull(),
    targetUrl: text("target_url").notNull(),
    requestBody: text("request_body").notNull(),
    ok: bool("ok").notNull(),
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    errorMessage: text("error_message"),
    createdAt: timestampMs("created_at").notNull(),
  },
  (t) => [index("webhook_deliveries_org_idx").on(t.organizationId, t.id)],
);
