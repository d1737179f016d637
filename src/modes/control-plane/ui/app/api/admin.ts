// GraphQL documents of the system admin's console: every organization with its size, (de)activation,
// and the audit of every organization (auditActions with allOrganizations).
import { graphql } from "./graphql.ts";

export interface OrganizationOverview {
  organization: { id: string; name: string; slug: string; active: boolean; personal: boolean };
  memberCount: number;
  executorCount: number;
  nodeCount: number;
}

export const ADMIN_ORGANIZATIONS = graphql<{ adminOrganizationsOverview: OrganizationOverview[] }>(
  `query AdminOrganizations {
    adminOrganizationsOverview {
      organization { id name slug active personal } memberCount executorCount nodeCount
    }
  }`,
);

export const ADMIN_SET_ACTIVE = graphql<
  { adminSetOrganizationActive: { id: string; active: boolean } },
  { organizationId: string; active: boolean }
>(
  `mutation AdminSetOrganizationActive($organizationId: ID!, $active: Boolean!) {
    adminSetOrganizationActive(organizationId: $organizationId, active: $active) { id active }
  }`,
);

export interface AdminAuditRow {
  id: string;
  organizationId: string | null;
  scope: string;
  action: string;
  actor: { name: string; email: string };
  target: { kind: string; id: string | null; name: string | null };
  source: string | null;
  createdAt: string;
}

export const ADMIN_AUDIT = graphql<
  { auditActions: { nodes: AdminAuditRow[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } },
  { filter: { allOrganizations: true; actions?: string[]; actor?: string; cursor?: string; take: number } }
>(
  `query AdminAudit($filter: AuditActionFilterInput) {
    auditActions(filter: $filter) {
      nodes {
        id organizationId scope action createdAt source
        actor { name email }
        target { kind id name }
      }
      pageInfo { endCursor hasNextPage }
    }
  }`,
);

export interface AdminMember {
  id: string;
  userId: string;
  name: string;
  email: string;
  role: "owner" | "admin" | "member";
}

export const ADMIN_MEMBERS = graphql<{ adminOrganizationMembers: AdminMember[] }, { organizationId: string }>(
  `query AdminOrganizationMembers($organizationId: ID!) {
    adminOrganizationMembers(organizationId: $organizationId) { id userId name email role }
  }`,
);

export const ADMIN_SET_ROLE = graphql<
  { adminUpdateOrganizationMemberRole: { id: string; role: string } },
  { organizationId: string; userId: string; role: string }
>(
  `mutation AdminSetMemberRole($organizationId: ID!, $userId: ID!, $role: MemberRole!) {
    adminUpdateOrganizationMemberRole(organizationId: $organizationId, userId: $userId, role: $role) { id role }
  }`,
);
