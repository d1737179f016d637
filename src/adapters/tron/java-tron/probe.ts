// How java-tron is probed (two GETs on its HTTP API) and how the answers become status, metrics and details:
// the head block from /wallet/getnowblock, peers, the solidified block and the JVM's memory from
// /wallet/getnodeinfo. java-tron reports no GC counters there; its memory pools stand in for them.
import type { NodeMetrics } from "../../../protocol/observed.ts";
import type { ProbeResult, ProbeSpec } from "../../types.ts";

/** A head block older than this (20 three-second slots) means the node is still catching up. */
const HEAD_STALE_MS = 60_000;

export function tronProbe(httpPort: number): ProbeSpec {
  return {
    kind: "http-json",
    port: httpPort,
    requests: [
      { key: "nowBlock", path: "/wallet/getnowblock" },
      { key: "nodeInfo", path: "/wallet/getnodeinfo" },
    ],
  };
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/** "Num:71562193,ID:0000…" → 71562193. */
function blockNum(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^Num:(\d{1,16}),/.exec(value) : null;
  return match ? count(Number(match[1])) : undefined;
}

/** The old generation's pool (CMS Old Gen on JDK 8, G1 Old Gen on JDK 17): where a heap fills up. */
function oldGenUsedBytes(machine: Record<string, unknown>): number | undefined {
  const pools = Array.isArray(machine.memoryDescInfoList) ? machine.memoryDescInfoList : [];
  for (const pool of pools) {
    const fields = record(pool);
    if (fields && typeof fields.name === "string" && /Old Gen|Tenured/.test(fields.name))
      return count(fields.useSize);
  }
  return undefined;
}

function nodeInfoDetails(info: Record<string, unknown>, details: Record<string, string | number>): void {
  const solidified = blockNum(info.solidityBlock);
  if (solidified !== undefined) details.solidifiedHeight = solidified;
  const beginSync = count(info.beginSyncNum);
  if (beginSync !== undefined) details.beginSyncNum = beginSync;
  const version = record(info.configNodeInfo)?.codeVersion;
  if (typeof version === "string") details.clientVersion = version.slice(0, 64);
  const machine = record(info.machineInfo);
  if (!machine) return;
  const total = count(machine.jvmTotalMemory);
  const free = count(machine.jvmFreeMemory);
  if (total !== undefined) details.heapCommittedBytes = total;
  if (total !== undefined && free !== undefined && free <= total) details.heapUsedBytes = total - free;
  const oldGen = oldGenUsedBytes(machine);
  if (oldGen !== undefined) details.oldGenUsedBytes = oldGen;
  const deadlocked = count(machine.deadLockThreadCount);
  if (deadlocked !== undefined) details.deadLockThreadCount = deadlocked;
}

/** raw.nowBlock and raw.nodeInfo: the parsed bodies (absent when a request failed). */
export function interpretTronProbe(raw: Record<string, unknown>, nowMs = Date.now()): ProbeResult {
  const metrics: NodeMetrics = {};
  const details: Record<string, string | number> = {};
  const header = record(record(record(raw.nowBlock)?.block_header)?.raw_data);
  const info = record(raw.nodeInfo);
  const height = count(header?.number) ?? blockNum(info?.block);
  if (height === undefined) {
    return { status: "error", metrics, message: "/wallet/getnowblock and /wallet/getnodeinfo gave no block" };
  }
  metrics.blockHeight = height;
  if (info) {
    const peers = count(info.currentConnectCount);
    if (peers !== undefined) metrics.peers = peers;
    nodeInfoDetails(info, details);
  }
  const timestamp = count(header?.timestamp);
  const result: ProbeResult = { status: "running", metrics };
  if (timestamp !== undefined) {
    metrics.lastBlockAt = new Date(timestamp).toISOString();
    const behind = nowMs - timestamp > HEAD_STALE_MS;
    metrics.syncing = behind;
    if (behind) {
      result.status = "syncing";
      result.message = `head block ${height} is ${Math.round((nowMs - timestamp) / 60_000)} min old: catching up`;
    } else metrics.syncPercent = 100;
  }
  if (Object.keys(details).length > 0) result.details = details;
  return result;
}
