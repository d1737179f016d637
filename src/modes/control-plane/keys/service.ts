// API key management (reference §3.2): executor keys and personal access tokens — create (shown once),
// rotate with a grace window, disable/enable, revoke, delete once revoked — plus "Used by" and "Last used"
// from the usage records. Hashing, verification and the verify cache stay in auth/api-keys.ts; this
// module owns the lifecycle rules and their audit rows. Who may touch which key: authz.ts `policy`.
import type { Db, DbOrTx } from "../../../db/client.ts";
import {
  deleteKey,
  findKey,
  keysPastGrace,
  keyUsage,
  listKeys,
  updateKey,
} from "../../../db/queries/keys.ts";
import type { Clock } from "../../../lib/clock.ts";
import { conflict, notFound } from "../../../lib/errors.ts";
import { type AuditDetails, recordAudit } from "../audit/service.ts";
import { type ApiKeyService, type KeyPurpose, type KeyRow, keyStatus } from "../auth/api-keys.ts";
import { type AuditedCaller, type Caller, systemCaller } from "../auth/caller.ts";
import type { CreateApiKeyInput } from "./models.ts";

export interface KeyUsage {
  executorId: string;
  executorName: string;
  lastUsedAt: Date;
}

/** `<old name> YYMMDD`, the old name cut so the whole stays within 32 characters. */
export function rotatedName(old: string, now: Date): string {
  const stamp = now.toISOString().slice(2, 10).replaceAll("-", "");
  const base = old.replace(/ \d{6}$/, "");
  return `${base.slice(0, 32 - stamp.length - 1).trimEnd()} ${stamp}`;
}

export class KeyManagementService {
  constructor(
    private readonly db: Db,
    private readonly keys: ApiKeyService,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  /** Executor keys of the organization, and personal tokens: all of them for managers, own otherwise. */
  list(caller: Pick<Caller, "organizationId" | "userId">, seeAllTokens: boolean): KeyRow[] {
    return listKeys(this.db, caller.organizationId, seeAllTokens ? null : caller.userId);
  }

  get(organizationId: string, id: string): KeyRow | null {
    return findKey(this.db, organizationId, id);
  }

  require(organizationId: string, id: string): KeyRow {
    const row = this.get(organizationId, id);
    if (!row) throw notFound(`API key ${id} not found`);
    return row;
  }

  /** Executors that synced with each key, newest first ("Used by"). */
  usage(keyIds: string[]): Map<string, KeyUsage[]> {
    const out = new Map<string, KeyUsage[]>();
    if (keyIds.length === 0) return out;
    for (const r of keyUsage(this.db, keyIds)) {
      const list = out.get(r.keyId) ?? [];
      list.push({ executorId: r.executorId, executorName: r.executorName, lastUsedAt: r.lastUsedAt });
      out.set(r.keyId, list);
    }
    return out;
  }

  create(
    caller: Caller,
    purpose: KeyPurpose,
    input: CreateApiKeyInput,
    extra: AuditDetails<"api_key.created"> = {},
  ) {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const created = this.keys.createKey({
        organizationId: caller.organizationId,
        userId: caller.userId,
        purpose,
        name: input.name,
        expiresInDays: input.expiresInDays ?? null,
        now,
        db: tx,
      });
      this.audit(tx, caller, "api_key.created", created.row, {
        expiresAt: created.row.expiresAt?.toISOString() ?? null,
        ...extra,
      });
      return created;
    });
  }

  /** A new key with the same lifetime; the old one keeps working until the grace window ends. */
  rotate(caller: Caller, id: string) {
    const old = this.require(caller.organizationId, id);
    const now = this.clock.now();
    const status = keyStatus(old, now);
    if (status === "revoked" || status === "expired")
      throw conflict(`a ${status} key cannot be rotated; create a new key`, []);
    if (old.graceEndsAt) throw conflict("this key was already rotated; rotate its successor instead", []);
    const graceEndsAt = new Date(now.getTime() + this.graceMs);
    const result = this.db.transaction((tx) => {
      const created = this.keys.createKey({
        organizationId: old.organizationId,
        userId: old.purpose === "personal" ? old.userId : caller.userId,
        purpose: old.purpose,
        name: rotatedName(old.name, now),
        expiresAt: old.expiresAt,
        rotatedFromId: old.id,
        now,
        db: tx,
      });
      updateKey(tx, old.id, { graceEndsAt });
      this.audit(tx, caller, "api_key.created", created.row, {
        expiresAt: created.row.expiresAt?.toISOString() ?? null,
        rotatedFromId: old.id,
      });
      this.audit(tx, caller, "api_key.updated", old, {
        rotatedToId: created.row.id,
        graceEndsAt: graceEndsAt.toISOString(),
      });
      return created;
    });
    this.keys.refresh(old.id);
    return result;
  }

  setEnabled(caller: Caller, id: string, enabled: boolean): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (keyStatus(row, this.clock.now()) === "revoked")
      throw conflict("a revoked key cannot be enabled or disabled", []);
    if (row.enabled === enabled) return row;
    this.db.transaction((tx) => {
      updateKey(tx, id, { enabled });
      this.audit(tx, caller, "api_key.updated", row, { enabled });
    });
    this.keys.refresh(id);
    return this.require(caller.organizationId, id);
  }

  revoke(caller: Caller, id: string): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (row.revokedAt) return row;
    this.revokeRow(row, caller, "revoked", this.clock.now());
    return this.require(caller.organizationId, id);
  }

  private revokeRow(row: KeyRow, by: AuditedCaller, reason: string, at: Date) {
    this.db.transaction((tx) => {
      updateKey(tx, row.id, { revokedAt: at });
      this.audit(tx, by, "api_key.revoked", row, { reason });
    });
    this.keys.refresh(row.id);
  }

  /** Only revoked keys can be deleted (reference §3.2), so a live key is never lost by accident. */
  delete(caller: Caller, id: string): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (keyStatus(row, this.clock.now()) !== "revoked")
      throw conflict("only a revoked key can be deleted: revoke it first", []);
    this.db.transaction((tx) => {
      deleteKey(tx, id);
      this.audit(tx, caller, "api_key.deleted", row, {});
    });
    this.keys.refresh(id);
    return row;
  }

  /**
   * Marks keys whose rotation grace ended as revoked, with an audit row by the system. Verification
   * already refuses them from the first millisecond after the window (keyStatus); this makes it durable.
   */
  sweepGrace(): number {
    const now = this.clock.now();
    const due = keysPastGrace(this.db, now);
    for (const row of due)
      this.revokeRow(row, systemCaller(row.organizationId), "rotation_grace_ended", row.graceEndsAt!);
    return due.length;
  }

  /** The key's audit row; the row's organization is the key's (a system admin may act in another). */
  private audit<A extends "api_key.created" | "api_key.updated" | "api_key.revoked" | "api_key.deleted">(
    tx: DbOrTx,
    by: AuditedCaller,
    action: A,
    row: KeyRow,
    details: AuditDetails<A>,
  ) {
    recordAudit(
      tx,
      { ...by, organizationId: row.organizationId },
      action,
      { kind: "api_key", id: row.id, name: row.name },
      { purpose: row.purpose, start: row.start, ...details },
      this.clock.now(),
    );
  }
}
