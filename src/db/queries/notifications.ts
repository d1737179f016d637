// Notification settings and per-node overrides: every row (loaded once at start into the alert engine's
// memory), the upserts a save makes, and the organization's live nodes with what the policy screen shows.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { notificationNodeOverrides, notificationSettings } from "../schema/index.ts";

export type NotificationSettingsRow = typeof notificationSettings.$inferSelect;
export type NodeOverrideRow = typeof notificationNodeOverrides.$inferSelect;

export function allNotificationSettings(db: DbOrTx): NotificationSettingsRow[] {
  return db.orm.select().from(notificationSettings).all();
}

export function allNodeOverrides(db: DbOrTx): NodeOverrideRow[] {
  return db.orm.select().from(notificationNodeOverrides).all();
}

export function findNotificationSettings(db: DbOrTx, organizationId: string): NotificationSettingsRow | null {
  return (
    db.orm
      .select()
      .from(notificationSettings)
      .where(eq(notificationSettings.organizationId, organizationId))
      .get() ?? null
  );
}

export function upsertNotificationSettings(
  tx: DbOrTx,
  row: NotificationSettingsRow,
): NotificationSettingsRow {
  const { organizationId: _, ...set } = row;
  return tx.orm
    .insert(notificationSettings)
    .values(row)
    .onConflictDoUpdate({ target: notificationSettings.organizationId, set })
    .returning()
    .get();
}

export function upsertNodeOverride(tx: DbOrTx, row: NodeOverrideRow): void {
  const { organizationId: _, nodeId: __, ...set } = row;
  tx.orm
    .insert(notificationNodeOverrides)
    .values(row)
    .onConflictDoUpdate({
      target: [notificationNodeOverrides.organizationId, notificationNodeOverrides.nodeId],
      set,
    })
    .run();
}

export function deleteNodeOverride(tx: DbOrTx, organizationId: string, nodeId: string): void {
  tx.orm
    .delete(notificationNodeOverrides)
    .where(
      and(
        eq(notificationNodeOverrides.organizationId, organizationId),
        eq(notificationNodeOverrides.nodeId, nodeId),
      ),
    )
    .run();
}

/** A live node as the per-node policy rows show it. */
export interface PolicyNodeRow {
  id: string;
  name: string;
  chain: string | null;
  network: string | null;
  executorId: string;
  executorName: string;
}

/** The organization's live (not deleted) nodes, by name. */
export function policyNodes(db: DbOrTx, organizationId: string): PolicyNodeRow[] {
  return db.sqlite
    .query<PolicyNodeRow, [string]>(
      `SELECT n.id, n.name, json_extract(n.spec, '$.chain') AS chain,
         json_extract(n.spec, '$.network') AS network, n.executor_id AS executorId, e.name AS executorName
       FROM nodes n JOIN executors e ON e.id = n.executor_id
       WHERE n.organization_id = ? AND n.deleted_at IS NULL ORDER BY n.name, n.id`,
    )
    .all(organizationId);
}

/** What node_down needs to know beyond the observation: whether the node should run and still exists. */
export interface NodeIntentRow {
  organization_id: string;
  desired: string | null;
  deleted_at: number | null;
}

export function nodeIntent(db: DbOrTx, nodeId: string): NodeIntentRow | null {
  return db.sqlite
    .query<NodeIntentRow, [string]>(
      "SELECT organization_id, json_extract(spec, '$.desiredState') AS desired, deleted_at FROM nodes WHERE id = ?",
    )
    .get(nodeId);
}
