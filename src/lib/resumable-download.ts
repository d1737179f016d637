// One HTTP download into a partial file that survives an interruption: when the partial file already holds
// bytes, the request asks for the rest (Range: bytes=<size>-) and appends; a server that ignores the range
// (200) gets the whole file written afresh. The sha256 covers the whole file (the kept prefix is hashed
// first), so the caller verifies it before anything becomes visible. Used by the control plane's fetcher
// (upstream → its store) and by the agent (control plane or upstream → its artifacts directory).
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";

/** Opens `url`, asking for the bytes from `from` on when it is above 0; answers any status (the caller's checks). */
export type OpenRange = (url: string, from: number, signal: AbortSignal) => Promise<Response>;

export interface ResumableDownloadOptions {
  url: string;
  partialPath: string;
  open: OpenRange;
  /** Called as bytes arrive: bytes held so far (the resumed prefix included) and the total when known. */
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
  /** Abort when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** The size the file must have, when known: another announced size or more bytes end the download at once. */
  expectedBytes?: number;
}

/** The server sends another size than expected: the wrong file, stopped before it fills the disk. */
export class SizeMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expectedBytes: number,
    readonly actualBytes: number | null,
  ) {
    super(
      `${url} serves ${actualBytes ?? `more than ${expectedBytes}`} bytes, not the expected ${expectedBytes}`,
    );
    this.name = "SizeMismatchError";
  }
}

/** A non-2xx answer (other than the 416 of a complete partial file): `status` tells the caller what it means. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
    /** Retry-After in seconds, when the server sent one. */
    readonly retryAfterSecs: number | null = null,
  ) {
    super(`GET ${url} answered HTTP ${status}`);
    this.name = "HttpStatusError";
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashPrefix(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

// "bytes 100-199/300" → { start: 100, total: 300 }; "bytes */300" (a 416) → { start: null, total: 300 }.
function contentRange(header: string | null): { start: number | null; total: number | null } {
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header?.trim() ?? "");
  if (!match) return { start: null, total: null };
  return {
    start: match[1] !== undefined ? Number(match[1]) : null,
    total: match[2] !== "*" ? Number(match[2]) : null,
  };
}

/**
 * Download `url` into `partialPath` (resuming what is there), fsync it, and return the whole file's sha256
 * and size. On failure the partial file is kept for the next attempt; the caller removes it when its bytes
 * are known to be wrong (a checksum mismatch).
 */
export async function downloadResumable(
  options: ResumableDownloadOptions,
): Promise<{ sha256: string; bytes: number }> {
  const { url, partialPath } = options;
  await mkdir(dirname(partialPath), { recursive: true });
  let held = await sizeOf(partialPath);
  const abort = new AbortController();
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let idle = setTimeout(() => abort.abort(), idleMs);
  const onOuterAbort = () => abort.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    const response = await options.open(url, held, abort.signal);
    let total: number | null = null;
    let append = false;
    if (response.status === 206 && held > 0) {
      const range = contentRange(response.headers.get("content-range"));
      if (range.start !== held) {
        await response.body?.cancel();
        throw new Error(`GET ${url} answered a range starting at ${range.start}, not at byte ${held}`);
      }
      total = range.total;
      append = true;
    } else if (response.status === 416 && held > 0) {
      // Nothing after the bytes we hold: the partial file is the whole file when the sizes agree.
      await response.body?.cancel();
      const range = contentRange(response.headers.get("content-range"));
      if (range.total !== held) {
        await rm(partialPath, { force: true });
        throw new Error(
          `GET ${url}: the partial download is larger than the file (${held} bytes): restarting`,
        );
      }
      const hash = createHash("sha256");
      await hashPrefix(partialPath, hash);
      return { sha256: hash.digest("hex"), bytes: held };
    } else if (response.ok) {
      const length = Number(response.headers.get("content-length") ?? "");
      total = Number.isFinite(length) && length > 0 ? length : null;
    } else {
      const body = await response.text().catch(() => "");
      const header = response.headers.get("retry-after");
      const retryAfter = header === null ? Number.NaN : Number(header);
      throw new HttpStatusError(
        url,
        response.status,
        body.slice(0, 4096),
        Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
      );
    }
    const expected = options.expectedBytes;
    if (expected !== undefined && total !== null && total !== expected) {
      await response.body?.cancel();
      throw new SizeMismatchError(url, expected, total);
    }
    const hash = createHash("sha256");
    if (append) await hashPrefix(partialPath, hash);
    else held = 0;
    const handle = await open(partialPath, append ? "a" : "w", 0o600);
    try {
      if (!response.body) throw new Error(`GET ${url} returned no body`);
      const reader = response.body.getReader();
      options.onProgress?.(held, total);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        clearTimeout(idle);
        idle = setTimeout(() => abort.abort(), idleMs);
        if (expected !== undefined && held + value.byteLength > expected) {
          await reader.cancel();
          throw new SizeMismatchError(url, expected, null);
        }
        hash.update(value);
        await handle.write(value);
        held += value.byteLength;
        options.onProgress?.(held, total);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (total !== null && held !== total) throw new Error(`GET ${url} ended after ${held} of ${total} bytes`);
    return { sha256: hash.digest("hex"), bytes: held };
  } catch (error) {
    if (abort.signal.aborted && !options.signal?.aborted) {
      throw new Error(`GET ${url} stalled: no byte for ${Math.round(idleMs / 1000)} s (${held} bytes held)`);
    }
    throw error;
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }
}
