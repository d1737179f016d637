// API key management (reference §3.2): executor keys and personal access tokens — create (shown once),
// rotate with a grace window, disable/enable, revoke, delete once revoked — plus "Used by" and "Last used"
// from the usage records. Hashing, verification and the verify cache stay in auth/api-keys.ts; this
// module owns the lifecycle rules and their audit rows. Who may touch which key: authz.ts `policy`.
import { and, desc, eq, inArray, isNotNull, isNull, lte, or } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { apiKeys, executorApiKeyUsage, executors } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { conflict, notFound } from "../../../lib/errors.ts";
import { type Actor, appendAudit, type RequestMeta } from "../audit/service.ts";
import { type ApiKeyService, type KeyPurpose, type KeyRow, keyStatus } from "../auth/api-keys.ts";
import { SYSTEM_ACTOR, SYSTEM_META, type TenantCaller } from "../organizations/caller.ts";

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
  list(caller: Pick<TenantCaller, "organizationId" | "userId">, seeAllTokens: boolean): KeyRow[] {
    const visible = seeAllTokens
      ? eq(apiKeys.organizationId, caller.organizationId)
      : and(
          eq(apiKeys.organizationId, caller.organizationId),
          or(eq(apiKeys.purpose, "executor"), eq(apiKeys.userId, caller.userId)),
        );
    return this.db.select().from(apiKeys).where(visible).orderBy(desc(apiKeys.createdAt)).all();
  }

  get(organizationId: string, id: string): KeyRow | null {
    return (
      this.db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.organizationId, organizationId)))
        .get() ?? null
    );
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
    const rows = this.db
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
    for (const r of rows) {
      const list = out.get(r.keyId) ?? [];
      list.push({ executorId: r.executorId, executorName: r.executorName, lastUsedAt: r.lastUsedAt });
      out.set(r.keyId, list);
    }
    return out;
  }

  create(
    caller: TenantCaller,
    purpose: KeyPurpose,
    input: { name: unknown; expiresInDays?: unknown },
    extra: Record<string, unknown> = {},
  ) {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const created = this.keys.createKey({
        organizationId: caller.organizationId,
        userId: caller.userId,
        purpose,
        name: input.name as string,
        expiresInDays: (input.expiresInDays as number | null | undefined) ?? null,
        now,
        db: tx as unknown as Db,
      });
      this.audit(tx as unknown as Db, caller.actor, caller.meta, "api_key.created", created.row, {
        expiresAt: created.row.expiresAt?.toISOString() ?? null,
        ...extra,
      });
      return created;
    });
  }

  /** A new key with the same lifetime; the old one keeps working until the grace window ends. */
  rotate(caller: TenantCaller, id: string) {
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
        db: tx as unknown as Db,
      });
      tx.update(apiKeys).set({ graceEndsAt }).where(eq(apiKeys.id, old.id)).run();
      this.audit(tx as unknown as Db, caller.actor, caller.meta, "api_key.created", created.row, {
        expiresAt: created.row.expiresAt?.toISOString() ?? null,
        rotatedFromId: old.id,
      });
      this.audit(tx as unknown as Db, caller.actor, caller.meta, "api_key.updated", old, {
        rotatedToId: created.row.id,
        graceEndsAt: graceEndsAt.toISOString(),
      });
      return created;
    });
    this.keys.refresh(old.id);
    return result;
  }

  setEnabled(caller: TenantCaller, id: string, enabled: boolean): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (keyStatus(row, this.clock.now()) === "revoked")
      throw conflict("a revoked key cannot be enabled or disabled", []);
    if (row.enabled === enabled) return row;
    this.db.transaction((tx) => {
      tx.update(apiKeys).set({ enabled }).where(eq(apiKeys.id, id)).run();
      this.audit(tx as unknown as Db, caller.actor, caller.meta, "api_key.updated", row, { enabled });
    });
    this.keys.refresh(id);
    return this.require(caller.organizationId, id);
  }

  revoke(caller: TenantCaller, id: string): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (row.revokedAt) return row;
    this.revokeRow(row, caller.actor, caller.meta, "revoked", this.clock.now());
    return this.require(caller.organizationId, id);
  }

  private revokeRow(row: KeyRow, actor: Actor, meta: RequestMeta, reason: string, at: Date) {
    this.db.transaction((tx) => {
      tx.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, row.id)).run();
      this.audit(tx as unknown as Db, actor, meta, "api_key.revoked", row, { reason });
    });
    this.keys.refresh(row.id);
  }

  /** Only revoked keys can be deleted (reference §3.2), so a live key is never lost by accident. */
  delete(caller: TenantCaller, id: string): KeyRow {
    const row = this.require(caller.organizationId, id);
    if (keyStatus(row, this.clock.now()) !== "revoked")
      throw conflict("only a revoked key can be deleted: revoke it first", []);
    this.db.transaction((tx) => {
      tx.delete(apiKeys).where(eq(apiKeys.id, id)).run();
      this.audit(tx as unknown as Db, caller.actor, caller.meta, "api_key.deleted", row, {});
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
    const due = this.db
      .select()
      .from(apiKeys)
      .where(and(isNotNull(apiKeys.graceEndsAt), isNull(apiKeys.revokedAt), lte(apiKeys.graceEndsAt, now)))
      .all();
    for (const row of due)
      this.revokeRow(row, SYSTEM_ACTOR, SYSTEM_META, "rotation_grace_ended", row.graceEndsAt!);
    return due.length;
  }

  private audit(
    tx: Db,
    actor: Actor,
    meta: RequestMeta,
    action: string,
    row: KeyRow,
    details: Record<string, unknown>,
  ) {
    appendAudit(tx, {
      organizationId: row.organizationId,
      actor,
      action,
      targetKind: "api_key",
      targetId: row.id,
      targetName: row.name,
      details: { purpose: row.purpose, start: row.start, ...details },
      meta,
      at: this.clock.now(),
    });
  }
}
