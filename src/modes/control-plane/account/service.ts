// The signed-in user's own account: sessions (list, revoke one, sign out everywhere else), password change
// (which revokes the other sessions) and display name. Sessions are better-auth rows without a cookie
// cache, so deleting a row ends that session on its next request. Session tokens never leave this module.
import type { Db } from "../../../db/client.ts";
import {
  deleteSession,
  deleteSessionsExcept,
  type SessionRow,
  sessionsOf,
} from "../../../db/queries/sessions.ts";
import { passwordCredential, setPasswordHash, setUserName } from "../../../db/queries/users.ts";
import type { Clock } from "../../../lib/clock.ts";
import { AppError, badRequest, notFound } from "../../../lib/errors.ts";
import type { FailureThrottle } from "../abuse/limiter.ts";
import { recordAudit } from "../audit/service.ts";
import type { Auth } from "../auth/better-auth.ts";
import type { AuditedCaller, Caller } from "../auth/caller.ts";
import type { ChangePasswordInput } from "./models.ts";

/** Own-account calls need no organization (the audit row names the active one, if any). */
type Self = AuditedCaller & Pick<Caller, "userId" | "sessionId">;

/** A session as its owner sees it; `updatedAt` is refreshed when better-auth slides the expiry: "last active". */
export type SessionView = SessionRow & { current: boolean };

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly auth: Auth,
    private readonly clock: Clock,
    private readonly throttle: FailureThrottle,
  ) {}

  sessions(self: Self): SessionView[] {
    const now = this.clock.now();
    return sessionsOf(this.db, self.userId)
      .filter((s) => s.expiresAt.getTime() > now.getTime())
      .map((s) => ({ ...s, current: s.id === self.sessionId }));
  }

  revokeSession(self: Self, id: string): boolean {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const gone = deleteSession(tx, self.userId, id);
      // Another user's session id gets the same answer as a nonexistent one.
      if (gone === 0) throw notFound(`session ${id} not found`);
      recordAudit(
        tx,
        self,
        "user.session.terminated",
        selfTarget(self),
        {
          sessionId: id,
          count: 1,
          reason: "revoked",
        },
        now,
      );
      return true;
    });
  }

  /** "Sign out everywhere else": every session of the user but the calling one. */
  revokeOtherSessions(self: Self): number {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const count = deleteSessionsExcept(tx, self.userId, self.sessionId);
      recordAudit(
        tx,
        self,
        "user.session.terminated",
        selfTarget(self),
        {
          count,
          reason: "sign_out_everywhere_else",
        },
        now,
      );
      return count;
    });
  }

  /**
   * Verifies the current password with better-auth's hasher, stores the new hash and revokes every other
   * session, keeping the caller's (better-auth's own endpoint would replace it with a cookie GraphQL can't
   * set). Wrong current passwords are throttled per user.
   */
  async changePassword(self: Self, { currentPassword, newPassword }: ChangePasswordInput): Promise<number> {
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
    const credential = passwordCredential(this.db, self.userId);
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
      setPasswordHash(tx, credential.id, hash, now);
      const revoked = deleteSessionsExcept(tx, self.userId, self.sessionId);
      recordAudit(tx, self, "user.password.changed", selfTarget(self), { revokedSessions: revoked }, now);
      return revoked;
    });
  }

  updateProfile(self: Self, name: string): { id: string; name: string; email: string } {
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = setUserName(tx, self.userId, name.trim(), now);
      recordAudit(
        tx,
        { ...self, actor: { ...self.actor, name: row.name } },
        "user.profile.updated",
        { kind: "user", id: self.userId, name: row.email },
        { changedFields: ["name"] },
        now,
      );
      return { id: row.id, name: row.name, email: row.email };
    });
  }
}

/** The audit target of an own-account change: the user. */
function selfTarget(self: Self) {
  return { kind: "user", id: self.userId, name: self.actor.email } as const;
}
