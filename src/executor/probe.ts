// Probing a client process as its adapter's ProbeSpec says (EVM JSON-RPC, HTTP GET, TCP connect), always
// with a deadline. Returns the raw answer for ChainAdapter.interpretProbe, or why there was none.
import { connect } from "node:net";
import type { ProbeSpec } from "../adapters/types.ts";
import { errorMessage } from "../lib/errors.ts";

export type ProbeAnswer = { ok: true; raw: Record<string, unknown> } | { ok: false; message: string };

async function evmJsonRpc(
  url: string,
  methods: string[],
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  // One batch request: one round trip per probe, whatever the number of methods.
  const body = methods.map((method, id) => ({ jsonrpc: "2.0", id, method, params: [] }));
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const answers = (await response.json()) as unknown;
  if (!Array.isArray(answers)) throw new Error(`not a JSON-RPC batch answer from ${url}`);
  const raw: Record<string, unknown> = {};
  for (const answer of answers as { id?: unknown; result?: unknown }[]) {
    const method = typeof answer?.id === "number" ? methods[answer.id] : undefined;
    if (method !== undefined && "result" in answer) raw[method] = answer.result;
  }
  return raw;
}

async function httpGet(url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the adapter gets the text.
  }
  return { status: response.status, body };
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
      case "evm-jsonrpc":
        return {
          ok: true,
          raw: await evmJsonRpc(`http://${where}${probe.path ?? "/"}`, probe.methods ?? [], signal),
        };
      case "http-get":
        return { ok: true, raw: await httpGet(`http://${where}${probe.path ?? "/"}`, signal) };
      case "tcp":
        return { ok: true, raw: await tcpConnect(host, probe.port, signal) };
    }
  } catch (error) {
    if (signal.aborted) return { ok: false, message: `no answer from ${where} within ${timeoutMs} ms` };
    return { ok: false, message: `probe of ${where} failed: ${errorMessage(error)}` };
  }
}
