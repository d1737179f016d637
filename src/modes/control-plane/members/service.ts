// Members of an organization: list, role changes, ownership transfer, removal and leaving. The domain
// rules live here (one owner per organization; a transferred-away owner becomes admin; nobody removes
// themselves or changes their own role); who may do what is decided by graphql/authz.ts `policy`.
import type { Db, DbOrTx } from "../../../db/client.ts";
import {
  deleteMember,
  findMemberView,
  insertMember,
  listMemberViews,
  membershipOf,
  setMemberRole,
} from "../../../db/queries/members.ts";
import { endSessionsIn } from "../../../db/queries/sessions.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, notFound } from "../../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { Caller, OrgRole } from "../auth/caller.ts";

/** Who changes a membership, as the audit log records them. */
type By = Pick<Caller, "actor" | "meta">;

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

  list(organizationId: string): MemberView[] {
    return listMemberViews(this.db, organizationId) as MemberView[];
  }

  /** One member of the organization, or null (another organization's member id answers null too). */
  get(organizationId: string, memberId: string): MemberView | null {
    return findMemberView(this.db, organizationId, { id: memberId }) as MemberView | null;
  }

  byUser(organizationId: string, userId: string): MemberView | null {
    return findMemberView(this.db, organizationId, { userId }) as MemberView | null;
  }

  require(organizationId: string, memberId: string): MemberView {
    const row = this.get(organizationId, memberId);
    if (!row) throw notFound(`member ${memberId} not found`);
    return row;
  }

  private owner(organizationId: string): MemberView | null {
    return findMemberView(this.db, organizationId, { role: "owner" }) as MemberView | null;
  }

  updateRole(caller: Caller, memberId: string, role: string): MemberView {
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
    this.writeRole(caller.organizationId, target, role, caller, false);
    return this.require(caller.organizationId, memberId);
  }

  private writeRole(
    organizationId: string,
    target: MemberView,
    role: string,
    by: By,
    transfer: boolean,
    tx: DbOrTx = this.db,
  ) {
    setMemberRole(tx, target.id, role);
    recordAudit(
      tx,
      { ...by, organizationId },
      "user.organization_role.changed",
      { kind: "user", id: target.userId, name: target.email },
      { fromRole: target.role, toRole: role, ownershipTransfer: transfer },
      this.clock.now(),
    );
  }

  /** The target becomes the owner; the previous owner becomes admin. */
  transferOwnership(caller: Caller, memberId: string): MemberView {
    const target = this.require(caller.organizationId, memberId);
    if (target.role === "owner")
      throw badRequest("this member already owns the organization", [
        { path: "/memberId", message: "pick another member" },
      ]);
    this.transfer(caller.organizationId, target, caller);
    return this.require(caller.organizationId, memberId);
  }

  private transfer(organizationId: string, target: MemberView, by: By) {
    const previous = this.owner(organizationId);
    this.db.transaction((tx) => {
      if (previous) this.writeRole(organizationId, previous, "admin", by, true, tx);
      this.writeRole(organizationId, target, "owner", by, true, tx);
    });
  }

  /** System admin (admin console): any role in any organization; `owner` transfers ownership. */
  adminSetRole(by: By, organizationId: string, userId: string, role: string): MemberView {
    if (role !== "owner" && !ROLES.includes(role))
      throw badRequest(`unknown role "${role}"`, [{ path: "/role", message: "use member, admin or owner" }]);
    const target = this.byUser(organizationId, userId);
    if (!target) throw notFound("no such member");
    if (target.role === role) return target;
    if (role === "owner") this.transfer(organizationId, target, by);
    else if (target.role === "owner")
      throw conflict("transfer ownership to another member first", [
        { path: "/role", message: "set another member's role to owner" },
      ]);
    else this.writeRole(organizationId, target, role, by, false);
    return this.byUser(organizationId, userId)!;
  }

  /** Deletes the membership (the user stays) and ends the sessions working in this organization. */
  remove(caller: Caller, memberId: string): MemberView {
    const target = this.require(caller.organizationId, memberId);
    if (target.userId === caller.userId) {
      throw badRequest("you cannot remove yourself; leave the organization from your account settings", [
        { path: "/memberId", message: "use leaveOrganization" },
      ]);
    }
    if (target.role === "owner") throw conflict("the owner cannot be removed: transfer ownership first", []);
    this.deleteMembership(caller.organizationId, target, caller, false);
    return target;
  }

  /** The caller leaves their active organization; an owner must transfer ownership first. */
  leave(caller: Caller): MemberView {
    const self = this.byUser(caller.organizationId, caller.userId);
    if (!self) throw notFound("you are not a member of this organization");
    if (self.role === "owner") throw conflict("the owner cannot leave: transfer ownership first", []);
    this.deleteMembership(caller.organizationId, self, caller, true);
    return self;
  }

  private deleteMembership(organizationId: string, target: MemberView, by: By, left: boolean) {
    const now = this.clock.now();
    this.db.transaction((tx) => {
      deleteMember(tx, target.id);
      // Sessions that worked in this organization end (reference §6.12); a leaver's own sessions just lose it.
      const ended = endSessionsIn(tx, target.userId, organizationId, left, now);
      recordAudit(
        tx,
        { ...by, organizationId },
        "user.organization_membership.removed",
        { kind: "user", id: target.userId, name: target.email },
        { role: target.role, endedSessions: left ? 0 : ended, left },
        now,
      );
    });
  }

  /** Adds a member (invitation accepted); idempotent for an existing member. */
  add(tx: DbOrTx, organizationId: string, u: { id: string; email: string }, role: string, by: By): void {
    if (membershipOf(tx, u.id, organizationId)) return;
    const now = this.clock.now();
    insertMember(tx, { id: Bun.randomUUIDv7(), organizationId, userId: u.id, role, createdAt: now });
    recordAudit(
      tx,
      { ...by, organizationId },
      "user.organization_membership.added",
      { kind: "user", id: u.id, name: u.email },
      { role, via: "invitation" },
      now,
    );
  }
}
