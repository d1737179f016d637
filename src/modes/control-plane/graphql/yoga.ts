// Mounts the GraphQL API (graphql-yoga) at /graphql: resolves the caller for each request and turns typed
// errors into GraphQL errors carrying `extensions.code` and path-qualified `extensions.details`.
import { GraphQLError, type ValidationRule } from "graphql";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { AppError } from "../../../lib/errors.ts";
import type { ControlPlaneServices } from "../services.ts";
import { assertAllGuarded, type GraphQLContext } from "./authz.ts";
import type { GraphQLModule } from "./modules.ts";

export function createGraphQL(s: ControlPlaneServices, modules: GraphQLModule[]) {
  const resolvers = modules.map((m) => m.resolvers(s));
  const schema = createSchema<GraphQLContext>({ typeDefs: modules.map((m) => m.typeDefs), resolvers });
  assertAllGuarded(mergeRoots(resolvers), {
    Query: Object.keys(schema.getQueryType()?.getFields() ?? {}),
    Mutation: Object.keys(schema.getMutationType()?.getFields() ?? {}),
  });
  return createYoga<{ ip?: string | null }, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: !s.config.production,
    landingPage: false,
    logging: false,
    // Introspection stays on outside production builds only (reference §8).
    plugins: s.config.production ? [disableIntrospection] : [],
    context: async ({ request }) => ({ request, principal: await s.principals.resolve(request) }),
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof AppError) {
          return new GraphQLError(original.message, {
            ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
            extensions: { code: original.code, details: original.details },
          });
        }
        if (error instanceof GraphQLError && !error.originalError) return error;
        s.log.error("graphql resolver failed", {
          error: original instanceof Error ? original.stack : String(original),
        });
        return new GraphQLError(message, { extensions: { code: "internal", details: [] } });
      },
    },
  });
}

const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === "__schema" || node.name.value === "__type") {
      context.reportError(new GraphQLError("introspection is disabled in production", { nodes: [node] }));
    }
  },
});

const disableIntrospection: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(noIntrospection);
  },
};

function mergeRoots(resolvers: Record<string, Record<string, unknown>>[]) {
  return {
    Query: Object.assign({}, ...resolvers.map((r) => r.Query ?? {})),
    Mutation: Object.assign({}, ...resolvers.map((r) => r.Mutation ?? {})),
  };
}
