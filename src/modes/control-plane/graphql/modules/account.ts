// GraphQL for the caller's own account: sessions (list, revoke, sign out everywhere else), password
// change and display name. Personal access tokens can read sessions but not end them or change the
// password (SELF_SESSION), so a leaked token can't lock its owner out.

import { ChangePasswordInput, UpdateProfileInput } from "../../account/models.ts";
import type { SessionView } from "../../account/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, SELF, SELF_LIST, SELF_SESSION } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type Session {
    id: ID!
    ipAddress: String
    userAgent: String
    createdAt: DateTime!
    lastActiveAt: DateTime!
    expiresAt: DateTime!
    activeOrganizationId: ID
    "Set when a system admin is impersonating you in this session; you can revoke it."
    impersonatedBy: ID
    "The session making this request."
    current: Boolean!
  }

  input ChangePasswordInput { currentPassword: String!, newPassword: String! }

  extend type Query {
    sessions: [Session!]!
  }

  extend type Mutation {
    revokeSession(id: ID!): Boolean!
    "Sign out everywhere else: ends every session but this one; returns how many ended."
    revokeOtherSessions: Int!
    "Changes the password and ends every other session; returns how many ended."
    changePassword(input: ChangePasswordInput!): Int!
    updateProfile(name: String!): Viewer!
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      sessions: guard("Query.sessions", SELF_LIST, (_s, _a, ctx: Ctx) => s.account.sessions(ctx.caller)),
    },
    Mutation: {
      revokeSession: guard("Mutation.revokeSession", SELF_SESSION, (_s, args: Args, ctx: Ctx) =>
        s.account.revokeSession(ctx.caller, args.id),
      ),
      revokeOtherSessions: guard("Mutation.revokeOtherSessions", SELF_SESSION, (_s, _a, ctx: Ctx) =>
        s.account.revokeOtherSessions(ctx.caller),
      ),
      changePassword: guard("Mutation.changePassword", SELF_SESSION, (_s, args: Args, ctx: Ctx) =>
        s.account.changePassword(
          ctx.caller,
          checkInput(ChangePasswordInput, args.input, "the password change"),
        ),
      ),
      updateProfile: guard("Mutation.updateProfile", SELF, (_s, args: Args, ctx: Ctx) => {
        const { name } = checkInput(UpdateProfileInput, { name: args.name }, "the profile");
        const row = s.account.updateProfile(ctx.caller, name);
        return { ...ctx.caller, ...row };
      }),
    },
    Session: { lastActiveAt: (row: SessionView) => row.updatedAt },
  };
}

export const accountModule: GraphQLModule = { typeDefs, resolvers };
