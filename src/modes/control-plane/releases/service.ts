// The executor release catalog (reference §3.5, §6.9): publishing (each binary uploaded to the release store
// and its minisign signature verified against a compiled-in key before the row exists), channel and notes
// edits, yanking; an executor's candidates; and requesting or cancelling its upgrade, which sets the
// pendingUpgrade its next sync answers with. Framework-free: GraphQL (graphql/modules/releases.ts) and the
// upload route call it.
import { readFileSync } from "node:fs";
import type { Db } from "../../../db/client.ts";
import { findLiveExecutor } from "../../../db/queries/executors.ts";
import {
  findRelease,
  findReleaseByVersion,
  insertRelease,
  listReleases,
  type ReleaseFilter,
  type ReleaseRow,
  setPendingUpgrade,
  updateRelease,
} from "../../../db/queries/releases.ts";
import type { ReleaseArtifact } from "../../../db/schema/releases.ts";
import type { Clock } from "../../../lib/clock.ts";
import { AppError, badRequest, conflict, notFound } from "../../../lib/errors.ts";
import { MinisignError, type MinisignPublicKey, verifyMinisign } from "../../../lib/minisign.ts";
import type { AgentUpgradeSpec } from "../../../protocol/upgrade.ts";
import { recordAudit } from "../audit/service.ts";
import type { Caller } from "../auth/caller.ts";
import { appendEvent } from "../events/service.ts";
import type { ExecutorService } from "../executors/service.ts";
import { type Candidates, majorHopRefusal, reachable, upgradeCandidates } from "./catalog.ts";
import type { CreateReleaseInput, UpdateReleaseInput } from "./models.ts";
import type { ReleaseStore } from "./store.ts";

export type { ReleaseRow };

/** Where an executor downloads a release binary: a path on the control plane it syncs with. */
export const releaseDownloadPath = (sha256: string) => `/api/v1/executor/releases/${sha256}`;

/** What an agent needs to install one binary of a release. */
const agentSpec = (version: string, artifact: ReleaseArtifact): AgentUpgradeSpec => ({
  kind: "agent",
  targetVersion: version,
  downloadUrl: releaseDownloadPath(artifact.sha256),
  sha256: artifact.sha256,
  signature: artifact.signature,
});

const releaseNotFound = (message: string, path = "/targetVersion", fix = "pick one of the candidates") =>
  new AppError("release_not_found", message, 404, [{ path, message: fix }]);

export class ReleaseService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly store: ReleaseStore,
    private readonly executors: ExecutorService,
    /** The keys a release signature must verify against (src/lib/release-trust.ts). */
    private readonly trustedKeys: readonly MinisignPublicKey[],
  ) {}

  list(filter: ReleaseFilter = {}): ReleaseRow[] {
    return listReleases(this.db, filter);
  }

  /**
   * The published agent release `version` for `platform`, as the spec `novacula agent upgrade --to` applies
   * (GET /api/v1/executor/releases?version=…&from=…): the person on the host picks the version, the executor
   * still checks sha256 and signature before anything is swapped. `from`, the version the host runs, holds the
   * pick to the catalog's one-major hop, as requestExecutorUpgrade does. release_not_found otherwise.
   */
  agentRelease(version: string, platform: string, from?: string): AgentUpgradeSpec {
    const release = findReleaseByVersion(this.db, "agent", version);
    if (release?.status !== "published")
      throw releaseNotFound(
        `no published agent release ${version}`,
        "/version",
        "pick a published version (executorReleases)",
      );
    const hop = from === undefined ? null : majorHopRefusal(from, version);
    if (hop)
      throw releaseNotFound(`agent ${version} is not a direct target for ${from}: ${hop}`, "/version", hop);
    const artifact = release.artifacts.find((a) => a.platform === platform);
    if (!artifact)
      throw releaseNotFound(
        `agent ${version} has no binary for ${platform}`,
        "/platform",
        "publish one for this platform, or pick another version",
      );
    return agentSpec(version, artifact);
  }

  /** The newest published release of a kind on a channel with a binary for `platform` (the installer's). */
  newest(kind: ReleaseRow["kind"], channel: ReleaseRow["channel"], platform: string) {
    for (const release of listReleases(this.db, { kind, channel, status: "published" })) {
      const artifact = release.artifacts.find((a) => a.platform === platform);
      const path = artifact ? this.store.path(artifact.sha256) : null;
      if (artifact && path) return { release, artifact, path };
    }
    return null;
  }

  /** Checks every binary (stored, signed by a trusted key) and records the release. */
  create(caller: Caller, input: CreateReleaseInput): ReleaseRow {
    if (findReleaseByVersion(this.db, input.kind, input.version)) {
      throw conflict(`${input.kind} ${input.version} is already in the catalog`, [
        { path: "/version", message: "publish another version, or update or yank the existing one" },
      ]);
    }
    const platforms = new Set<string>();
    const artifacts: ReleaseArtifact[] = input.artifacts.map((a, i) => {
      if (platforms.has(a.platform))
        throw badRequest(`two binaries for ${a.platform}`, [
          { path: `/artifacts/${i}/platform`, message: "give one binary per platform" },
        ]);
      platforms.add(a.platform);
      const path = this.store.path(a.sha256);
      if (!path) {
        throw badRequest(`no uploaded binary has sha256 ${a.sha256}`, [
          {
            path: `/artifacts/${i}/sha256`,
            message:
              "upload the binary first (PUT /api/v1/admin/releases/binaries) and use the sha256 it answers",
          },
        ]);
      }
      const bytes = readFileSync(path);
      try {
        const { keyId } = verifyMinisign(bytes, a.signature, this.trustedKeys);
        return {
          platform: a.platform,
          sha256: a.sha256,
          sizeBytes: bytes.byteLength,
          signature: a.signature,
          keyId,
        };
      } catch (error) {
        if (!(error instanceof MinisignError)) throw error;
        throw badRequest(
          `the signature of the ${a.platform} binary is refused (${error.reason}): ${error.message}`,
          [
            {
              path: `/artifacts/${i}/signature`,
              message:
                error.reason === "unknown_key"
                  ? "sign with the current or next release key compiled into novacula (docs/releases.md)"
                  : "sign this exact binary with the release key (scripts/release.ts) and send the .minisig text",
            },
          ],
        );
      }
    });
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = insertRelease(tx, {
        id: Bun.randomUUIDv7(),
        kind: input.kind,
        version: input.version,
        channel: input.channel,
        status: "published",
        artifacts,
        notes: input.notes ?? "",
        publishedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      this.audit(tx, caller, "executor_release.created", row, {
        kind: row.kind,
        version: row.version,
        channel: row.channel,
        platforms: artifacts.map((a) => a.platform),
        keyIds: [...new Set(artifacts.map((a) => a.keyId))],
      });
      return row;
    });
  }

  update(caller: Caller, id: string, input: UpdateReleaseInput): ReleaseRow {
    const release = this.require(id);
    const changedFields = (["channel", "notes"] as const).filter(
      (f) => input[f] !== undefined && input[f] !== release[f],
    );
    if (changedFields.length === 0) return release;
    return this.db.transaction((tx) => {
      const row = updateRelease(tx, id, {
        ...(input.channel !== undefined ? { channel: input.channel } : {}),
        ...(input.notes !== undefined ? { notes: input.notes } : {}),
        updatedAt: this.clock.now(),
      });
      this.audit(tx, caller, "executor_release.updated", row, {
        kind: row.kind,
        version: row.version,
        changedFields,
        channel: row.channel,
      });
      return row;
    });
  }

  /** Withdraws a release: no longer a candidate or an installer download. The row stays (history). */
  yank(caller: Caller, id: string): ReleaseRow {
    const release = this.require(id);
    if (release.status === "yanked") return release;
    const now = this.clock.now();
    return this.db.transaction((tx) => {
      const row = updateRelease(tx, id, { status: "yanked", yankedAt: now, updatedAt: now });
      this.audit(tx, caller, "executor_release.yanked", row, { kind: row.kind, version: row.version });
      return row;
    });
  }

  /** A live executor of the caller's organization with the version it last reported; null for any other id. */
  private executor(caller: Pick<Caller, "organizationId">, executorId: string) {
    const row = findLiveExecutor(this.db, caller.organizationId, executorId);
    return row ? { ...row, currentVersion: this.executors.currentVersion(row) } : null;
  }

  /** An executor of the caller's organization and what it may move to; null for any other id. */
  candidates(caller: Pick<Caller, "organizationId">, executorId: string): Candidates | null {
    const executor = this.executor(caller, executorId);
    if (!executor) return null;
    return upgradeCandidates(executor, listReleases(this.db, { kind: executor.kind, status: "published" }));
  }

  requestUpgrade(caller: Caller, executorId: string, targetVersion: string) {
    const executor = this.executor(caller, executorId);
    if (!executor) throw notFound(`executor ${executorId} not found`);
    if (this.executors.status(executor) !== "online") {
      throw new AppError("executor_offline", `executor ${executor.name} is offline`, 409, [
        { path: "/executorId", message: "wait until it syncs again (it must be online to upgrade)" },
      ]);
    }
    const pending = this.executors.pendingUpgrade(executorId);
    if (pending) {
      throw new AppError(
        "upgrade_already_pending",
        `an upgrade of ${executor.name} to ${pending.spec.targetVersion} is already pending`,
        409,
        [{ path: "/executorId", message: "wait for it, or cancel it (cancelExecutorUpgrade) first" }],
      );
    }
    if (targetVersion === executor.currentVersion)
      throw badRequest(`executor ${executor.name} already runs ${targetVersion}`, [
        { path: "/targetVersion", message: "pick another version" },
      ]);
    const candidates = upgradeCandidates(
      executor,
      listReleases(this.db, { kind: executor.kind, status: "published" }),
    );
    const release = reachable(candidates, targetVersion);
    if (!release) {
      const far = candidates.upgrades.find((c) => c.release.version === targetVersion);
      throw releaseNotFound(
        far
          ? `${executor.kind} ${targetVersion} is not a direct target for ${executor.currentVersion}: ${far.label}`
          : `no published ${executor.kind} release ${targetVersion} on the ${executor.channel} channel`,
        "/targetVersion",
        far ? (far.label ?? "") : "pick one of executorUpgradeCandidates",
      );
    }
    if (executor.kind !== "agent") {
      throw releaseNotFound(
        `operator ${targetVersion} has no image in the catalog`,
        "/targetVersion",
        "operator upgrades need an image reference, which the release catalog does not hold yet",
      );
    }
    const platform = executor.resources?.arch ? `linux-${executor.resources.arch}` : null;
    const artifact = platform ? release.artifacts.find((a) => a.platform === platform) : undefined;
    if (!artifact) {
      throw releaseNotFound(
        `${executor.kind} ${targetVersion} has no binary for ${platform ?? "this executor's platform (it reported no architecture)"}`,
        "/targetVersion",
        "publish the release with a binary for this platform, or pick another version",
      );
    }
    const spec = agentSpec(targetVersion, artifact);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      setPendingUpgrade(tx, executorId, spec, now);
      const auditActionId = recordAudit(
        tx,
        caller,
        "executor.upgrade.requested",
        { kind: "executor", id: executorId, name: executor.name },
        { fromVersion: executor.currentVersion, targetVersion, platform: artifact.platform },
        now,
      );
      appendEvent(tx, {
        organizationId: caller.organizationId,
        type: "executor.upgrade.requested",
        message: `${caller.actor.name} requested the upgrade of ${executor.name} from ${executor.currentVersion} to ${targetVersion}`,
        executorId,
        executorName: executor.name,
        payload: { fromVersion: executor.currentVersion, targetVersion },
        auditActionId,
        createdAt: now,
      });
    });
    this.executors.notePendingUpgrade(executorId, spec, now);
    return findLiveExecutor(this.db, caller.organizationId, executorId)!;
  }

  cancelUpgrade(caller: Caller, executorId: string) {
    const executor = findLiveExecutor(this.db, caller.organizationId, executorId);
    if (!executor) throw notFound(`executor ${executorId} not found`);
    const pending = this.executors.pendingUpgrade(executorId);
    if (!pending) return executor;
    const now = this.clock.now();
    this.db.transaction((tx) => {
      setPendingUpgrade(tx, executorId, null, null);
      const auditActionId = recordAudit(
        tx,
        caller,
        "executor.upgrade.cancelled",
        { kind: "executor", id: executorId, name: executor.name },
        { targetVersion: pending.spec.targetVersion },
        now,
      );
      appendEvent(tx, {
        organizationId: caller.organizationId,
        type: "executor.upgrade.cancelled",
        message: `${caller.actor.name} cancelled the upgrade of ${executor.name} to ${pending.spec.targetVersion}`,
        executorId,
        executorName: executor.name,
        payload: { targetVersion: pending.spec.targetVersion },
        auditActionId,
        createdAt: now,
      });
    });
    this.executors.notePendingUpgrade(executorId, null, null);
    return findLiveExecutor(this.db, caller.organizationId, executorId)!;
  }

  private require(id: string): ReleaseRow {
    const release = findRelease(this.db, id);
    if (!release)
      throw new AppError("release_not_found", `release ${id} not found`, 404, [
        { path: "/id", message: "use the id of a release in executorReleases" },
      ]);
    return release;
  }

  /** Catalog changes are platform rows: the catalog belongs to no organization. */
  private audit(
    tx: Parameters<typeof recordAudit>[0],
    caller: Caller,
    action: "executor_release.created" | "executor_release.updated" | "executor_release.yanked",
    release: ReleaseRow,
    details: Record<string, unknown>,
  ) {
    recordAudit(
      tx,
      { ...caller, organizationId: null },
      action,
      { kind: "executor_release", id: release.id, name: `${release.kind} ${release.version}` },
      details,
      this.clock.now(),
      { scope: "platform" },
    );
  }
}
