// GraphQL for the system admin's console: every organization with its size, and the members of any
// organization (to change a role with adminUpdateOrganizationMemberRole). (De)activation and the
// cross-organization audit are adminSetOrganizationActive and auditActions(allOrganizations: true).
// System admins only: anyone else reads an empty list.
import { organizationsOverview } from "../../admin/overview.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, SYSTEM_LIST } from "../authz.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type AdminOrganizationOverview {
    organization: Organization!
    memberCount: Int!
    "Live (not deleted) executors."
    executorCount: Int!
    "Live (not deleted) nodes."
    nodeCount: Int!
  }

  extend type Query {
    "System admins: every organization with its size."
    adminOrganizationsOverview: [AdminOrganizationOverview!]!
    "System admins: the members of any organization."
    adminOrganizationMembers(organizationId: ID!): [Member!]!
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      adminOrganizationsOverview: guard("Query.adminOrganizationsOverview", SYSTEM_LIST, () =>
        organizationsOverview(s.db),
      ),
      adminOrganizationMembers: guard("Query.adminOrganizationMembers", SYSTEM_LIST, (_s, args: Args) =>
        s.members.list(args.organizationId),
      ),
    },
  };
}

export const adminModule: GraphQLModule = { typeDefs, resolvers };
