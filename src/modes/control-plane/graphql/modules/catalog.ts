// GraphQL for the client catalog (which client versions exist and where their files come from): readable by
// every signed-in user, changed by system admins only, like the release catalog. Also the executors'
// `capabilities` as the deploy forms read them: each catalog-managed client's versions are the catalog's
// deployable versions the executor can run (catalog/offer.ts).
import { offeredCapabilities } from "../../catalog/offer.ts";
import type { EntryView, FileView } from "../../catalog/view.ts";
import type { ExecutorRow } from "../../executors/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, SELF_LIST, SYSTEM } from "../authz.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  type CatalogFile {
    "The artifact's name in its role: client (the program), or e.g. jre, genesis."
    name: String!
    "linux-x64 or linux-arm64 for a platform's file; null for a network's file."
    platform: String
    "The network of a per-network file (e.g. a genesis); null for a platform's file."
    network: String
    url: String!
    "binary, tar.gz or zip."
    format: String!
    "The file (or directory, ending in /) inside the archive."
    member: String
    size: Float
    "The upstream's published sha256; null when it could not be verified from the upstream."
    sha256: String
    "verified (upstream sha256), pinned (an admin pinned the computed sha256) or unverified (never delivered)."
    status: String!
    "What the control plane's own download of the URL hashed to; an admin checks it before pinning."
    computedSha256: String
    "The sha256 hosts verify: the upstream's or the pinned one."
    effectiveSha256: String
  }

  type CatalogEntry {
    chain: String!
    client: String!
    version: String!
    "shipped (in the binary), added (by an admin) or overridden (an admin's entry replacing a shipped one)."
    origin: String!
    "Where the checksums come from."
    source: String
    "For the operator: { ref, digest }."
    image: JSON
    files: [CatalogFile!]!
    "The entry as an admin writes it (a CatalogEntry document)."
    document: JSON!
    addedByName: String
    updatedAt: DateTime
  }

  extend type Query {
    "The client catalog, optionally of one chain and client; newest versions first."
    clientCatalog(chain: String, client: String): [CatalogEntry!]!
  }

  extend type Mutation {
    "System admins: add or replace entries (a JSON array of CatalogEntry), all or none."
    addCatalogEntries(entries: JSON!): [CatalogEntry!]!
    "System admins: remove an added entry (a shipped one it replaced comes back). Answers what remains, if any."
    removeCatalogEntry(chain: String!, client: String!, version: String!): CatalogEntry
    "System admins: pin the sha256 the control plane computed for an unverified file (give platform or network)."
    pinCatalogChecksum(
      chain: String!
      client: String!
      version: String!
      platform: String
      network: String
      artifact: String!
      sha256: String!
    ): CatalogEntry!
  }
`;

function resolvers(s: ControlPlaneServices) {
  return {
    Query: {
      clientCatalog: guard("Query.clientCatalog", SELF_LIST, (_s, args: Args) =>
        s.catalog.list(args.chain ?? null, args.client ?? null),
      ),
    },
    Mutation: {
      addCatalogEntries: guard("Mutation.addCatalogEntries", SYSTEM, (_s, args: Args, ctx: Ctx) =>
        s.catalog.add(ctx.caller, args.entries),
      ),
      removeCatalogEntry: guard("Mutation.removeCatalogEntry", SYSTEM, (_s, args: Args, ctx: Ctx) =>
        s.catalog.remove(ctx.caller, args.chain, args.client, args.version),
      ),
      pinCatalogChecksum: guard("Mutation.pinCatalogChecksum", SYSTEM, (_s, args: Args, ctx: Ctx) =>
        s.catalog.pin(ctx.caller, {
          chain: args.chain,
          client: args.client,
          version: args.version,
          platform: args.platform ?? null,
          network: args.network ?? null,
          artifact: args.artifact,
          sha256: args.sha256,
        }),
      ),
    },
    CatalogEntry: {
      chain: (v: EntryView) => v.entry.chain,
      client: (v: EntryView) => v.entry.client,
      version: (v: EntryView) => v.entry.version,
      source: (v: EntryView) => v.entry.source ?? null,
      image: (v: EntryView) => v.entry.image ?? null,
      document: (v: EntryView) => v.entry,
    },
    CatalogFile: {
      member: (f: FileView) => f.member ?? null,
      size: (f: FileView) => f.size ?? null,
    },
    Executor: {
      capabilities: (e: ExecutorRow) =>
        offeredCapabilities(e.capabilities, s.executors.platformOfRow(e), s.catalog.current()),
    },
  };
}

export const catalogModule: GraphQLModule = { typeDefs, resolvers };
