// better-auth's session rows, as our own code touches them: the user's sessions, revocation (one, all but
// one, those working in an organization) and the session's active organization.
import { and, desc, eq, ne, notLike } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { session } from "../schema/index.ts";

export interface SessionRow {
  id: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  activeOrganizationId: string | null;
  impersonatedBy: string | null;
}

/** The user's sessions, most recently active first (expired ones included). */
export function sessionsOf(db: DbOrTx, userId: string): SessionRow[] {
  return db.orm
    .select({
      id: session.id,
      ipAddress: session.ipAddress,
      userAgent: session.userAgent,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
      expiresAt: session.expiresAt,
      activeOrganizationId: session.activeOrganizationId,
      impersonatedBy: session.impersonatedBy,
    })
    .from(session)
    .where(eq(session.userId, userId))
    .orderBy(desc(session.updatedAt))
    .all();
}

/** Deletes the user's session `id`; returns how many rows went (0 or 1). */
export function deleteSession(tx: DbOrTx, userId: string, id: string): number {
  return tx.orm
    .delete(session)
    .where(and(eq(session.id, id), eq(session.userId, userId)))
    .returning({ id: session.id })
    .all().length;
}

/** Deletes every session of the user but `keep` (all of them when null); returns how many. */
export function deleteSessionsExcept(tx: DbOrTx, userId: string, keep: string | null): number {
  const where = keep ? and(eq(session.userId, userId), ne(session.id, keep)) : eq(session.userId, userId);
  return tx.orm.delete(session).where(where).returning({ id: session.id }).all().length;
}

/** The user's sessions working in the organization: deleted, or (`detach`) left without an organization. */
export function endSessionsIn(
  tx: DbOrTx,
  userId: string,
  organizationId: string,
  detach: boolean,
  now: Date,
): number {
  const where = and(eq(session.userId, userId), eq(session.activeOrganizationId, organizationId));
  return detach
    ? tx.orm
        .update(session)
        .set({ activeOrganizationId: null, updatedAt: now })
        .where(where)
        .returning({ id: session.id })
        .all().length
    : tx.orm.delete(session).where(where).returning({ id: session.id }).all().length;
}

export function setSessionOrganization(tx: DbOrTx, id: string, organizationId: string, now: Date): void {
  tx.orm
    .update(session)
    .set({ activeOrganizationId: organizationId, updatedAt: now })
    .where(eq(session.id, id))
    .run();
}

/** Sessions whose stored token does not start with `hashPrefix`: tokens an older version kept as they were. */
export function sessionTokensWithoutPrefix(db: DbOrTx, hashPrefix: string): { id: string; token: string }[] {
  return db.orm
    .select({ id: session.id, token: session.token })
    .from(session)
    .where(notLike(session.token, `${hashPrefix}%`))
    .all();
}

/** Replaces the stored tokens of the given sessions, in one transaction. */
export function replaceSessionTokens(db: DbOrTx, rows: { id: string; token: string }[]): void {
  db.transaction((tx) => {
    for (const row of rows)
      tx.orm.update(session).set({ token: row.token }).where(eq(session.id, row.id)).run();
  });
}
