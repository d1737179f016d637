// Fetching catalog artifacts from upstream into the store, once per sha256: however many executors ask at
// once, one background download runs and every request sees its progress. The lookup (which upstream URL
// serves a sha256) is injected: the client catalog provides it. An upstream that is down is retried with
// exponential backoff and jitter, resuming the partial file; an upstream that serves other bytes, or refuses
// the file (4xx), fails the fetch with nothing stored, and the failure is remembered for a while so that a
// fleet asking every few seconds does not hammer a wrong URL.
import { rm } from "node:fs/promises";
import { Backoff, delay } from "../../../lib/backoff.ts";
import { errorMessage } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import {
  downloadResumable,
  HttpStatusError,
  type OpenRange,
  SizeMismatchError,
} from "../../../lib/resumable-download.ts";
import {
  ARTIFACT_CHECKSUM_MISMATCH,
  ARTIFACT_UPSTREAM_FAILED,
  type ArtifactProgress,
  artifactProgress,
  describeProgress,
} from "../../../protocol/artifact-delivery.ts";
import type { ArtifactFormat } from "../../../protocol/artifacts.ts";
import { parseNpmUrl, resolveNpmFile } from "./npm-source.ts";
import type { ArtifactStore } from "./store.ts";

/** Where the file with a given sha256 comes from (a catalog file). */
export interface ArtifactSource {
  url: string;
  format: ArtifactFormat;
  member?: string;
  size?: number;
}

/** Which upstream serves a sha256: the client catalog's verified files; null for a sha256 it does not know. */
export type ArtifactLookup = (sha256: string) => ArtifactSource | null;

/** No catalog: only imported files are served. */
export const noCatalog: ArtifactLookup = () => null;

export type ArtifactAvailability =
  | { state: "stored"; path: string; size: number }
  | { state: "fetching"; message: string; retryAfterSecs: number; progress: ArtifactProgress }
  | {
      state: "failed";
      code: typeof ARTIFACT_CHECKSUM_MISMATCH | typeof ARTIFACT_UPSTREAM_FAILED;
      message: string;
    }
  | { state: "unknown" };

export interface ArtifactFetcherOptions {
  log: Logger;
  /** First retry pause after an upstream failure (default 2 s), doubling with jitter up to retryMaxMs. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long a checksum mismatch or a refused URL is answered without asking upstream again (default 10 min). */
  failureHoldMs?: number;
  /** Abort an upstream download when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
}

interface Job {
  sha256: string;
  url: string;
  host: string;
  receivedBytes: number;
  totalBytes: number | null;
  /** The catalog's size, when it records one: an upstream sending another size is cut off at once. */
  sizeBytes: number | null;
  /** When the next attempt starts, while waiting after a failure. */
  retryAtMs: number | null;
  lastError: string | null;
}

/** The upstream's host for messages (npm: URLs name the package). */
function hostOf(url: string): string {
  const npm = parseNpmUrl(url);
  if (npm) return `npm package ${npm.pkg}@${npm.version}`;
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** GET an upstream URL from byte `from` on: http(s) with a Range header, or a file of an npm package. */
export const openUpstream: OpenRange = async (url, from, signal) => {
  if (url.startsWith("npm:")) {
    const ref = parseNpmUrl(url);
    const path = ref ? resolveNpmFile(ref) : null;
    if (!path) {
      return new Response(`${url}: no checkout here has this package at this version installed`, {
        status: 404,
      });
    }
    // A local file: read whole every time (resuming it saves nothing).
    return new Response(Bun.file(path));
  }
  if (!/^https?:\/\//.test(url)) return new Response(`unsupported URL scheme: ${url}`, { status: 400 });
  return fetch(url, {
    headers: from > 0 ? { range: `bytes=${from}-` } : {},
    signal,
    redirect: "follow",
  });
};

/** A 4xx other than timeouts and rate limits: asking again will not help until someone fixes the URL. */
const permanent = (error: unknown) =>
  error instanceof HttpStatusError &&
  error.status >= 400 &&
  error.status < 500 &&
  ![408, 429].includes(error.status);

export class ArtifactFetcher {
  private readonly jobs = new Map<string, Job>();
  private readonly failures = new Map<
    string,
    { code: ArtifactFailedCode; message: string; untilMs: number }
  >();
  private readonly computing = new Map<string, Promise<{ sha256: string; bytes: number }>>();
  private readonly stopping = new AbortController();
  /** Totals since start, for /metrics. */
  readonly counters = { started: 0, succeeded: 0, failed: 0, bytesFetched: 0, bytesServed: 0 };

  constructor(
    private readonly store: ArtifactStore,
    private readonly lookup: ArtifactLookup,
    private readonly options: ArtifactFetcherOptions,
  ) {}

  /** Fetches running or waiting to retry. */
  get active(): number {
    return this.jobs.size;
  }

  /** What a request for `sha256` gets now; starts the upstream fetch when the file is known but not stored. */
  availability(sha256: string): ArtifactAvailability {
    const stored = this.store.stat(sha256);
    if (stored) return { state: "stored", ...stored };
    const job = this.jobs.get(sha256) ?? this.start(sha256);
    if (job) return this.describe(job);
    const failure = this.failures.get(sha256);
    if (failure) return { state: "failed", code: failure.code, message: failure.message };
    return { state: "unknown" };
  }

  /**
   * availability(), but a fetch still running gets up to `waitMs` to finish first: a file that comes quickly
   * (from node_modules, or a small one from a near upstream) is served in this answer, not after a retry.
   */
  async availabilitySoon(sha256: string, waitMs: number): Promise<ArtifactAvailability> {
    const deadline = Date.now() + waitMs;
    let found = this.availability(sha256);
    while (found.state === "fetching" && Date.now() < deadline) {
      const job = this.jobs.get(sha256);
      // Waiting out an upstream's retry backoff gains nothing: answer with it now.
      if (!job || job.retryAtMs !== null) break;
      await Bun.sleep(50);
      found = this.availability(sha256);
    }
    return found;
  }

  /**
   * Download `url` once, hash it, store it under that hash and return it: how an admin pins a catalog file
   * whose sha256 upstream does not publish (the hash is shown before anything runs). Concurrent calls for
   * one URL share the download.
   */
  computeChecksum(url: string): Promise<{ sha256: string; bytes: number }> {
    let pending = this.computing.get(url);
    if (!pending) {
      const partial = this.store.partialPathOf(
        `compute-${new Bun.CryptoHasher("sha256").update(url).digest("hex")}`,
      );
      pending = downloadResumable({
        url,
        partialPath: partial,
        open: openUpstream,
        signal: this.stopping.signal,
        idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
      })
        .then(async (result) => {
          await this.store.publish(partial, result.sha256);
          return result;
        })
        .catch(async (error: unknown) => {
          await rm(partial, { force: true });
          throw new Error(`cannot compute the sha256 of ${url}: ${errorMessage(error)}`);
        })
        .finally(() => this.computing.delete(url));
      this.computing.set(url, pending);
    }
    return pending;
  }

  stop(): void {
    this.stopping.abort();
  }

  private start(sha256: string): Job | null {
    const failure = this.failures.get(sha256);
    if (failure && Date.now() < failure.untilMs) return null;
    this.failures.delete(sha256);
    const source = this.lookup(sha256);
    if (!source || this.stopping.signal.aborted) return null;
    const job: Job = {
      sha256,
      url: source.url,
      host: hostOf(source.url),
      receivedBytes: 0,
      totalBytes: source.size ?? null,
      sizeBytes: source.size ?? null,
      retryAtMs: null,
      lastError: null,
    };
    this.jobs.set(sha256, job);
    this.counters.started++;
    void this.run(job).finally(() => this.jobs.delete(sha256));
    return job;
  }

  private describe(job: Job): ArtifactAvailability {
    const progress = artifactProgress(job.receivedBytes, job.totalBytes);
    if (job.retryAtMs !== null) {
      const secs = Math.max(1, Math.ceil((job.retryAtMs - Date.now()) / 1000));
      return {
        state: "fetching",
        message: `upstream ${job.host} unreachable: retrying in ${secs} s (${job.lastError})`,
        retryAfterSecs: secs,
        progress,
      };
    }
    return {
      state: "fetching",
      message: `the control plane is fetching this file from ${job.host}: ${describeProgress(progress)}`,
      retryAfterSecs: 2,
      progress,
    };
  }

  private async run(job: Job): Promise<void> {
    const { log } = this.options;
    const backoff = new Backoff({
      initialMs: this.options.retryInitialMs ?? 2000,
      maxMs: this.options.retryMaxMs ?? 60_000,
    });
    const partial = this.store.partialPathOf(job.sha256);
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        log.info("fetching artifact from upstream", { sha256: job.sha256, url: job.url });
        const result = await downloadResumable({
          url: job.url,
          partialPath: partial,
          open: openUpstream,
          signal,
          ...(job.sizeBytes !== null ? { expectedBytes: job.sizeBytes } : {}),
          idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
          onProgress: (received, total) => {
            if (received > job.receivedBytes) this.counters.bytesFetched += received - job.receivedBytes;
            job.receivedBytes = received;
            if (total !== null) job.totalBytes = total;
          },
        });
        if (result.sha256 !== job.sha256) {
          await rm(partial, { force: true });
          this.fail(job, ARTIFACT_CHECKSUM_MISMATCH, mismatchMessage(job, result.sha256));
          return;
        }
        await this.store.publish(partial, result.sha256);
        this.counters.succeeded++;
        log.info("artifact stored", { sha256: job.sha256, bytes: result.bytes, url: job.url });
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof SizeMismatchError) {
          // The wrong file: cut off as soon as its size showed, before it fills the disk.
          await rm(partial, { force: true });
          this.fail(job, ARTIFACT_CHECKSUM_MISMATCH, wrongSizeMessage(job, error));
          return;
        }
        if (permanent(error)) {
          await rm(partial, { force: true });
          const status = (error as HttpStatusError).status;
          this.fail(
            job,
            ARTIFACT_UPSTREAM_FAILED,
            `upstream ${job.url} answered HTTP ${status} for the file with sha256 ${job.sha256}: correct the client catalog entry's URL, or import the file with \`novacula control-plane artifact import FILE\``,
          );
          return;
        }
        const waitMs = backoff.next();
        job.lastError = errorMessage(error);
        job.retryAtMs = Date.now() + waitMs;
        log.warn("artifact upstream unreachable: retrying", {
          sha256: job.sha256,
          url: job.url,
          retryInMs: waitMs,
          error: job.lastError,
        });
        await delay(waitMs, signal);
        job.retryAtMs = null;
      }
    }
  }

  private fail(job: Job, code: ArtifactFailedCode, message: string): void {
    this.counters.failed++;
    this.options.log.error("artifact fetch failed", { sha256: job.sha256, url: job.url, error: message });
    this.failures.set(job.sha256, {
      code,
      message,
      untilMs: Date.now() + (this.options.failureHoldMs ?? 10 * 60_000),
    });
  }
}

type ArtifactFailedCode = typeof ARTIFACT_CHECKSUM_MISMATCH | typeof ARTIFACT_UPSTREAM_FAILED;

function mismatchMessage(job: Job, actual: string): string {
  return `upstream ${job.url} served a file with sha256 ${actual}, not the ${job.sha256} the client catalog pins; nothing was stored and nothing runs. Fix: if upstream published a new file, correct the catalog entry's sha256 (from the upstream's checksum file); otherwise import the right file with \`novacula control-plane artifact import FILE\``;
}

function wrongSizeMessage(job: Job, error: SizeMismatchError): string {
  return `upstream ${job.url} serves ${error.actualBytes ?? `more than ${error.expectedBytes}`} bytes, not the ${error.expectedBytes} the client catalog records for sha256 ${job.sha256}; nothing was stored and nothing runs. Fix: correct the catalog entry (size and sha256 from the upstream's checksum file), or import the right file with \`novacula control-plane artifact import FILE\``;
}
