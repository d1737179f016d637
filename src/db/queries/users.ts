// better-auth's user and credential rows, as our own code reads and writes them.
import { and, count, eq } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { account, user } from "../schema/index.ts";

export type UserRow = typeof user.$inferSelect;

export function findUser(db: DbOrTx, id: string): UserRow | null {
  return db.orm.select().from(user).where(eq(user.id, id)).get() ?? null;
}

export function countUsers(db: DbOrTx): number {
  return db.orm.select({ n: count() }).from(user).get()!.n;
}

export function setUserName(tx: DbOrTx, id: string, name: string, now: Date): UserRow {
  return tx.orm.update(user).set({ name, updatedAt: now }).where(eq(user.id, id)).returning().get();
}

/** The user's email/password credential, if any. */
export function passwordCredential(
  db: DbOrTx,
  userId: string,
): { id: string; password: string | null } | null {
  return (
    db.orm
      .select({ id: account.id, password: account.password })
      .from(account)
      .where(and(eq(account.userId, userId), eq(account.providerId, "credential")))
      .get() ?? null
  );
}

export function setPasswordHash(tx: DbOrTx, credentialId: string, hash: string, now: Date): void {
  tx.orm.update(account).set({ password: hash, updatedAt: now }).where(eq(account.id, credentialId)).run();
}
