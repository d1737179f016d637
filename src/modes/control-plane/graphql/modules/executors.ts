// GraphQL for connecting and deleting executors (reference §6.2, §6.10). connectExecutor's answer holds
// the key once, inside the install command too; deleteExecutor is refused while nodes remain.
import { ConnectExecutorInput } from "../../executor-connect/models.ts";
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
  };
}

export const executorsModule: GraphQLModule = { typeDefs, resolvers };
