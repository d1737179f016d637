// `bun scripts/bench-observe.ts --executors 10000 --seconds 120 --runs 3`: what reacting to observations costs
// the control plane. The load is bench-sync's (scripts/bench/*: N simulated executors, one devnet node each,
// sync every 5 s, a held spec long-poll, an observed report with every common metric every 10 s), run twice
// per round on a fresh compiled control plane: once with OBSERVATION_LISTENERS=false (the sync load alone)
// and once with the listeners on (metric history today; alert evaluation once it subscribes too), in
// alternating order. The figure is the control plane's CPU (% of one core) over the same measured window,
// with minus without, median of the rounds. It also reports what the history takes on disk: bytes per 10 s
// point under the live, interleaved load (SQLite's dbstat), and a node's steady state after a month (24 h of
// 10 s points + 30 days of 5 min rollups) written through the real recorder into a scratch database.
// Not part of `npm test`.

import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { getMetricsFromIterator } from "prom2javascript";
import { openDatabase } from "../src/db/client.ts";
import { WriteBatcher } from "../src/db/write-batcher.ts";
import { createLogger } from "../src/lib/log.ts";
import { MetricHistoryRecorder } from "../src/modes/control-plane/history/recorder.ts";
import type { ObservedNodeState } from "../src/protocol/index.ts";
import { ensureBinary } from "./bench/binary.ts";
import { type BenchControlPlane, signIn, startControlPlane } from "./bench/control-plane.ts";
import { Fleet } from "./bench/fleet.ts";
import { reexecInNetns, until } from "./bench/run.ts";
import { createKeys, createNodes, registerExecutors } from "./bench/setup.ts";
import { machineCpuSeconds, openFileLimit, processCpuSeconds, quantileOf, rssMib } from "./bench/stats.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    executors: { type: "string", default: "10000" },
    seconds: { type: "string", default: "120" },
    runs: { type: "string", default: "3" },
    /** Default: 15 s plus 4 ms per executor, as bench-sync. */
    "warmup-seconds": { type: "string" },
    binary: { type: "string", default: join(ROOT, "dist/novacula") },
    build: { type: "boolean", default: false },
    "no-netns": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const int = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number above 0`);
  return n;
};
const N = int("executors");
const SECONDS = int("seconds");
const RUNS = int("runs");
const WARMUP_S = flags["warmup-seconds"] ? int("warmup-seconds") : 15 + Math.ceil(N * 0.004);
const METRICS_TOKEN = "bench-observe-metrics-token-0123456789";
const f = (n: number) => n.toFixed(1);
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const median = (values: number[]) => quantileOf(values, 0.5);

await reexecInNetns(import.meta.path, Math.max(65_536, N * 3), Boolean(flags["no-netns"]));
if (openFileLimit() < N + 4_096) {
  console.error(`the open-file limit is ${openFileLimit()}; ${N} executors need about ${N + 4_096}`);
  process.exit(2);
}
const binary = resolve(flags.binary!);
ensureBinary(binary, Boolean(flags.build), log);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const machine = {
  nproc: cpus().length,
  cpuModel: /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown",
  memoryGib: Number((totalmem() / 2 ** 30).toFixed(1)),
  bun: Bun.version,
  loadavgBefore: loadavg(),
};
log(`machine: ${machine.nproc} CPUs (${machine.cpuModel}), load ${machine.loadavgBefore}`);

type Mode = "without" | "with";
interface ModeRun {
  mode: Mode;
  cpuPercent: number;
  generatorPercent: number;
  machineBusyPercent: number;
  rssPeakMib: number;
  syncP99Ms: number;
  observedP99Ms: number;
  reports: number;
  errors: number;
  historyPointsQueued: number;
  history: { rows: number; bytes: number };
  loadavgAfter: string;
}

/** Rows and bytes (pages × page size, from dbstat) of the history points in the control plane's file. */
function historyOnDisk(dbPath: string): { rows: number; bytes: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.query<{ n: number }, []>("SELECT count(*) AS n FROM history_points").get()!.n;
    const bytes = db
      .query<{ bytes: number | null }, []>(
        "SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = 'history_points'",
      )
      .get()!.bytes;
    return { rows, bytes: bytes ?? 0 };
  } finally {
    db.close();
  }
}

async function historyPointsQueued(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const metrics = await getMetricsFromIterator((await response.text()).split("\n")[Symbol.iterator]());
  const family = metrics.novacula_metric_history_points_total?.data as
    | { labels: Record<string, string>; value: number }[]
    | undefined;
  return family?.find((s) => s.labels.resolution === "10s")?.value ?? 0;
}

/** One fresh control plane under the fleet's load, with or without the observation listeners. */
async function measure(mode: Mode, round: number): Promise<ModeRun> {
  const runDir = join(ROOT, ".cache/bench", `observe-${Date.now()}-${mode}`);
  const cp = await startControlPlane([binary], runDir, {
    OBSERVATION_LISTENERS: mode === "with" ? "true" : "false",
    METRICS_TOKEN,
  });
  log(`round ${round}, ${mode} listeners: control plane pid ${cp.pid}`);
  let fleet: Fleet | null = null;
  try {
    const cookie = await signIn(cp.url);
    const keys = await createKeys(cp.url, cookie, Math.ceil(N / 10), 10);
    const registered = await registerExecutors(cp.url, keys, N);
    await createNodes(cp.url, cookie, registered, 5);
    fleet = new Fleet({
      url: cp.url,
      keys,
      executors: N,
      workers: 2,
      syncIntervalMs: 5_000,
      observedIntervalMs: 10_000,
      waitMs: 25_000,
      client: "raw",
      staggerMs: 5_000,
    });
    return await measureWindow(cp, fleet, mode, round, runDir);
  } finally {
    await fleet?.stop().catch(() => undefined);
    await cp.stop();
    if (!flags.keep) rmSync(runDir, { recursive: true, force: true });
  }
}

/** Warm-up, then the measured window: the control plane's CPU, RSS, latencies and history intake. */
async function measureWindow(
  cp: BenchControlPlane,
  fleet: Fleet,
  mode: Mode,
  round: number,
  runDir: string,
): Promise<ModeRun> {
  fleet.start(process.execPath);
  await until("every executor's first sync", 60_000 + N * 10, async () => fleet.ids.size >= N);
  await until("every executor's node", 120_000, async () => (await fleet.status()).withNodes >= N);
  log(`warm-up ${WARMUP_S} s`);
  await Bun.sleep(WARMUP_S * 1000);
  await fleet.measure(true);
  const points0 = await historyPointsQueued(cp.url);
  const cpu0 = {
    cp: processCpuSeconds(cp.pid),
    gen: fleet.procs.reduce((s, p) => s + processCpuSeconds(p.pid), 0),
    machine: machineCpuSeconds().busy,
  };
  const start = performance.now();
  let rssPeakMib = rssMib(cp.pid);
  while (performance.now() - start < SECONDS * 1000) {
    await Bun.sleep(Math.min(250, SECONDS * 1000 - (performance.now() - start)));
    rssPeakMib = Math.max(rssPeakMib, rssMib(cp.pid) || 0);
  }
  const window = await fleet.measure(false);
  const elapsed = (performance.now() - start) / 1000;
  const percent = (seconds: number) => (seconds / elapsed) * 100;
  const run: ModeRun = {
    mode,
    cpuPercent: percent(processCpuSeconds(cp.pid) - cpu0.cp),
    generatorPercent: percent(fleet.procs.reduce((s, p) => s + processCpuSeconds(p.pid), 0) - cpu0.gen),
    machineBusyPercent: percent(machineCpuSeconds().busy - cpu0.machine),
    rssPeakMib,
    syncP99Ms: window.sync.quantile(0.99),
    observedP99Ms: window.observed.quantile(0.99),
    reports: window.requests.observed,
    errors: Object.values(window.errors).reduce((a, b) => a + b, 0),
    historyPointsQueued: (await historyPointsQueued(cp.url)) - points0,
    history: historyOnDisk(join(runDir, "cp.db")),
    loadavgAfter: loadavg(),
  };
  log(
    `round ${round}, ${mode} listeners: control plane ${f(run.cpuPercent)} % of a core, generator ${f(run.generatorPercent)} %, ` +
      `RSS peak ${f(run.rssPeakMib)} MiB, sync p99 ${f(run.syncP99Ms)} ms, ${run.reports} reports, ` +
      `${run.historyPointsQueued} history points, ${run.errors} errors, load ${run.loadavgAfter}`,
  );
  return run;
}

/**
 * A node's history after a month, through the real recorder: 31 days of reports every 10 s (the oldest
 * day falls out of the rollup window) into a scratch database, then its pages counted.
 */
function monthOfOneNode(): { rawRows: number; rollupRows: number; bytes: number; rawBytesPerRow: number } {
  const dir = join(ROOT, ".cache/bench", `observe-month-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, "cp.db"));
  const batcher = new WriteBatcher(db, createLogger({ level: "error", write: () => {} }));
  const recorder = new MetricHistoryRecorder(db, batcher);
  const nodeId = "0190a000-0000-7000-8000-0000000be7c4";
  const t0 = Date.UTC(2026, 0, 1);
  const reports = (31 * 86_400) / 10;
  for (let i = 0; i < reports; i++) {
    const observation: ObservedNodeState = {
      nodeId,
      revision: 1,
      processes: [
        { role: "node", status: "running", cpuMillicores: 20 + (i % 7), memoryBytes: 120e6 + i * 4096 },
      ],
      metrics: {
        blockHeight: 1_000_000 + i,
        networkHeight: 1_000_001 + i,
        syncPercent: 99.5,
        peers: 3 + (i % 5),
        diskUsedBytes: 5e9 + i * 65_536,
        diskTotalBytes: 5e11,
        diskAvailableBytes: 2e11 - i * 65_536,
      },
    };
    recorder.record(nodeId, observation, t0 + i * 10_000);
    if (i % 1000 === 999) batcher.flush();
  }
  batcher.stop();
  db.sqlite.exec("VACUUM");
  const count = (rollup: number) =>
    db.sqlite
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM history_points WHERE (key >> 31) & 1 = ?")
      .get(rollup)!.n;
  const rawRows = count(0);
  const rollupRows = count(1);
  const bytes = db.sqlite
    .query<{ b: number }, []>(
      "SELECT sum(pgsize) AS b FROM dbstat WHERE name IN ('history_points', 'history_series')",
    )
    .get()!.b;
  // The 10 s points alone, for comparing with the live (interleaved) figure.
  db.sqlite.exec("DELETE FROM history_points WHERE (key >> 31) & 1 = 1; VACUUM");
  const rawBytes = db.sqlite
    .query<{ b: number }, []>("SELECT sum(pgsize) AS b FROM dbstat WHERE name = 'history_points'")
    .get()!.b;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { rawRows, rollupRows, bytes, rawBytesPerRow: rawBytes / rawRows };
}

const runs: ModeRun[] = [];
for (let round = 1; round <= RUNS; round++) {
  const order: Mode[] = round % 2 === 1 ? ["without", "with"] : ["with", "without"];
  for (const mode of order) runs.push(await measure(mode, round));
}
log("a month of one node's history through the recorder");
const month = monthOfOneNode();

const of = (mode: Mode) => runs.filter((r) => r.mode === mode);
const overheads = Array.from({ length: RUNS }, (_, i) => {
  const round = runs.slice(i * 2, i * 2 + 2);
  return (
    round.find((r) => r.mode === "with")!.cpuPercent - round.find((r) => r.mode === "without")!.cpuPercent
  );
});
const live = of("with").map((r) => r.history.bytes / Math.max(1, r.history.rows));
const liveBytesPerRow = median(live);
const fillFactor = liveBytesPerRow / month.rawBytesPerRow;
const result = {
  command: `bun scripts/bench-observe.ts ${Bun.argv.slice(2).join(" ")}`.trim(),
  date: new Date().toISOString(),
  machine: { ...machine, loadavgAfter: loadavg() },
  config: { executors: N, nodes: N, seconds: SECONDS, runs: RUNS, warmupSeconds: WARMUP_S },
  runs,
  listenerOverheadPercentOfOneCore: { median: median(overheads), each: overheads },
  controlPlaneCpuPercent: {
    without: median(of("without").map((r) => r.cpuPercent)),
    with: median(of("with").map((r) => r.cpuPercent)),
  },
  rssPeakMib: {
    without: median(of("without").map((r) => r.rssPeakMib)),
    with: median(of("with").map((r) => r.rssPeakMib)),
  },
  history: {
    liveBytesPerPoint: liveBytesPerRow,
    monthOfOneNode: month,
    estimatedBytesPerNodePerMonth: month.bytes * Math.max(1, fillFactor),
  },
};
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
console.log(`
── bench:observe — ${N} nodes reporting every 10 s, ${SECONDS} s windows, ${RUNS} rounds ──
control-plane CPU     without listeners ${result.controlPlaneCpuPercent.without.toFixed(1)} %, with ${result.controlPlaneCpuPercent.with.toFixed(1)} % of one core (medians)
listener overhead     median ${f(result.listenerOverheadPercentOfOneCore.median)} % of one core (rounds: ${overheads.map(f).join(", ")}); target ≤ 15
control-plane RSS     peak without ${f(result.rssPeakMib.without)} MiB, with ${f(result.rssPeakMib.with)} MiB (medians)
history on disk       live: ${f(liveBytesPerRow)} bytes per 10 s point (${N} nodes interleaved)
                      a month of one node: ${month.rawRows} points + ${month.rollupRows} rollups = ${mib(month.bytes)} MiB contiguous (${f(month.rawBytesPerRow)} bytes per point)
                      estimated per node per month at the live fill: ${mib(result.history.estimatedBytesPerNodePerMonth)} MiB
load average          before ${machine.loadavgBefore}, after ${result.machine.loadavgAfter}
`);
const jsonPath =
  flags.json ?? join(ROOT, ".cache/bench/results", `observe-${N}x${SECONDS}s-${Date.now()}.json`);
mkdirSync(join(jsonPath, ".."), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
log(`figures written to ${jsonPath}`);
process.exit(runs.some((r) => r.errors > 0) ? 1 : 0);
