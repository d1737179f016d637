// Authorization for every GraphQL operation, enforced in one place (guard). Reads need a member of the active organization
// and answer null/empty outside it; mutations need the listed roles and otherwise fail with `forbidden`.
// Each resolver declares its rule through guard(); a root field without one fails at startup.
import type { GraphQLFieldResolver } from "graphql";
import { forbidden, unauthenticated } from "../../../lib/errors.ts";
import type { OrgRole, Principal, UserPrincipal } from "../auth/principal.ts";

export type Rule =
  | { kind: "read"; empty: null | [] }
  | { kind: "self" }
  | { kind: "mutate"; roles: readonly OrgRole[] };

export const MANAGE: readonly OrgRole[] = ["owner", "admin"];
export const READ_LIST: Rule = { kind: "read", empty: [] };
export const READ_ONE: Rule = { kind: "read", empty: null };
export const MANAGERS: Rule = { kind: "mutate", roles: MANAGE };

/** Every guarded operation and its rule, filled as modules declare resolvers (for tests and docs). */
export const OPERATION_RULES = new Map<string, Rule>();
const GUARDED = Symbol("guarded");

/** A user acting inside an organization: what resolvers receive after the rule passed. */
export type OrgCaller = UserPrincipal & { organizationId: string };

export interface GraphQLContext {
  principal: Principal;
  request: Request;
}

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext & { caller: OrgCaller }>;

export function guard(operation: string, rule: Rule, resolver: Resolver): GraphQLFieldResolver<unknown, GraphQLContext> {
  OPERATION_RULES.set(operation, rule);
  const guarded: GraphQLFieldResolver<unknown, GraphQLContext> = (source, args, context, info) => {
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
  return Object.assign(guarded, { [GUARDED]: operation });
}

/** Throws unless every Query and Mutation field has a guarded resolver: none ships unguarded. */
export function assertAllGuarded(resolvers: Record<string, Record<string, unknown>>, fields: { Query: string[]; Mutation: string[] }) {
  for (const type of ["Query", "Mutation"] as const) {
    for (const field of fields[type]) {
      const resolver = resolvers[type]?.[field] as { [GUARDED]?: string } | undefined;
      if (!resolver?.[GUARDED]) throw new Error(`${type}.${field} has no guarded resolver: wrap it with guard()`);
    }
  }
}
