// Organizations: the personal organization every user gets at sign-up, name/slug/logo edits, creation of
// further organizations, deactivation (owner) and reactivation (system admin), and which organization a
// session works in. Framework-free; every write appends its audit row in the same transaction.
import type { Db, DbOrTx } from "../../../db/client.ts";
import { insertMember, membershipOf as membershipRow } from "../../../db/queries/members.ts";
import {
  allOrganizations,
  findOrganization,
  firstActiveOrganization as firstActive,
  insertOrganization,
  type OrganizationRow,
  organizationActive,
  organizationsOf,
  slugTaken,
  updateOrganization,
} from "../../../db/queries/organizations.ts";
import { setSessionOrganization } from "../../../db/queries/sessions.ts";
import type { Clock } from "../../../lib/clock.ts";
import { conflict, notFound } from "../../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { Caller, OrgRole, RequestMeta } from "../auth/caller.ts";
import type { CreateOrganizationInput, UpdateOrganizationInput } from "./models.ts";

export type { OrganizationRow };

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
    return findOrganization(this.db, id);
  }

  /** Whether the organization exists and is active (executor requests of an inactive one get 401). */
  isActive(id: string): boolean {
    const known = this.activity.get(id);
    if (known !== undefined) return known;
    const active = organizationActive(this.db, id);
    if (active !== null) this.activity.set(id, active);
    return active ?? false;
  }

  /** A slug nobody uses yet: the wish when free, else the wish plus a random suffix. */
  private freeSlug(wish: string): string {
    let slug = wish;
    while (slugTaken(this.db, slug)) {
      slug = `${wish.slice(0, 41)}-${randomSuffix()}`;
    }
    return slug;
  }

  /** Sign-up: the user's own organization, with them as owner. */
  createPersonal(u: { id: string; name: string; email: string }, meta: RequestMeta): OrganizationRow {
    const label = u.name?.trim() || u.email.split("@")[0] || "personal";
    return this.insert(`${label}'s organization`.slice(0, 64), slugify(label), true, u, meta);
  }

  create(caller: Pick<Caller, "userId" | "actor" | "meta">, input: CreateOrganizationInput): OrganizationRow {
    const name = input.name.trim();
    const slug = input.slug ?? slugify(name);
    if (input.slug && slugTaken(this.db, slug)) {
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
      const row = insertOrganization(tx, {
        id: Bun.randomUUIDv7(),
        name,
        slug: this.freeSlug(slugWish),
        personal,
        createdAt: now,
      });
      insertMember(tx, {
        id: Bun.randomUUIDv7(),
        organizationId: row.id,
        userId: owner.id,
        role: "owner",
        createdAt: now,
      });
      recordAudit(
        tx,
        { organizationId: row.id, actor: owner, meta },
        "organization.created",
        { kind: "organization", id: row.id, name: row.name },
        { slug: row.slug, personal },
        now,
      );
      return row;
    });
  }

  update(caller: Caller, input: UpdateOrganizationInput): OrganizationRow {
    const current = this.get(caller.organizationId);
    if (!current) throw notFound("organization not found");
    const next: Partial<OrganizationRow> = {};
    if (input.name !== undefined && input.name !== null) next.name = input.name.trim();
    if (input.slug !== undefined && input.slug !== null) next.slug = input.slug;
    if (input.logo !== undefined) next.logo = input.logo || null;
    const changedFields = Object.keys(next).filter(
      (k) => next[k as keyof OrganizationRow] !== current[k as keyof OrganizationRow],
    );
    if (changedFields.length === 0) return current;
    if (next.slug && next.slug !== current.slug) {
      if (slugTaken(this.db, next.slug, current.id))
        throw conflict(`the slug "${next.slug}" is taken`, [{ path: "/slug", message: "pick another slug" }]);
    }
    return this.db.transaction((tx) => {
      const row = updateOrganization(tx, current.id, next);
      recordAudit(
        tx,
        { ...caller, organizationId: current.id },
        "organization.updated",
        { kind: "organization", id: current.id, name: row.name },
        { changedFields },
        this.clock.now(),
      );
      return row;
    });
  }

  /**
   * Deactivate (owner, in their active organization) or reactivate (system admin, any organization).
   * Deactivated organizations keep their data; executor syncs get 401 and members can't work in it.
   */
  setActive(by: Pick<Caller, "actor" | "meta">, organizationId: string, active: boolean): OrganizationRow {
    const current = this.get(organizationId);
    if (!current) throw notFound(`organization ${organizationId} not found`);
    if (current.active === active) return current;
    const updated = this.db.transaction((tx) => {
      const row = updateOrganization(tx, organizationId, { active });
      recordAudit(
        tx,
        { ...by, organizationId },
        "organization.updated",
        { kind: "organization", id: organizationId, name: row.name },
        { changedFields: ["active"], active },
        this.clock.now(),
      );
      return row;
    });
    this.activity.set(organizationId, updated.active);
    return updated;
  }

  /** The caller's organizations with their role there (system admins see only their memberships here). */
  listForUser(userId: string): (OrganizationRow & { role: OrgRole })[] {
    return organizationsOf(this.db, userId).map((r) => ({ ...r.org, role: r.role as OrgRole }));
  }

  listAll(): OrganizationRow[] {
    return allOrganizations(this.db);
  }

  /** Switches the session's active organization: a member of an active organization, or a system admin. */
  setSessionOrganization(caller: Caller, sessionId: string, organizationId: string): OrganizationRow {
    const org = this.get(organizationId);
    const membership = org ? membershipOf(this.db, caller.userId, org.id) : null;
    // A non-member gets the same answer as a nonexistent organization.
    if (!org || (!membership && !caller.systemAdmin))
      throw notFound(`organization ${organizationId} not found`);
    if (!org.active && !caller.systemAdmin) throw conflict("this organization is deactivated", []);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      setSessionOrganization(tx, sessionId, org.id, now);
      recordAudit(
        tx,
        { ...caller, organizationId: org.id },
        "session.active_organization.changed",
        { kind: "organization", id: org.id, name: org.name },
        { fromOrganizationId: caller.organizationId },
        now,
      );
    });
    return org;
  }
}

function membershipOf(
  db: DbOrTx,
  userId: string,
  organizationId: string,
): { id: string; role: OrgRole } | null {
  const row = membershipRow(db, userId, organizationId);
  return row ? { id: row.id, role: row.role as OrgRole } : null;
}

/** The organization a new session starts in: the user's oldest membership in an active organization. */
export const firstActiveOrganization = firstActive;
