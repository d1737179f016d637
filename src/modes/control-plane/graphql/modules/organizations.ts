// GraphQL for organizations: the active one, the caller's list, create/update/deactivate, switching the
// session's organization, leaving, and the system-admin operations (reactivation, member roles anywhere).

import { CreateOrganizationInput, UpdateOrganizationInput } from "../../organizations/models.ts";
import type { ControlPlaneServices } from "../../services.ts";
import {
  guard,
  MANAGERS,
  MEMBERS,
  OWNER,
  READ_ONE,
  SELF,
  SELF_LIST,
  SELF_SESSION,
  SYSTEM,
  SYSTEM_LIST,
} from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  enum MemberRole { owner admin member }

  type Organization {
    id: ID!
    name: String!
    slug: String!
    logo: String
    active: Boolean!
    "The organization made for a user at sign-up: renamable and deactivatable, never deleted."
    personal: Boolean!
    createdAt: DateTime!
    "The caller's role here (organizations query only)."
    role: MemberRole
  }

  input CreateOrganizationInput { name: String!, slug: String }
  input UpdateOrganizationInput { name: String, slug: String, logo: String }

  extend type Query {
    "The organization the caller works in (the session's active one, or the token's)."
    organization: Organization
    "Every organization the caller belongs to, with their role."
    organizations: [Organization!]!
    "System admins: every organization."
    adminOrganizations: [Organization!]!
  }

  extend type Mutation {
    createOrganization(input: CreateOrganizationInput!): Organization!
    updateOrganization(input: UpdateOrganizationInput!): Organization!
    "Owner: keeps the data but blocks work and executor syncs until a system admin reactivates it."
    deactivateOrganization: Organization!
    setActiveOrganization(organizationId: ID!): Organization!
    "Leave the active organization (an owner transfers ownership first)."
    leaveOrganization: Boolean!
    adminSetOrganizationActive(organizationId: ID!, active: Boolean!): Organization!
    adminUpdateOrganizationMemberRole(organizationId: ID!, userId: ID!, role: MemberRole!): Member!
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      organization: guard("Query.organization", READ_ONE, (_s, _a, ctx: Ctx) =>
        s.organizations.get(ctx.caller.organizationId),
      ),
      organizations: guard("Query.organizations", SELF_LIST, (_s, _a, ctx: Ctx) =>
        s.organizations.listForUser(ctx.caller.userId),
      ),
      adminOrganizations: guard("Query.adminOrganizations", SYSTEM_LIST, () => s.organizations.listAll()),
    },
    Mutation: {
      createOrganization: guard("Mutation.createOrganization", SELF, (_s, args: Args, ctx: Ctx) => ({
        ...s.organizations.create(
          ctx.caller,
          checkInput(CreateOrganizationInput, args.input, "the organization"),
        ),
        role: "owner",
      })),
      updateOrganization: guard("Mutation.updateOrganization", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        s.organizations.update(
          ctx.caller,
          checkInput(UpdateOrganizationInput, args.input, "the organization"),
        ),
      ),
      deactivateOrganization: guard("Mutation.deactivateOrganization", OWNER, (_s, _a, ctx: Ctx) => {
        return s.organizations.setActive(ctx.caller, ctx.caller.organizationId, false);
      }),
      setActiveOrganization: guard(
        "Mutation.setActiveOrganization",
        SELF_SESSION,
        (_s, args: Args, ctx: Ctx) =>
          s.organizations.setSessionOrganization(ctx.caller, ctx.caller.sessionId!, args.organizationId),
      ),
      leaveOrganization: guard("Mutation.leaveOrganization", MEMBERS, (_s, _a, ctx: Ctx) => {
        s.members.leave(ctx.caller);
        return true;
      }),
      adminSetOrganizationActive: guard(
        "Mutation.adminSetOrganizationActive",
        SYSTEM,
        (_s, args: Args, ctx: Ctx) => {
          return s.organizations.setActive(ctx.caller, args.organizationId, args.active);
        },
      ),
      adminUpdateOrganizationMemberRole: guard(
        "Mutation.adminUpdateOrganizationMemberRole",
        SYSTEM,
        (_s, args: Args, ctx: Ctx) => {
          return s.members.adminSetRole(ctx.caller, args.organizationId, args.userId, args.role);
        },
      ),
    },
  };
}

export const organizationsModule: GraphQLModule = { typeDefs, resolvers };
