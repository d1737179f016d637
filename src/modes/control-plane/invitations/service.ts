// Invitations: create, resend (a new link and expiry), cancel, accept, expiry. The accept token is 256
// random bits; only its SHA-256 is stored, so a database read cannot accept an invitation. Delivery goes
// through the pluggable sender; without SMTP the link is returned to the inviter instead.
import type { Db } from "../../../db/client.ts";
import {
  findInvitation,
  type InvitationRow,
  insertInvitation,
  invitationByTokenHash,
  listInvitations,
  memberWithEmail,
  pendingInvitationFor,
  updateInvitation,
} from "../../../db/queries/invitations.ts";
import { findOrganization } from "../../../db/queries/organizations.ts";
import { findUser } from "../../../db/queries/users.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, forbidden, notFound } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import { recordAudit } from "../audit/service.ts";
import { hashKey } from "../auth/api-keys.ts";
import type { Caller } from "../auth/caller.ts";
import type { MemberService } from "../members/service.ts";
import type { InviteMemberInput } from "./models.ts";
import type { Delivery, InvitationSender } from "./sender.ts";

export type { InvitationRow };
export type InvitationStatus = "pending" | "accepted" | "cancelled" | "expired";

export function invitationStatus(row: InvitationRow, now: Date): InvitationStatus {
  if (row.status === "pending" && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return row.status as InvitationStatus;
}

/**
 * What the accept page shows for a link, before anyone signs in: "invalid" for unknown, used, cancelled
 * and superseded links alike (accepting or cancelling clears the token hash, as resending replaces it),
 * details for a pending or expired one. Holds nothing the invitation email did not already say.
 */
export type InvitationPreview =
  | { status: "invalid" }
  | {
      status: "pending" | "expired";
      organizationName: string;
      organizationActive: boolean;
      inviterName: string;
      email: string;
      role: string;
      expiresAt: string;
    };

export interface SentInvitation {
  invitation: InvitationRow;
  delivery: Delivery;
  /** The accept link, only when no email was sent (the inviter passes it on). */
  link: string | null;
}

export class InvitationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly members: MemberService,
    private readonly sender: InvitationSender,
    private readonly publicUrl: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  list(organizationId: string): InvitationRow[] {
    return listInvitations(this.db, organizationId);
  }

  get(organizationId: string, id: string): InvitationRow | null {
    return findInvitation(this.db, organizationId, id);
  }

  require(organizationId: string, id: string): InvitationRow {
    const row = this.get(organizationId, id);
    if (!row) throw notFound(`invitation ${id} not found`);
    return row;
  }

  /** Whether someone may sign up with this email while open sign-up is off. */
  hasPending(email: string): boolean {
    return pendingInvitationFor(this.db, email, this.clock.now());
  }

  private newToken(): { token: string; hash: string; expiresAt: Date } {
    const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    return { token, hash: hashKey(token), expiresAt: new Date(this.clock.now().getTime() + this.ttlMs) };
  }

  private link(token: string): string {
    return `${this.publicUrl}/invite/${token}`;
  }

  async invite(caller: Caller, input: InviteMemberInput): Promise<SentInvitation> {
    const email = input.email.trim().toLowerCase();
    const role: string = input.role;
    if (role !== "member" && role !== "admin") {
      throw badRequest(`invitations are for member or admin, not ${role}`, [
        { path: "/role", message: "use member or admin" },
      ]);
    }
    if (memberWithEmail(this.db, caller.organizationId, email))
      throw conflict(`${email} is already a member`, [
        { path: "/email", message: "change their role instead" },
      ]);
    const now = this.clock.now();
    const pending = this.list(caller.organizationId).find(
      (i) => i.email === email && invitationStatus(i, now) === "pending",
    );
    if (pending)
      throw conflict(`${email} already has a pending invitation`, [
        { path: "/email", message: "resend or cancel it" },
      ]);
    const { token, hash, expiresAt } = this.newToken();
    const row = this.db.transaction((tx) => {
      const inserted = insertInvitation(tx, {
        id: Bun.randomUUIDv7(),
        organizationId: caller.organizationId,
        email,
        role,
        status: "pending",
        expiresAt,
        createdAt: now,
        inviterId: caller.userId,
        tokenHash: hash,
      });
      const details = {
        email,
        role,
        expiresAt: expiresAt.toISOString(),
        delivery: this.sender.kind,
        resend: false,
      };
      const target = { kind: "invitation", id: inserted.id, name: email } as const;
      recordAudit(tx, caller, "organization.invitation.created", target, details, now);
      recordAudit(tx, caller, "invitation.sent", target, details, now);
      return inserted;
    });
    return this.deliver(caller, row, token);
  }

  async resend(caller: Caller, id: string): Promise<SentInvitation> {
    const current = this.require(caller.organizationId, id);
    if (current.status !== "pending")
      throw conflict(`this invitation is ${current.status}; invite again instead`, []);
    const { token, hash, expiresAt } = this.newToken();
    const row = this.db.transaction((tx) => {
      const updated = updateInvitation(tx, id, { tokenHash: hash, expiresAt });
      recordAudit(
        tx,
        caller,
        "invitation.sent",
        { kind: "invitation", id, name: current.email },
        {
          email: current.email,
          role: current.role,
          expiresAt: expiresAt.toISOString(),
          delivery: this.sender.kind,
          resend: true,
        },
        this.clock.now(),
      );
      return updated;
    });
    return this.deliver(caller, row, token);
  }

  private async deliver(caller: Caller, row: InvitationRow, token: string): Promise<SentInvitation> {
    const org = findOrganization(this.db, row.organizationId);
    const link = this.link(token);
    try {
      await this.sender.send({
        to: row.email,
        organizationName: org?.name ?? "an organization",
        inviterName: caller.actor.name,
        role: row.role ?? "member",
        link,
        expiresAt: row.expiresAt,
      });
    } catch (error) {
      // The invitation stands; the inviter can resend once mail works, or share the link we return.
      this.log.warn("sending the invitation email failed; returning the link to the inviter", {
        to: row.email,
        error: String(error),
      });
      return { invitation: row, delivery: "link", link };
    }
    return { invitation: row, delivery: this.sender.kind, link: this.sender.kind === "link" ? link : null };
  }

  cancel(caller: Caller, id: string): InvitationRow {
    const current = this.require(caller.organizationId, id);
    if (current.status !== "pending") throw conflict(`this invitation is already ${current.status}`, []);
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = updateInvitation(tx, id, { status: "cancelled", respondedAt: now, tokenHash: null });
      recordAudit(
        tx,
        caller,
        "invitation.revoked",
        { kind: "invitation", id, name: current.email },
        { email: current.email, role: current.role },
        now,
      );
      return row;
    });
  }

  preview(token: unknown): InvitationPreview {
    const row =
      typeof token === "string" && token.length > 0 && token.length <= 128
        ? invitationByTokenHash(this.db, hashKey(token))
        : null;
    const status = row ? invitationStatus(row, this.clock.now()) : null;
    if (!row || (status !== "pending" && status !== "expired")) return { status: "invalid" };
    const org = findOrganization(this.db, row.organizationId);
    return {
      status,
      organizationName: org?.name ?? "an organization",
      organizationActive: org?.active ?? false,
      inviterName: findUser(this.db, row.inviterId)?.name ?? "someone",
      email: row.email,
      role: row.role ?? "member",
      expiresAt: row.expiresAt.toISOString(),
    };
  }

  /** The signed-in user accepts: the invitation must be theirs (same email), pending and unexpired. */
  accept(
    u: Pick<Caller, "userId" | "actor" | "meta">,
    token: string,
  ): { invitation: InvitationRow; organizationId: string } {
    const row =
      typeof token === "string" && token.length <= 128
        ? invitationByTokenHash(this.db, hashKey(token))
        : null;
    // Unknown, cancelled and superseded (resent) links look the same.
    if (!row || row.status === "cancelled")
      throw notFound("this invitation link is not valid; ask for a new one");
    if (row.status === "accepted") throw conflict("this invitation was already accepted", []);
    const now = this.clock.now();
    if (invitationStatus(row, now) === "expired")
      throw conflict("this invitation has expired; ask for a new one", []);
    if (row.email.toLowerCase() !== u.actor.email.toLowerCase()) {
      throw forbidden("this invitation was sent to another email address; sign in with that address");
    }
    const org = findOrganization(this.db, row.organizationId);
    if (!org?.active) throw conflict("this organization is deactivated", []);
    const updated = this.db.transaction((tx) => {
      const accepted = updateInvitation(tx, row.id, {
        status: "accepted",
        respondedAt: now,
        tokenHash: null,
      });
      recordAudit(
        tx,
        { ...u, organizationId: row.organizationId },
        "invitation.accepted",
        { kind: "invitation", id: row.id, name: row.email },
        { email: row.email, role: row.role },
        now,
      );
      this.members.add(
        tx,
        row.organizationId,
        { id: u.userId, email: u.actor.email },
        row.role ?? "member",
        u,
      );
      return accepted;
    });
    return { invitation: updated, organizationId: row.organizationId };
  }
}
