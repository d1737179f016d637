// Who is calling, as every service sees it: the one `Caller` type. A request authenticates to a Principal
// (auth/principal.ts: anonymous, an executor key, or a user); the GraphQL guard (graphql/authz.ts) turns a
// user principal into the Caller its rule admits. Services never see a request. A service that needs less
// takes a Pick<Caller, …> (the policy needs the roles, the audit log the actor and request metadata).
// Writes nobody asked for (grace-window revocations, expiry sweeps) run as `systemCaller`.

export type OrgRole = "owner" | "admin" | "member";

/** The person (or the system) recorded as acting in the audit log. */
export interface Actor {
  id: string;
  name: string;
  email: string;
  /** The system admin acting as this user (impersonation). */
  impersonatorId?: string | null;
}

/** Where the call came from, for the audit log. */
export interface RequestMeta {
  ipAddress: string | null;
  userAgent: string | null;
  source: "ui" | "api" | "system";
}

export interface Caller {
  /** The organization the call works in (for own-account calls, possibly none: see Self in account). */
  organizationId: string;
  userId: string;
  /** The role in that organization; null: not a member (a system admin may still act). */
  role: OrgRole | null;
  systemAdmin: boolean;
  /** How the caller authenticated: a session cookie, a personal access token, or the system itself. */
  via: "session" | "token" | "system";
  /** The session making the call; null for a personal access token or the system. */
  sessionId: string | null;
  actor: Actor;
  meta: RequestMeta;
}

/** The actor of writes nobody asked for (grace-window revocations, expiry sweeps). */
export const SYSTEM_ACTOR: Actor = { id: "system", name: "Novacula", email: "" };
export const SYSTEM_META: RequestMeta = { ipAddress: null, userAgent: null, source: "system" };

/** The system acting in one organization. */
export function systemCaller(organizationId: string): Caller {
  return {
    organizationId,
    userId: SYSTEM_ACTOR.id,
    role: null,
    systemAdmin: false,
    via: "system",
    sessionId: null,
    actor: SYSTEM_ACTOR,
    meta: SYSTEM_META,
  };
}

/** What the audit log records of a caller (own-account and platform rows may belong to no organization). */
export type AuditedCaller = Pick<Caller, "actor" | "meta"> & { organizationId: string | null };
