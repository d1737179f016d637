// Probing a consensus client through the standard beacon node API (every CL serves it): sync status, peer
// count and finality, turned into the process status and the node's CL details (headSlot, headEpoch,
// syncDistance, finalizedEpoch, clPeers). The node's common metrics come from the execution client. The
// validator count is left out: the beacon API only gives it as the whole validator list (hundreds of MB).
import type { ProbeResult, ProbeSpec } from "../types.ts";

export const BEACON_REQUESTS: NonNullable<ProbeSpec["requests"]> = [
  { key: "syncing", path: "/eth/v1/node/syncing" },
  { key: "peers", path: "/eth/v1/node/peer_count" },
  { key: "finality", path: "/eth/v1/beacon/states/head/finality_checkpoints" },
];

/** The beacon API's `data` object of an answer, or undefined (a non-2xx answer comes as { status, body }). */
function dataOf(answer: unknown): Record<string, unknown> | undefined {
  if (!answer || typeof answer !== "object") return undefined;
  const data = (answer as { data?: unknown }).data;
  return data && typeof data === "object" ? (data as Record<string, unknown>) : undefined;
}

/** Slots per epoch on mainnet, sepolia and hoodi (the mainnet preset). */
const SLOTS_PER_EPOCH = 32;

/** The beacon API writes integers as decimal strings ("4521"); anything else is no number. */
function uint(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

export function interpretBeaconProbe(raw: Record<string, unknown>): ProbeResult {
  const details: Record<string, number | boolean> = {};
  const syncing = dataOf(raw.syncing);
  const headSlot = uint(syncing?.head_slot);
  const distance = uint(syncing?.sync_distance);
  if (headSlot !== undefined) {
    details.headSlot = headSlot;
    details.headEpoch = Math.floor(headSlot / SLOTS_PER_EPOCH);
  }
  if (distance !== undefined) details.syncDistance = distance;
  const peers = uint(dataOf(raw.peers)?.connected);
  if (peers !== undefined) details.clPeers = peers;
  const finalized = dataOf(raw.finality)?.finalized as { epoch?: unknown } | undefined;
  const finalizedEpoch = uint(finalized?.epoch);
  if (finalizedEpoch !== undefined) details.finalizedEpoch = finalizedEpoch;
  const withDetails = (result: ProbeResult): ProbeResult =>
    Object.keys(details).length > 0 ? { ...result, details } : result;

  if (!syncing || typeof syncing.is_syncing !== "boolean") {
    return withDetails({
      status: "error",
      metrics: {},
      message: "the beacon node gave no sync status (/eth/v1/node/syncing)",
    });
  }
  if (syncing.el_offline === true) {
    return withDetails({
      status: "syncing",
      metrics: {},
      message: "the beacon node cannot reach its execution client over the Engine API",
    });
  }
  return withDetails({ status: syncing.is_syncing ? "syncing" : "running", metrics: {} });
}
