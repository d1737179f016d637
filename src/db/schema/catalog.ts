// The client catalog's stored part: the entries system admins added (each a whole CatalogEntry, which
// overrides a shipped entry of the same chain, client and version), the sha256 the control plane computed
// for a file it downloaded, and the checksums admins pinned for files shipped without one. Shipped entries
// live in the binary (src/modes/control-plane/catalog/default/), not here.
import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { CatalogEntry } from "../../protocol/artifacts.ts";
import { id, json, timestampMs } from "./common.ts";

export const catalogEntries = sqliteTable(
  "catalog_entries",
  {
    id: id(),
    chain: text("chain").notNull(),
    client: text("client").notNull(),
    version: text("version").notNull(),
    entry: json<CatalogEntry>("entry").notNull(),
    addedById: text("added_by_id").notNull(),
    addedByName: text("added_by_name").notNull(),
    createdAt: timestampMs("created_at").notNull(),
    updatedAt: timestampMs("updated_at").notNull(),
  },
  (t) => [uniqueIndex("catalog_entries_key_idx").on(t.chain, t.client, t.version)],
);

/** Per upstream URL: what its bytes hashed to when first downloaded, and the value an admin pinned. */
export const catalogChecksums = sqliteTable("catalog_checksums", {
  url: text("url").primaryKey(),
  computedSha256: text("computed_sha256"),
  computedAt: timestampMs("computed_at"),
  pinnedSha256: text("pinned_sha256"),
  pinnedAt: timestampMs("pinned_at"),
  pinnedById: text("pinned_by_id"),
});
