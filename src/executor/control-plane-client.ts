// THE one module that speaks HTTP to the control plane (/api/v1/executor/*, and artifact downloads from it).
// Every call has a deadline; requests and responses are checked against the src/protocol schemas, so a
// protocol mismatch surfaces as a clear error here instead of as undefined fields deep in a loop.
import type { TSchema } from "@sinclair/typebox";
import { errorMessage } from "../lib/errors.ts";
import { ErrorEnvelope } from "../protocol/errors.ts";
import {
  AcceptedResponse,
  EventsRequest,
  EXECUTOR_ID_HEADER,
  MAX_SPEC_WAIT_MS,
  ObservedRequest,
  SpecsResponse,
  SyncRequest,
  SyncResponse,
} from "../protocol/executor-api.ts";
import {
  LogChunkRequest,
  LogChunkResponse,
  LogSessionsResponse,
  MAX_LOG_SESSION_WAIT_MS,
} from "../protocol/logs.ts";
import { AgentUpgradeSpec } from "../protocol/upgrade.ts";
import { compileValidator, type Validator } from "../protocol/validate.ts";

export interface ControlPlaneClientOptions {
  /** Base URL without a trailing slash, e.g. "https://novacula.example.com". */
  url: string;
  /** The executor key (exc_…). */
  accessToken: string;
  /** Deadline of an ordinary call; a long-poll gets its wait on top. */
  requestTimeoutMs?: number;
}

/** A failed call: `retryable` says whether trying again later can help (network, timeout, 5xx, 429). */
export class ControlPlaneError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ControlPlaneError";
  }
}

const validators = new Map<TSchema, Validator<TSchema>>();
function validatorOf<S extends TSchema>(schema: S): Validator<S> {
  let validator = validators.get(schema);
  if (!validator) {
    validator = compileValidator(schema);
    validators.set(schema, validator);
  }
  return validator as Validator<S>;
}

function checked<S extends TSchema>(schema: S, value: unknown, what: string): S["static"] {
  // The compiled check first: the error walk costs ~50x more CPU, and ran on every request and answer of an
  // idle agent (docs/benchmarks.md, Agent). Only a value that fails the check gets walked for its errors.
  const validator = validatorOf(schema);
  if (validator.check(value)) return value;
  const errors = validator.errors(value);
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
    throw new ControlPlaneError(
      `${what} does not match the protocol: ${list}`,
      null,
      "protocol_mismatch",
      false,
    );
  }
  return value as S["static"];
}

export class ControlPlaneClient {
  readonly url: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  /** Learned from the first sync; sent on every later call (EXECUTOR_ID_HEADER). */
  private executorId: string | null = null;

  constructor(options: ControlPlaneClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.token = options.accessToken;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Heartbeat + registration: upserts this executor and returns cadences and any pending upgrade. */
  async sync(request: SyncRequest): Promise<SyncResponse> {
    const body = checked(SyncRequest, request, "sync request");
    const response = checked(
      SyncResponse,
      await this.call("POST", "/api/v1/executor/sync", body),
      "sync response",
    );
    this.executorId = response.executorId;
    return response;
  }

  /** Long-poll: answers at once when specs changed after `cursor`, else after at most `waitMs`. */
  async specs(cursor: number, waitMs: number, signal?: AbortSignal): Promise<SpecsResponse> {
    const wait = Math.max(0, Math.min(MAX_SPEC_WAIT_MS, Math.round(waitMs)));
    const path = `/api/v1/executor/specs?cursor=${cursor}&waitMs=${wait}`;
    const answer = await this.call("GET", path, undefined, wait + this.timeoutMs, signal);
    return checked(SpecsResponse, answer, "specs response");
  }

  async observed(request: ObservedRequest): Promise<AcceptedResponse> {
    const body = checked(ObservedRequest, request, "observed request");
    return checked(
      AcceptedResponse,
      await this.call("POST", "/api/v1/executor/observed", body),
      "observed response",
    );
  }

  async events(request: EventsRequest): Promise<AcceptedResponse> {
    const body = checked(EventsRequest, request, "events request");
    return checked(
      AcceptedResponse,
      await this.call("POST", "/api/v1/executor/events", body),
      "events response",
    );
  }

  /** pollExecutorLogSessions: the open log sessions; held until they differ from `held`, at most `waitMs`. */
  async logSessions(held: string[], waitMs: number, signal?: AbortSignal): Promise<LogSessionsResponse> {
    const wait = Math.max(0, Math.min(MAX_LOG_SESSION_WAIT_MS, Math.round(waitMs)));
    const query = `waitMs=${wait}${held.length > 0 ? `&held=${held.map(encodeURIComponent).join(",")}` : ""}`;
    const path = `/api/v1/executor/log-sessions?${query}`;
    const answer = await this.call("GET", path, undefined, wait + this.timeoutMs, signal);
    return checked(LogSessionsResponse, answer, "log sessions response");
  }

  /** One chunk of a session's lines; `open: false` means the reader is gone: stop tailing. */
  async postLogChunk(sessionId: string, chunk: LogChunkRequest): Promise<LogChunkResponse> {
    const body = checked(LogChunkRequest, chunk, "log chunk");
    const path = `/api/v1/executor/log-sessions/${encodeURIComponent(sessionId)}`;
    return checked(LogChunkResponse, await this.call("POST", path, body), "log chunk response");
  }

  /**
   * The published agent release `version` for `platform` (`novacula agent upgrade --to`): its AgentUpgradeSpec.
   * `from`, the running version, lets the control plane refuse a pick more than one major away.
   */
  async agentRelease(version: string, platform: string, from: string): Promise<AgentUpgradeSpec> {
    const query = new URLSearchParams({ version, platform, from });
    return checked(
      AgentUpgradeSpec,
      await this.call("GET", `/api/v1/executor/releases?${query}`, undefined),
      "release answer",
    );
  }

  /**
   * GET an artifact from byte `from` on (Range, to resume), answering whatever status came back: the caller
   * reads the error envelope of a 503 (the control plane still fetching) or a 502 (upstream served other
   * bytes). A path ("/api/…") is on this control plane; the key goes only to this control plane's origin.
   */
  async fetchArtifact(url: string, from: number, signal?: AbortSignal): Promise<Response> {
    const absolute = url.startsWith("/") ? `${this.url}${url}` : url;
    const sameOrigin = new URL(absolute).origin === new URL(this.url).origin;
    const headers: Record<string, string> = sameOrigin ? { authorization: `Bearer ${this.token}` } : {};
    if (from > 0) headers.range = `bytes=${from}-`;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const onAbort = () => timeout.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // The listener stays after the headers: aborting `signal` must still end the body's stream.
      return await fetch(absolute, { headers, signal: timeout.signal, redirect: "follow" });
    } catch (error) {
      signal?.removeEventListener("abort", onAbort);
      throw new ControlPlaneError(`GET ${absolute} failed: ${errorMessage(error)}`, null, "network", true);
    } finally {
      clearTimeout(timer);
    }
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs = this.timeoutMs,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json",
          ...(this.executorId ? { [EXECUTOR_ID_HEADER]: this.executorId } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      const timedOut = signals[0]!.aborted;
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : errorMessage(error);
      throw new ControlPlaneError(
        `${method} ${path}: ${reason}`,
        null,
        timedOut ? "timeout" : "network",
        true,
      );
    }
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const envelope = validatorOf(ErrorEnvelope).check(json) ? json : null;
      const detail = envelope
        ? `${envelope.code}: ${envelope.message}`
        : text.slice(0, 200) || response.statusText;
      throw new ControlPlaneError(
        `${method} ${path} answered HTTP ${response.status} (${detail})`,
        response.status,
        envelope?.code ?? "http_error",
        response.status >= 500 || response.status === 429 || response.status === 408,
      );
    }
    if (json === undefined) {
      throw new ControlPlaneError(
        `${method} ${path} answered with no JSON body`,
        response.status,
        "protocol_mismatch",
        true,
      );
    }
    return json;
  }
}
