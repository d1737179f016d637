// Interpreting EVM JSON-RPC probe answers (eth_blockNumber, eth_syncing, net_peerCount) into status and
// metrics. Shared by every EVM client (anvil, geth, reth, ...), which only differ in where they listen.
import type { NodeMetrics } from "../../protocol/observed.ts";
import type { ProbeResult } from "../types.ts";

/** One batch per probe: a client without one of them (no `net_peerCount`, say) still answers the others. */
export const EVM_PROBE_METHODS = ["eth_blockNumber", "eth_syncing", "net_peerCount"] as const;

/** "0x1a" → 26; anything else → undefined (a client answering garbage must not crash the reporter). */
export function hexQuantity(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value)) return undefined;
  const n = Number.parseInt(value.slice(2), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** raw: JSON-RPC results keyed by method (absent when the method failed). */
export function interpretEvmProbe(raw: Record<string, unknown>): ProbeResult {
  const metrics: NodeMetrics = {};
  const height = hexQuantity(raw.eth_blockNumber);
  if (height === undefined) {
    return { status: "error", metrics, message: "eth_blockNumber gave no block number" };
  }
  metrics.blockHeight = height;
  const peers = hexQuantity(raw.net_peerCount);
  if (peers !== undefined) metrics.peers = peers;
  const syncing = raw.eth_syncing;
  if (syncing && typeof syncing === "object") {
    const state = syncing as Record<string, unknown>;
    const current = hexQuantity(state.currentBlock) ?? height;
    const highest = hexQuantity(state.highestBlock);
    metrics.syncing = true;
    metrics.blockHeight = Math.max(height, current);
    if (highest !== undefined && highest > 0) {
      metrics.networkHeight = highest;
      metrics.syncPercent = Math.min(100, Math.round((metrics.blockHeight / highest) * 10000) / 100);
    }
    return { status: "syncing", metrics };
  }
  metrics.syncing = false;
  metrics.syncPercent = 100;
  return { status: "running", metrics };
}
