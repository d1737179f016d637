// GraphQL for the deploy and edit forms: checkNode (every problem createNode would refuse, answered
// without writing, so a form shows the server's own words next to each field before its last step),
// chainFormHints (the typed settings and named ports this control plane's adapter knows for a chain),
// a node's newest revisions (a page of its history) and the author's name on each revision.
import { getAdapter } from "../../../../adapters/registry.ts";
import { findUser } from "../../../../db/queries/users.ts";
import { AppError } from "../../../../lib/errors.ts";
import { parseSpecInput } from "../../nodes/models.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, MANAGERS, READ_ONE } from "../authz.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type FieldError {
    "JSON path of the offending field, e.g. /spec/settings/blockTimeSecs or /name."
    path: String!
    message: String!
  }

  "What createNode would answer, without writing anything."
  type NodeCheck {
    ok: Boolean!
    "The error code createNode would fail with (invalid_node_config, chain_not_supported_by_executor, ...)."
    code: String
    message: String
    errors: [FieldError!]!
  }

  type ChainFormHints {
    "setting name → { default, min, max, description } (integers)."
    settings: JSON!
    "port name → default port."
    ports: JSON!
  }

  extend type NodeRevision {
    authorName: String
  }

  extend type Node {
    "The newest revisions, newest first: take defaults to 50, at most 500 (revisions is the whole history)."
    recentRevisions(take: Int = 50): [NodeRevision!]!
  }

  extend type Query {
    "Every problem createNode would refuse for this input, without writing (owners and admins)."
    checkNode(data: NodeCreateInput!): NodeCheck!
    "Typed settings and named ports this control plane knows for a chain; null for a chain it has no adapter for."
    chainFormHints(chain: String!): ChainFormHints
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      checkNode: guard("Query.checkNode", MANAGERS, (_s, args: Args, ctx: Ctx) => {
        try {
          s.nodes.checkCreate(ctx.caller, { ...args.data, spec: parseSpecInput(args.data.spec) });
          return { ok: true, code: null, message: null, errors: [] };
        } catch (error) {
          if (!(error instanceof AppError) || error.status >= 500) throw error;
          const errors =
            error.details.length > 0
              ? error.details
              : [{ path: error.code === "not_found" ? "/executorId" : "", message: error.message }];
          return { ok: false, code: error.code, message: error.message, errors };
        }
      }),
      chainFormHints: guard("Query.chainFormHints", READ_ONE, (_s, args: Args) => {
        const hints = getAdapter(String(args.chain))?.formHints?.();
        return hints ?? null;
      }),
    },
    Node: {
      recentRevisions: (n: { id: string; organizationId: string }, args: Args) =>
        s.nodes.recentRevisions({ organizationId: n.organizationId }, n.id, Number(args.take ?? 50)),
    },
    NodeRevision: {
      authorName: (r: { authorId: string | null }) =>
        r.authorId ? (findUser(s.db, r.authorId)?.name ?? null) : null,
    },
  };
}

export const nodesModule: GraphQLModule = { typeDefs, resolvers };
