// The static limits of a GraphQL document (GraphQL Armor plugins, docs/adr): tokens while parsing, then
// depth, cost, aliases and directives while validating. A document past any of them is refused before a
// resolver runs, with `query_too_complex` naming the limit and the fix. The values admit what the UI and
// the scripts send (a node list of 500 with every field, a node detail with its executor's nodes, 50
// aliased mutations in one document); docs/benchmarks.md records what the costliest admitted query costs.
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesPlugin } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";

export const QUERY_LIMITS = {
  /** Lexer tokens per document: 50 aliased createNode calls are ~1,100; 10,000-level nesting is 20,000+. */
  tokens: 5_000,
  /** Field nesting (a fragment spread counts as a level); the UI's deepest query is 4. */
  depth: 10,
  /** Armor's cost model: 2 per object field, 1 per scalar, ×1.5 per level; a full node list costs ~50. */
  cost: 5_000,
  /** Batches of aliased mutations are how scripts create many nodes in one request. */
  aliases: 100,
  directives: 50,
} as const;

export const QUERY_TOO_COMPLEX = "query_too_complex";

export function queryTooComplex(limit: string, message: string, fix: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: QUERY_TOO_COMPLEX, details: [{ path: `/query/${limit}`, message: fix }] },
  });
}

/** Armor says "Syntax Error: Query depth limit of 10 exceeded, found 31."; keep its figures, name the limit. */
function refuse(limit: string, fix: string) {
  return [
    (_context: unknown, error: GraphQLError): never => {
      const found = error.message.replace(/^Syntax Error: /, "");
      throw queryTooComplex(limit, `the query is past the ${limit} limit: ${found}`, fix);
    },
  ];
}

const SPLIT = "split the query into smaller requests";

export function queryLimitPlugins(): Plugin[] {
  return [
    maxTokensPlugin({
      n: QUERY_LIMITS.tokens,
      onReject: refuse("tokens", `send at most ${QUERY_LIMITS.tokens} tokens; ${SPLIT}`),
    }),
    maxDepthPlugin({
      n: QUERY_LIMITS.depth,
      onReject: refuse("depth", `nest fields at most ${QUERY_LIMITS.depth} levels deep; ${SPLIT}`),
    }),
    costLimitPlugin({
      maxCost: QUERY_LIMITS.cost,
      onReject: refuse("cost", `ask for fewer fields or fewer nested lists; ${SPLIT}`),
    }),
    maxAliasesPlugin({
      n: QUERY_LIMITS.aliases,
      onReject: refuse("aliases", `use at most ${QUERY_LIMITS.aliases} aliases; ${SPLIT}`),
    }),
    maxDirectivesPlugin({
      n: QUERY_LIMITS.directives,
      onReject: refuse("directives", `use at most ${QUERY_LIMITS.directives} directives per query`),
    }),
  ] as Plugin[];
}
