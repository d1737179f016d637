// Persists executor heartbeats through the WriteBatcher, with statements prepared once (the query builder
// would prepare each of thousands of writes per second anew). Every sync writes last_sync_at,
// last_key_id and resources (agents report free disk afresh each time) and the (key, executor) usage
// row; the identity columns (capabilities, version, channel, public host) are rewritten only when they
// change. Capabilities JSON is interned, since a fleet runs few distinct binaries: an executor's entry
// then holds a shared string instead of its own kilobyte copy.
import type { Statement } from "bun:sqlite";
import type { Db } from "../../../db/client.ts";
import type { ExecutorCapabilities, SyncRequest } from "../../../protocol/index.ts";
import type { WriteBatcher } from "../http/write-batcher.ts";

/** The identity columns as stored (or queued to be stored), compared on every sync. */
export interface StoredIdentity {
  capabilities: string;
  /** `capabilities` parsed, shared by every executor with the same document; compared without stringifying. */
  capabilitiesValue: unknown;
  version: string;
  channel: string;
  publicHost: string | null;
}

export interface HeartbeatState {
  id: string;
  identity: StoredIdentity;
  /** The identity changed and the batcher has not written it yet. */
  identityDirty: boolean;
}

/** Distinct capability documents kept; past this the table starts over (it is only a memory saving). */
const MAX_INTERNED = 256;

export class HeartbeatWriter {
  private interned = new Map<string, { json: string; value: unknown }>();
  private heartbeatStmt: Statement<unknown, [number, string, string | null, string]>;
  private identityStmt: Statement<
    unknown,
    [number, string, string | null, string, string, string, string | null, string]
  >;
  private usageStmt: Statement<unknown, [keyId: string, executorId: string, lastUsedAt: number]>;

  constructor(
    db: Db,
    private readonly batcher: WriteBatcher,
  ) {
    const sqlite = db.$client;
    this.heartbeatStmt = sqlite.prepare(
      "UPDATE executors SET last_sync_at = ?, last_key_id = ?, resources = ? WHERE id = ?",
    );
    this.identityStmt = sqlite.prepare(
      `UPDATE executors SET last_sync_at = ?, last_key_id = ?, resources = ?, capabilities = ?,
       current_version = ?, channel = ?, public_host = ? WHERE id = ?`,
    );
    // Same upsert as the query builder's onConflictDoUpdate({ set: { lastUsedAt } }) it replaces.
    this.usageStmt = sqlite.prepare(
      `INSERT INTO executor_api_key_usage (key_id, executor_id, last_used_at, use_count) VALUES (?, ?, ?, 1)
       ON CONFLICT (key_id, executor_id) DO UPDATE SET last_used_at = excluded.last_used_at`,
    );
  }

  private intern(capabilities: ExecutorCapabilities): { json: string; value: unknown } {
    const json = JSON.stringify(capabilities);
    const known = this.interned.get(json);
    if (known !== undefined) return known;
    if (this.interned.size >= MAX_INTERNED) this.interned.clear();
    const entry = { json, value: JSON.parse(json) };
    this.interned.set(json, entry);
    return entry;
  }

  identity(
    capabilities: ExecutorCapabilities,
    version: string,
    channel: string,
    publicHost: string | null,
  ): StoredIdentity {
    const { json, value } = this.intern(capabilities);
    return { capabilities: json, capabilitiesValue: value, version, channel, publicHost };
  }

  /** Queues this sync's writes; a newer sync of the same executor replaces them while they wait. */
  record(state: HeartbeatState, keyId: string, at: number, input: SyncRequest): void {
    const current = state.identity;
    const publicHost = input.publicHost ?? null;
    // Nearly every sync repeats the identity: compare it in place, and build (stringify) only a changed one.
    if (
      input.version !== current.version ||
      input.channel !== current.channel ||
      publicHost !== current.publicHost ||
      !sameJson(input.capabilities, current.capabilitiesValue)
    ) {
      state.identity = this.identity(input.capabilities, input.version, input.channel, publicHost);
      state.identityDirty = true;
    }
    // Same JSON text the query builder's json column wrote.
    const resources = input.resources ? JSON.stringify(input.resources) : null;
    const id = state.id;
    this.batcher.put(`executor:${id}`, () => {
      // Checked when the write runs, not when it was queued: an identity change queued earlier and then
      // replaced by an unchanged heartbeat must still be written.
      if (state.identityDirty) {
        const d = state.identity;
        this.identityStmt.run(at, keyId, resources, d.capabilities, d.version, d.channel, d.publicHost, id);
        state.identityDirty = false;
      } else {
        this.heartbeatStmt.run(at, keyId, resources, id);
      }
    });
    this.batcher.put(`usage:${keyId}:${id}`, () => {
      this.usageStmt.run(keyId, id, at);
    });
  }
}

/** Deep equality of two JSON values (objects compared key by key, in any order), without allocating. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    count++;
    if (!Object.hasOwn(right, key) || !sameJson(left[key], right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) count--;
  return count === 0;
}
