// Probing a client process as its adapter's ProbeSpec says (JSON-RPC batches, HTTP JSON requests, HTTP GET,
// TCP connect), always with a deadline. Returns the raw answer for ChainAdapter.interpretProbe, or why there
// was none.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import type { ProbeSpec } from "../adapters/types.ts";
import { errorMessage } from "../lib/errors.ts";

export type ProbeAnswer = { ok: true; raw: Record<string, unknown> } | { ok: false; message: string };

type Call = { key: string; method: string; params?: unknown[] };

/** "user:password" read from a file (bitcoind rewrites its cookie at every start, so it is read each time). */
function basicAuth(file: string): string {
  const credentials = readFileSync(file, "utf8").trim();
  return `Basic ${Buffer.from(credentials).toString("base64")}`;
}

async function jsonRpcBatch(
  url: string,
  calls: Call[],
  signal: AbortSignal,
  options: { version?: "1.0" | "2.0"; basicAuthFile?: string } = {},
): Promise<Record<string, unknown>> {
  // One batch request: one round trip per probe, whatever the number of calls.
  const body = calls.map(({ method, params }, id) => ({
    jsonrpc: options.version ?? "2.0",
    id,
    method,
    params: params ?? [],
  }));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.basicAuthFile) headers.authorization = basicAuth(options.basicAuthFile);
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal });
  // bitcoind answers a batch with 200 even when a call fails; anything else is the server's refusal.
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const answers = (await response.json()) as unknown;
  if (!Array.isArray(answers)) throw new Error(`not a JSON-RPC batch answer from ${url}`);
  const raw: Record<string, unknown> = {};
  for (const answer of answers as { id?: unknown; result?: unknown; error?: unknown }[]) {
    const call = typeof answer?.id === "number" ? calls[answer.id] : undefined;
    // JSON-RPC 1.0 answers carry `result: null` beside an error: a failed call is absent, as in 2.0.
    if (call !== undefined && "result" in answer && !answer.error) raw[call.key] = answer.result;
  }
  return raw;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text; // Not JSON: the adapter gets the text.
  }
}

async function httpJson(
  base: string,
  requests: NonNullable<ProbeSpec["requests"]>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  // In parallel: one slow endpoint does not push the others past the deadline.
  const answers = await Promise.allSettled(
    requests.map(async ({ key, path, method, body }) => {
      const response = await fetch(`${base}${path}`, {
        method: method ?? "GET",
        ...(body !== undefined
          ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
          : {}),
        signal,
      });
      const parsed = await readBody(response);
      return [key, response.ok ? parsed : { status: response.status, body: parsed }] as const;
    }),
  );
  const raw: Record<string, unknown> = {};
  for (const answer of answers) if (answer.status === "fulfilled") raw[answer.value[0]] = answer.value[1];
  if (requests.length > 0 && Object.keys(raw).length === 0) {
    const first = answers.find((a) => a.status === "rejected");
    throw first?.status === "rejected" ? first.reason : new Error("no answer");
  }
  return raw;
}

async function httpGet(url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal });
  return { status: response.status, body: await readBody(response) };
}

function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const abort = () => {
      socket.destroy();
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", abort, { once: true });
    socket.once("connect", () => {
      signal.removeEventListener("abort", abort);
      socket.destroy();
      resolve({ connected: true });
    });
    socket.once("error", (error) => {
      signal.removeEventListener("abort", abort);
      reject(error);
    });
  });
}

/** Probe `host` as `probe` says; an answer later than `timeoutMs` counts as none. */
export async function runProbe(probe: ProbeSpec, host: string, timeoutMs: number): Promise<ProbeAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const where = `${host}:${probe.port}`;
  try {
    switch (probe.kind) {
      case "evm-jsonrpc": {
        const calls = (probe.methods ?? []).map((method) => ({ key: method, method }));
        return { ok: true, raw: await jsonRpcBatch(`http://${where}${probe.path ?? "/"}`, calls, signal) };
      }
      case "jsonrpc":
        return {
          ok: true,
          raw: await jsonRpcBatch(`http://${where}${probe.path ?? "/"}`, probe.calls ?? [], signal, {
            ...(probe.jsonrpcVersion ? { version: probe.jsonrpcVersion } : {}),
            ...(probe.basicAuthFile ? { basicAuthFile: probe.basicAuthFile } : {}),
          }),
        };
      case "http-json":
        return { ok: true, raw: await httpJson(`http://${where}`, probe.requests ?? [], signal) };
      case "http-get":
        return { ok: true, raw: await httpGet(`http://${where}${probe.path ?? "/"}`, signal) };
      case "tcp":
        return { ok: true, raw: await tcpConnect(host, probe.port, signal) };
      default:
        return { ok: false, message: `unknown probe kind ${JSON.stringify((probe as ProbeSpec).kind)}` };
    }
  } catch (error) {
    if (signal.aborted) return { ok: false, message: `no answer from ${where} within ${timeoutMs} ms` };
    return { ok: false, message: `probe of ${where} failed: ${errorMessage(error)}` };
  }
}
