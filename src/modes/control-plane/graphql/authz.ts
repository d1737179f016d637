// Authorization for every GraphQL operation, in one table. Reads need a member of the active organization
// and answer null/empty outside it; mutations need the listed roles and otherwise fail with `forbidden`.
// An operation without a row here fails at startup, so none can ship unguarded.
import type { GraphQLFieldResolver } from "graphql";
import { forbidden, unauthenticated } from "../../../lib/errors.ts";
import type { OrgRole, Principal, UserPrincipal } from "../auth/principal.ts";

export type Rule =
  | { kind: "read"; empty: null | [] }
  | { kind: "self" }
  | { kind: "mutate"; roles: readonly OrgRole[] };

const MANAGE: readonly OrgRole[] = ["owner", "admin"];

export const OPERATION_RULES: Record<string, Rule> = {
  "Query.me": { kind: "self" },
  "Query.executors": { kind: "read", empty: [] },
  "Query.executor": { kind: "read", empty: null },
  "Query.nodes": { kind: "read", empty: [] },
  "Query.node": { kind: "read", empty: null },
  "Query.events": { kind: "read", empty: [] },
  "Query.apiKeys": { kind: "read", empty: [] },
  "Mutation.createApiKey": { kind: "mutate", roles: MANAGE },
  "Mutation.revokeApiKey": { kind: "mutate", roles: MANAGE },
  "Mutation.createNode": { kind: "mutate", roles: MANAGE },
  "Mutation.updateNode": { kind: "mutate", roles: MANAGE },
  "Mutation.requestNodeLifecycleAction": { kind: "mutate", roles: MANAGE },
  "Mutation.rollbackNode": { kind: "mutate", roles: MANAGE },
  "Mutation.deleteNode": { kind: "mutate", roles: MANAGE },
};

/** A user acting inside an organization: what resolvers receive after the rule passed. */
export type OrgCaller = UserPrincipal & { organizationId: string };

export interface GraphQLContext {
  principal: Principal;
  request: Request;
}

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext & { caller: OrgCaller }>;

export function guard(operation: string, resolver: Resolver): GraphQLFieldResolver<unknown, GraphQLContext> {
  const rule = OPERATION_RULES[operation];
  if (!rule) throw new Error(`no authorization rule for ${operation}: add one to OPERATION_RULES`);
  return (source, args, context, info) => {
    const p = context.principal;
    if (p.kind === "anonymous") throw unauthenticated("sign in or send a personal access token");
    if (rule.kind === "self") return p.kind === "user" ? resolver(source, args, { ...context, caller: p as OrgCaller }, info) : null;
    const inOrg = p.kind === "user" && p.organizationId !== null && (p.role !== null || p.systemAdmin);
    if (rule.kind === "read") {
      if (!inOrg) return rule.empty;
      return resolver(source, args, { ...context, caller: p as OrgCaller }, info);
    }
    if (!inOrg || !(p.systemAdmin || (p.role !== null && rule.roles.includes(p.role)))) throw forbidden();
    return resolver(source, args, { ...context, caller: p as OrgCaller }, info);
  };
}
