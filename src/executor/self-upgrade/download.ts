// Downloading a release into `<binary>.download`, beside the binary it will replace, with the project's one
// resumable download (src/lib/resumable-download.ts, also the artifact store's and the agent's installer's):
// an interrupted download (network cut, control plane restarting, the agent killed) resumes where it stopped
// with a Range request, and the sha256 covers the whole file. This module adds what a self-upgrade needs on
// top: a whole-download deadline, and every failure classified as the refusal `download_failed`.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { errorMessage } from "../../lib/errors.ts";
import { downloadResumable, type OpenRange } from "../../lib/resumable-download.ts";
import { UpgradeRefusedError } from "./codes.ts";

export type { OpenRange };

export interface ReleaseDownloadOptions {
  url: string;
  /** Where the bytes go (`<binary>.download`); kept on failure so the next attempt resumes. */
  path: string;
  open: OpenRange;
  /** Whole-download deadline. */
  timeoutMs: number;
  /** Abort when no byte arrives for this long. */
  idleTimeoutMs: number;
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Fetch `url` into `path`, resuming a partial file; the whole file's sha256. Throws UpgradeRefusedError("download_failed"). */
export async function downloadRelease(
  options: ReleaseDownloadOptions,
): Promise<{ sha256: string; bytes: number }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    return await downloadResumable({
      url: options.url,
      partialPath: options.path,
      open: options.open,
      idleTimeoutMs: options.idleTimeoutMs,
      signal,
      onProgress: options.onProgress,
    });
  } catch (error) {
    const why = signal.aborted
      ? `passed its ${Math.round(options.timeoutMs / 1000)} s deadline`
      : errorMessage(error);
    throw new UpgradeRefusedError(
      "download_failed",
      `download of ${options.url} failed: ${why}; it resumes from the bytes already on disk at the next attempt`,
    );
  }
}
