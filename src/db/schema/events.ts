// The events timeline (control-plane and runtime events) and the append-only audit log.
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, id, json } from "./common.ts";

export const events = sqliteTable(
  "events",
  {
    id: id(),
    organizationId: text("organization_id").notNull(),
    source: text("source", { enum: ["control_plane", "runtime"] }).notNull(),
    type: text("type").notNull(),
    level: text("level", { enum: ["info", "warn", "error"] }).notNull(),
    message: text("message").notNull(),
    executorId: text("executor_id"),
    executorName: text("executor_name"),
    nodeId: text("node_id"),
    nodeName: text("node_name"),
    payload: json<Record<string, unknown>>("payload"),
    auditActionId: text("audit_action_id"),
    createdAt: createdAt(),
  },
  (t) => [index("events_org_created_idx").on(t.organizationId, t.createdAt, t.id)],
);

export const auditActions = sqliteTable(
  "audit_actions",
  {
    id: id(),
    organizationId: text("organization_id"),
    scope: text("scope", { enum: ["organization", "platform"] }).notNull(),
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name").notNull(),
    actorEmail: text("actor_email").notNull(),
    impersonatorId: text("impersonator_id"),
    action: text("action").notNull(),
    targetKind: text("target_kind").notNull(),
    targetId: text("target_id"),
    targetName: text("target_name"),
    details: json<Record<string, unknown>>("details"),
    source: text("source", { enum: ["ui", "api", "system"] }).notNull(),
    outcome: text("outcome", { enum: ["success", "failure"] })
      .notNull()
      .default("success"),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_org_created_idx").on(t.organizationId, t.createdAt, t.id)],
);

export const instanceSettings = sqliteTable("instance_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
