// The executor release catalog, and the pendingUpgrade columns of an executor row.
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { UpgradeSpec } from "../../protocol/upgrade.ts";
import type { DbOrTx } from "../client.ts";
import { executorReleases, executors } from "../schema/index.ts";

export type ReleaseRow = typeof executorReleases.$inferSelect;
export type NewRelease = typeof executorReleases.$inferInsert;

export interface ReleaseFilter {
  kind?: ReleaseRow["kind"];
  channel?: ReleaseRow["channel"];
  status?: ReleaseRow["status"];
}

/** Every release matching the filter, newest publication first (the catalog is small: tens of rows). */
export function listReleases(db: DbOrTx, filter: ReleaseFilter = {}): ReleaseRow[] {
  const where: SQL[] = [];
  if (filter.kind) where.push(eq(executorReleases.kind, filter.kind));
  if (filter.channel) where.push(eq(executorReleases.channel, filter.channel));
  if (filter.status) where.push(eq(executorReleases.status, filter.status));
  return db.orm
    .select()
    .from(executorReleases)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(executorReleases.publishedAt), desc(executorReleases.id))
    .all();
}

export function findRelease(db: DbOrTx, id: string): ReleaseRow | null {
  return db.orm.select().from(executorReleases).where(eq(executorReleases.id, id)).get() ?? null;
}

export function findReleaseByVersion(
  db: DbOrTx,
  kind: ReleaseRow["kind"],
  version: string,
): ReleaseRow | null {
  return (
    db.orm
      .select()
      .from(executorReleases)
      .where(and(eq(executorReleases.kind, kind), eq(executorReleases.version, version)))
      .get() ?? null
  );
}

export function insertRelease(tx: DbOrTx, row: NewRelease): ReleaseRow {
  return tx.orm.insert(executorReleases).values(row).returning().get();
}

export function updateRelease(
  tx: DbOrTx,
  id: string,
  set: Partial<Pick<ReleaseRow, "channel" | "status" | "notes" | "updatedAt" | "yankedAt">>,
): ReleaseRow {
  return tx.orm.update(executorReleases).set(set).where(eq(executorReleases.id, id)).returning().get();
}

/** Sets (or with null, clears) an executor's pending upgrade and when it was requested. */
export function setPendingUpgrade(tx: DbOrTx, executorId: string, spec: UpgradeSpec | null, at: Date | null) {
  tx.orm
    .update(executors)
    .set({ pendingUpgrade: spec, pendingUpgradeAt: at })
    .where(eq(executors.id, executorId))
    .run();
}
