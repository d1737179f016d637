// GraphQL for API keys (reference §3.2): executor keys and personal access tokens. The plaintext key is
// in the answer of the create/rotate/connect mutations only (CreatedApiKey.key) and nowhere else.
import type { KeyRow } from "../../auth/api-keys.ts";
import { keyStatus } from "../../auth/api-keys.ts";
import { CreateApiKeyInput } from "../../keys/models.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { ANY_ROLE, authorize, guard, MANAGERS, MEMBERS, policy, READ_LIST } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type ApiKeyUsage {
    executorId: ID!
    executorName: String!
    lastUsedAt: DateTime!
  }

  type ApiKey {
    id: ID!
    name: String!
    "The first characters, to tell keys apart."
    start: String!
    "executor (exc_) or personal (nvp_)."
    purpose: String!
    "active, disabled, expired or revoked."
    status: String!
    createdAt: DateTime!
    expiresAt: DateTime
    lastUsedAt: DateTime
    revokedAt: DateTime
    "After a rotation: when this (old) key stops working."
    graceEndsAt: DateTime
    rotatedFromId: ID
    "Creator; for a personal token, the user it acts as."
    userId: ID
    "Executors that synced with this key, most recent first."
    usedBy: [ApiKeyUsage!]!
  }

  type CreatedApiKey {
    apiKey: ApiKey!
    "The plaintext key. Shown once: it is not stored and cannot be read again."
    key: String!
  }

  input CreateApiKeyInput { name: String!, expiresInDays: Int }

  extend type Query {
    apiKeys: [ApiKey!]!
  }

  extend type Mutation {
    "A new executor key (exc_)."
    createApiKey(input: CreateApiKeyInput!): CreatedApiKey!
    "A personal access token (nvp_) acting on GraphQL with your role in this organization."
    createPersonalAccessToken(input: CreateApiKeyInput!): CreatedApiKey!
    "A new key with the same lifetime; the old one keeps working through the grace window."
    rotateApiKey(id: ID!): CreatedApiKey!
    disableApiKey(id: ID!): ApiKey!
    enableApiKey(id: ID!): ApiKey!
    revokeApiKey(id: ID!): ApiKey!
    "Revoked keys only."
    deleteApiKey(id: ID!): ApiKey!
  }
`;

function resolvers(s: ControlPlaneServices) {
  const target = (ctx: Ctx, id: string) => {
    const row = s.keyManagement.require(ctx.caller.organizationId, id);
    authorize(policy.manageKey(ctx.caller, row), "your role cannot manage this key");
    return row;
  };
  return {
    Query: {
      apiKeys: guard("Query.apiKeys", READ_LIST, (_s, _a, ctx: Ctx) => {
        const seeAll = ctx.caller.systemAdmin || ctx.caller.role === "owner" || ctx.caller.role === "admin";
        return s.keyManagement.list(ctx.caller, seeAll);
      }),
    },
    Mutation: {
      createApiKey: guard("Mutation.createApiKey", MANAGERS, (_s, args: Args, ctx: Ctx) => {
        const { row, plaintext } = s.keyManagement.create(
          ctx.caller,
          "executor",
          checkInput(CreateApiKeyInput, args.input, "the key"),
        );
        return { apiKey: row, key: plaintext };
      }),
      createPersonalAccessToken: guard(
        "Mutation.createPersonalAccessToken",
        { kind: "mutate", roles: ANY_ROLE, sessionOnly: true },
        (_s, args: Args, ctx: Ctx) => {
          const { row, plaintext } = s.keyManagement.create(
            ctx.caller,
            "personal",
            checkInput(CreateApiKeyInput, args.input, "the token"),
          );
          return { apiKey: row, key: plaintext };
        },
      ),
      rotateApiKey: guard("Mutation.rotateApiKey", MEMBERS, (_s, args: Args, ctx: Ctx) => {
        const row = s.keyManagement.require(ctx.caller.organizationId, args.id);
        authorize(policy.rotateKey(ctx.caller, row, ctx.caller.via), "your role cannot rotate this key");
        const created = s.keyManagement.rotate(ctx.caller, args.id);
        return { apiKey: created.row, key: created.plaintext };
      }),
      disableApiKey: guard("Mutation.disableApiKey", MEMBERS, (_s, args: Args, ctx: Ctx) => {
        target(ctx, args.id);
        return s.keyManagement.setEnabled(ctx.caller, args.id, false);
      }),
      enableApiKey: guard("Mutation.enableApiKey", MEMBERS, (_s, args: Args, ctx: Ctx) => {
        target(ctx, args.id);
        return s.keyManagement.setEnabled(ctx.caller, args.id, true);
      }),
      revokeApiKey: guard("Mutation.revokeApiKey", MEMBERS, (_s, args: Args, ctx: Ctx) => {
        target(ctx, args.id);
        return s.keyManagement.revoke(ctx.caller, args.id);
      }),
      deleteApiKey: guard("Mutation.deleteApiKey", MEMBERS, (_s, args: Args, ctx: Ctx) => {
        target(ctx, args.id);
        return s.keyManagement.delete(ctx.caller, args.id);
      }),
    },
    ApiKey: {
      status: (k: KeyRow) => keyStatus(k, s.clock.now()),
      usedBy: (k: KeyRow) => s.keyManagement.usage([k.id]).get(k.id) ?? [],
      lastUsedAt: (k: KeyRow) => {
        const used = s.keyManagement.usage([k.id]).get(k.id)?.[0]?.lastUsedAt ?? null;
        if (!used) return k.lastUsedAt;
        return !k.lastUsedAt || used > k.lastUsedAt ? used : k.lastUsedAt;
      },
    },
  };
}

export const keysModule: GraphQLModule = { typeDefs, resolvers };
