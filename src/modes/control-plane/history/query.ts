// Reading a node's metric history for a time range at a resolution, for the UI's charts. The range is
// checked first (every problem names the argument and the fix), then bounded: an answer holds at most
// MAX_POINTS points. Without a resolution, the finest that fits is chosen (10 s points only inside their
// 24 h window). ONE_HOUR is not stored: it is summarized from the 5 min rollups when asked.
import type { DbOrTx } from "../../../db/client.ts";
import { findSeries, type HistoryRow, pointsBetween, SLOT_SECONDS } from "../../../db/queries/history.ts";
import { badRequest } from "../../../lib/errors.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import { type RoleFigures, rollupBy } from "./points.ts";
import { HISTORY } from "./recorder.ts";

export type Resolution = "TEN_SECONDS" | "FIVE_MINUTES" | "ONE_HOUR";
export const RESOLUTION_SECONDS: Record<Resolution, number> = {
  TEN_SECONDS: HISTORY.pointSeconds,
  FIVE_MINUTES: HISTORY.rollupSeconds,
  ONE_HOUR: 3600,
};
const FINEST_FIRST: Resolution[] = ["TEN_SECONDS", "FIVE_MINUTES", "ONE_HOUR"];

/** Points per answer: a day at 5 min is 288, a month at 1 h is 720, four hours at 10 s is 1,440. */
export const MAX_POINTS = 1440;

export interface HistoryRange {
  from: Date;
  to: Date;
  resolution: Resolution;
}

export interface MetricPoint {
  at: Date;
  blockHeight: number | null;
  networkHeight: number | null;
  syncPercent: number | null;
  peers: number | null;
  peersMin: number | null;
  peersMax: number | null;
  diskUsedBytes: number | null;
  diskTotalBytes: number | null;
  diskAvailableBytes: number | null;
  cpuMillicores: number | null;
  cpuMillicoresMax: number | null;
  memoryBytes: number | null;
  memoryBytesMax: number | null;
  samples: number;
  roles: { role: string; cpuMillicores: number | null; memoryBytes: number | null }[];
}

const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
const pointsIn = (from: Date, to: Date, r: Resolution) =>
  Math.ceil((to.getTime() - from.getTime()) / 1000 / RESOLUTION_SECONDS[r]);

/** Checks `from`, `to` (default: now) and `resolution` (default: the finest that fits). */
export function historyRange(
  args: { from?: unknown; to?: unknown; resolution?: Resolution | null },
  now: Date,
): HistoryRange {
  const errors: ErrorDetail[] = [];
  const to = args.to === undefined || args.to === null ? now : args.to;
  if (!validDate(args.from))
    errors.push({ path: "/from", message: "from must be a date-time, e.g. 2026-12-06T08:00:00Z" });
  if (!validDate(to))
    errors.push({ path: "/to", message: "to must be a date-time, e.g. 2026-12-06T09:00:00Z" });
  if (errors.length === 0 && (to as Date).getTime() <= (args.from as Date).getTime())
    errors.push({ path: "/to", message: "to (default: now) must be later than from" });
  if (errors.length > 0) throw invalid(errors);
  const from = args.from as Date;
  const end = to as Date;
  if (args.resolution) {
    const n = pointsIn(from, end, args.resolution);
    if (n > MAX_POINTS) {
      throw invalid([
        {
          path: "/resolution",
          message: `from…to holds ${n} points at ${args.resolution}, more than ${MAX_POINTS}: narrow the range or choose a coarser resolution`,
        },
      ]);
    }
    return { from, to: end, resolution: args.resolution };
  }
  const kept10s = now.getTime() - HISTORY.pointRetentionSeconds * 1000;
  const fits = FINEST_FIRST.find(
    (r) => pointsIn(from, end, r) <= MAX_POINTS && (r !== "TEN_SECONDS" || from.getTime() >= kept10s),
  );
  if (!fits) {
    throw invalid([
      {
        path: "/from",
        message: `from…to spans more than ${MAX_POINTS} hours; history is kept for 30 days: send a later from`,
      },
    ]);
  }
  return { from, to: end, resolution: fits };
}

function invalid(details: ErrorDetail[]) {
  return badRequest(`the history range is not valid: ${details.map((d) => d.message).join("; ")}`, details);
}

/** The node's points in the range, oldest first (none when the node has no history). */
export function readHistory(db: DbOrTx, nodeId: string, range: HistoryRange): MetricPoint[] {
  const series = findSeries(db, nodeId);
  if (series === null) return [];
  const seconds = RESOLUTION_SECONDS[range.resolution];
  // Points are keyed by the start of their slot or bucket: the one under way at `from` is included.
  const fromSlot = Math.floor(range.from.getTime() / 1000 / seconds) * (seconds / SLOT_SECONDS);
  const toSlot = Math.ceil(range.to.getTime() / 1000 / SLOT_SECONDS);
  let rows: HistoryRow[];
  if (range.resolution === "TEN_SECONDS") rows = pointsBetween(db, series, false, fromSlot, toSlot);
  else {
    rows = pointsBetween(db, series, true, fromSlot, toSlot);
    if (range.resolution === "ONE_HOUR") rows = rollupBy(rows, seconds);
  }
  return rows.slice(0, MAX_POINTS).map(toPoint);
}

function toPoint(row: HistoryRow): MetricPoint {
  const roles = row.roles
    ? Object.entries(JSON.parse(row.roles) as RoleFigures).map(([role, [cpu, memory]]) => ({
        role,
        cpuMillicores: cpu,
        memoryBytes: memory,
      }))
    : [];
  return {
    at: new Date(row.at * 1000),
    blockHeight: row.blockHeight,
    networkHeight: row.networkHeight,
    syncPercent: row.syncPercentX100 === null ? null : row.syncPercentX100 / 100,
    peers: row.peers,
    peersMin: row.peersMin ?? row.peers,
    peersMax: row.peersMax ?? row.peers,
    diskUsedBytes: row.diskUsedBytes,
    diskTotalBytes: row.diskTotalBytes,
    diskAvailableBytes: row.diskAvailableBytes,
    cpuMillicores: row.cpuMillicores,
    cpuMillicoresMax: row.cpuMillicoresMax ?? row.cpuMillicores,
    memoryBytes: row.memoryBytes,
    memoryBytesMax: row.memoryBytesMax ?? row.memoryBytes,
    samples: row.samples ?? 1,
    roles,
  };
}
