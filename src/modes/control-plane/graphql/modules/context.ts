// Shared by the tenancy GraphQL modules: the resolver context type and the TenantCaller a service call
// receives (organization, roles for the policy, audit identity and request metadata).
import type { TenantCaller } from "../../organizations/caller.ts";
import type { GraphQLContext, OrgCaller, Subject } from "../authz.ts";

export type Ctx = GraphQLContext & { caller: OrgCaller; ip?: string | null };
// biome-ignore lint/suspicious/noExplicitAny: GraphQL validated the argument shapes against the SDL
export type Args = Record<string, any>;

export function tenantCaller(ctx: Ctx): TenantCaller {
  const c = ctx.caller;
  return {
    organizationId: c.organizationId,
    userId: c.userId,
    role: c.role,
    systemAdmin: c.systemAdmin,
    sessionId: c.sessionId,
    actor: { id: c.userId, name: c.name, email: c.email, impersonatorId: c.impersonatedBy },
    meta: {
      ipAddress: ctx.ip ?? null,
      userAgent: ctx.request.headers.get("user-agent"),
      source: c.via === "token" ? "api" : "ui",
    },
  };
}

export function subject(ctx: Ctx): Subject {
  return { userId: ctx.caller.userId, role: ctx.caller.role, systemAdmin: ctx.caller.systemAdmin };
}
