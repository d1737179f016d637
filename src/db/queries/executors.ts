// Executors: registration (with its first key-usage row), liveness announcements, deletion, lookups
// scoped by organization, the filtered list, and the keys only one executor used.
import { and, asc, count, desc, eq, isNull, like, ne, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { executorApiKeyUsage, executors } from "../schema/index.ts";

export type ExecutorRow = typeof executors.$inferSelect;
export type NewExecutor = Pick<
  ExecutorRow,
  | "id"
  | "organizationId"
  | "name"
  | "kind"
  | "capabilities"
  | "currentVersion"
  | "channel"
  | "resources"
  | "publicHost"
  | "lastSyncAt"
  | "lastKeyId"
  | "createdAt"
>;

export function allLiveExecutors(db: DbOrTx): ExecutorRow[] {
  return db.orm.select().from(executors).where(isNull(executors.deletedAt)).all();
}

export function findLiveExecutorNamed(db: DbOrTx, organizationId: string, name: string): ExecutorRow | null {
  return (
    db.orm
      .select()
      .from(executors)
      .where(
        and(
          eq(executors.organizationId, organizationId),
          eq(executors.name, name),
          isNull(executors.deletedAt),
        ),
      )
      .get() ?? null
  );
}

export function findLiveExecutor(db: DbOrTx, organizationId: string, id: string): ExecutorRow | null {
  return (
    db.orm
      .select()
      .from(executors)
      .where(
        and(eq(executors.id, id), eq(executors.organizationId, organizationId), isNull(executors.deletedAt)),
      )
      .get() ?? null
  );
}

/** Any executor row by id (deleted ones too), for a node's executor. */
export function findExecutor(db: DbOrTx, id: string): ExecutorRow | null {
  return db.orm.select().from(executors).where(eq(executors.id, id)).get() ?? null;
}

/** Organization, name and deletion of an executor id (a raw, cached statement: it runs per request). */
export function executorOwner(
  db: DbOrTx,
  id: string,
): { organization_id: string; name: string; deleted_at: number | null } | null {
  return db.sqlite
    .query<{ organization_id: string; name: string; deleted_at: number | null }, [string]>(
      "SELECT organization_id, name, deleted_at FROM executors WHERE id = ?",
    )
    .get(id);
}

/** An executor's name (a raw, cached statement: every revision of a bulk action reads it). */
export function executorName(db: DbOrTx, id: string): string | null {
  return (
    db.sqlite.query<{ name: string }, [string]>("SELECT name FROM executors WHERE id = ?").get(id)?.name ??
    null
  );
}

export interface ExecutorListQuery {
  name?: { equals?: string; contains?: string };
  kind?: ExecutorRow["kind"];
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

export function listExecutors(db: DbOrTx, organizationId: string, q: ExecutorListQuery): ExecutorRow[] {
  const where: SQL[] = [eq(executors.organizationId, organizationId), isNull(executors.deletedAt)];
  if (q.name?.equals) where.push(eq(executors.name, q.name.equals));
  if (q.name?.contains) where.push(like(executors.name, `%${q.name.contains.replace(/[%_]/g, "")}%`));
  if (q.kind) where.push(eq(executors.kind, q.kind));
  return db.orm
    .select()
    .from(executors)
    .where(and(...where))
    .orderBy(q.order === "desc" ? desc(executors.name) : asc(executors.name))
    .limit(q.limit)
    .offset(q.offset)
    .all();
}

/** First contact: the executor row and the usage row of the key it came with. */
export function insertExecutor(tx: DbOrTx, row: NewExecutor, keyId: string): ExecutorRow {
  const inserted = tx.orm.insert(executors).values(row).returning().get();
  tx.orm
    .insert(executorApiKeyUsage)
    .values({ keyId, executorId: inserted.id, lastUsedAt: row.lastSyncAt, useCount: 1 })
    .run();
  return inserted;
}

export function setAnnouncedOnline(tx: DbOrTx, id: string, lastSyncAt: Date): void {
  tx.orm.update(executors).set({ announcedStatus: "online", lastSyncAt }).where(eq(executors.id, id)).run();
}

export function setAnnouncedOffline(tx: DbOrTx, id: string): void {
  tx.orm.update(executors).set({ announcedStatus: "offline" }).where(eq(executors.id, id)).run();
}

export function markExecutorDeleted(tx: DbOrTx, id: string, at: Date): ExecutorRow {
  return tx.orm.update(executors).set({ deletedAt: at }).where(eq(executors.id, id)).returning().get();
}

/** The keys this executor synced with that no other live executor used. */
export function keysUsedOnlyBy(db: DbOrTx, executorId: string): string[] {
  const used = db.orm
    .select({ keyId: executorApiKeyUsage.keyId })
    .from(executorApiKeyUsage)
    .where(eq(executorApiKeyUsage.executorId, executorId))
    .all();
  return used
    .map((u) => u.keyId)
    .filter(
      (keyId) =>
        db.orm
          .select({ n: count() })
          .from(executorApiKeyUsage)
          .innerJoin(executors, eq(executors.id, executorApiKeyUsage.executorId))
          .where(
            and(
              eq(executorApiKeyUsage.keyId, keyId),
              ne(executors.id, executorId),
              isNull(executors.deletedAt),
            ),
          )
          .get()!.n === 0,
    );
}
