// API keys (executor keys and personal access tokens): inserts, lifecycle updates, scoped lookups, the
// visible list, "Used by" from the usage records, and the rotations whose grace window ended.
import { and, desc, eq, inArray, isNotNull, isNull, lte, or } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { apiKeys, executorApiKeyUsage, executors } from "../schema/index.ts";

export type KeyRow = typeof apiKeys.$inferSelect;
export type NewKey = Pick<
  KeyRow,
  | "id"
  | "organizationId"
  | "userId"
  | "purpose"
  | "name"
  | "start"
  | "keyHash"
  | "expiresAt"
  | "rotatedFromId"
  | "createdAt"
>;

export function allKeys(db: DbOrTx): KeyRow[] {
  return db.orm.select().from(apiKeys).all();
}

export function keyById(db: DbOrTx, id: string): KeyRow | null {
  return db.orm.select().from(apiKeys).where(eq(apiKeys.id, id)).get() ?? null;
}

export function findKey(db: DbOrTx, organizationId: string, id: string): KeyRow | null {
  return (
    db.orm
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.organizationId, organizationId)))
      .get() ?? null
  );
}

/** The organization's keys, newest first: every one, or executor keys plus `ownTokensOf`'s tokens. */
export function listKeys(db: DbOrTx, organizationId: string, ownTokensOf: string | null): KeyRow[] {
  const visible =
    ownTokensOf === null
      ? eq(apiKeys.organizationId, organizationId)
      : and(
          eq(apiKeys.organizationId, organizationId),
          or(eq(apiKeys.purpose, "executor"), eq(apiKeys.userId, ownTokensOf)),
        );
  return db.orm.select().from(apiKeys).where(visible).orderBy(desc(apiKeys.createdAt)).all();
}

export function insertKey(tx: DbOrTx, row: NewKey): KeyRow {
  return tx.orm.insert(apiKeys).values(row).returning().get();
}

export function updateKey(
  tx: DbOrTx,
  id: string,
  set: Partial<Pick<KeyRow, "enabled" | "revokedAt" | "graceEndsAt" | "lastUsedAt">>,
): void {
  tx.orm.update(apiKeys).set(set).where(eq(apiKeys.id, id)).run();
}

export function disableKeys(tx: DbOrTx, ids: string[]): void {
  if (ids.length > 0) tx.orm.update(apiKeys).set({ enabled: false }).where(inArray(apiKeys.id, ids)).run();
}

export function deleteKey(tx: DbOrTx, id: string): void {
  tx.orm.delete(apiKeys).where(eq(apiKeys.id, id)).run();
}

export interface KeyUsageRow {
  keyId: string;
  executorId: string;
  executorName: string;
  lastUsedAt: Date;
}

/** Live executors that synced with each of the keys, newest use first. */
export function keyUsage(db: DbOrTx, keyIds: string[]): KeyUsageRow[] {
  return db.orm
    .select({
      keyId: executorApiKeyUsage.keyId,
      executorId: executors.id,
      executorName: executors.name,
      lastUsedAt: executorApiKeyUsage.lastUsedAt,
    })
    .from(executorApiKeyUsage)
    .innerJoin(executors, eq(executors.id, executorApiKeyUsage.executorId))
    .where(and(inArray(executorApiKeyUsage.keyId, keyIds), isNull(executors.deletedAt)))
    .orderBy(desc(executorApiKeyUsage.lastUsedAt))
    .all();
}

/** Rotated keys whose grace window ended by `now` and that are not marked revoked yet. */
export function keysPastGrace(db: DbOrTx, now: Date): KeyRow[] {
  return db.orm
    .select()
    .from(apiKeys)
    .where(and(isNotNull(apiKeys.graceEndsAt), isNull(apiKeys.revokedAt), lte(apiKeys.graceEndsAt, now)))
    .all();
}
