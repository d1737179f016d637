// Executor heartbeat writes as statements prepared once (thousands run every second through the write
// batcher): last sync, key and resources, with the identity columns only when they changed, and the
// (key, executor) usage upsert.
import type { Statement } from "bun:sqlite";
import type { DbOrTx } from "../client.ts";

export interface HeartbeatIdentity {
  capabilities: string;
  version: string;
  channel: string;
  publicHost: string | null;
}

export class HeartbeatStatements {
  private heartbeatStmt: Statement<unknown, [number, string, string | null, string]>;
  private identityStmt: Statement<
    unknown,
    [number, string, string | null, string, string, string, string | null, string]
  >;
  private usageStmt: Statement<unknown, [keyId: string, executorId: string, lastUsedAt: number]>;

  constructor(db: DbOrTx) {
    const sqlite = db.sqlite;
    this.heartbeatStmt = sqlite.prepare(
      "UPDATE executors SET last_sync_at = ?, last_key_id = ?, resources = ? WHERE id = ?",
    );
    this.identityStmt = sqlite.prepare(
      `UPDATE executors SET last_sync_at = ?, last_key_id = ?, resources = ?, capabilities = ?,
       current_version = ?, channel = ?, public_host = ? WHERE id = ?`,
    );
    // Same upsert as the query builder's onConflictDoUpdate({ set: { lastUsedAt } }).
    this.usageStmt = sqlite.prepare(
      `INSERT INTO executor_api_key_usage (key_id, executor_id, last_used_at, use_count) VALUES (?, ?, ?, 1)
       ON CONFLICT (key_id, executor_id) DO UPDATE SET last_used_at = excluded.last_used_at`,
    );
  }

  /** `resources`: JSON text or null; `identity`: the identity columns too, when they changed. */
  heartbeat(
    id: string,
    at: number,
    keyId: string,
    resources: string | null,
    identity: HeartbeatIdentity | null,
  ) {
    if (identity) {
      const d = identity;
      this.identityStmt.run(at, keyId, resources, d.capabilities, d.version, d.channel, d.publicHost, id);
    } else {
      this.heartbeatStmt.run(at, keyId, resources, id);
    }
  }

  keyUsed(keyId: string, executorId: string, at: number): void {
    this.usageStmt.run(keyId, executorId, at);
  }
}
