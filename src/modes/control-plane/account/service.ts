// The signed-in user's own account: sessions (list, revoke one, sign out everywhere else), password change
// (which revokes the other sessions) and display name. Sessions are better-auth rows without a cookie
// cache, so deleting a row ends that session on its next request. Session tokens never leave this module.
import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { account, session, user } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { AppError, badRequest, notFound } from "../../../lib/errors.ts";
import type { FailureThrottle } from "../abuse/limiter.ts";
import { appendAudit } from "../audit/service.ts";
import type { Auth } from "../auth/better-auth.ts";
import type { TenantCaller } from "../organizations/caller.ts";

type Self = Pick<TenantCaller, "userId" | "sessionId" | "actor" | "meta"> & { organizationId: string | null };

export interface SessionView {
  id: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: Date;
  /** better-auth refreshes it when it slides the expiry: "last active". */
  updatedAt: Date;
  expiresAt: Date;
  activeOrganizationId: string | null;
  impersonatedBy: string | null;
  current: boolean;
}

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly auth: Auth,
    private readonly clock: Clock,
    private readonly throttle: FailureThrottle,
  ) {}

  sessions(self: Self): SessionView[] {
    const now = this.clock.now();
    return this.db
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
      .where(eq(session.userId, self.userId))
      .orderBy(desc(session.updatedAt))
      .all()
      .filter((s) => s.expiresAt.getTime() > now.getTime())
      .map((s) => ({ ...s, current: s.id === self.sessionId }));
  }

  revokeSession(self: Self, id: string): boolean {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const gone = tx
        .delete(session)
        .where(and(eq(session.id, id), eq(session.userId, self.userId)))
        .returning({ id: session.id })
        .all().length;
      // Another user's session id gets the same answer as a nonexistent one.
      if (gone === 0) throw notFound(`session ${id} not found`);
      appendAudit(tx, {
        organizationId: self.organizationId,
        actor: self.actor,
        action: "user.session.terminated",
        targetKind: "user",
        targetId: self.userId,
        targetName: self.actor.email,
        details: { sessionId: id, count: 1, reason: "revoked" },
        meta: self.meta,
        at: now,
      });
      return true;
    });
  }

  /** "Sign out everywhere else": every session of the user but the calling one. */
  revokeOtherSessions(self: Self): number {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const count = deleteOtherSessions(tx, self);
      appendAudit(tx, {
        organizationId: self.organizationId,
        actor: self.actor,
        action: "user.session.terminated",
        targetKind: "user",
        targetId: self.userId,
        targetName: self.actor.email,
        details: { count, reason: "sign_out_everywhere_else" },
        meta: self.meta,
        at: now,
      });
      return count;
    });
  }

  /**
   * Verifies the current password with better-auth's hasher, stores the new hash and revokes every other
   * session, keeping the caller's (better-auth's own endpoint would replace it with a cookie GraphQL can't
   * set). Wrong current passwords are throttled per user.
   */
  async changePassword(self: Self, currentPassword: unknown, newPassword: unknown): Promise<number> {
    if (typeof newPassword !== "string" || newPassword.length < 8 || newPassword.length > 256) {
      throw badRequest("the new password must be 8 to 256 characters", [
        { path: "/newPassword", message: "use at least 8 characters" },
      ]);
    }
    if (typeof currentPassword !== "string" || currentPassword.length === 0 || currentPassword.length > 256) {
      throw badRequest("the current password is required", [
        { path: "/currentPassword", message: "enter your current password" },
      ]);
    }
    const wait = this.throttle.retryAfterMs(self.userId);
    if (wait > 0)
      throw new AppError(
        "rate_limited",
        `too many wrong passwords; retry in ${Math.ceil(wait / 1000)} s`,
        429,
        [],
        true,
      );
    const ctx = await this.auth.$context;
    const credential = this.db
      .select({ id: account.id, password: account.password })
      .from(account)
      .where(and(eq(account.userId, self.userId), eq(account.providerId, "credential")))
      .get();
    if (!credential?.password) throw badRequest("this account has no password", []);
    if (!(await ctx.password.verify({ hash: credential.password, password: currentPassword }))) {
      this.throttle.fail(self.userId);
      throw badRequest("the current password is not correct", [
        { path: "/currentPassword", message: "check your current password" },
      ]);
    }
    this.throttle.succeed(self.userId);
    const hash = await ctx.password.hash(newPassword);
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      tx.update(account).set({ password: hash, updatedAt: now }).where(eq(account.id, credential.id)).run();
      const revoked = deleteOtherSessions(tx, self);
      appendAudit(tx, {
        organizationId: self.organizationId,
        actor: self.actor,
        action: "user.password.changed",
        targetKind: "user",
        targetId: self.userId,
        targetName: self.actor.email,
        details: { revokedSessions: revoked },
        meta: self.meta,
        at: now,
      });
      return revoked;
    });
  }

  updateProfile(self: Self, name: unknown): { id: string; name: string; email: string } {
    if (typeof name !== "string" || name.trim().length < 1 || name.trim().length > 64) {
      throw badRequest("the display name must be 1 to 64 characters", [
        { path: "/name", message: "use 1 to 64 characters" },
      ]);
    }
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = tx
        .update(user)
        .set({ name: name.trim(), updatedAt: now })
        .where(eq(user.id, self.userId))
        .returning()
        .get();
      appendAudit(tx, {
        organizationId: self.organizationId,
        actor: { ...self.actor, name: row.name },
        action: "user.profile.updated",
        targetKind: "user",
        targetId: self.userId,
        targetName: row.email,
        details: { changedFields: ["name"] },
        meta: self.meta,
        at: now,
      });
      return { id: row.id, name: row.name, email: row.email };
    });
  }
}

/** Deletes every session of the user except the calling one (all of them for a token caller). */
function deleteOtherSessions(tx: Pick<Db, "delete">, self: Pick<Self, "userId" | "sessionId">): number {
  const where = self.sessionId
    ? and(eq(session.userId, self.userId), ne(session.id, self.sessionId))
    : eq(session.userId, self.userId);
  return tx.delete(session).where(where).returning({ id: session.id }).all().length;
}
