// Installing the catalog artifacts a node's spec carries (AssignedSpec.artifacts), content-addressed under
// <data_dir>/artifacts/ (layout.ts). Downloads run in the background, one per sha256: the reconciler asks on
// every tick and gets "installed" (a path), "pending" (what is happening, with progress) or an error, so a
// large client never holds up the other nodes' reconcile. A URL starting with "/" is on the control plane
// (fetched with the executor key); an absolute URL is fetched directly, without the key. A download that
// breaks keeps its partial file and resumes with Range; the sha256 is checked before anything is renamed or
// unpacked, and an archive is unpacked into a fresh directory that is renamed into place when complete.
import { existsSync, statSync } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { publishFileAtomic } from "../../lib/atomic-write.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import {
  downloadResumable,
  HttpStatusError,
  type OpenRange,
  SizeMismatchError,
} from "../../lib/resumable-download.ts";
import {
  ARTIFACT_FETCHING,
  type ArtifactProgress,
  artifactProgress,
  describeProgress,
} from "../../protocol/artifact-delivery.ts";
import type { ResolvedArtifact } from "../../protocol/artifacts.ts";
import { ChecksumMismatchError, sha256File } from "./checksum.ts";
import { artifactsDir, installedArtifactPath } from "./layout.ts";
import { UnsafeArchiveError, unpackArchive } from "./unpack.ts";

/** An artifact that cannot be installed until someone fixes something (the catalog, the control plane). */
export class ArtifactInstallError extends Error {
  override name = "ArtifactInstallError";
}

export type ArtifactState =
  | { state: "installed"; path: string }
  | { state: "pending"; message: string; progress: ArtifactProgress | null };

export interface ArtifactInstallerOptions {
  dataDir: string;
  /** GET a URL (a control-plane path or an absolute URL) from a byte offset: ControlPlaneClient.fetchArtifact. */
  open: OpenRange;
  logger: Logger;
  /** Abort a download when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** How long a failed install is answered as failed before it is tried again (default 60 s). */
  failureHoldMs?: number;
  /** Called when a background download or check ends (the reconciler then runs at once, not on its next tick). */
  onSettled?: () => void;
}

interface Job {
  receivedBytes: number;
  totalBytes: number | null;
  /** Hashing a file already on disk rather than downloading. */
  verifying?: boolean;
}

type Outcome =
  | { kind: "failed"; error: Error; untilMs: number }
  | { kind: "waiting"; message: string; progress: ArtifactProgress | null; untilMs: number };

/** What a control plane's error envelope says (code, message and, while it fetches, its progress). */
function envelopeOf(body: string): { code?: string; message?: string; progress?: ArtifactProgress } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    return typeof json === "object" && json !== null ? (json as ReturnType<typeof envelopeOf>) : {};
  } catch {
    return {};
  }
}

export class ArtifactInstaller {
  private readonly jobs = new Map<string, Job>();
  private readonly outcomes = new Map<string, Outcome>();
  /** Binaries hashed since start: re-hashed only when their size or mtime changes. */
  private readonly verified = new Map<string, { size: number; mtimeMs: number }>();

  constructor(private readonly options: ArtifactInstallerOptions) {}

  /** Whether a download or a hash check is running (each ends with onSettled). */
  get busy(): boolean {
    return this.jobs.size > 0;
  }

  /** Installed, or pending (a download is started or running); throws ArtifactInstallError when it failed. */
  request(artifact: ResolvedArtifact): ArtifactState {
    const path = installedArtifactPath(this.options.dataDir, artifact);
    if (this.installed(artifact)) {
      if (!existsSync(path)) {
        throw new ArtifactInstallError(
          `the archive ${artifact.url} (sha256 ${artifact.sha256}) has no "${artifact.member}": correct the client catalog entry's member`,
        );
      }
      return { state: "installed", path };
    }
    const job = this.jobs.get(artifact.sha256);
    if (job) return this.progressOf(job);
    const outcome = this.outcomes.get(artifact.sha256);
    if (outcome && Date.now() < outcome.untilMs) {
      if (outcome.kind === "failed") throw outcome.error;
      return { state: "pending", message: outcome.message, progress: outcome.progress };
    }
    this.outcomes.delete(artifact.sha256);
    return this.progressOf(this.start(artifact));
  }

  private progressOf(job: Job): ArtifactState {
    if (job.verifying)
      return { state: "pending", message: "checking the installed file's sha256", progress: null };
    const progress = artifactProgress(job.receivedBytes, job.totalBytes);
    return { state: "pending", message: describeProgress(progress), progress };
  }

  private binaryPath(sha256: string): string {
    return join(artifactsDir(this.options.dataDir), sha256);
  }

  private unpackedPath(sha256: string): string {
    return join(artifactsDir(this.options.dataDir), `${sha256}.d`);
  }

  private installed(artifact: ResolvedArtifact): boolean {
    if (artifact.format !== "binary") return existsSync(this.unpackedPath(artifact.sha256));
    const path = this.binaryPath(artifact.sha256);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) return false;
    const known = this.verified.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return true;
    // Not hashed by this agent yet (it restarted), or changed since: hash it before trusting its name.
    this.verified.delete(path);
    this.verify(artifact.sha256, path, info.size, info.mtimeMs);
    return false;
  }

  /** Hash a binary found on disk in the background (a large client takes a while); a wrong one is removed. */
  private verify(sha256: string, path: string, size: number, mtimeMs: number): void {
    if (this.jobs.has(sha256)) return;
    this.jobs.set(sha256, { receivedBytes: 0, totalBytes: null, verifying: true });
    void sha256File(path)
      .then(async (actual) => {
        if (actual === sha256) this.verified.set(path, { size, mtimeMs });
        else await rm(path, { force: true });
      })
      .catch(() => {})
      .finally(() => {
        this.jobs.delete(sha256);
        this.options.onSettled?.();
      });
  }

  private start(artifact: ResolvedArtifact): Job {
    const job: Job = { receivedBytes: 0, totalBytes: artifact.size ?? null };
    this.jobs.set(artifact.sha256, job);
    void this.install(artifact, job)
      .catch((error: unknown) => this.settle(artifact, error))
      .finally(() => {
        this.jobs.delete(artifact.sha256);
        this.options.onSettled?.();
      });
    return job;
  }

  private async install(artifact: ResolvedArtifact, job: Job): Promise<void> {
    const dir = artifactsDir(this.options.dataDir);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const partial = join(dir, `${artifact.sha256}.partial`);
    const log = this.options.logger.child({ url: artifact.url, sha256: artifact.sha256 });
    log.info("downloading artifact");
    const result = await downloadResumable({
      url: artifact.url,
      partialPath: partial,
      open: this.options.open,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
      ...(artifact.size !== undefined ? { expectedBytes: artifact.size } : {}),
      onProgress: (received, total) => {
        job.receivedBytes = received;
        if (total !== null) job.totalBytes = total;
      },
    });
    if (result.sha256 !== artifact.sha256) {
      await rm(partial, { force: true });
      throw new ChecksumMismatchError(
        artifact.url,
        artifact.sha256,
        result.sha256,
        "nothing was installed and nothing runs: the file served is not the one the client catalog pins; correct the catalog entry's sha256, or import the right file on the control plane with `novacula control-plane artifact import FILE`",
      );
    }
    if (artifact.format === "binary") {
      await chmod(partial, 0o755);
      await publishFileAtomic(partial, this.binaryPath(artifact.sha256));
      const info = statSync(this.binaryPath(artifact.sha256));
      this.verified.set(this.binaryPath(artifact.sha256), { size: info.size, mtimeMs: info.mtimeMs });
    } else {
      const staging = join(dir, `.${artifact.sha256}.d.unpacking-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await unpackArchive(partial, artifact.format, staging);
      await rename(staging, this.unpackedPath(artifact.sha256));
      await rm(partial, { force: true });
    }
    log.info("artifact installed", { bytes: result.bytes });
  }

  /** Sort a failure into "fix something" (held, then retried) or "wait" (retried after a short pause). */
  private async settle(artifact: ResolvedArtifact, error: unknown): Promise<void> {
    const now = Date.now();
    const hold = this.options.failureHoldMs ?? 60_000;
    const fail = (message: string) => {
      this.options.logger.error("artifact cannot be installed", { url: artifact.url, error: message });
      this.outcomes.set(artifact.sha256, {
        kind: "failed",
        error: error instanceof ChecksumMismatchError ? error : new ArtifactInstallError(message),
        untilMs: now + hold,
      });
    };
    if (error instanceof ChecksumMismatchError) {
      fail(error.message);
      return;
    }
    if (error instanceof SizeMismatchError) {
      await rm(join(artifactsDir(this.options.dataDir), `${artifact.sha256}.partial`), { force: true });
      fail(
        `${error.message} (sha256 ${artifact.sha256}); nothing was installed and nothing runs: correct the client catalog entry's size and sha256`,
      );
      return;
    }
    if (error instanceof UnsafeArchiveError) {
      fail(`refusing to unpack ${artifact.url}: ${error.message}; the archive is not a client release`);
      return;
    }
    if (error instanceof HttpStatusError) {
      const envelope = envelopeOf(error.body);
      if (error.status === 503 && envelope.code === ARTIFACT_FETCHING) {
        this.outcomes.set(artifact.sha256, {
          kind: "waiting",
          message: envelope.message ?? "the control plane is fetching the file",
          progress: envelope.progress ?? null,
          untilMs: now + Math.min(30, Math.max(1, error.retryAfterSecs ?? 5)) * 1000,
        });
        return;
      }
      const transient = error.status >= 500 || error.status === 408 || error.status === 429;
      const said = envelope.message ? `: ${envelope.message}` : "";
      if (!transient || envelope.code?.startsWith("artifact_")) {
        fail(`GET ${artifact.url} answered HTTP ${error.status}${said}`);
        return;
      }
    }
    const message = `cannot download ${artifact.url} yet (${errorMessage(error)}): retrying`;
    this.options.logger.warn("artifact download interrupted", {
      url: artifact.url,
      error: errorMessage(error),
    });
    this.outcomes.set(artifact.sha256, { kind: "waiting", message, progress: null, untilMs: now + 5000 });
  }
}
