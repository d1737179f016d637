// Persists executor heartbeats through the WriteBatcher, with statements prepared once (the query builder
// would prepare each of thousands of writes per second anew). Every sync writes last_sync_at,
// last_key_id and resources (agents report free disk afresh each time) and the (key, executor) usage
// row; the identity columns (capabilities, version, channel, public host) are rewritten only when they
// change. Capabilities JSON is interned, since a fleet runs few distinct binaries: an executor's entry
// then holds a shared string instead of its own kilobyte copy.
import type { Db } from "../../../db/client.ts";
import { HeartbeatStatements } from "../../../db/queries/heartbeats.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { ExecutorCapabilities, SyncRequest } from "../../../protocol/index.ts";

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
  private statements: HeartbeatStatements;

  constructor(
    db: Db,
    private readonly batcher: WriteBatcher,
  ) {
    this.statements = new HeartbeatStatements(db);
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
      this.statements.heartbeat(id, at, keyId, resources, state.identityDirty ? state.identity : null);
      state.identityDirty = false;
    });
    this.batcher.put(`usage:${keyId}:${id}`, () => {
      this.statements.keyUsed(keyId, id, at);
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
