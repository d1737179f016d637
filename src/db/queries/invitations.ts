// Invitations: scoped lookups, by token hash, pending ones for an email, inserts and status updates, and
// whether an email already belongs to a member.
import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { invitation, member, user } from "../schema/index.ts";

export type InvitationRow = typeof invitation.$inferSelect;

export function listInvitations(db: DbOrTx, organizationId: string): InvitationRow[] {
  return db.orm
    .select()
    .from(invitation)
    .where(eq(invitation.organizationId, organizationId))
    .orderBy(desc(invitation.createdAt))
    .all();
}

export function findInvitation(db: DbOrTx, organizationId: string, id: string): InvitationRow | null {
  return (
    db.orm
      .select()
      .from(invitation)
      .where(and(eq(invitation.id, id), eq(invitation.organizationId, organizationId)))
      .get() ?? null
  );
}

export function invitationByTokenHash(db: DbOrTx, tokenHash: string): InvitationRow | null {
  return db.orm.select().from(invitation).where(eq(invitation.tokenHash, tokenHash)).get() ?? null;
}

/** Whether a pending, unexpired invitation exists for the email (any case). */
export function pendingInvitationFor(db: DbOrTx, email: string, now: Date): boolean {
  return (
    db.orm
      .select({ id: invitation.id })
      .from(invitation)
      .where(
        and(
          sql`lower(${invitation.email}) = ${email.trim().toLowerCase()}`,
          eq(invitation.status, "pending"),
          sql`${invitation.expiresAt} > ${now.getTime()}`,
        ),
      )
      .get() !== undefined
  );
}

/** Whether a member of the organization has this email (lowercase). */
export function memberWithEmail(db: DbOrTx, organizationId: string, email: string): boolean {
  return (
    db.orm
      .select({ id: member.id })
      .from(member)
      .innerJoin(user, eq(user.id, member.userId))
      .where(and(eq(member.organizationId, organizationId), sql`lower(${user.email}) = ${email}`))
      .get() !== undefined
  );
}

export function insertInvitation(
  tx: DbOrTx,
  row: Pick<
    InvitationRow,
    | "id"
    | "organizationId"
    | "email"
    | "role"
    | "status"
    | "expiresAt"
    | "createdAt"
    | "inviterId"
    | "tokenHash"
  >,
): InvitationRow {
  return tx.orm.insert(invitation).values(row).returning().get();
}

export function updateInvitation(
  tx: DbOrTx,
  id: string,
  set: Partial<Pick<InvitationRow, "status" | "respondedAt" | "tokenHash" | "expiresAt">>,
): InvitationRow {
  return tx.orm.update(invitation).set(set).where(eq(invitation.id, id)).returning().get();
}
