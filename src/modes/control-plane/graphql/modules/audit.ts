// GraphQL for the audit log: auditActions(filter) with cursor pages and role-based visibility (authz.ts
// auditVisibility). `source` is shown on the admin surface only (system admins). CSV: audit/routes.ts.
import { type AuditRow, listAudit } from "../../audit/query.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { type GraphQLContext, guard, READ_ONE } from "../authz.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type AuditActor {
    id: ID!
    name: String!
    email: String!
    "The system admin acting as this user (impersonation)."
    impersonatorId: ID
  }

  type AuditTarget {
    kind: String!
    id: ID
    name: String
  }

  type AuditAction {
    id: ID!
    organizationId: ID
    scope: String!
    actor: AuditActor!
    action: String!
    target: AuditTarget!
    details: JSON!
    "ui, api or system; system admins only."
    source: String
    outcome: String!
    ipAddress: String
    userAgent: String
    createdAt: DateTime!
  }

  type PageInfo {
    endCursor: ID
    hasNextPage: Boolean!
  }

  type AuditActionConnection {
    nodes: [AuditAction!]!
    pageInfo: PageInfo!
  }

  input AuditActionFilterInput {
    actions: [String!]
    "Part of the actor's name or email."
    actor: String
    targetKind: String
    targetId: ID
    from: DateTime
    to: DateTime
    "Only your own rows (My recent activity)."
    mine: Boolean
    "System admins: every organization."
    allOrganizations: Boolean
    cursor: ID
    take: Int
  }

  extend type Query {
    auditActions(filter: AuditActionFilterInput): AuditActionConnection
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      auditActions: guard("Query.auditActions", READ_ONE, (_s, args: Args, ctx: Ctx) => {
        const page = listAudit(s.db, ctx.caller, args.filter ?? {});
        return { nodes: page.rows, pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
      }),
    },
    AuditAction: {
      actor: (r: AuditRow) => ({
        id: r.actorId,
        name: r.actorName,
        email: r.actorEmail,
        impersonatorId: r.impersonatorId,
      }),
      target: (r: AuditRow) => ({ kind: r.targetKind, id: r.targetId, name: r.targetName }),
      details: (r: AuditRow) => r.details ?? {},
      source: (r: AuditRow, _a: unknown, ctx: GraphQLContext) =>
        ctx.principal.kind === "user" && ctx.principal.systemAdmin ? r.source : null,
    },
  };
}

export const auditModule: GraphQLModule = { typeDefs, resolvers };
