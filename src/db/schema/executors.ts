// Executors (agents and operators) and which keys they sync with (ExecutorApiKeyUsage).
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { ExecutorCapabilities, ExecutorResources, UpgradeSpec } from "../../protocol/index.ts";
import { apiKeys } from "./api-keys.ts";
import { createdAt, id, json, timestampMs } from "./common.ts";
import { organization } from "./organizations.ts";

export const executors = sqliteTable(
  "executors",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["agent", "operator"] }).notNull(),
    capabilities: json<ExecutorCapabilities>("capabilities").notNull(),
    currentVersion: text("current_version").notNull(),
    channel: text("channel").notNull(),
    resources: json<ExecutorResources>("resources"),
    publicHost: text("public_host"),
    /** Last sync; flushed in batches, so it may trail the in-memory value by up to a second. */
    lastSyncAt: timestampMs("last_sync_at").notNull(),
    /** The liveness the control plane last announced (events fire on changes). */
    announcedStatus: text("announced_status", { enum: ["online", "offline"] })
      .notNull()
      .default("online"),
    pendingUpgrade: json<UpgradeSpec>("pending_upgrade"),
    pendingUpgradeAt: timestampMs("pending_upgrade_at"),
    lastKeyId: text("last_key_id"),
    createdAt: createdAt(),
    deletedAt: timestampMs("deleted_at"),
  },
  (t) => [
    uniqueIndex("executors_org_name_live_idx").on(t.organizationId, t.name).where(sql`deleted_at IS NULL`),
  ],
);

export const executorApiKeyUsage = sqliteTable(
  "executor_api_key_usage",
  {
    keyId: text("key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    executorId: text("executor_id")
      .notNull()
      .references(() => executors.id, { onDelete: "cascade" }),
    lastUsedAt: timestampMs("last_used_at").notNull(),
    useCount: integer("use_count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.executorId] }), index("usage_executor_idx").on(t.executorId)],
);
