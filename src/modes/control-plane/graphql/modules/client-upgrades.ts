// GraphQL for in-place client version changes: each revision says which client version it changed and what
// its executor made of it (pending, succeeded, or reverted with the reason), for the revision history.
import type { NodeRevisionRow } from "../../../../db/queries/nodes.ts";
import { clientUpgradeOf } from "../../nodes/client-upgrade-outcome.ts";
import type { ControlPlaneServices } from "../../services.ts";
import type { GraphQLModule } from "../modules.ts";

const typeDefs = /* GraphQL */ `
  "A client version change a revision made, and its outcome on the host."
  type ClientUpgrade {
    role: String!
    client: String!
    from: String!
    to: String!
    "upgrade or downgrade."
    direction: String!
    "pending (not reported yet), succeeded, or reverted (the new version failed its health gate; the previous one runs)."
    outcome: String!
    "Why it was reverted."
    reason: String
  }

  extend type NodeRevision {
    "The client version this revision changed (the first role, when several did); null when none."
    clientUpgrade: ClientUpgrade
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    NodeRevision: {
      clientUpgrade: (r: NodeRevisionRow) => clientUpgradeOf(s.db, r),
    },
  };
}

export const clientUpgradesModule: GraphQLModule = { typeDefs, resolvers };
