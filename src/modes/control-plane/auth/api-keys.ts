// API keys: generation (256 random bits), SHA-256 hashing, constant-time verification with an in-memory
// cache (the executor sync path must not read the database per request), and key lifecycle writes.
// Plaintext exists only in the return value of createKey; it is never stored or logged.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { allKeys, insertKey, type KeyRow, keyById, updateKey } from "../../../db/queries/keys.ts";
import { badRequest } from "../../../lib/errors.ts";

export type KeyPurpose = "executor" | "personal";
export const KEY_PREFIX: Record<KeyPurpose, string> = { executor: "exc_", personal: "nvp_" };
export type { KeyRow };

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function generateKey(purpose: KeyPurpose): string {
  return KEY_PREFIX[purpose] + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

export type KeyStatus = "active" | "disabled" | "expired" | "revoked";

export function keyStatus(row: KeyRow, now: Date): KeyStatus {
  if (row.revokedAt && row.revokedAt.getTime() <= now.getTime()) return "revoked";
  if (row.graceEndsAt && row.graceEndsAt.getTime() <= now.getTime()) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  if (!row.enabled) return "disabled";
  return "active";
}

export function validateKeyName(name: unknown): string {
  if (typeof name !== "string" || name.trim().length < 1 || name.length > 32) {
    throw badRequest("the key name must be 1 to 32 characters", [
      { path: "/name", message: "use 1 to 32 characters" },
    ]);
  }
  return name.trim();
}

export class ApiKeyService {
  /** keyHash → row; rows are small and few (one per executor/user), so the whole table may live here. */
  private cache = new Map<string, KeyRow>();
  private loaded = false;

  constructor(private readonly db: Db) {}

  private load(): void {
    if (this.loaded) return;
    for (const row of allKeys(this.db)) this.cache.set(row.keyHash, row);
    this.loaded = true;
  }

  /** Re-reads one key after a write, keeping the cache exact. */
  refresh(id: string): void {
    const row = keyById(this.db, id);
    for (const [hash, cached] of this.cache) if (cached.id === id) this.cache.delete(hash);
    if (row) this.cache.set(row.keyHash, row);
  }

  /**
   * The active key row for a presented key, or null. The same null for unknown, disabled, revoked and
   * expired keys, so a caller can't tell them apart. The stored hash is compared in constant time.
   */
  verify(presented: string, purpose: KeyPurpose, now: Date): KeyRow | null {
    if (!presented.startsWith(KEY_PREFIX[purpose]) || presented.length > 128) return null;
    this.load();
    const hash = hashKey(presented);
    const row = this.cache.get(hash);
    if (!row) return null;
    const ok = timingSafeEqual(Buffer.from(row.keyHash, "hex"), Buffer.from(hash, "hex"));
    if (!ok || row.purpose !== purpose || keyStatus(row, now) !== "active") return null;
    return row;
  }

  createKey(input: {
    organizationId: string;
    userId: string | null;
    purpose: KeyPurpose;
    name: string;
    expiresInDays?: number | null;
    expiresAt?: Date | null;
    rotatedFromId?: string;
    now: Date;
    /** The caller's transaction, so the key and its audit row commit together. */
    db?: DbOrTx;
  }): { row: KeyRow; plaintext: string } {
    const name = validateKeyName(input.name);
    const days = input.expiresInDays;
    if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      throw badRequest(
        "expiresInDays must be a whole number of days from 1 to 3650, or empty for no expiry",
        [{ path: "/expiresInDays", message: "use 1..3650 or leave it empty" }],
      );
    }
    const plaintext = generateKey(input.purpose);
    const expiresAt =
      input.expiresAt !== undefined
        ? input.expiresAt
        : days
          ? new Date(input.now.getTime() + days * 86_400_000)
          : null;
    const row = insertKey(input.db ?? this.db, {
      id: Bun.randomUUIDv7(),
      organizationId: input.organizationId,
      userId: input.userId,
      purpose: input.purpose,
      name,
      start: plaintext.slice(0, 8),
      keyHash: hashKey(plaintext),
      expiresAt,
      rotatedFromId: input.rotatedFromId ?? null,
      createdAt: input.now,
    });
    this.cache.set(row.keyHash, row);
    return { row, plaintext };
  }

  setRevoked(id: string, now: Date): void {
    updateKey(this.db, id, { revokedAt: now });
    this.refresh(id);
  }

  setEnabled(id: string, enabled: boolean): void {
    updateKey(this.db, id, { enabled });
    this.refresh(id);
  }
}
