// Nodes, their revision history, and the global change sequence executors long-poll on.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { NodeSpec, ObservedNodeState } from "../../protocol/index.ts";
import { bool, createdAt, id, json, timestampMs } from "./common.ts";
import { executors } from "./executors.ts";
import { organization } from "./organizations.ts";

export const nodes = sqliteTable(
  "nodes",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    executorId: text("executor_id")
      .notNull()
      .references(() => executors.id),
    name: text("name").notNull(),
    spec: json<NodeSpec>("spec").notNull(),
    revision: integer("revision").notNull(),
    /** The node_changes sequence of the latest write: executors ask for nodes changed after a cursor. */
    changeSeq: integer("change_seq").notNull(),
    observed: json<ObservedNodeState>("observed"),
    observedAt: timestampMs("observed_at"),
    createdAt: createdAt(),
    updatedAt: timestampMs("updated_at").notNull(),
    deletedAt: timestampMs("deleted_at"),
    retainData: bool("retain_data").notNull().default(false),
  },
  (t) => [
    uniqueIndex("nodes_executor_name_live_idx").on(t.executorId, t.name).where(sql`deleted_at IS NULL`),
    index("nodes_executor_change_idx").on(t.executorId, t.changeSeq),
    index("nodes_org_idx").on(t.organizationId),
    // The nodes list pages by name: walking this index stops after one page, filters (phase) included.
    index("nodes_org_name_idx").on(t.organizationId, t.name),
  ],
);

export const nodeRevisions = sqliteTable(
  "node_revisions",
  {
    nodeId: text("node_id")
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    spec: json<NodeSpec>("spec").notNull(),
    authorId: text("author_id"),
    summary: text("summary").notNull(),
    /**
     * How the executor carried out a client version change of this revision: null until it reports,
     * "succeeded", or "reverted" (the new version failed its health gate and the previous one runs again).
     */
    outcome: text("outcome", { enum: ["succeeded", "reverted"] }),
    /** Why a change was reverted, in the executor's words. */
    outcomeReason: text("outcome_reason"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.revision] })],
);

export const nodeChanges = sqliteTable("node_changes", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  nodeId: text("node_id").notNull(),
  executorId: text("executor_id").notNull(),
  revision: integer("revision").notNull(),
  createdAt: createdAt(),
});
