// GraphQL documents of the organization screens (API keys, members and invitations, organization,
// account and sessions, audit log), with the shape of each answer. Validated against the server's schema
// by test/ui/people-screens.test.ts, like documents.ts by documents.test.ts.
import type { Role } from "./documents.ts";
import { graphql } from "./graphql.ts";

// ---- API keys (reference §3.2) ----

export type KeyStatus = "active" | "disabled" | "expired" | "revoked";
export interface ApiKeyRow {
  id: string;
  name: string;
  start: string;
  purpose: "executor" | "personal";
  status: KeyStatus;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  graceEndsAt: string | null;
  /** For a personal access token, the user it acts as. */
  userId: string | null;
  usedBy: { executorId: string; executorName: string; lastUsedAt: string }[];
}
const KEY_FIELDS =
  "id name start purpose status createdAt expiresAt lastUsedAt graceEndsAt userId usedBy { executorId executorName lastUsedAt }";
export const API_KEYS = graphql<{ apiKeys: ApiKeyRow[] }>(`query ApiKeys { apiKeys { ${KEY_FIELDS} } }`);

export interface CreatedKey {
  key: string;
  apiKey: ApiKeyRow;
}
export const CREATE_API_KEY = graphql<
  { createApiKey: CreatedKey },
  { input: { name: string; expiresInDays: number | null } }
>(
  `mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { ${KEY_FIELDS} } } }`,
);
export const CREATE_PERSONAL_ACCESS_TOKEN = graphql<
  { createPersonalAccessToken: CreatedKey },
  { input: { name: string; expiresInDays: number | null } }
>(
  `mutation CreatePersonalAccessToken($input: CreateApiKeyInput!) { createPersonalAccessToken(input: $input) { key apiKey { ${KEY_FIELDS} } } }`,
);
export const ROTATE_API_KEY = graphql<{ rotateApiKey: CreatedKey }, { id: string }>(
  `mutation RotateApiKey($id: ID!) { rotateApiKey(id: $id) { key apiKey { ${KEY_FIELDS} } } }`,
);

export type KeyAction = "disable" | "enable" | "revoke" | "delete";
/** One document per lifecycle action; each answers the key's id. */
export const KEY_ACTIONS: Record<KeyAction, ReturnType<typeof graphql<unknown, { id: string }>>> = {
  disable: graphql("mutation DisableApiKey($id: ID!) { disableApiKey(id: $id) { id } }"),
  enable: graphql("mutation EnableApiKey($id: ID!) { enableApiKey(id: $id) { id } }"),
  revoke: graphql("mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id } }"),
  delete: graphql("mutation DeleteApiKey($id: ID!) { deleteApiKey(id: $id) { id } }"),
};

// ---- Members and invitations (reference §6.12) ----

export interface MemberRow {
  id: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  createdAt: string;
}
export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  status: "pending" | "accepted" | "cancelled" | "expired";
  expiresAt: string;
  createdAt: string;
}
export const MEMBERS = graphql<{ members: MemberRow[]; invitations: InvitationRow[] }>(
  `query Members {
    members { id userId name email role createdAt }
    invitations { id email role status expiresAt createdAt }
  }`,
);
export interface SentInvitation {
  delivery: "smtp" | "link";
  inviteLink: string | null;
  invitation: InvitationRow;
}
export const INVITE_MEMBER = graphql<
  { inviteMember: SentInvitation },
  { input: { email: string; role: "member" | "admin" } }
>(
  `mutation InviteMember($input: InviteMemberInput!) {
    inviteMember(input: $input) { delivery inviteLink invitation { id email role status expiresAt createdAt } }
  }`,
);
export const RESEND_INVITATION = graphql<{ resendInvitation: SentInvitation }, { id: string }>(
  `mutation ResendInvitation($id: ID!) {
    resendInvitation(id: $id) { delivery inviteLink invitation { id email role status expiresAt createdAt } }
  }`,
);
export const CANCEL_INVITATION = graphql<{ cancelInvitation: { id: string } }, { id: string }>(
  "mutation CancelInvitation($id: ID!) { cancelInvitation(id: $id) { id } }",
);
export const UPDATE_MEMBER_ROLE = graphql<{ updateMemberRole: { id: string } }, { id: string; role: Role }>(
  "mutation UpdateMemberRole($id: ID!, $role: MemberRole!) { updateMemberRole(memberId: $id, role: $role) { id } }",
);
export const TRANSFER_OWNERSHIP = graphql<{ transferOwnership: { id: string } }, { id: string }>(
  "mutation TransferOwnership($id: ID!) { transferOwnership(memberId: $id) { id } }",
);
export const REMOVE_MEMBER = graphql<{ removeMember: { id: string } }, { id: string }>(
  "mutation RemoveMember($id: ID!) { removeMember(memberId: $id) { id } }",
);
export const ACCEPT_INVITATION = graphql<
  { acceptInvitation: { id: string; name: string } },
  { token: string }
>("mutation AcceptInvitation($token: String!) { acceptInvitation(token: $token) { id name } }");
export const SET_ACTIVE_ORGANIZATION = graphql<{ setActiveOrganization: { id: string } }, { id: string }>(
  "mutation SetActiveOrganization($id: ID!) { setActiveOrganization(organizationId: $id) { id } }",
);

// ---- Organization ----

export interface OrganizationDetail {
  id: string;
  name: string;
  slug: string;
  logo: string | null;
  active: boolean;
  personal: boolean;
}
export const ORGANIZATION = graphql<{ organization: OrganizationDetail | null }>(
  "query Organization { organization { id name slug logo active personal } }",
);
export interface OrganizationChoice {
  id: string;
  name: string;
  logo: string | null;
  active: boolean;
  role: Role | null;
}
export const ORGANIZATIONS = graphql<{ organizations: OrganizationChoice[] }>(
  "query Organizations { organizations { id name logo active role } }",
);
export const UPDATE_ORGANIZATION = graphql<
  { updateOrganization: OrganizationDetail },
  { input: { name?: string; slug?: string; logo?: string } }
>(
  `mutation UpdateOrganization($input: UpdateOrganizationInput!) {
    updateOrganization(input: $input) { id name slug logo active personal }
  }`,
);
export const DEACTIVATE_ORGANIZATION = graphql<{ deactivateOrganization: { id: string; active: boolean } }>(
  "mutation DeactivateOrganization { deactivateOrganization { id active } }",
);

// ---- Account ----

export interface SessionRow {
  id: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: string;
  lastActiveAt: string;
  impersonatedBy: string | null;
  current: boolean;
}
export const SESSIONS = graphql<{ sessions: SessionRow[] }>(
  "query Sessions { sessions { id ipAddress userAgent createdAt lastActiveAt impersonatedBy current } }",
);
export const REVOKE_SESSION = graphql<{ revokeSession: boolean }, { id: string }>(
  "mutation RevokeSession($id: ID!) { revokeSession(id: $id) }",
);
export const REVOKE_OTHER_SESSIONS = graphql<{ revokeOtherSessions: number }>(
  "mutation RevokeOtherSessions { revokeOtherSessions }",
);
export const CHANGE_PASSWORD = graphql<
  { changePassword: number },
  { input: { currentPassword: string; newPassword: string } }
>("mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }");
export const UPDATE_PROFILE = graphql<{ updateProfile: { id: string; name: string } }, { name: string }>(
  "mutation UpdateProfile($name: String!) { updateProfile(name: $name) { id name } }",
);

// ---- Audit log (reference §15) ----

export interface AuditRowView {
  id: string;
  actor: { id: string; name: string; email: string; impersonatorId: string | null };
  action: string;
  target: { kind: string; id: string | null; name: string | null };
  details: Record<string, unknown>;
  outcome: string;
  createdAt: string;
}
export interface AuditFilterInput {
  actions?: string[];
  actor?: string;
  targetKind?: string;
  targetId?: string;
  from?: string;
  to?: string;
  mine?: boolean;
  cursor?: string | null;
  take?: number;
}
export const AUDIT_ACTIONS = graphql<
  {
    auditActions: {
      nodes: AuditRowView[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    } | null;
  },
  { filter: AuditFilterInput }
>(
  `query AuditActions($filter: AuditActionFilterInput) {
    auditActions(filter: $filter) {
      nodes {
        id action outcome createdAt details
        actor { id name email impersonatorId }
        target { kind id name }
      }
      pageInfo { endCursor hasNextPage }
    }
  }`,
);
