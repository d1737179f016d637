// What bitcoind's JSON-RPC answers mean: one JSON-RPC 1.0 batch (getblockchaininfo, getnetworkinfo,
// getmempoolinfo, getnetworkhashps, uptime) becomes status, the common metrics and Bitcoin's extras.
import type { NodeMetrics } from "../../../protocol/observed.ts";
import type { ProbeResult, ProbeSpec } from "../../types.ts";

/** The batch, keyed for interpretBitcoindProbe(). */
export const BITCOIND_PROBE_CALLS: NonNullable<ProbeSpec["calls"]> = [
  { key: "blockchain", method: "getblockchaininfo" },
  { key: "network", method: "getnetworkinfo" },
  { key: "mempool", method: "getmempoolinfo" },
  { key: "hashps", method: "getnetworkhashps" },
  { key: "uptime", method: "uptime" },
];

/** A warning is a note for a person, not a document. */
const WARNING_MAX = 500;

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

/** 29.x answers `warnings` as a list of strings; older versions as one string ("" when none). */
function warningsOf(value: unknown): string | undefined {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  const text = list.filter((w): w is string => typeof w === "string" && w.length > 0).join("; ");
  return text ? text.slice(0, WARNING_MAX) : undefined;
}

export function interpretBitcoindProbe(raw: Record<string, unknown>): ProbeResult {
  const chain = record(raw.blockchain);
  const blocks = count(chain.blocks);
  const metrics: NodeMetrics = {};
  if (blocks === undefined) {
    return {
      status: "error",
      metrics,
      message: "getblockchaininfo gave no answer: bitcoind is starting, or its RPC cookie is not readable",
    };
  }
  const headers = count(chain.headers) ?? blocks;
  metrics.blockHeight = blocks;
  metrics.networkHeight = Math.max(headers, blocks);
  const progress = finite(chain.verificationprogress);
  if (progress !== undefined) metrics.syncPercent = Math.min(100, Math.round(progress * 10000) / 100);
  // During IBD bitcoind knows of more headers than blocks, or says so itself (initialblockdownload).
  const syncing = chain.initialblockdownload === true || headers > blocks;
  metrics.syncing = syncing;
  const peers = count(record(raw.network).connections);
  if (peers !== undefined) metrics.peers = peers;

  const details: Record<string, string | number> = {};
  const difficulty = finite(chain.difficulty);
  if (difficulty !== undefined) details.difficulty = difficulty;
  const hashRate = finite(raw.hashps);
  if (hashRate !== undefined) details.hash_rate = hashRate;
  const mempool = record(raw.mempool);
  const mempoolBytes = count(mempool.bytes);
  if (mempoolBytes !== undefined) details.mempool_bytes = mempoolBytes;
  const mempoolUsage = count(mempool.usage);
  if (mempoolUsage !== undefined) details.mempool_usage_bytes = mempoolUsage;
  const uptime = count(raw.uptime);
  if (uptime !== undefined) details.uptime_seconds = uptime;
  if (typeof chain.chain === "string") details.chain = chain.chain.slice(0, 32);

  const result: ProbeResult = { status: syncing ? "syncing" : "running", metrics };
  if (Object.keys(details).length > 0) result.details = details;
  const warning = warningsOf(chain.warnings);
  if (warning) result.message = `bitcoind warns: ${warning}`;
  return result;
}
