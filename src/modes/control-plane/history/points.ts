// What one observation contributes to a node's metric history, and how 10 s points become a 5 min rollup.
// Pure: no database, no clock. Each figure is summarized the way a chart of it reads best: heights and sync
// progress by their last value (they only move forward while a node is healthy), disk by its last value
// (it changes slowly), peers, CPU and memory by their average with the bounds beside it (a dip or a spike
// within five minutes stays visible).
import type { HistoryRow, HistoryValues } from "../../../db/queries/history.ts";
import type { ObservedNodeState } from "../../../protocol/index.ts";

const EMPTY: HistoryValues = {
  blockHeight: null,
  networkHeight: null,
  syncPercentX100: null,
  peers: null,
  peersMin: null,
  peersMax: null,
  diskUsedBytes: null,
  diskTotalBytes: null,
  diskAvailableBytes: null,
  cpuMillicores: null,
  cpuMillicoresMax: null,
  memoryBytes: null,
  memoryBytesMax: null,
  samples: null,
  roles: null,
};

/** role → [cpu millicores, memory bytes], either possibly null. */
export type RoleFigures = Record<string, [number | null, number | null]>;

const sumOf = (values: (number | undefined)[]): number | null => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
};

/** The 10 s point of an observation, or null when it carries no figure at all (a removed node, say). */
export function pointOf(observation: ObservedNodeState): HistoryValues | null {
  if (observation.removed) return null;
  const m = observation.metrics ?? {};
  const processes = observation.processes;
  const cpu = sumOf(processes.map((p) => p.cpuMillicores));
  const memory = sumOf(processes.map((p) => p.memoryBytes));
  const peers = m.peers ?? sumOf(processes.map((p) => p.peers));
  let roles: string | null = null;
  if (processes.length > 1) {
    const figures: RoleFigures = {};
    for (const p of processes) {
      if (p.cpuMillicores === undefined && p.memoryBytes === undefined) continue;
      figures[p.role] = [round(p.cpuMillicores), round(p.memoryBytes)];
    }
    if (Object.keys(figures).length > 0) roles = JSON.stringify(figures);
  }
  const point: HistoryValues = {
    ...EMPTY,
    blockHeight: m.blockHeight ?? null,
    networkHeight: m.networkHeight ?? null,
    syncPercentX100: m.syncPercent === undefined ? null : Math.round(m.syncPercent * 100),
    peers,
    diskUsedBytes: round(m.diskUsedBytes),
    diskTotalBytes: round(m.diskTotalBytes),
    diskAvailableBytes: round(m.diskAvailableBytes),
    cpuMillicores: round(cpu),
    memoryBytes: round(memory),
    roles,
  };
  const any = Object.values(point).some((v) => v !== null);
  return any ? point : null;
}

function round(value: number | undefined | null): number | null {
  return value === undefined || value === null ? null : Math.round(value);
}

/** The set values of `key`, oldest first, each with its weight (the points a rollup summarizes, else 1). */
function known(rows: readonly HistoryValues[], key: keyof HistoryValues): [number, number][] {
  const out: [number, number][] = [];
  for (const row of rows) {
    const v = row[key];
    if (typeof v === "number") out.push([v, row.samples ?? 1]);
  }
  return out;
}

/** Each row's bound when it has one (a rollup), else its value (a 10 s point). */
function bounds(rows: readonly HistoryValues[], bound: keyof HistoryValues, value: keyof HistoryValues) {
  const out: number[] = [];
  for (const row of rows) {
    const v = row[bound] ?? row[value];
    if (typeof v === "number") out.push(v);
  }
  return out;
}

const last = (values: [number, number][]) => (values.length === 0 ? null : values[values.length - 1]![0]);
function average(values: [number, number][]): number | null {
  let sum = 0;
  let weight = 0;
  for (const [v, w] of values) {
    sum += v * w;
    weight += w;
  }
  return weight === 0 ? null : sum / weight;
}
const maximum = (values: number[]) => (values.length === 0 ? null : Math.max(...values));
const minimum = (values: number[]) => (values.length === 0 ? null : Math.min(...values));

/**
 * The rollup of consecutive points (rollups summarized coarser when read; the recorder rolls 10 s points up
 * in SQL the same way, src/db/queries/history.ts): null for none.
 */
export function rollupOf(rows: readonly HistoryValues[]): HistoryValues | null {
  if (rows.length === 0) return null;
  const peers = average(known(rows, "peers"));
  return {
    blockHeight: last(known(rows, "blockHeight")),
    networkHeight: last(known(rows, "networkHeight")),
    syncPercentX100: last(known(rows, "syncPercentX100")),
    peers: peers === null ? null : Math.round(peers * 10) / 10,
    peersMin: minimum(bounds(rows, "peersMin", "peers")),
    peersMax: maximum(bounds(rows, "peersMax", "peers")),
    diskUsedBytes: last(known(rows, "diskUsedBytes")),
    diskTotalBytes: last(known(rows, "diskTotalBytes")),
    diskAvailableBytes: last(known(rows, "diskAvailableBytes")),
    cpuMillicores: round(average(known(rows, "cpuMillicores"))),
    cpuMillicoresMax: maximum(bounds(rows, "cpuMillicoresMax", "cpuMillicores")),
    memoryBytes: round(average(known(rows, "memoryBytes"))),
    memoryBytesMax: maximum(bounds(rows, "memoryBytesMax", "memoryBytes")),
    samples: rows.reduce((n, r) => n + (r.samples ?? 1), 0),
    roles: rollupRoles(rows),
  };
}

/** Per role, the average CPU and memory over the points that name the role. */
export function rollupRoles(rows: readonly Pick<HistoryValues, "roles" | "samples">[]): string | null {
  const sums = new Map<string, { cpu: [number, number][]; memory: [number, number][] }>();
  for (const row of rows) {
    if (!row.roles) continue;
    for (const [role, [cpu, memory]] of Object.entries(JSON.parse(row.roles) as RoleFigures)) {
      const s = sums.get(role) ?? { cpu: [], memory: [] };
      if (cpu !== null) s.cpu.push([cpu, row.samples ?? 1]);
      if (memory !== null) s.memory.push([memory, row.samples ?? 1]);
      sums.set(role, s);
    }
  }
  if (sums.size === 0) return null;
  const out: RoleFigures = {};
  for (const [role, s] of sums) out[role] = [round(average(s.cpu)), round(average(s.memory))];
  return JSON.stringify(out);
}

/** Rows grouped by the `bucketSeconds` window their `at` falls in, each group rolled up. */
export function rollupBy(rows: readonly HistoryRow[], bucketSeconds: number): HistoryRow[] {
  const out: HistoryRow[] = [];
  let group: HistoryRow[] = [];
  let groupAt = Number.NaN;
  const close = () => {
    const rolled = rollupOf(group);
    if (rolled) out.push({ at: groupAt, ...rolled });
  };
  for (const row of rows) {
    const at = Math.floor(row.at / bucketSeconds) * bucketSeconds;
    if (at !== groupAt && group.length > 0) {
      close();
      group = [];
    }
    groupAt = at;
    group.push(row);
  }
  if (group.length > 0) close();
  return out;
}
