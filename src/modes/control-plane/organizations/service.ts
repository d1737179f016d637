// Organizations: the personal organization every user gets at sign-up, name/slug/logo edits, creation of
// further organizations, deactivation (owner) and reactivation (system admin), and which organization a
// session works in. Framework-free; every write appends its audit row in the same transaction.
import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { member, organization, session, user } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, notFound } from "../../../lib/errors.ts";
import { type Actor, appendAudit, type RequestMeta } from "../audit/service.ts";
import type { OrgRole } from "../auth/principal.ts";
import type { TenantCaller } from "./caller.ts";

export type OrganizationRow = typeof organization.$inferSelect;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
const MAX_LOGO_CHARS = 100_000;

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
  return base || "org";
}

function randomSuffix(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(4)))
    .toString("hex")
    .slice(0, 6);
}

function validateName(name: unknown): string {
  if (typeof name !== "string" || name.trim().length < 1 || name.trim().length > 64) {
    throw badRequest("the organization name must be 1 to 64 characters", [
      { path: "/name", message: "use 1 to 64 characters" },
    ]);
  }
  return name.trim();
}

function validateSlug(slug: unknown): string {
  if (typeof slug !== "string" || !SLUG.test(slug)) {
    throw badRequest("the slug must be URL-safe", [
      {
        path: "/slug",
        message: "use 1 to 48 lowercase letters, digits and '-', starting and ending with a letter or digit",
      },
    ]);
  }
  return slug;
}

function validateLogo(logo: unknown): string | null {
  if (logo === null || logo === "") return null;
  if (
    typeof logo !== "string" ||
    logo.length > MAX_LOGO_CHARS ||
    !/^(https:\/\/\S+|data:image\/(png|jpeg|svg\+xml|webp);base64,[A-Za-z0-9+/=]+)$/.test(logo)
  ) {
    throw badRequest("the logo must be an https URL or a base64 image data URL", [
      {
        path: "/logo",
        message: `use https://… or data:image/png;base64,… (at most ${MAX_LOGO_CHARS} characters)`,
      },
    ]);
  }
  return logo;
}

export class OrganizationService {
  /**
   * organization id → active, read on every executor request. Exact: `active` is only written by setActive
   * below, which updates this after its commit; a missing organization is not cached.
   */
  private activity = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  get(id: string): OrganizationRow | null {
    return this.db.select().from(organization).where(eq(organization.id, id)).get() ?? null;
  }

  /** Whether the organization exists and is active (executor requests of an inactive one get 401). */
  isActive(id: string): boolean {
    const known = this.activity.get(id);
    if (known !== undefined) return known;
    const row = this.db
      .select({ active: organization.active })
      .from(organization)
      .where(eq(organization.id, id))
      .get();
    if (row) this.activity.set(id, row.active);
    return row?.active ?? false;
  }

  /** A slug nobody uses yet: the wish when free, else the wish plus a random suffix. */
  private freeSlug(wish: string): string {
    let slug = wish;
    while (
      this.db.select({ id: organization.id }).from(organization).where(eq(organization.slug, slug)).get()
    ) {
      slug = `${wish.slice(0, 41)}-${randomSuffix()}`;
    }
    return slug;
  }

  /** Sign-up: the user's own organization, with them as owner. */
  createPersonal(u: { id: string; name: string; email: string }, meta: RequestMeta): OrganizationRow {
    const label = u.name?.trim() || u.email.split("@")[0] || "personal";
    return this.insert(`${label}'s organization`.slice(0, 64), slugify(label), true, u, meta);
  }

  create(
    caller: Pick<TenantCaller, "userId" | "actor" | "meta">,
    input: { name: unknown; slug?: unknown },
  ): OrganizationRow {
    const name = validateName(input.name);
    const slug = input.slug === undefined || input.slug === null ? slugify(name) : validateSlug(input.slug);
    if (
      input.slug &&
      this.db.select({ id: organization.id }).from(organization).where(eq(organization.slug, slug)).get()
    ) {
      throw conflict(`the slug "${slug}" is taken`, [{ path: "/slug", message: "pick another slug" }]);
    }
    return this.insert(
      name,
      slug,
      false,
      { id: caller.userId, name: caller.actor.name, email: caller.actor.email },
      caller.meta,
    );
  }

  private insert(
    name: string,
    slugWish: string,
    personal: boolean,
    owner: { id: string; name: string; email: string },
    meta: RequestMeta,
  ) {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = tx
        .insert(organization)
        .values({ id: Bun.randomUUIDv7(), name, slug: this.freeSlug(slugWish), personal, createdAt: now })
        .returning()
        .get();
      tx.insert(member)
        .values({
          id: Bun.randomUUIDv7(),
          organizationId: row.id,
          userId: owner.id,
          role: "owner",
          createdAt: now,
        })
        .run();
      appendAudit(tx, {
        organizationId: row.id,
        actor: owner,
        action: "organization.created",
        targetKind: "organization",
        targetId: row.id,
        targetName: row.name,
        details: { slug: row.slug, personal },
        meta,
        at: now,
      });
      return row;
    });
  }

  update(caller: TenantCaller, input: { name?: unknown; slug?: unknown; logo?: unknown }): OrganizationRow {
    const current = this.get(caller.organizationId);
    if (!current) throw notFound("organization not found");
    const next: Partial<OrganizationRow> = {};
    if (input.name !== undefined && input.name !== null) next.name = validateName(input.name);
    if (input.slug !== undefined && input.slug !== null) next.slug = validateSlug(input.slug);
    if (input.logo !== undefined) next.logo = validateLogo(input.logo);
    const changedFields = Object.keys(next).filter(
      (k) => next[k as keyof OrganizationRow] !== current[k as keyof OrganizationRow],
    );
    if (changedFields.length === 0) return current;
    if (next.slug && next.slug !== current.slug) {
      const taken = this.db
        .select({ id: organization.id })
        .from(organization)
        .where(and(eq(organization.slug, next.slug), ne(organization.id, current.id)))
        .get();
      if (taken)
        throw conflict(`the slug "${next.slug}" is taken`, [{ path: "/slug", message: "pick another slug" }]);
    }
    return this.db.transaction((tx) => {
      const row = tx.update(organization).set(next).where(eq(organization.id, current.id)).returning().get();
      appendAudit(tx, {
        organizationId: current.id,
        actor: caller.actor,
        action: "organization.updated",
        targetKind: "organization",
        targetId: current.id,
        targetName: row.name,
        details: { changedFields },
        meta: caller.meta,
        at: this.clock.now(),
      });
      return row;
    });
  }

  /**
   * Deactivate (owner, in their active organization) or reactivate (system admin, any organization).
   * Deactivated organizations keep their data; executor syncs get 401 and members can't work in it.
   */
  setActive(actor: Actor, meta: RequestMeta, organizationId: string, active: boolean): OrganizationRow {
    const current = this.get(organizationId);
    if (!current) throw notFound(`organization ${organizationId} not found`);
    if (current.active === active) return current;
    const updated = this.db.transaction((tx) => {
      const row = tx
        .update(organization)
        .set({ active })
        .where(eq(organization.id, organizationId))
        .returning()
        .get();
      appendAudit(tx, {
        organizationId,
        actor,
        action: "organization.updated",
        targetKind: "organization",
        targetId: organizationId,
        targetName: row.name,
        details: { changedFields: ["active"], active },
        meta,
        at: this.clock.now(),
      });
      return row;
    });
    this.activity.set(organizationId, updated.active);
    return updated;
  }

  /** The caller's organizations with their role there (system admins see only their memberships here). */
  listForUser(userId: string): (OrganizationRow & { role: OrgRole })[] {
    return this.db
      .select({ org: organization, role: member.role })
      .from(member)
      .innerJoin(organization, eq(organization.id, member.organizationId))
      .where(eq(member.userId, userId))
      .orderBy(asc(member.createdAt), asc(organization.name))
      .all()
      .map((r) => ({ ...r.org, role: r.role as OrgRole }));
  }

  listAll(): OrganizationRow[] {
    return this.db.select().from(organization).orderBy(asc(organization.name)).all();
  }

  /** Switches the session's active organization: a member of an active organization, or a system admin. */
  setSessionOrganization(caller: TenantCaller, sessionId: string, organizationId: string): OrganizationRow {
    const org = this.get(organizationId);
    const membership = org ? membershipOf(this.db, caller.userId, org.id) : null;
    // A non-member gets the same answer as a nonexistent organization.
    if (!org || (!membership && !caller.systemAdmin))
      throw notFound(`organization ${organizationId} not found`);
    if (!org.active && !caller.systemAdmin) throw conflict("this organization is deactivated", []);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      tx.update(session)
        .set({ activeOrganizationId: org.id, updatedAt: now })
        .where(eq(session.id, sessionId))
        .run();
      appendAudit(tx, {
        organizationId: org.id,
        actor: caller.actor,
        action: "session.active_organization.changed",
        targetKind: "organization",
        targetId: org.id,
        targetName: org.name,
        details: { fromOrganizationId: caller.organizationId },
        meta: caller.meta,
        at: now,
      });
    });
    return org;
  }
}

export function membershipOf(
  db: Db,
  userId: string,
  organizationId: string,
): { id: string; role: OrgRole } | null {
  const row = db
    .select({ id: member.id, role: member.role })
    .from(member)
    .where(and(eq(member.userId, userId), eq(member.organizationId, organizationId)))
    .get();
  return row ? { id: row.id, role: row.role as OrgRole } : null;
}

/** The organization a new session starts in: the user's oldest membership in an active organization. */
export function firstActiveOrganization(db: Db, userId: string): string | null {
  const row = db
    .select({ id: organization.id })
    .from(member)
    .innerJoin(organization, eq(organization.id, member.organizationId))
    .where(and(eq(member.userId, userId), eq(organization.active, true)))
    .orderBy(asc(member.createdAt), asc(member.id))
    .get();
  return row?.id ?? null;
}

export function isSystemAdmin(db: Db, userId: string): boolean {
  return db.select({ role: user.role }).from(user).where(eq(user.id, userId)).get()?.role === "admin";
}
