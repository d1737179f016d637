// The executor release catalog (ExecutorRelease, reference §3.5): one row per (kind, version), global to the
// instance (system admins manage it, every organization reads it). A release's binaries live in the
// content-addressed release store (<data dir>/releases/sha256/<hex>); a row holds their digests and signatures.
import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Platform } from "../../protocol/artifacts.ts";
import { createdAt, id, json, timestampMs } from "./common.ts";

export interface ReleaseArtifact {
  platform: Platform;
  sha256: string;
  sizeBytes: number;
  /** The minisign signature (.minisig text) of the binary, verified against a compiled-in key at publish. */
  signature: string;
  /** The key id that verified it. */
  keyId: string;
}

export const executorReleases = sqliteTable(
  "executor_releases",
  {
    id: id(),
    kind: text("kind", { enum: ["agent", "operator"] }).notNull(),
    version: text("version").notNull(),
    channel: text("channel", { enum: ["stable", "beta", "dev"] }).notNull(),
    status: text("status", { enum: ["published", "yanked"] }).notNull(),
    artifacts: json<ReleaseArtifact[]>("artifacts").notNull(),
    notes: text("notes").notNull().default(""),
    publishedAt: timestampMs("published_at").notNull(),
    createdAt: createdAt(),
    updatedAt: timestampMs("updated_at").notNull(),
    yankedAt: timestampMs("yanked_at"),
  },
  (t) => [uniqueIndex("executor_releases_kind_version_idx").on(t.kind, t.version)],
);
