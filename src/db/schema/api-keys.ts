// API keys: executor keys (exc_) and personal access tokens (nvp_). Only a SHA-256 hash of the key is
// stored; `start` keeps the first characters so people can tell keys apart.
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { user } from "./auth.ts";
import { bool, createdAt, id, timestampMs } from "./common.ts";
import { organization } from "./organizations.ts";

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    /** The user who created it; for personal tokens, the user it acts as. */
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    purpose: text("purpose", { enum: ["executor", "personal"] }).notNull(),
    name: text("name").notNull(),
    start: text("start").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    enabled: bool("enabled").notNull().default(true),
    expiresAt: timestampMs("expires_at"),
    revokedAt: timestampMs("revoked_at"),
    /** When a rotation's grace period ends and this (old) key is revoked automatically. */
    graceEndsAt: timestampMs("grace_ends_at"),
    rotatedFromId: text("rotated_from_id"),
    lastUsedAt: timestampMs("last_used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("api_keys_org_idx").on(t.organizationId)],
);
