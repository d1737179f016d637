// Downloading a release into `<binary>.download`, beside the binary it will replace. An interrupted download
// (network cut, control plane restarting, the agent killed) resumes where it stopped with a Range request; a
// server that ignores Range (200 instead of 206) gets the file from the start again. The whole download has a
// deadline and a stall timeout; progress is told to the caller. The bytes are hashed afterwards from the file,
// so a resumed download is checked as a whole.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { errorMessage } from "../../lib/errors.ts";
import { UpgradeRefusedError } from "./codes.ts";

/** Opens a URL for streaming, with extra request headers (ControlPlaneClient.openArtifact). */
export type OpenUrl = (
  url: string,
  signal: AbortSignal,
  headers: Record<string, string>,
) => Promise<Response>;

export interface DownloadOptions {
  url: string;
  /** Where the bytes go (`<binary>.download`); kept on failure so the next attempt resumes. */
  path: string;
  open: OpenUrl;
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

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Fetch `url` into `path`, resuming a partial file. Throws UpgradeRefusedError("download_failed"). */
export async function downloadResumable(
  options: DownloadOptions,
): Promise<{ bytes: number; resumedAt: number }> {
  const { url, path } = options;
  const deadline = new AbortController();
  const totalTimer = setTimeout(() => deadline.abort(), options.timeoutMs);
  let idleTimer = setTimeout(() => deadline.abort(), options.idleTimeoutMs);
  let offset = await sizeOf(path);
  const resumedAt = offset;
  const handle = await open(path, offset > 0 ? "r+" : "w", 0o600);
  try {
    let response = await options
      .open(url, deadline.signal, offset > 0 ? { range: `bytes=${offset}-` } : {})
      .catch(async (error: unknown) => {
        // 416: the part on disk is not a prefix the server can continue (longer than the file): start over.
        if (offset === 0 || (error as { status?: unknown }).status !== 416) throw error;
        offset = 0;
        await handle.truncate(0);
        return options.open(url, deadline.signal, {});
      });
    if (offset > 0 && response.status !== 206) {
      // The server sent the whole file: start over rather than append it to the part we have.
      offset = 0;
      await handle.truncate(0);
      if (response.status !== 200) {
        await response.body?.cancel();
        response = await options.open(url, deadline.signal, {});
      }
    }
    const length = Number(response.headers.get("content-length") ?? "") || null;
    const total = length === null ? null : offset + length;
    if (!response.body) throw new Error("the answer had no body");
    const reader = response.body.getReader();
    let received = offset;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => deadline.abort(), options.idleTimeoutMs);
      await handle.write(value, 0, value.byteLength, received);
      received += value.byteLength;
      options.onProgress?.(received, total);
    }
    if (total !== null && received !== total) throw new Error(`ended after ${received} of ${total} bytes`);
    await handle.truncate(received);
    await handle.sync();
    return { bytes: received, resumedAt };
  } catch (error) {
    const why = deadline.signal.aborted ? "stalled or passed its deadline" : errorMessage(error);
    throw new UpgradeRefusedError(
      "download_failed",
      `download of ${url} failed: ${why}; it resumes from the bytes already on disk at the next attempt`,
    );
  } finally {
    clearTimeout(totalTimer);
    clearTimeout(idleTimer);
    await handle.close().catch(() => {});
  }
}
