// Alert incidents: open (the partial unique index refuses a second open one per rule and subject), resolve,
// every open one (reloaded at start), an organization's page filtered by status, the bell's figures, and
// the open incidents whose subject was deleted.
import { and, count, desc, eq, lt, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { alertIncidents } from "../schema/index.ts";

export type IncidentRow = typeof alertIncidents.$inferSelect;
export type IncidentStatus = IncidentRow["status"];

export function insertIncident(tx: DbOrTx, row: IncidentRow): IncidentRow {
  return tx.orm.insert(alertIncidents).values(row).returning().get();
}

/** Resolves an open incident; null when it was not open (already resolved). */
export function resolveIncidentRow(tx: DbOrTx, id: string, at: Date): IncidentRow | null {
  return (
    tx.orm
      .update(alertIncidents)
      .set({ status: "resolved", resolvedAt: at })
      .where(and(eq(alertIncidents.id, id), eq(alertIncidents.status, "open")))
      .returning()
      .get() ?? null
  );
}

export function findOpenIncident(db: DbOrTx, rule: string, subjectKey: string): IncidentRow | null {
  return (
    db.orm
      .select()
      .from(alertIncidents)
      .where(
        and(
          eq(alertIncidents.rule, rule),
          eq(alertIncidents.subjectKey, subjectKey),
          eq(alertIncidents.status, "open"),
        ),
      )
      .get() ?? null
  );
}

export function allOpenIncidents(db: DbOrTx): IncidentRow[] {
  return db.orm.select().from(alertIncidents).where(eq(alertIncidents.status, "open")).all();
}

export function findIncident(db: DbOrTx, organizationId: string, id: string): IncidentRow | null {
  return (
    db.orm
      .select()
      .from(alertIncidents)
      .where(and(eq(alertIncidents.id, id), eq(alertIncidents.organizationId, organizationId)))
      .get() ?? null
  );
}

/** Newest first; `cursor` is the id of the last incident of the previous page. */
export function listIncidents(
  db: DbOrTx,
  organizationId: string,
  status: IncidentStatus | null,
  cursor: string | null,
  take: number,
): IncidentRow[] {
  const conditions: SQL[] = [eq(alertIncidents.organizationId, organizationId)];
  if (status) conditions.push(eq(alertIncidents.status, status));
  if (cursor) conditions.push(lt(alertIncidents.id, cursor));
  return db.orm
    .select()
    .from(alertIncidents)
    .where(and(...conditions))
    .orderBy(desc(alertIncidents.id))
    .limit(take)
    .all();
}

export function countOpenIncidents(db: DbOrTx, organizationId: string): number {
  return (
    db.orm
      .select({ n: count() })
      .from(alertIncidents)
      .where(and(eq(alertIncidents.organizationId, organizationId), eq(alertIncidents.status, "open")))
      .get()?.n ?? 0
  );
}

/** Open incidents whose node or executor no longer exists or was deleted. */
export function orphanedOpenIncidents(db: DbOrTx): { id: string }[] {
  return db.sqlite
    .query<{ id: string }, []>(
      `SELECT i.id FROM alert_incidents i
         LEFT JOIN nodes n ON i.subject_kind = 'node' AND n.id = i.subject_key
         LEFT JOIN executors e ON i.subject_kind = 'executor' AND e.id = i.subject_key
       WHERE i.status = 'open' AND (
         (i.subject_kind = 'node' AND (n.id IS NULL OR n.deleted_at IS NOT NULL)) OR
         (i.subject_kind = 'executor' AND (e.id IS NULL OR e.deleted_at IS NOT NULL)))`,
    )
    .all();
}

/**
 * Deletes resolved incidents resolved before `cutoff`, and resolved ones beyond each organization's newest
 * `maxPerOrg` incidents (a node that flaps all day must not grow the table without bound).
 */
export function deleteOldResolvedIncidents(db: DbOrTx, cutoff: Date, maxPerOrg: number): number {
  return db.sqlite
    .query(
      `DELETE FROM alert_incidents WHERE status = 'resolved' AND (resolved_at < ?1 OR id IN (
         SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY organization_id ORDER BY id DESC) AS n
                         FROM alert_incidents) WHERE n > ?2))`,
    )
    .run(cutoff.getTime(), maxPerOrg).changes;
}
