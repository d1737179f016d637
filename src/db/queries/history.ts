// Metric history statements (schema/history.ts): a node's series number, writing a 10 s point or a rollup,
// reading a time range, and pruning by age. Keys are packed and compared in SQL (64-bit integers), never in
// JS, whose numbers are exact only to 2^53: (series << 32) + (rollup << 31) + slot, where a slot is 10 s.
import type { DbOrTx } from "../client.ts";

/** Seconds per slot: the finest resolution, and the unit of every key's time part. */
export const SLOT_SECONDS = 10;

/** One stored point, as the table holds it (a 10 s point leaves the rollup-only fields null). */
export interface HistoryRow {
  /** Seconds since the epoch: the start of the point's slot or bucket. */
  at: number;
  blockHeight: number | null;
  networkHeight: number | null;
  syncPercentX100: number | null;
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
  samples: number | null;
  roles: string | null;
}

export type HistoryValues = Omit<HistoryRow, "at">;

const COLUMNS = `block_height, network_height, sync_percent_x100, peers, peers_min, peers_max, disk_used_bytes,
  disk_total_bytes, disk_available_bytes, cpu_millicores, cpu_millicores_max, memory_bytes, memory_bytes_max,
  samples, roles`;
const SELECTED = `(key & 2147483647) * ${SLOT_SECONDS} AS at, block_height AS blockHeight,
  network_height AS networkHeight, sync_percent_x100 AS syncPercentX100, peers, peers_min AS peersMin,
  peers_max AS peersMax, disk_used_bytes AS diskUsedBytes, disk_total_bytes AS diskTotalBytes,
  disk_available_bytes AS diskAvailableBytes, cpu_millicores AS cpuMillicores,
  cpu_millicores_max AS cpuMillicoresMax, memory_bytes AS memoryBytes, memory_bytes_max AS memoryBytesMax,
  samples, roles`;
/** The first key of (series ?1, rollup ?2); ?2 is 0 or 1. */
const BASE = "((?1 << 32) + (?2 << 31))";

/** The node's series number, allocated on first use (in the caller's transaction). */
export function seriesOf(tx: DbOrTx, nodeId: string): number {
  const found = tx.sqlite
    .query<{ id: number }, [string]>("SELECT id FROM history_series WHERE node_id = ?")
    .get(nodeId);
  if (found) return found.id;
  return tx.sqlite
    .query<{ id: number }, [string]>("INSERT INTO history_series (node_id) VALUES (?) RETURNING id")
    .get(nodeId)!.id;
}

/** The node's series number, or null when it has no history. */
export function findSeries(db: DbOrTx, nodeId: string): number | null {
  return (
    db.sqlite.query<{ id: number }, [string]>("SELECT id FROM history_series WHERE node_id = ?").get(nodeId)
      ?.id ?? null
  );
}

/** Every series and its node: what the retention sweep walks. */
export function allSeries(db: DbOrTx): { id: number; nodeId: string; nodeExists: number }[] {
  return db.sqlite
    .query<{ id: number; nodeId: string; nodeExists: number }, []>(
      `SELECT s.id, s.node_id AS nodeId, EXISTS (SELECT 1 FROM nodes n WHERE n.id = s.node_id) AS nodeExists
       FROM history_series s ORDER BY s.id`,
    )
    .all();
}

/** Writes (or replaces) the point of `slot` (seconds / 10) in the series' 10 s run or its rollups. */
export function putPoint(tx: DbOrTx, series: number, rollup: boolean, slot: number, v: HistoryValues): void {
  tx.sqlite
    .query(
      `INSERT OR REPLACE INTO history_points (key, ${COLUMNS})
       VALUES (${BASE} + ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)`,
    )
    .run(
      series,
      rollup ? 1 : 0,
      slot,
      v.blockHeight,
      v.networkHeight,
      v.syncPercentX100,
      v.peers,
      v.peersMin,
      v.peersMax,
      v.diskUsedBytes,
      v.diskTotalBytes,
      v.diskAvailableBytes,
      v.cpuMillicores,
      v.cpuMillicoresMax,
      v.memoryBytes,
      v.memoryBytesMax,
      v.samples,
      v.roles,
    );
}

/** The series' points with fromSlot ≤ slot < toSlot, oldest first. */
export function pointsBetween(
  db: DbOrTx,
  series: number,
  rollup: boolean,
  fromSlot: number,
  toSlot: number,
): HistoryRow[] {
  return db.sqlite
    .query<HistoryRow, [number, number, number, number]>(
      `SELECT ${SELECTED} FROM history_points
       WHERE key >= ${BASE} + ?3 AND key < ${BASE} + ?4 ORDER BY key`,
    )
    .all(series, rollup ? 1 : 0, Math.max(0, fromSlot), Math.max(0, toSlot));
}

/** The last non-null value of `column` among the bucket's 10 s points (?1 series, ?2..?3 slots). */
const lastOf = (column: string) =>
  `(SELECT ${column} FROM history_points WHERE key >= (?1 << 32) + ?2 AND key < (?1 << 32) + ?3
    AND ${column} IS NOT NULL ORDER BY key DESC LIMIT 1)`;

/**
 * Rolls the series' 10 s points of slots [first, first + slots) up into the rollup at `first`, in SQL (no row
 * reaches JS): heights, sync and disk their last value, peers, CPU and memory average and bounds, and the
 * count. Writes nothing when the bucket has no point; returns whether it wrote.
 */
export function rollUpPoints(tx: DbOrTx, series: number, first: number, slots: number): boolean {
  return (
    tx.sqlite
      .query(
        `INSERT OR REPLACE INTO history_points (key, ${COLUMNS})
         SELECT (?1 << 32) + (1 << 31) + ?2, ${lastOf("block_height")}, ${lastOf("network_height")},
           ${lastOf("sync_percent_x100")}, round(avg(peers), 1), min(peers), max(peers),
           ${lastOf("disk_used_bytes")}, ${lastOf("disk_total_bytes")}, ${lastOf("disk_available_bytes")},
           CAST(round(avg(cpu_millicores)) AS INTEGER), max(cpu_millicores),
           CAST(round(avg(memory_bytes)) AS INTEGER), max(memory_bytes), count(*), NULL
         FROM history_points WHERE key >= (?1 << 32) + ?2 AND key < (?1 << 32) + ?3 HAVING count(*) > 0`,
      )
      .run(series, first, first + slots).changes > 0
  );
}

/** The per-role figures among the series' 10 s points of slots [first, first + slots) (nodes of several processes). */
export function rolesBetween(
  db: DbOrTx,
  series: number,
  first: number,
  slots: number,
): { roles: string; samples: number | null }[] {
  return db.sqlite
    .query<{ roles: string; samples: number | null }, [number, number, number]>(
      `SELECT roles, samples FROM history_points
       WHERE key >= (?1 << 32) + ?2 AND key < (?1 << 32) + ?3 AND roles IS NOT NULL`,
    )
    .all(series, first, first + slots);
}

/** Sets the per-role figures of the rollup at `first`. */
export function setRollupRoles(tx: DbOrTx, series: number, first: number, roles: string): void {
  tx.sqlite
    .query("UPDATE history_points SET roles = ?3 WHERE key = (?1 << 32) + (1 << 31) + ?2")
    .run(series, first, roles);
}

/**
 * Deletes the series' points (10 s or rollups) before `fromSlot` and from `untilSlot` on (a clock that went
 * back leaves points "from the future"): what is left lies in [fromSlot, untilSlot), one point per slot at
 * most, which is the hard cap on a node's rows. Each write runs it for its own node (with `untilSlot` just
 * past the slot written), the retention sweep for the nodes that went quiet. Returns how many went.
 */
export function prunePoints(
  tx: DbOrTx,
  series: number,
  rollup: boolean,
  fromSlot: number,
  untilSlot: number,
): number {
  const r = rollup ? 1 : 0;
  const old = tx.sqlite
    .query(`DELETE FROM history_points WHERE key >= ${BASE} AND key < ${BASE} + ?3`)
    .run(series, r, Math.max(0, fromSlot)).changes;
  const future = tx.sqlite
    .query(`DELETE FROM history_points WHERE key >= ${BASE} + ?3 AND key < ${BASE} + 2147483648`)
    .run(series, r, Math.max(0, untilSlot)).changes;
  return old + future;
}

/** Drops a series with all its points (its node is gone, or it has nothing left). */
export function dropSeries(tx: DbOrTx, series: number): void {
  tx.sqlite
    .query("DELETE FROM history_points WHERE key >= (?1 << 32) AND key < ((?1 + 1) << 32)")
    .run(series);
  tx.sqlite.query("DELETE FROM history_series WHERE id = ?").run(series);
}

/** Whether the series holds any point. */
export function seriesHasPoints(db: DbOrTx, series: number): boolean {
  return (
    db.sqlite
      .query<{ one: number }, [number]>(
        "SELECT 1 AS one FROM history_points WHERE key >= (?1 << 32) AND key < ((?1 + 1) << 32) LIMIT 1",
      )
      .get(series) !== null
  );
}

/** Rows per series and kind, for tests and the benchmark's size figures. */
export function countPoints(db: DbOrTx, series: number, rollup: boolean): number {
  return db.sqlite
    .query<{ n: number }, [number, number]>(
      `SELECT count(*) AS n FROM history_points WHERE key >= ${BASE} AND key < ${BASE} + 2147483648`,
    )
    .get(series, rollup ? 1 : 0)!.n;
}
