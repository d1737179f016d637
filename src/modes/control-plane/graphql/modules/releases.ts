// GraphQL for the executor release catalog (reference §3.5, §6.9, §8): everyone signed in reads the catalog
// and an executor's candidates; system admins publish, edit and yank releases; owners and admins request
// or cancel an executor's upgrade. An executor of another organization reads as null and is not_found to
// mutations, exactly like an unknown id.
import type { ReleaseArtifact } from "../../../../db/schema/releases.ts";
import type { ExecutorRow } from "../../executors/service.ts";
import { type Candidate, type Candidates, compareVersions } from "../../releases/catalog.ts";
import { CreateReleaseInput, UpdateReleaseInput } from "../../releases/models.ts";
import { releaseDownloadPath } from "../../releases/service.ts";
import type { ControlPlaneServices } from "../../services.ts";
import { guard, MANAGERS, READ_LIST, READ_ONE, SYSTEM } from "../authz.ts";
import { checkInput } from "../input.ts";
import type { GraphQLModule } from "../modules.ts";
import type { Args, Ctx } from "./context.ts";

const typeDefs = /* GraphQL */ `
  enum ReleaseChannel { stable beta dev }
  enum ReleaseStatus { published yanked }

  type ExecutorReleaseArtifact {
    "linux-x64 or linux-arm64."
    platform: String!
    sha256: String!
    sizeBytes: Float!
    "The minisign signature (.minisig text), verified against a compiled-in release key when published."
    signature: String!
    keyId: String!
    "Where an executor downloads it (with its executor key)."
    downloadPath: String!
  }

  type ExecutorRelease {
    id: ID!
    kind: ExecutorKind!
    version: String!
    channel: ReleaseChannel!
    status: ReleaseStatus!
    artifacts: [ExecutorReleaseArtifact!]!
    notes: String!
    publishedAt: DateTime!
    updatedAt: DateTime!
    yankedAt: DateTime
  }

  type ExecutorUpgradeCandidate {
    release: ExecutorRelease!
    version: String!
    "Only within one major version; otherwise label says which hop to take first."
    allowedAsDirectTarget: Boolean!
    "e.g. requires upgrade to 2.x first; null for a direct target."
    label: String
  }

  type ExecutorUpgradeCandidates {
    currentVersion: String!
    channel: String!
    "Newer releases on the executor's visible channels, newest first."
    candidates: [ExecutorUpgradeCandidate!]!
    "Older releases within one major, newest first."
    availableDowngrades: [ExecutorRelease!]!
  }

  input ExecutorReleaseWhereInput { kind: ExecutorKind, channel: ReleaseChannel, status: ReleaseStatus }
  "Sort by semver version or by publication time (version wins when both are given)."
  input ExecutorReleaseOrderInput { version: SortOrder, publishedAt: SortOrder }
  input ExecutorReleaseArtifactInput { platform: String!, sha256: String!, signature: String! }
  input ExecutorReleaseCreateInput {
    kind: ExecutorKind!
    version: String!
    channel: ReleaseChannel!
    notes: String
    "One binary per platform, uploaded first (PUT /api/v1/admin/releases/binaries)."
    artifacts: [ExecutorReleaseArtifactInput!]!
  }
  input ExecutorReleaseUpdateInput { channel: ReleaseChannel, notes: String }

  extend type Executor {
    "When its pendingUpgrade was requested, and when it expires unless carried out."
    pendingUpgradeRequestedAt: DateTime
    pendingUpgradeExpiresAt: DateTime
  }

  extend type Query {
    "The release catalog, newest publication first unless orderBy says otherwise (yanked ones included)."
    executorReleases(where: ExecutorReleaseWhereInput, orderBy: ExecutorReleaseOrderInput): [ExecutorRelease!]!
    "What an executor of the active organization may be upgraded or downgraded to; null for any other id."
    executorUpgradeCandidates(executorId: ID!): ExecutorUpgradeCandidates
  }

  extend type Mutation {
    "System admins: publish a release whose binaries were uploaded and signed with a release key."
    createExecutorRelease(data: ExecutorReleaseCreateInput!): ExecutorRelease!
    "System admins: move a release to another channel, or edit its notes."
    updateExecutorRelease(where: IdInput!, data: ExecutorReleaseUpdateInput!): ExecutorRelease!
    "System admins: withdraw a release (no longer a candidate nor an installer download; the row stays)."
    yankExecutorRelease(where: IdInput!): ExecutorRelease!
    "The reference's name for withdrawing a release: the same as yankExecutorRelease."
    deleteExecutorRelease(where: IdInput!): ExecutorRelease!
    "Sets the executor's pendingUpgrade (errors: executor_offline, upgrade_already_pending, release_not_found)."
    requestExecutorUpgrade(executorId: ID!, targetVersion: String!): Executor!
    cancelExecutorUpgrade(executorId: ID!): Executor!
  }
`;

function resolvers(s: ControlPlaneServices) {
  const yank = (op: string) =>
    guard(op, SYSTEM, (_s, args: Args, ctx: Ctx) => s.releases.yank(ctx.caller, args.where.id));
  return {
    Query: {
      executorReleases: guard("Query.executorReleases", READ_LIST, (_s, args: Args) => {
        const rows = s.releases.list({
          kind: args.where?.kind ?? undefined,
          channel: args.where?.channel ?? undefined,
          status: args.where?.status ?? undefined,
        });
        const sign = (order: string) => (order === "asc" ? 1 : -1);
        if (args.orderBy?.version)
          return rows.sort((a, b) => sign(args.orderBy.version) * compareVersions(a.version, b.version));
        if (args.orderBy?.publishedAt === "asc") return rows.reverse();
        return rows;
      }),
      executorUpgradeCandidates: guard(
        "Query.executorUpgradeCandidates",
        READ_ONE,
        (_s, args: Args, ctx: Ctx) => {
          const executor = s.executors.get(ctx.caller, args.executorId);
          const candidates = executor ? s.releases.candidates(ctx.caller, executor.id) : null;
          return executor && candidates ? { executor, ...candidates } : null;
        },
      ),
    },
    Mutation: {
      createExecutorRelease: guard("Mutation.createExecutorRelease", SYSTEM, (_s, args: Args, ctx: Ctx) =>
        s.releases.create(ctx.caller, checkInput(CreateReleaseInput, args.data, "the release")),
      ),
      updateExecutorRelease: guard("Mutation.updateExecutorRelease", SYSTEM, (_s, args: Args, ctx: Ctx) =>
        s.releases.update(ctx.caller, args.where.id, checkInput(UpdateReleaseInput, args.data, "the change")),
      ),
      yankExecutorRelease: yank("Mutation.yankExecutorRelease"),
      deleteExecutorRelease: yank("Mutation.deleteExecutorRelease"),
      requestExecutorUpgrade: guard("Mutation.requestExecutorUpgrade", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        s.releases.requestUpgrade(ctx.caller, args.executorId, args.targetVersion),
      ),
      cancelExecutorUpgrade: guard("Mutation.cancelExecutorUpgrade", MANAGERS, (_s, args: Args, ctx: Ctx) =>
        s.releases.cancelUpgrade(ctx.caller, args.executorId),
      ),
    },
    ExecutorReleaseArtifact: {
      downloadPath: (a: ReleaseArtifact) => releaseDownloadPath(a.sha256),
    },
    ExecutorUpgradeCandidate: {
      version: (c: Candidate) => c.release.version,
    },
    ExecutorUpgradeCandidates: {
      currentVersion: (c: Candidates & { executor: ExecutorRow }) => s.executors.currentVersion(c.executor),
      channel: (c: Candidates & { executor: ExecutorRow }) => c.executor.channel,
      candidates: (c: Candidates) => c.upgrades,
    },
    Executor: {
      pendingUpgradeRequestedAt: (e: ExecutorRow) => s.executors.pendingUpgrade(e.id)?.requestedAt ?? null,
      pendingUpgradeExpiresAt: (e: ExecutorRow) => {
        const pending = s.executors.pendingUpgrade(e.id);
        return pending ? new Date(pending.requestedAt.getTime() + s.config.pendingUpgradeTtlMs) : null;
      },
    },
  };
}

export const releasesModule: GraphQLModule = { typeDefs, resolvers };
