// The webhook outbox (deliveries still to send, written in the incident's own transaction) and the record of
// attempts, of which each organization keeps its newest DELIVERIES_KEPT.
import { and, asc, count, desc, eq, lte, min } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { webhookDeliveries, webhookOutbox } from "../schema/index.ts";

export type OutboxRow = typeof webhookOutbox.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const DELIVERIES_KEPT = 50;

export function insertOutbox(tx: DbOrTx, row: OutboxRow): void {
  tx.orm.insert(webhookOutbox).values(row).run();
}

export function pendingOutboxCount(db: DbOrTx, organizationId?: string): number {
  const query = db.orm.select({ n: count() }).from(webhookOutbox);
  const row = organizationId
    ? query.where(eq(webhookOutbox.organizationId, organizationId)).get()
    : query.get();
  return row?.n ?? 0;
}

/** Entries due at `now`, earliest first. */
export function dueOutbox(db: DbOrTx, now: Date, limit: number): OutboxRow[] {
  return db.orm
    .select()
    .from(webhookOutbox)
    .where(lte(webhookOutbox.nextAttemptAt, now))
    .orderBy(asc(webhookOutbox.nextAttemptAt))
    .limit(limit)
    .all();
}

/** When the next entry falls due (null: nothing pending). */
export function nextOutboxDue(db: DbOrTx): number | null {
  const row = db.orm
    .select({ at: min(webhookOutbox.nextAttemptAt) })
    .from(webhookOutbox)
    .get();
  return row?.at ? new Date(row.at).getTime() : null;
}

export function rescheduleOutbox(tx: DbOrTx, id: string, attempts: number, nextAttemptAt: Date): void {
  tx.orm.update(webhookOutbox).set({ attempts, nextAttemptAt }).where(eq(webhookOutbox.id, id)).run();
}

export function deleteOutbox(tx: DbOrTx, id: string): void {
  tx.orm.delete(webhookOutbox).where(eq(webhookOutbox.id, id)).run();
}

/** Records one attempt and drops the organization's attempts beyond the newest DELIVERIES_KEPT. */
export function insertDelivery(tx: DbOrTx, row: DeliveryRow): DeliveryRow {
  const stored = tx.orm.insert(webhookDeliveries).values(row).returning().get();
  tx.sqlite
    .query(
      `DELETE FROM webhook_deliveries WHERE organization_id = ?1 AND id NOT IN (
         SELECT id FROM webhook_deliveries WHERE organization_id = ?1 ORDER BY id DESC LIMIT ?2)`,
    )
    .run(row.organizationId, DELIVERIES_KEPT);
  return stored;
}

export function listDeliveries(db: DbOrTx, organizationId: string): DeliveryRow[] {
  return db.orm
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.organizationId, organizationId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(DELIVERIES_KEPT)
    .all();
}

export function findDelivery(db: DbOrTx, organizationId: string, id: string): DeliveryRow | null {
  return (
    db.orm
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.organizationId, organizationId)))
      .get() ?? null
  );
}
