// The client catalog's rows: admin-added entries, computed and pinned checksums, and a generation number
// bumped by every catalog write (in the write's transaction), so a control plane notices changes another
// process made (`novacula control-plane catalog import`) with one primary-key read.
import { and, asc, eq, sql } from "drizzle-orm";
import type { CatalogEntry } from "../../protocol/artifacts.ts";
import type { DbOrTx } from "../client.ts";
import { catalogChecksums, catalogEntries, instanceSettings } from "../schema/index.ts";

export type CatalogEntryRow = typeof catalogEntries.$inferSelect;
export type CatalogChecksumRow = typeof catalogChecksums.$inferSelect;

const GENERATION_KEY = "catalog.generation";

export function catalogGeneration(db: DbOrTx): number {
  const row = db.orm
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, GENERATION_KEY))
    .get();
  return row ? Number(row.value) : 0;
}

function bumpGeneration(tx: DbOrTx): void {
  tx.orm
    .insert(instanceSettings)
    .values({ key: GENERATION_KEY, value: "1" })
    .onConflictDoUpdate({
      target: instanceSettings.key,
      set: { value: sql`CAST(CAST(${instanceSettings.value} AS INTEGER) + 1 AS TEXT)` },
    })
    .run();
}

export function listCatalogEntries(db: DbOrTx): CatalogEntryRow[] {
  return db.orm
    .select()
    .from(catalogEntries)
    .orderBy(asc(catalogEntries.chain), asc(catalogEntries.client), asc(catalogEntries.version))
    .all();
}

/** Inserts the entry, or replaces the admin entry of the same chain, client and version. */
export function upsertCatalogEntry(
  tx: DbOrTx,
  entry: CatalogEntry,
  by: { id: string; name: string },
  at: Date,
): { replaced: boolean } {
  const key = and(
    eq(catalogEntries.chain, entry.chain),
    eq(catalogEntries.client, entry.client),
    eq(catalogEntries.version, entry.version),
  );
  const existing = tx.orm.select({ id: catalogEntries.id }).from(catalogEntries).where(key).get();
  if (existing) {
    tx.orm
      .update(catalogEntries)
      .set({ entry, addedById: by.id, addedByName: by.name, updatedAt: at })
      .where(eq(catalogEntries.id, existing.id))
      .run();
  } else {
    tx.orm
      .insert(catalogEntries)
      .values({
        id: Bun.randomUUIDv7(),
        chain: entry.chain,
        client: entry.client,
        version: entry.version,
        entry,
        addedById: by.id,
        addedByName: by.name,
        createdAt: at,
        updatedAt: at,
      })
      .run();
  }
  bumpGeneration(tx);
  return { replaced: existing !== undefined };
}

/** Deletes the admin entry; false when there was none. */
export function deleteCatalogEntry(tx: DbOrTx, chain: string, client: string, version: string): boolean {
  const deleted = tx.orm
    .delete(catalogEntries)
    .where(
      and(
        eq(catalogEntries.chain, chain),
        eq(catalogEntries.client, client),
        eq(catalogEntries.version, version),
      ),
    )
    .returning({ id: catalogEntries.id })
    .all();
  if (deleted.length > 0) bumpGeneration(tx);
  return deleted.length > 0;
}

export function listCatalogChecksums(db: DbOrTx): CatalogChecksumRow[] {
  return db.orm.select().from(catalogChecksums).all();
}

/** What a download of `url` hashed to (the last download wins: an upstream that changed its bytes shows). */
export function recordComputedSha256(tx: DbOrTx, url: string, sha256: string, at: Date): void {
  tx.orm
    .insert(catalogChecksums)
    .values({ url, computedSha256: sha256, computedAt: at })
    .onConflictDoUpdate({ target: catalogChecksums.url, set: { computedSha256: sha256, computedAt: at } })
    .run();
  bumpGeneration(tx);
}

export function pinSha256(tx: DbOrTx, url: string, sha256: string, byId: string, at: Date): void {
  tx.orm
    .insert(catalogChecksums)
    .values({ url, pinnedSha256: sha256, pinnedAt: at, pinnedById: byId })
    .onConflictDoUpdate({
      target: catalogChecksums.url,
      set: { pinnedSha256: sha256, pinnedAt: at, pinnedById: byId },
    })
    .run();
  bumpGeneration(tx);
}
