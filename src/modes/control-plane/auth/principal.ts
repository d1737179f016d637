// Who is calling a user-facing endpoint: a session cookie (better-auth) or a personal access token
// (Bearer nvp_…), resolved to a user, the active organization and the role there. Executor keys
// (Bearer exc_…) resolve to an executor principal with no user rights.
import type { Db } from "../../../db/client.ts";
import { updateKey } from "../../../db/queries/keys.ts";
import { membershipOf } from "../../../db/queries/members.ts";
import { firstActiveOrganization, organizationActive } from "../../../db/queries/organizations.ts";
import { findUser } from "../../../db/queries/users.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { ApiKeyService } from "./api-keys.ts";
import type { Auth } from "./better-auth.ts";
import type { OrgRole } from "./caller.ts";
import { bearerToken } from "./request-key.ts";

export type { OrgRole };

export type Principal =
  | { kind: "anonymous" }
  | { kind: "executor"; organizationId: string; keyId: string }
  | {
      kind: "user";
      via: "session" | "token";
      userId: string;
      name: string;
      email: string;
      systemAdmin: boolean;
      organizationId: string | null;
      role: OrgRole | null;
      sessionId: string | null;
      impersonatedBy: string | null;
    };

export type UserPrincipal = Extract<Principal, { kind: "user" }>;

export class PrincipalResolver {
  constructor(
    private readonly db: Db,
    private readonly auth: Auth,
    private readonly keys: ApiKeyService,
    private readonly clock: Clock,
    /** Records a personal token's "Last used" without a disk write per request. */
    private readonly batcher: WriteBatcher,
  ) {}

  async resolve(request: Request): Promise<Principal> {
    const bearer = bearerToken(request);
    if (bearer) return this.fromBearer(bearer);
    const session = await this.auth.api.getSession({ headers: request.headers }).catch(() => null);
    if (!session) return { kind: "anonymous" };
    const organizationId =
      (session.session as { activeOrganizationId?: string | null }).activeOrganizationId ??
      firstActiveOrganization(this.db, session.user.id);
    return this.userPrincipal(session.user.id, organizationId, "session", {
      sessionId: session.session.id,
      impersonatedBy: (session.session as { impersonatedBy?: string | null }).impersonatedBy ?? null,
    });
  }

  private fromBearer(token: string): Principal {
    const now = this.clock.now();
    if (token.startsWith("exc_")) {
      const key = this.keys.verify(token, "executor", now);
      return key
        ? { kind: "executor", organizationId: key.organizationId, keyId: key.id }
        : { kind: "anonymous" };
    }
    const key = this.keys.verify(token, "personal", now);
    if (!key?.userId) return { kind: "anonymous" };
    const keyId = key.id;
    this.batcher.put(`token-used:${keyId}`, (tx) => updateKey(tx, keyId, { lastUsedAt: now }));
    return this.userPrincipal(key.userId, key.organizationId, "token", {
      sessionId: null,
      impersonatedBy: null,
    });
  }

  private userPrincipal(
    userId: string,
    organizationId: string | null,
    via: "session" | "token",
    extra: { sessionId: string | null; impersonatedBy: string | null },
  ): Principal {
    const row = findUser(this.db, userId);
    if (!row || row.banned) return { kind: "anonymous" };
    const membership = organizationId
      ? (membershipOf(this.db, userId, organizationId) ?? undefined)
      : undefined;
    const systemAdmin = row.role === "admin";
    // A deactivated organization keeps its data but nobody works in it, except a system admin.
    const active = organizationId ? organizationActive(this.db, organizationId) : null;
    const org = active === null ? undefined : { active };
    const usable = org !== undefined && ((membership !== undefined && org.active) || systemAdmin);
    return {
      kind: "user",
      via,
      userId,
      name: row.name,
      email: row.email,
      systemAdmin,
      // A non-member keeps no organization unless they are a system admin (who manages every one).
      organizationId: usable ? organizationId : null,
      role: usable ? ((membership?.role as OrgRole | undefined) ?? null) : null,
      ...extra,
    };
  }
}
