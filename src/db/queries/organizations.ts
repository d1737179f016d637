// Organizations: lookups, slug checks, inserts and updates, the user's organizations with their role,
// and the organization a new session starts in.
import { and, asc, eq, ne } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { member, organization } from "../schema/index.ts";

export type OrganizationRow = typeof organization.$inferSelect;

export function findOrganization(db: DbOrTx, id: string): OrganizationRow | null {
  return db.orm.select().from(organization).where(eq(organization.id, id)).get() ?? null;
}

/** Whether another organization than `except` uses the slug. */
export function slugTaken(db: DbOrTx, slug: string, except?: string): boolean {
  const where = except
    ? and(eq(organization.slug, slug), ne(organization.id, except))
    : eq(organization.slug, slug);
  return db.orm.select({ id: organization.id }).from(organization).where(where).get() !== undefined;
}

export function insertOrganization(
  tx: DbOrTx,
  row: Pick<OrganizationRow, "id" | "name" | "slug"> &
    Partial<Pick<OrganizationRow, "personal" | "createdAt">>,
): OrganizationRow {
  return tx.orm.insert(organization).values(row).returning().get();
}

export function updateOrganization(
  tx: DbOrTx,
  id: string,
  set: Partial<Pick<OrganizationRow, "name" | "slug" | "logo" | "active">>,
): OrganizationRow {
  return tx.orm.update(organization).set(set).where(eq(organization.id, id)).returning().get();
}

/** The user's organizations with their role there, oldest membership first. */
export function organizationsOf(db: DbOrTx, userId: string): { org: OrganizationRow; role: string }[] {
  return db.orm
    .select({ org: organization, role: member.role })
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(eq(member.userId, userId))
    .orderBy(asc(member.createdAt), asc(organization.name))
    .all();
}

export function allOrganizations(db: DbOrTx): OrganizationRow[] {
  return db.orm.select().from(organization).orderBy(asc(organization.name)).all();
}

/** The user's oldest membership in an active organization. */
export function firstActiveOrganization(db: DbOrTx, userId: string): string | null {
  const row = db.orm
    .select({ id: organization.id })
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(and(eq(member.userId, userId), eq(organization.active, true)))
    .orderBy(asc(member.createdAt), asc(member.id))
    .get();
  return row?.id ?? null;
}

/** Whether the organization is active; null when there is none. */
export function organizationActive(db: DbOrTx, id: string): boolean | null {
  return (
    db.orm.select({ active: organization.active }).from(organization).where(eq(organization.id, id)).get()
      ?.active ?? null
  );
}
