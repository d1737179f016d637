// Mounts the GraphQL API (graphql-yoga) at /graphql: resolves the caller for each request and turns typed
// errors into GraphQL errors carrying `extensions.code` and path-qualified `extensions.details`.
import { GraphQLError, type ValidationRule } from "graphql";
import { createLRUCache, createSchema, createYoga, type Plugin } from "graphql-yoga";
import { AppError } from "../../../lib/errors.ts";
import { MAX_REQUEST_BODY_BYTES } from "../http/request-limits.ts";
import type { ControlPlaneServices } from "../services.ts";
import { assertAllGuarded, type GraphQLContext } from "./authz.ts";
import { chargeEveryField, RequestBudget, requestBudgetPlugin } from "./budget.ts";
import { capFilterStrings } from "./input-limits.ts";
import { queryLimitPlugins } from "./limits.ts";
import type { GraphQLModule } from "./modules.ts";

/** Documents longer than this are parsed each time they come rather than kept. */
const CACHEABLE_DOCUMENT_CHARS = 2_048;
const CACHED_DOCUMENTS = 256;

/**
 * The parse cache, bounded by document size as well as count. graphql-js keeps every lexer token of a
 * parsed document (its locations), and yoga's default cache holds 1,024 documents for an hour: after a
 * script created 10,000 nodes in aliased batches, ~100 MB of the control plane's heap were cached tokens
 * of documents never sent again (bench:sync heap census). The UI's and scripts' repeated queries are
 * small; they stay cached.
 */
function boundedDocumentCache<T>() {
  const cache = createLRUCache<T & {}>({ max: CACHED_DOCUMENTS });
  return {
    get: (source: string) => cache.get(source),
    set: (source: string, value: T) => {
      if (source.length <= CACHEABLE_DOCUMENT_CHARS && value != null) cache.set(source, value);
    },
  };
}

type YogaContext = GraphQLContext & { budget: RequestBudget };

/** CORS for the trusted origins only (http/origins.ts); any other origin gets no CORS headers at all. */
function corsFor(trusted: readonly string[]) {
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (origin === null || !trusted.includes(origin)) return false as const;
    return {
      origin: [origin],
      credentials: true,
      methods: ["GET", "POST"],
      allowedHeaders: ["content-type", "authorization"],
    };
  };
}

export function createGraphQL(
  s: ControlPlaneServices,
  modules: GraphQLModule[],
  trustedOrigins: readonly string[],
) {
  const resolvers = modules.map((m) => m.resolvers(s));
  const schema = createSchema<YogaContext>({ typeDefs: modules.map((m) => m.typeDefs), resolvers });
  assertAllGuarded(mergeRoots(resolvers), {
    Query: Object.keys(schema.getQueryType()?.getFields() ?? {}),
    Mutation: Object.keys(schema.getMutationType()?.getFields() ?? {}),
  });
  capFilterStrings(schema);
  chargeEveryField(schema);
  return createYoga<{ ip?: string | null }, YogaContext>({
    schema,
    graphqlEndpoint: "/graphql",
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    cors: corsFor(trustedOrigins),
    graphiql: !s.config.production,
    landingPage: false,
    logging: false,
    parserAndValidationCache: { documentCache: boundedDocumentCache(), errorCache: boundedDocumentCache() },
    // Introspection stays on outside production builds only (reference §8).
    plugins: [
      ...queryLimitPlugins(),
      requestBudgetPlugin,
      ...(s.config.production ? [disableIntrospection] : []),
    ],
    context: async ({ request }) => ({
      request,
      budget: new RequestBudget(),
      principal: await s.principals.resolve(request),
    }),
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof AppError) {
          return new GraphQLError(original.message, {
            ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
            extensions: { code: original.code, details: original.details },
          });
        }
        if (error instanceof GraphQLError && !error.originalError) return withOurCode(error);
        if (error instanceof GraphQLError && original instanceof GraphQLError && !error.path)
          return callerInputError(error, original);
        s.log.error("graphql resolver failed", {
          error: original instanceof Error ? original.stack : String(original),
        });
        return new GraphQLError(message, { extensions: { code: "internal", details: [] } });
      },
    },
  });
}

/** Yoga's own request errors carry its codes; the API speaks ours (src/protocol/errors.ts). */
const YOGA_CODES: Record<string, string> = {
  REQUEST_ENTITY_TOO_LARGE: "payload_too_large",
  BAD_REQUEST: "bad_request",
  GRAPHQL_PARSE_FAILED: "bad_request",
  GRAPHQL_VALIDATION_FAILED: "bad_request",
};

function withOurCode(error: GraphQLError): GraphQLError {
  const ours = YOGA_CODES[String(error.extensions?.code)];
  if (!ours) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: ours, details: [] },
  });
}

/**
 * graphql-js reports a variable it cannot coerce (an Int out of range, an unknown enum value) as an error
 * wrapping the scalar's own: the caller's mistake, answered as `bad_request` naming the variable.
 */
function callerInputError(error: GraphQLError, cause: GraphQLError): GraphQLError {
  const variable = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: {
      code: "bad_request",
      details: [{ path: variable ? `/variables/${variable}` : "/", message: cause.message }],
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
