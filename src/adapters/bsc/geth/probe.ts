// What BSC geth's JSON-RPC answers mean: the common EVM figures (head, eth_syncing, peers) plus the latest
// block's timestamp, so a node that believes it is in sync but whose head stopped moving (no peers, stalled
// import) shows as behind, with its head age. The block's own time stays in `details`: metrics.lastBlockAt
// is when the executor saw the head advance, which a syncing node's old blocks would misstate.
import { hexQuantity, interpretEvmProbe } from "../../shared/evm.ts";
import type { ProbeResult, ProbeSpec } from "../../types.ts";

/** Keyed by method for the EVM ones, so interpretEvmProbe() reads the same raw answer. */
export const BSC_PROBE_CALLS: NonNullable<ProbeSpec["calls"]> = [
  { key: "eth_blockNumber", method: "eth_blockNumber" },
  { key: "eth_syncing", method: "eth_syncing" },
  { key: "net_peerCount", method: "net_peerCount" },
  { key: "eth_chainId", method: "eth_chainId" },
  { key: "latest_block", method: "eth_getBlockByNumber", params: ["latest", false] },
];

/**
 * BSC produces a block every few seconds (0.75 s since Maxwell); a head older than this is not the network's
 * head, whatever eth_syncing says.
 */
export const STALE_HEAD_SECS = 120;

export function interpretBscProbe(raw: Record<string, unknown>, nowMs: number = Date.now()): ProbeResult {
  const result = interpretEvmProbe(raw);
  if (result.status === "error") return result;
  const details: Record<string, number> = {};
  const chainId = hexQuantity(raw.eth_chainId);
  if (chainId !== undefined) details.chain_id = chainId;
  const block = raw.latest_block;
  const timestamp =
    block !== null && typeof block === "object"
      ? hexQuantity((block as Record<string, unknown>).timestamp)
      : undefined;
  const number =
    block !== null && typeof block === "object"
      ? hexQuantity((block as Record<string, unknown>).number)
      : undefined;
  if (number !== undefined) details.latest_block = number;
  if (timestamp !== undefined && timestamp > 0) {
    const age = Math.max(0, Math.floor(nowMs / 1000) - timestamp);
    details.head_age_seconds = age;
    if (result.status === "running" && age > STALE_HEAD_SECS) {
      result.status = "syncing";
      result.metrics.syncing = true;
      delete result.metrics.syncPercent;
      result.message = `the latest block is ${age} s old: waiting for peers or catching up`;
    }
  }
  if (Object.keys(details).length > 0) result.details = details;
  return result;
}
