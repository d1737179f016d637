// Memberships: the member views (joined with the user's name and email), one's role in an organization,
// inserts, role changes and removal.
import { and, asc, eq, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { member, user } from "../schema/index.ts";

export type MemberRow = typeof member.$inferSelect;

export interface MemberViewRow {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  createdAt: Date;
  name: string;
  email: string;
}

function selectViews(db: DbOrTx, where: SQL | undefined) {
  return db.orm
    .select({
      id: member.id,
      organizationId: member.organizationId,
      userId: member.userId,
      role: member.role,
      createdAt: member.createdAt,
      name: user.name,
      email: user.email,
    })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(where);
}

export function listMemberViews(db: DbOrTx, organizationId: string): MemberViewRow[] {
  return selectViews(db, eq(member.organizationId, organizationId)).orderBy(asc(member.createdAt)).all();
}

/** One member of the organization by member id, user id or role ("owner"). */
export function findMemberView(
  db: DbOrTx,
  organizationId: string,
  by: { id: string } | { userId: string } | { role: string },
): MemberViewRow | null {
  const key =
    "id" in by
      ? eq(member.id, by.id)
      : "userId" in by
        ? eq(member.userId, by.userId)
        : eq(member.role, by.role);
  return selectViews(db, and(key, eq(member.organizationId, organizationId))).get() ?? null;
}

export function membershipOf(
  db: DbOrTx,
  userId: string,
  organizationId: string,
): { id: string; role: string } | null {
  return (
    db.orm
      .select({ id: member.id, role: member.role })
      .from(member)
      .where(and(eq(member.userId, userId), eq(member.organizationId, organizationId)))
      .get() ?? null
  );
}

export function countMemberships(db: DbOrTx, userId: string): number {
  return db.orm.select({ id: member.id }).from(member).where(eq(member.userId, userId)).all().length;
}

/** The organization of any one membership of the user (first start: the admin has exactly one). */
export function anyMembership(db: DbOrTx, userId: string): string | null {
  return (
    db.orm
      .select({ organizationId: member.organizationId })
      .from(member)
      .where(eq(member.userId, userId))
      .get()?.organizationId ?? null
  );
}

export function insertMember(
  tx: DbOrTx,
  row: Pick<MemberRow, "id" | "organizationId" | "userId" | "role"> & Partial<Pick<MemberRow, "createdAt">>,
): void {
  tx.orm.insert(member).values(row).run();
}

export function setMemberRole(tx: DbOrTx, id: string, role: string): void {
  tx.orm.update(member).set({ role }).where(eq(member.id, id)).run();
}

export function deleteMember(tx: DbOrTx, id: string): void {
  tx.orm.delete(member).where(eq(member.id, id)).run();
}
