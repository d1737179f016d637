// The self-upgrade core, shared by the executors (the agent today; the operator reuses the download/verify
// half). One SelfUpgrader per process:
//   apply(spec)  download beside the binary, check sha256 then the minisign signature (a mismatch is refused
//                and reported, never bypassed), write the pending marker, arm the host's guard, swap with
//                rename(2), restart into the new binary;
//   recover()    at start: are we a new version on probation (marker names us as the target), the previous
//                version brought back by the rollback unit (marker names us as the previous one: report why),
//                or did a swap die half-way (report `interrupted`, nothing was replaced)?
//   confirm()    after the first successful sync of a version on probation: mark it good (remove the marker,
//                disarm the guard, report `upgrade.completed`).
// The rollback itself never depends on the new binary: the host (agent: systemd's flap budget, OnFailure= and
// a guard timer) brings the previous binary back when the new one crashes, exits at once or never confirms.
import { stat } from "node:fs/promises";
import type { Logger } from "../../lib/log.ts";
import type { RuntimeEvent } from "../../protocol/executor-api.ts";
import {
  type AgentUpgradeSpec,
  isRollbackReason,
  resolveDownloadUrl,
  UPGRADE_EVENT,
  type UpgradeCompletedPayload,
  type UpgradeFailurePayload,
  type UpgradeFailureReason,
  type UpgradeRollbackReason,
} from "../../protocol/upgrade.ts";
import { UpgradeRefusedError } from "./codes.ts";
import { downloadRelease, type OpenRange, sha256OfFile } from "./download.ts";
import {
  keepPrevious,
  readFailed,
  readMarker,
  readRollbackReason,
  removeFiles,
  renameIntoPlace,
  type UpgradePaths,
  upgradePaths,
  writeFailed,
  writeMarker,
} from "./files.ts";
import type { SignatureVerifier } from "./signature.ts";

/** What the host does around the swap (agent: systemd units; see src/modes/agent/self-upgrade.ts). */
export interface UpgradeHost {
  /** null when this process can swap and restart itself; otherwise why not (reported as `unsupported`). */
  unsupportedReason(): string | null;
  /** Start the deadline enforced outside the new binary (idempotent: an armed guard keeps its deadline). */
  armGuard(): Promise<void>;
  disarmGuard(): Promise<void>;
  /** Restart into the binary now at the path (returns before this process is stopped). */
  restart(): Promise<void>;
}

export interface SelfUpgraderOptions {
  binaryPath: string;
  currentVersion: string;
  verifier: SignatureVerifier;
  host: UpgradeHost;
  /** Opens a URL from a byte on (ControlPlaneClient.fetchArtifact: the executor key goes to its control plane only). */
  open: OpenRange;
  /** A relative downloadUrl is resolved against this (the control plane's URL). */
  baseUrl: string;
  logger: Logger;
  emit: (event: RuntimeEvent) => void;
  downloadTimeoutMs?: number;
  idleTimeoutMs?: number;
  now?: () => number;
  /**
   * Awaited after each step of apply(); fault-injection tests and scripts/upgrade-torture.ts stop the process
   * there (SIGKILL) to check that every step leaves a working binary. Production passes nothing.
   */
  afterStep?: (step: UpgradeStep) => Promise<void>;
}

export type UpgradeStep = "downloaded" | "verified" | "marked" | "guarded" | "linked" | "swapped";

export type StartupState =
  | { kind: "none" }
  | { kind: "probation"; previousVersion: string }
  | { kind: "rolled_back"; code: UpgradeRollbackReason; targetVersion: string }
  | { kind: "interrupted"; targetVersion: string };

/** A refused or rolled-back release is not tried again automatically for this long. */
export const RETRY_HOLD_MS = 15 * 60_000;
const DOWNLOAD_RETRY_FIRST_MS = 10_000;
const DOWNLOAD_RETRY_MAX_MS = 5 * 60_000;
const PROGRESS_EVERY_MS = 5000;

const specKey = (spec: AgentUpgradeSpec) => `${spec.sha256}|${spec.downloadUrl}|${spec.signature}`;

export class SelfUpgrader {
  readonly paths: UpgradePaths;
  private state: StartupState = { kind: "none" };
  private running: Promise<void> | null = null;
  private readonly holds = new Map<string, { until: number; failures: number }>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: SelfUpgraderOptions) {
    this.paths = upgradePaths(options.binaryPath);
    this.log = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Read what a previous process left (marker, rollback reason) and report it; call once at start. */
  async recover(): Promise<StartupState> {
    const marker = await readMarker(this.paths);
    const reason = await readRollbackReason(this.paths);
    const me = this.options.currentVersion;
    if (!marker) {
      await removeFiles(this.paths.rollbackReason);
      this.state = { kind: "none" };
    } else if (marker.targetVersion === me) {
      this.state = { kind: "probation", previousVersion: marker.previousVersion };
      this.log.info("running a new version on probation: it is kept once it syncs with the control plane", {
        version: me,
        previousVersion: marker.previousVersion,
      });
      // After a reboot the guard is gone; re-arm it (an armed one keeps its deadline).
      await this.options.host
        .armGuard()
        .catch((error) => this.log.warn("cannot re-arm the guard", { error }));
    } else if (reason && isRollbackReason(reason)) {
      this.state = { kind: "rolled_back", code: reason, targetVersion: marker.targetVersion };
      await writeFailed(this.paths, {
        targetVersion: marker.targetVersion,
        sha256: marker.sha256,
        code: reason,
        at: new Date(this.now()).toISOString(),
      });
      this.report("rolledBack", reason, marker.targetVersion, {
        message: `the upgrade to ${marker.targetVersion} was rolled back to ${me}: ${describe(reason)}`,
      });
      await this.clear();
    } else {
      // The marker names another version as the target and nothing rolled back: the swap never completed.
      this.state = { kind: "interrupted", targetVersion: marker.targetVersion };
      this.report("refused", "interrupted", marker.targetVersion, {
        message: `the upgrade to ${marker.targetVersion} was interrupted before the swap; ${me} kept running`,
      });
      await this.clear();
    }
    return this.state;
  }

  /** The version on probation has synced: keep it. Idempotent. */
  async confirm(): Promise<void> {
    if (this.state.kind !== "probation") return;
    const { previousVersion } = this.state;
    this.state = { kind: "none" };
    await this.clear();
    this.log.info("upgrade confirmed: this version synced with the control plane", {
      version: this.options.currentVersion,
      previousVersion,
    });
    this.options.emit({
      level: "info",
      reason: UPGRADE_EVENT.completed,
      message: `upgraded from ${previousVersion} to ${this.options.currentVersion}`,
      payload: {
        targetVersion: this.options.currentVersion,
        previousVersion,
      } satisfies UpgradeCompletedPayload,
    });
  }

  /**
   * A pendingUpgrade from the control plane: applied unless it is this version, already running, or held
   * (refused or rolled back recently). Never throws: failures are logged and reported.
   */
  offer(spec: AgentUpgradeSpec): void {
    if (spec.targetVersion === this.options.currentVersion || this.running) return;
    if (this.state.kind === "probation") return; // one upgrade at a time: this one is not confirmed yet
    const hold = this.holds.get(specKey(spec));
    if (hold && hold.until > this.now()) return;
    this.running = (async () => {
      const failed = await readFailed(this.paths);
      if (failed?.sha256 === spec.sha256 && this.now() - Date.parse(failed.at) < RETRY_HOLD_MS) {
        this.holds.set(specKey(spec), { until: Date.parse(failed.at) + RETRY_HOLD_MS, failures: 0 });
        this.log.warn("not retrying a release that was just rolled back", { ...failed });
        return;
      }
      await this.apply(spec).catch(() => undefined);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Download, verify, swap and restart; throws UpgradeRefusedError (already reported) when refused. */
  async apply(spec: AgentUpgradeSpec): Promise<void> {
    try {
      await this.applyOnce(spec);
      this.holds.delete(specKey(spec));
    } catch (error) {
      const refusal =
        error instanceof UpgradeRefusedError
          ? error
          : new UpgradeRefusedError("swap_failed", `the swap failed: ${(error as Error).message}`);
      const previous = this.holds.get(specKey(spec));
      const failures = (previous?.failures ?? 0) + 1;
      const waitMs =
        refusal.code === "download_failed"
          ? Math.min(DOWNLOAD_RETRY_MAX_MS, DOWNLOAD_RETRY_FIRST_MS * 2 ** (failures - 1))
          : RETRY_HOLD_MS;
      this.holds.set(specKey(spec), { until: this.now() + waitMs, failures });
      this.report("refused", refusal.code, spec.targetVersion, {
        message: `the upgrade to ${spec.targetVersion} was refused: ${refusal.message}`,
        retryInMs: waitMs,
      });
      throw refusal;
    }
  }

  private async applyOnce(spec: AgentUpgradeSpec): Promise<void> {
    const { host, verifier, currentVersion } = this.options;
    const step = (name: UpgradeStep) => this.options.afterStep?.(name) ?? Promise.resolve();
    const why = host.unsupportedReason();
    if (why) throw new UpgradeRefusedError("unsupported", why);
    const url = resolveDownloadUrl(this.options.baseUrl, spec.downloadUrl);
    const log = this.log.child({ targetVersion: spec.targetVersion, url });
    let sha256 = await sha256OfFile(this.paths.download).catch(() => null);
    if (sha256 !== spec.sha256) {
      log.info("downloading the release", { into: this.paths.download });
      let nextReport = 0;
      const resumedAt = await stat(this.paths.download).then(
        (s) => s.size,
        () => 0,
      );
      const downloaded = await downloadRelease({
        url,
        path: this.paths.download,
        open: this.options.open,
        timeoutMs: this.options.downloadTimeoutMs ?? 15 * 60_000,
        idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
        onProgress: (received, total) => {
          if (this.now() < nextReport) return;
          nextReport = this.now() + PROGRESS_EVERY_MS;
          log.info("download progress", {
            receivedBytes: received,
            ...(total ? { totalBytes: total, percent: Math.floor((received / total) * 100) } : {}),
          });
        },
      });
      log.info("release downloaded", { bytes: downloaded.bytes, ...(resumedAt > 0 ? { resumedAt } : {}) });
      sha256 = downloaded.sha256;
    }
    await step("downloaded");
    if (sha256 !== spec.sha256) {
      await removeFiles(this.paths.download);
      throw new UpgradeRefusedError(
        "checksum_mismatch",
        `the file's sha256 is ${sha256}, the release says ${spec.sha256}: it was not installed (the server serves another file than the one published)`,
      );
    }
    const verdict = await verifier.verify(this.paths.download, spec.signature);
    if (!verdict.ok) {
      await removeFiles(this.paths.download);
      throw new UpgradeRefusedError(verdict.reason, `${verdict.detail}; it was not installed`);
    }
    log.info("release verified", { sha256, keyId: verdict.keyId });
    await step("verified");
    await writeMarker(this.paths, {
      targetVersion: spec.targetVersion,
      previousVersion: currentVersion,
      sha256,
      startedAt: new Date(this.now()).toISOString(),
    });
    try {
      await step("marked");
      await removeFiles(this.paths.rollbackReason);
      await host.armGuard();
      await step("guarded");
      await keepPrevious(this.paths);
      await step("linked");
      await renameIntoPlace(this.paths);
    } catch (error) {
      // Nothing was replaced (the rename is swapBinary's last step): undo the marker and the guard.
      await this.clear().catch(() => undefined);
      throw error;
    }
    await step("swapped");
    log.info("binary swapped; restarting into the new version", { previousKeptAs: this.paths.prev });
    await host.restart();
  }

  private async clear(): Promise<void> {
    await removeFiles(this.paths.marker, this.paths.rollbackReason);
    await this.options.host
      .disarmGuard()
      .catch((error) => this.log.warn("cannot disarm the guard", { error }));
  }

  private report(
    kind: "refused" | "rolledBack",
    code: UpgradeFailureReason,
    targetVersion: string,
    { message, retryInMs }: { message: string; retryInMs?: number },
  ): void {
    const level = code === "download_failed" || code === "interrupted" ? "warn" : "error";
    this.log[level](message, { code, targetVersion });
    this.options.emit({
      level,
      reason: UPGRADE_EVENT[kind],
      message,
      payload: {
        code,
        targetVersion,
        runningVersion: this.options.currentVersion,
        detail: message.slice(0, 2000),
        ...(retryInMs ? { retryInMs } : {}),
      } satisfies UpgradeFailurePayload,
    });
  }
}

function describe(code: UpgradeRollbackReason): string {
  switch (code) {
    case "start_failed":
      return "the new binary kept failing at start until systemd's restart budget ran out";
    case "exited_at_once":
      return "the new binary kept exiting (code 0) at once until systemd's restart budget ran out";
    case "health_timeout":
      return "the new binary did not sync with the control plane before the confirmation deadline";
    default:
      return code;
  }
}
