// GraphQL for connecting and deleting executors (reference §6.2, §6.10), and the key an executor last
// synced with (its detail page). connectExecutor's answer holds the key once, inside the install command
// too; deleteExecutor is refused while nodes remain.
import { ConnectExecutorInput } from "../../executor-connect/models.ts";
import type { ExecutorRow } from "../../executors/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, MANAGERS } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  input ConnectExecutorInput {
    kind: ExecutorKind!
    name: String!
    "stable (default) or beta; dev is set in the executor's own configuration."
    channel: String
  }

  type ConnectedExecutor {
    apiKey: ApiKey!
    "The executor key. Shown once."
    key: String!
    kind: ExecutorKind!
    name: String!
    channel: String!
    "agent: the one-line installer; operator: the helm command. Contains the key: shown once."
    installCommand: String!
  }

  extend type Executor {
    "The key of its latest sync (name, prefix, status); null once that key is deleted."
    lastUsedKey: ApiKey
  }

  extend type Mutation {
    connectExecutor(input: ConnectExecutorInput!): ConnectedExecutor!
    deleteExecutor(where: IdInput!): Executor!
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Mutation: {
      connectExecutor: guard("Mutation.connectExecutor", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        s.executorConnect.connect(ctx.caller, checkInput(ConnectExecutorInput, args.input, "the executor")),
      ),
      deleteExecutor: guard("Mutation.deleteExecutor", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        s.executorConnect.delete(ctx.caller, args.where.id),
      ),
    },
    Executor: {
      // The executor was read within the caller's organization, and the key lookup is scoped to it too.
      lastUsedKey: (e: ExecutorRow) =>
        e.lastKeyId ? s.keyManagement.get(e.organizationId, e.lastKeyId) : null,
    },
  };
}

export const executorsModule: GraphQLModule = { typeDefs, resolvers };
