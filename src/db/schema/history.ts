// Metric history: per node, 10 s points for 24 h and 5 min rollups for 30 days (src/modes/control-plane/history).
// A node's points are one contiguous run of the table's integer primary key, packed as
// (series << 32) + (rollup << 31) + (time / 10 s): a range read or an age prune is one rowid range, and a
// point costs no index beside the table itself. `history_series` gives each node its small series number.
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const historySeries = sqliteTable("history_series", {
  /** The series number packed into history_points.key (a rowid alias, so allocation is free). */
  id: integer("id").primaryKey(),
  nodeId: text("node_id").notNull().unique(),
});

export const historyPoints = sqliteTable("history_points", {
  /** (series << 32) + (rollup ? 1 << 31 : 0) + floor(time in seconds / 10). */
  key: integer("key").primaryKey(),
  blockHeight: integer("block_height"),
  networkHeight: integer("network_height"),
  /** Hundredths of a percent (an integer takes 2 bytes, a REAL 8). */
  syncPercentX100: integer("sync_percent_x100"),
  /** A rollup stores the average here (fractional), and the bounds beside it. */
  peers: real("peers"),
  peersMin: integer("peers_min"),
  peersMax: integer("peers_max"),
  diskUsedBytes: integer("disk_used_bytes"),
  diskTotalBytes: integer("disk_total_bytes"),
  diskAvailableBytes: integer("disk_available_bytes"),
  /** Summed over the node's processes; a rollup stores the average and the maximum. */
  cpuMillicores: integer("cpu_millicores"),
  cpuMillicoresMax: integer("cpu_millicores_max"),
  memoryBytes: integer("memory_bytes"),
  memoryBytesMax: integer("memory_bytes_max"),
  /** Points a rollup summarizes (null on a 10 s point). */
  samples: integer("samples"),
  /** Per role `{"el":[cpu,mem],…}`, only for nodes of more than one process (a single one equals the sums). */
  roles: text("roles"),
});
