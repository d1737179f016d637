// Installing client binaries into <data_dir>/bin/: stream <artifacts_url>/<fileName> to a temp file beside the
// target, hash while writing, refuse on a sha256 mismatch, then chmod + fsync + rename(2) so a reader sees the
// old file or the complete new one, never half a binary. A present file is re-hashed only when its size or
// mtime changed, so the reconciler can call ensure() every tick for free.
import { createHash } from "node:crypto";
import { createReadStream, type Stats, statSync } from "node:fs";
import { chmod, mkdir, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { InstallSource } from "../../adapters/types.ts";
import { publishFileAtomic } from "../../lib/atomic-write.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";

/** The artifact's bytes are not the ones the adapter pins: never installed, never retried silently. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
    fix = "the artifact source serves a different file: replace it with the published one",
  ) {
    super(`sha256 mismatch for ${url}: expected ${expected}, got ${actual}; refusing to install it (${fix})`);
    this.name = "ChecksumMismatchError";
  }
}

export class DownloadError extends Error {
  override name = "DownloadError";
}

export interface DownloaderOptions {
  binDir: string;
  /** Base URL; files are fetched from <artifactsUrl>/<fileName>. */
  artifactsUrl: string;
  /** Opens the URL for streaming (ControlPlaneClient.openArtifact: deadline on headers, key only to its origin). */
  open: (url: string, signal: AbortSignal) => Promise<Response>;
  logger: Logger;
  /** Whole-download deadline (default 30 min: chain clients can be hundreds of MiB). */
  timeoutMs?: number;
  /** Abort when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$/;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class Downloader {
  private readonly verified = new Map<string, { size: number; mtimeMs: number; sha256: string }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: DownloaderOptions) {}

  pathOf(source: InstallSource): string {
    if (!FILE_NAME.test(source.fileName))
      throw new DownloadError(`unsafe artifact file name: ${source.fileName}`);
    return join(this.options.binDir, source.fileName);
  }

  /** The path of a verified binary for `source`, downloading it first when missing or different. */
  ensure(source: InstallSource): Promise<string> {
    const path = this.pathOf(source);
    let pending = this.inFlight.get(path);
    if (!pending) {
      pending = this.ensureOnce(source, path).finally(() => this.inFlight.delete(path));
      this.inFlight.set(path, pending);
    }
    return pending;
  }

  /** True when the file is present with the pinned hash (no download). */
  async isInstalled(source: InstallSource): Promise<boolean> {
    const path = this.pathOf(source);
    // statSync: this runs for every node on every reconcile tick, and in Bun an async stat costs ~15x the
    // CPU of a sync one (docs/benchmarks.md, Agent); a local stat never blocks for long.
    let info: Stats | undefined;
    try {
      info = statSync(path, { throwIfNoEntry: false });
    } catch {
      return false;
    }
    if (!info?.isFile()) return false;
    const known = this.verified.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs)
      return known.sha256 === source.sha256;
    const sha256 = await sha256File(path);
    this.verified.set(path, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
    return sha256 === source.sha256;
  }

  private async ensureOnce(source: InstallSource, path: string): Promise<string> {
    if (await this.isInstalled(source)) return path;
    await this.download(source, path);
    return path;
  }

  private async download(source: InstallSource, path: string): Promise<void> {
    const { binDir, logger } = this.options;
    const url = `${this.options.artifactsUrl.replace(/\/+$/, "")}/${encodeURIComponent(source.fileName)}`;
    await mkdir(binDir, { recursive: true, mode: 0o755 });
    const temp = join(binDir, `.${source.fileName}.download-${process.pid}-${Date.now().toString(36)}`);
    const total = new AbortController();
    const totalTimer = setTimeout(() => total.abort(), this.options.timeoutMs ?? 30 * 60_000);
    const idleMs = this.options.idleTimeoutMs ?? 60_000;
    let idleTimer = setTimeout(() => total.abort(), idleMs);
    const log = logger.child({ file: source.fileName, url });
    const handle = await open(temp, "w", 0o600);
    let received = 0;
    try {
      log.info("downloading client binary");
      const response = await this.options.open(url, total.signal);
      if (!response.body) throw new DownloadError(`GET ${url} returned no body`);
      const length = Number(response.headers.get("content-length") ?? 0) || null;
      const hash = createHash("sha256");
      let nextReport = Date.now() + 5000;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => total.abort(), idleMs);
        hash.update(value);
        await handle.write(value);
        received += value.byteLength;
        if (Date.now() >= nextReport) {
          nextReport = Date.now() + 5000;
          log.info("download progress", {
            receivedBytes: received,
            ...(length ? { totalBytes: length, percent: Math.floor((received / length) * 100) } : {}),
          });
        }
      }
      if (length !== null && received !== length) {
        throw new DownloadError(`GET ${url} ended after ${received} of ${length} bytes`);
      }
      const actual = hash.digest("hex");
      if (actual !== source.sha256) throw new ChecksumMismatchError(url, source.sha256, actual);
      await handle.close();
      await chmod(temp, 0o755);
      await publishFileAtomic(temp, path);
      const info = await stat(path);
      this.verified.set(path, { size: info.size, mtimeMs: info.mtimeMs, sha256: actual });
      log.info("client binary installed", { bytes: received, sha256: actual });
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      if (error instanceof ChecksumMismatchError || error instanceof DownloadError) throw error;
      const reason = total.signal.aborted
        ? `stalled or too slow (received ${received} bytes)`
        : errorMessage(error);
      throw new DownloadError(`download of ${url} failed: ${reason}`);
    } finally {
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
    }
  }
}
