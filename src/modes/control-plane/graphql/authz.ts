// Authorization for every GraphQL operation, enforced in one place: the coarse rule of each root field
// (guard) and the fine-grained decisions that depend on the target (`policy`: which role may invite,
// change or remove whom, manage which key, see which audit rows). Reads need a member of the active
// organization and answer null/empty outside it; mutations need the listed roles and otherwise fail with
// `forbidden`. Each resolver declares its rule through guard(); a root field without one fails at startup.
import type { GraphQLFieldResolver } from "graphql";
import { forbidden, unauthenticated } from "../../../lib/errors.ts";
import type { Caller, OrgRole } from "../auth/caller.ts";
import type { Principal, UserPrincipal } from "../auth/principal.ts";

export type Rule =
  | { kind: "read"; empty: null | [] }
  /** Any signed-in user acting on their own account (no organization needed). */
  | { kind: "self"; sessionOnly?: boolean; empty?: null | [] }
  | { kind: "mutate"; roles: readonly OrgRole[]; sessionOnly?: boolean }
  /** System administrators only (reference §2: reactivation, admin-console role changes). */
  | { kind: "system"; empty?: null | [] };

export const MANAGE: readonly OrgRole[] = ["owner", "admin"];
export const ANY_ROLE: readonly OrgRole[] = ["owner", "admin", "member"];
export const READ_LIST: Rule = { kind: "read", empty: [] };
export const READ_ONE: Rule = { kind: "read", empty: null };
export const MANAGERS: Rule = { kind: "mutate", roles: MANAGE };
export const OWNER: Rule = { kind: "mutate", roles: ["owner"] };
/** Any member; the target decides the rest (policy below). */
export const MEMBERS: Rule = { kind: "mutate", roles: ANY_ROLE };
export const SELF: Rule = { kind: "self" };
export const SELF_LIST: Rule = { kind: "self", empty: [] };
/**
 * Own-account changes a personal access token must not make: a leaked token can't mint more tokens,
 * change the password, end the owner's sessions or switch organizations.
 */
export const SELF_SESSION: Rule = { kind: "self", sessionOnly: true };
export const SYSTEM: Rule = { kind: "system" };
export const SYSTEM_LIST: Rule = { kind: "system", empty: [] };

/** Every guarded operation and its rule, filled as modules declare resolvers (for tests and docs). */
export const OPERATION_RULES = new Map<string, Rule>();
const GUARDED = Symbol("guarded");

export interface GraphQLContext {
  principal: Principal;
  request: Request;
  /** The client address, from the HTTP server. */
  ip?: string | null;
}

/** What a guarded resolver receives: the context plus the one Caller its rule admitted. */
export type GuardedContext = GraphQLContext & { caller: Caller };

type Resolver = GraphQLFieldResolver<unknown, GuardedContext>;

/**
 * The Caller of a user principal. Rules other than `self` and `system` admit only a principal with an
 * organization; for those two, `organizationId` is the active one when there is one (account calls that
 * need none read it as possibly null).
 */
export function callerOf(p: UserPrincipal, context: GraphQLContext): Caller {
  return {
    organizationId: p.organizationId as string,
    userId: p.userId,
    role: p.role,
    systemAdmin: p.systemAdmin,
    via: p.via,
    sessionId: p.sessionId,
    actor: { id: p.userId, name: p.name, email: p.email, impersonatorId: p.impersonatedBy },
    meta: {
      ipAddress: context.ip ?? null,
      userAgent: context.request.headers.get("user-agent"),
      source: p.via === "token" ? "api" : "ui",
    },
  };
}

function tokenRefused(rule: Rule, p: Principal): boolean {
  return "sessionOnly" in rule && rule.sessionOnly === true && p.kind === "user" && p.via === "token";
}

export function guard(
  operation: string,
  rule: Rule,
  resolver: Resolver,
): GraphQLFieldResolver<unknown, GraphQLContext> {
  OPERATION_RULES.set(operation, rule);
  const guarded: GraphQLFieldResolver<unknown, GraphQLContext> = (source, args, context, info) => {
    const p = context.principal;
    if (p.kind === "anonymous") throw unauthenticated("sign in or send a personal access token");
    const mutation = info.parentType.name === "Mutation";
    if (rule.kind === "self") {
      if (p.kind !== "user") {
        if (mutation) throw forbidden();
        return rule.empty ?? null;
      }
      if (tokenRefused(rule, p)) throw forbidden("a personal access token cannot do this; sign in instead");
      return resolver(source, args, { ...context, caller: callerOf(p, context) }, info);
    }
    if (rule.kind === "system") {
      if (p.kind !== "user" || !p.systemAdmin) {
        if (mutation) throw forbidden("only a system administrator may do this");
        return rule.empty ?? null;
      }
      return resolver(source, args, { ...context, caller: callerOf(p, context) }, info);
    }
    const inOrg = p.kind === "user" && p.organizationId !== null && (p.role !== null || p.systemAdmin);
    if (rule.kind === "read") {
      if (!inOrg) return rule.empty;
      return resolver(source, args, { ...context, caller: callerOf(p as UserPrincipal, context) }, info);
    }
    if (!inOrg || !(p.systemAdmin || (p.role !== null && rule.roles.includes(p.role))))
      throw forbidden(
        `this needs the ${rule.roles.join(", ").replace(/, ([^,]*)$/, " or $1")} role in the active organization`,
      );
    if (tokenRefused(rule, p)) throw forbidden("a personal access token cannot do this; sign in instead");
    return resolver(source, args, { ...context, caller: callerOf(p as UserPrincipal, context) }, info);
  };
  return Object.assign(guarded, { [GUARDED]: operation });
}

/** Throws unless every root field (Query, Mutation, Subscription) has a guarded resolver: none ships unguarded. */
export function assertAllGuarded(
  resolvers: Record<string, Record<string, unknown>>,
  fields: Record<string, string[]>,
) {
  for (const [type, names] of Object.entries(fields)) {
    for (const field of names) {
      const resolver = resolvers[type]?.[field] as { [GUARDED]?: string } | undefined;
      if (!resolver?.[GUARDED])
        throw new Error(`${type}.${field} has no guarded resolver: wrap it with guard()`);
    }
  }
}

// ---- Target-dependent decisions (reference §2). Resolvers call `authorize(policy.x(...))`. ----

/** Who is acting: their role in the active organization (null: not a member) and system role. */
export type Subject = Pick<Caller, "userId" | "role" | "systemAdmin">;

const isManager = (s: Subject) => s.systemAdmin || s.role === "owner" || s.role === "admin";
const isOwner = (s: Subject) => s.systemAdmin || s.role === "owner";

export const policy = {
  /** Invite `member`: owner, admin. Invite `admin`: owner. Nobody invites an `owner`. */
  invite(s: Subject, role: string): boolean {
    if (role === "member") return isManager(s);
    if (role === "admin") return isOwner(s);
    return false;
  },
  /** Resend or cancel: whoever could have sent that invitation. */
  manageInvitation(s: Subject, invitationRole: string): boolean {
    return policy.invite(s, invitationRole);
  },
  /** Owner: any change (ownership goes through transferOwnership). Admin: member ↔ admin, never the owner. */
  changeRole(s: Subject, target: { userId: string; role: string }, to: string): boolean {
    if (target.role === "owner") return false;
    // The owner may make any change; making someone owner is transferOwnership (the service says so).
    if (isOwner(s)) return true;
    if (s.role !== "admin") return false;
    return (target.role === "member" || target.role === "admin") && (to === "member" || to === "admin");
  },
  transferOwnership(s: Subject): boolean {
    return isOwner(s);
  },
  /** Owner removes anyone but themselves; admin removes members only (not the owner, not other admins). */
  removeMember(s: Subject, target: { role: string }): boolean {
    if (target.role === "owner") return false;
    if (isOwner(s)) return true;
    return s.role === "admin" && target.role === "member";
  },
  /** Executor keys: owner and admin. Personal tokens: their user, and owner/admin (to cut off a leak). */
  manageKey(s: Subject, key: { purpose: string; userId: string | null }): boolean {
    if (isManager(s)) return true;
    return key.purpose === "personal" && key.userId === s.userId;
  },
  /** Rotating a personal token mints a new one for its user: only that user, signed in (not by token). */
  rotateKey(s: Subject, key: { purpose: string; userId: string | null }, via: Caller["via"]): boolean {
    if (key.purpose === "personal") return key.userId === s.userId && via === "session";
    return isManager(s);
  },
};

export function authorize(allowed: boolean, message?: string): void {
  if (!allowed) throw forbidden(message);
}

/**
 * Audit rows a subject may see in the active organization (reference §15): owner and system admin,
 * everything; admin, own rows and rows of people who are not the owner or another admin; member, own rows.
 */
export type AuditVisibility =
  | { kind: "all" }
  | { kind: "admin"; userId: string }
  | { kind: "own"; userId: string };

export function auditVisibility(s: Subject): AuditVisibility {
  if (isOwner(s)) return { kind: "all" };
  if (s.role === "admin") return { kind: "admin", userId: s.userId };
  return { kind: "own", userId: s.userId };
}
