// Mounts the GraphQL API (graphql-yoga) at /graphql: resolves the caller for each request, applies the
// limits and the budget (limits.ts, budget.ts, input-limits.ts), CORS for trusted origins only, and
// answers errors in the API's codes with path-qualified `extensions.details` (error-codes.ts).
import { GraphQLError, type ValidationRule } from "graphql";
import { createLRUCache, createSchema, createYoga, type Plugin } from "graphql-yoga";
import { MAX_REQUEST_BODY_BYTES } from "../http/request-limits.ts";
import type { ControlPlaneServices } from "../services.ts";
import { assertAllGuarded, type GraphQLContext } from "./authz.ts";
import { chargeEveryField, RequestBudget, requestBudgetPlugin } from "./budget.ts";
import { maskErrorWith, validationErrorsAreBadRequests } from "./error-codes.ts";
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

/** CORS for the trusted origins only (config.trustedOrigins); any other origin gets no CORS headers at all. */
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
    Subscription: Object.keys(schema.getSubscriptionType()?.getFields() ?? {}),
  });
  capFilterStrings(schema);
  chargeEveryField(schema);
  return createYoga<{ ip?: string | null }, YogaContext>({
    schema,
    graphqlEndpoint: "/graphql",
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    cors: corsFor(trustedOrigins),
    graphiql: false, // its assets come from a CDN: blank offline, so off (the web UI at / uses /graphql)
    landingPage: false,
    logging: false,
    parserAndValidationCache: { documentCache: boundedDocumentCache(), errorCache: boundedDocumentCache() },
    // Introspection stays on outside production builds only (reference §8).
    plugins: [
      validationErrorsAreBadRequests,
      ...queryLimitPlugins(),
      requestBudgetPlugin,
      ...(s.config.production ? [disableIntrospection] : []),
    ],
    context: async ({ request }) => ({
      request,
      budget: new RequestBudget(),
      principal: await s.principals.resolve(request),
    }),
    maskedErrors: { maskError: maskErrorWith(s.log) },
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
  // A subscription field is { subscribe, resolve }: its guard is on subscribe.
  const subscriptions = resolvers.flatMap((r) =>
    Object.entries((r.Subscription ?? {}) as Record<string, { subscribe?: unknown }>),
  );
  return {
    Query: Object.assign({}, ...resolvers.map((r) => r.Query ?? {})),
    Mutation: Object.assign({}, ...resolvers.map((r) => r.Mutation ?? {})),
    Subscription: Object.fromEntries(subscriptions.map(([field, r]) => [field, r.subscribe])),
  };
}
