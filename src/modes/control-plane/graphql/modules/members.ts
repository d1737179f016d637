// GraphQL for members and invitations. The guard lets owners and admins in; `policy` then decides per
// target (who may invite an admin, change whose role, remove whom) before the service applies the
// domain rules.

import { InviteMemberInput } from "../../invitations/models.ts";
import { type InvitationRow, invitationStatus, type SentInvitation } from "../../invitations/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { authorize, guard, MANAGERS, OWNER, policy, READ_LIST, SELF_SESSION } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type Member {
    id: ID!
    userId: ID!
    name: String!
    email: String!
    role: MemberRole!
    createdAt: DateTime!
  }

  enum InvitationStatus { pending accepted cancelled expired }

  type Invitation {
    id: ID!
    email: String!
    role: MemberRole!
    status: InvitationStatus!
    expiresAt: DateTime!
    createdAt: DateTime!
    inviterId: ID!
  }

  type SentInvitation {
    invitation: Invitation!
    "smtp (an email went out) or link (no SMTP configured: pass inviteLink on)."
    delivery: String!
    "The accept link, only when no email was sent."
    inviteLink: String
  }

  input InviteMemberInput { email: String!, role: MemberRole! }

  extend type Query {
    members: [Member!]!
    invitations: [Invitation!]!
  }

  extend type Mutation {
    inviteMember(input: InviteMemberInput!): SentInvitation!
    "A new link and expiry; the old link stops working."
    resendInvitation(id: ID!): SentInvitation!
    cancelInvitation(id: ID!): Invitation!
    "Accept with the token from the link; the signed-in user's email must be the invited one."
    acceptInvitation(token: String!): Organization!
    updateMemberRole(memberId: ID!, role: MemberRole!): Member!
    "The member becomes the owner; the current owner becomes an admin."
    transferOwnership(memberId: ID!): Member!
    removeMember(memberId: ID!): Member!
  }
`;

const sent = (r: SentInvitation) => ({ invitation: r.invitation, delivery: r.delivery, inviteLink: r.link });

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      members: guard("Query.members", READ_LIST, (_s, _a, ctx: Ctx) =>
        s.members.list(ctx.caller.organizationId),
      ),
      invitations: guard("Query.invitations", READ_LIST, (_s, _a, ctx: Ctx) =>
        s.invitations.list(ctx.caller.organizationId),
      ),
    },
    Mutation: {
      inviteMember: guard("Mutation.inviteMember", MANAGERS, async (_s, args: Args, ctx: Ctx) => {
        authorize(
          policy.invite(ctx.caller, args.input.role),
          `your role cannot invite an ${args.input.role}`,
        );
        return sent(
          await s.invitations.invite(ctx.caller, checkInput(InviteMemberInput, args.input, "the invitation")),
        );
      }),
      resendInvitation: guard("Mutation.resendInvitation", MANAGERS, async (_s, args: Args, ctx: Ctx) => {
        const row = s.invitations.require(ctx.caller.organizationId, args.id);
        authorize(policy.manageInvitation(ctx.caller, row.role ?? "member"));
        return sent(await s.invitations.resend(ctx.caller, args.id));
      }),
      cancelInvitation: guard("Mutation.cancelInvitation", MANAGERS, (_s, args: Args, ctx: Ctx) => {
        const row = s.invitations.require(ctx.caller.organizationId, args.id);
        authorize(policy.manageInvitation(ctx.caller, row.role ?? "member"));
        return s.invitations.cancel(ctx.caller, args.id);
      }),
      acceptInvitation: guard("Mutation.acceptInvitation", SELF_SESSION, (_s, args: Args, ctx: Ctx) => {
        const { organizationId } = s.invitations.accept(ctx.caller, args.token);
        return s.organizations.get(organizationId);
      }),
      updateMemberRole: guard("Mutation.updateMemberRole", MANAGERS, (_s, args: Args, ctx: Ctx) => {
        const target = s.members.require(ctx.caller.organizationId, args.memberId);
        authorize(policy.changeRole(ctx.caller, target, args.role), "your role cannot make this change");
        return s.members.updateRole(ctx.caller, args.memberId, args.role);
      }),
      transferOwnership: guard("Mutation.transferOwnership", OWNER, (_s, args: Args, ctx: Ctx) => {
        authorize(policy.transferOwnership(ctx.caller));
        return s.members.transferOwnership(ctx.caller, args.memberId);
      }),
      removeMember: guard("Mutation.removeMember", MANAGERS, (_s, args: Args, ctx: Ctx) => {
        const target = s.members.require(ctx.caller.organizationId, args.memberId);
        if (target.userId !== ctx.caller.userId) {
          authorize(policy.removeMember(ctx.caller, target), "your role cannot remove this member");
        }
        return s.members.remove(ctx.caller, args.memberId);
      }),
    },
    Invitation: {
      status: (row: InvitationRow) => invitationStatus(row, s.clock.now()),
      role: (row: InvitationRow) => row.role ?? "member",
    },
  };
}

export const membersModule: GraphQLModule = { typeDefs, resolvers };
