// Members of an organization: list, role changes, ownership transfer, removal and leaving. The domain
// rules live here (one owner per organization; a transferred-away owner becomes admin; nobody removes
// themselves or changes their own role); who may do what is decided by graphql/authz.ts `policy`.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { member, session, user } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, notFound } from "../../../lib/errors.ts";
import { type Actor, appendAudit, type RequestMeta } from "../audit/service.ts";
import type { OrgRole } from "../auth/principal.ts";
import type { TenantCaller } from "../organizations/caller.ts";

export interface MemberView {
  id: string;
  organizationId: string;
  userId: string;
  role: OrgRole;
  createdAt: Date;
  name: string;
  email: string;
}

const ROLES: readonly string[] = ["member", "admin"];

export class MemberService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private select() {
    return this.db
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
      .innerJoin(user, eq(user.id, member.userId));
  }

  list(organizationId: string): MemberView[] {
    return this.select()
      .where(eq(member.organizationId, organizationId))
      .orderBy(asc(member.createdAt))
      .all() as MemberView[];
  }

  /** One member of the organization, or null (another organization's member id answers null too). */
  get(organizationId: string, memberId: string): MemberView | null {
    return (
      (this.select()
        .where(and(eq(member.id, memberId), eq(member.organizationId, organizationId)))
        .get() as MemberView) ?? null
    );
  }

  byUser(organizationId: string, userId: string): MemberView | null {
    return (
      (this.select()
        .where(and(eq(member.userId, userId), eq(member.organizationId, organizationId)))
        .get() as MemberView) ?? null
    );
  }

  require(organizationId: string, memberId: string): MemberView {
    const row = this.get(organizationId, memberId);
    if (!row) throw notFound(`member ${memberId} not found`);
    return row;
  }

  private owner(organizationId: string): MemberView | null {
    return (
      (this.select()
        .where(and(eq(member.organizationId, organizationId), eq(member.role, "owner")))
        .get() as MemberView) ?? null
    );
  }

  updateRole(caller: TenantCaller, memberId: string, role: string): MemberView {
    if (role === "owner") {
      throw badRequest("there is one owner per organization: use transferOwnership", [
        { path: "/role", message: "use member or admin" },
      ]);
    }
    if (!ROLES.includes(role))
      throw badRequest(`unknown role "${role}"`, [{ path: "/role", message: "use member or admin" }]);
    const target = this.require(caller.organizationId, memberId);
    if (target.userId === caller.userId) {
      throw badRequest("you cannot change your own role", [
        { path: "/memberId", message: "ask another owner or admin" },
      ]);
    }
    if (target.role === role) return target;
    this.writeRole(caller.organizationId, target, role, caller.actor, caller.meta, false);
    return this.require(caller.organizationId, memberId);
  }

  private writeRole(
    organizationId: string,
    target: MemberView,
    role: string,
    actor: Actor,
    meta: RequestMeta,
    transfer: boolean,
    tx: Db = this.db,
  ) {
    tx.update(member).set({ role }).where(eq(member.id, target.id)).run();
    appendAudit(tx, {
      organizationId,
      actor,
      action: "user.organization_role.changed",
      targetKind: "user",
      targetId: target.userId,
      targetName: target.email,
      details: { fromRole: target.role, toRole: role, ownershipTransfer: transfer },
      meta,
      at: this.clock.now(),
    });
  }

  /** The target becomes the owner; the previous owner becomes admin. */
  transferOwnership(caller: TenantCaller, memberId: string): MemberView {
    const target = this.require(caller.organizationId, memberId);
    if (target.role === "owner")
      throw badRequest("this member already owns the organization", [
        { path: "/memberId", message: "pick another member" },
      ]);
    this.transfer(caller.organizationId, target, caller.actor, caller.meta);
    return this.require(caller.organizationId, memberId);
  }

  private transfer(organizationId: string, target: MemberView, actor: Actor, meta: RequestMeta) {
    const previous = this.owner(organizationId);
    this.db.transaction((tx) => {
      if (previous) this.writeRole(organizationId, previous, "admin", actor, meta, true, tx as unknown as Db);
      this.writeRole(organizationId, target, "owner", actor, meta, true, tx as unknown as Db);
    });
  }

  /** System admin (admin console): any role in any organization; `owner` transfers ownership. */
  adminSetRole(
    actor: Actor,
    meta: RequestMeta,
    organizationId: string,
    userId: string,
    role: string,
  ): MemberView {
    if (role !== "owner" && !ROLES.includes(role))
      throw badRequest(`unknown role "${role}"`, [{ path: "/role", message: "use member, admin or owner" }]);
    const target = this.byUser(organizationId, userId);
    if (!target) throw notFound("no such member");
    if (target.role === role) return target;
    if (role === "owner") this.transfer(organizationId, target, actor, meta);
    else if (target.role === "owner")
      throw conflict("transfer ownership to another member first", [
        { path: "/role", message: "set another member's role to owner" },
      ]);
    else this.writeRole(organizationId, target, role, actor, meta, false);
    return this.byUser(organizationId, userId)!;
  }

  /** Deletes the membership (the user stays) and ends the sessions working in this organization. */
  remove(caller: TenantCaller, memberId: string): MemberView {
    const target = this.require(caller.organizationId, memberId);
    if (target.userId === caller.userId) {
      throw badRequest("you cannot remove yourself; leave the organization from your account settings", [
        { path: "/memberId", message: "use leaveOrganization" },
      ]);
    }
    if (target.role === "owner") throw conflict("the owner cannot be removed: transfer ownership first", []);
    this.deleteMembership(caller.organizationId, target, caller.actor, caller.meta, false);
    return target;
  }

  /** The caller leaves their active organization; an owner must transfer ownership first. */
  leave(caller: TenantCaller): MemberView {
    const self = this.byUser(caller.organizationId, caller.userId);
    if (!self) throw notFound("you are not a member of this organization");
    if (self.role === "owner") throw conflict("the owner cannot leave: transfer ownership first", []);
    this.deleteMembership(caller.organizationId, self, caller.actor, caller.meta, true);
    return self;
  }

  private deleteMembership(
    organizationId: string,
    target: MemberView,
    actor: Actor,
    meta: RequestMeta,
    left: boolean,
  ) {
    const now = this.clock.now();
    this.db.transaction((tx) => {
      tx.delete(member).where(eq(member.id, target.id)).run();
      // Sessions that worked in this organization end (reference §6.12); a leaver's own sessions just lose it.
      const where = and(eq(session.userId, target.userId), eq(session.activeOrganizationId, organizationId));
      const ended = left
        ? tx
            .update(session)
            .set({ activeOrganizationId: null, updatedAt: now })
            .where(where)
            .returning({ id: session.id })
            .all().length
        : tx.delete(session).where(where).returning({ id: session.id }).all().length;
      appendAudit(tx, {
        organizationId,
        actor,
        action: "user.organization_membership.removed",
        targetKind: "user",
        targetId: target.userId,
        targetName: target.email,
        details: { role: target.role, endedSessions: left ? 0 : ended, left },
        meta,
        at: now,
      });
    });
  }

  /** Adds a member (invitation accepted); idempotent for an existing member. */
  add(
    tx: Db,
    organizationId: string,
    u: { id: string; email: string },
    role: string,
    actor: Actor,
    meta: RequestMeta,
  ): void {
    const existing = tx
      .select({ id: member.id })
      .from(member)
      .where(and(eq(member.userId, u.id), eq(member.organizationId, organizationId)))
      .get();
    if (existing) return;
    const now = this.clock.now();
    tx.insert(member)
      .values({ id: Bun.randomUUIDv7(), organizationId, userId: u.id, role, createdAt: now })
      .run();
    appendAudit(tx, {
      organizationId,
      actor,
      action: "user.organization_membership.added",
      targetKind: "user",
      targetId: u.id,
      targetName: u.email,
      details: { role, via: "invitation" },
      meta,
      at: now,
    });
  }
}
