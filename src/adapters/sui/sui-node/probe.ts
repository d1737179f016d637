// How sui-node is probed (single JSON-RPC calls on its loopback RPC port: sui-node refuses batches, see
// MystenLabs/sui#9295 and #21014) and how the answers become status, metrics and details. sui-node's
// JSON-RPC has no peer count (peers are only in its Prometheus metrics, a second port a probe cannot reach),
// so peers are not reported.
import type { NodeMetrics } from "../../../protocol/observed.ts";
import type { ProbeResult, ProbeSpec } from "../../types.ts";

/** u64 values come as decimal strings in Sui's JSON-RPC ("507021"); anything else is no answer. */
function u64(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^[0-9]{1,20}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A node whose latest epoch should have ended this long ago is behind the network (epochs last a day). */
const EPOCH_OVERDUE_MS = 60 * 60 * 1000;

const call = (method: string) => ({ jsonrpc: "2.0", id: 1, method, params: [] });

export function suiProbe(rpcPort: number): ProbeSpec {
  return {
    kind: "http-json",
    port: rpcPort,
    requests: [
      { key: "checkpoint", path: "/", method: "POST", body: call("sui_getLatestCheckpointSequenceNumber") },
      { key: "systemState", path: "/", method: "POST", body: call("suix_getLatestSuiSystemState") },
    ],
  };
}

/** The `result` of a JSON-RPC answer; an error answer, a refusal ({ status, body }) or garbage is none. */
function resultOf(answer: unknown): unknown {
  if (typeof answer !== "object" || answer === null || "error" in answer) return undefined;
  return (answer as { result?: unknown }).result;
}

/**
 * raw.checkpoint: the answer with the latest executed checkpoint (the chain's height). raw.systemState: the
 * answer with the epoch the node is in; its start and duration tell whether the node has fallen behind.
 */
export function interpretSuiProbe(raw: Record<string, unknown>, nowMs = Date.now()): ProbeResult {
  const metrics: NodeMetrics = {};
  const checkpoint = u64(resultOf(raw.checkpoint));
  if (checkpoint === undefined) {
    return { status: "error", metrics, message: "sui_getLatestCheckpointSequenceNumber gave no checkpoint" };
  }
  metrics.blockHeight = checkpoint;
  const details: Record<string, number> = { checkpoint };
  const state = resultOf(raw.systemState);
  if (typeof state !== "object" || state === null) return { status: "running", metrics, details };
  const fields = state as Record<string, unknown>;
  const epoch = u64(fields.epoch);
  if (epoch !== undefined) details.epoch = epoch;
  const protocolVersion = u64(fields.protocolVersion);
  if (protocolVersion !== undefined) details.protocolVersion = protocolVersion;
  const referenceGasPrice = u64(fields.referenceGasPrice);
  if (referenceGasPrice !== undefined) details.referenceGasPrice = referenceGasPrice;
  const start = u64(fields.epochStartTimestampMs);
  const duration = u64(fields.epochDurationMs);
  if (start === undefined || duration === undefined) return { status: "running", metrics, details };
  details.epochStartTimestampMs = start;
  const behind = nowMs - (start + duration) > EPOCH_OVERDUE_MS;
  metrics.syncing = behind;
  if (!behind) metrics.syncPercent = 100;
  return {
    status: behind ? "syncing" : "running",
    metrics,
    details,
    ...(behind ? { message: `still in epoch ${epoch ?? "?"}, which the network has left: catching up` } : {}),
  };
}
