// `npm run bench:sync -- --executors 10000 --seconds 300`: the executor-protocol benchmark. Runs
// the compiled control plane on loopback inside a private network namespace, simulates N executors from
// worker processes (sync every 5 s, one held spec long-poll each, an observed report every 10 s), and
// prints requests/s, sync latency percentiles, errors, long-poll wake latency for one and for all
// executors, control-plane RSS and CPU, and the generator's own CPU. Not part of `npm test`.
// Phases: start → keys, first contacts, one node per executor → fleet starts (staggered) → warm-up → window
// → wake one (several samples) → wake all (one bulk restart of every node) → stop. Every wait is bounded.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureBinary } from "./bench/binary.ts";
import { signIn, startControlPlane } from "./bench/control-plane.ts";
import { Fleet } from "./bench/fleet.ts";
import { reexecInNetns, until } from "./bench/run.ts";
import { createKeys, createNodes, registerExecutors } from "./bench/setup.ts";
import { machineCpuSeconds, openFileLimit, processCpuSeconds, rssMib } from "./bench/stats.ts";
import { wakeAll, wakeOne } from "./bench/wake.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    executors: { type: "string", default: "1000" },
    seconds: { type: "string", default: "30" },
    "sync-interval-ms": { type: "string", default: "5000" },
    "observed-interval-ms": { type: "string", default: "10000" },
    "wait-ms": { type: "string", default: "25000" },
    /** Default: 15 s plus 4 ms per executor (the fleet's start is a burst of first polls and reports). */
    "warmup-seconds": { type: "string" },
    /** The fleet's first syncs are spread over this long (default: one sync interval). */
    "ramp-seconds": { type: "string" },
    workers: { type: "string", default: "2" },
    /** The generator's HTTP client: "raw" (lean keep-alive sockets) or "fetch" (Bun's fetch). */
    client: { type: "string", default: "raw" },
    "executors-per-key": { type: "string", default: "10" },
    "wake-samples": { type: "string", default: "5" },
    /** Skip the wake-all phase (profiling the steady state). */
    "no-wake-all": { type: "boolean", default: false },
    binary: { type: "string", default: join(ROOT, "dist/novacula") },
    build: { type: "boolean", default: false },
    /** Run the control plane from source under Bun's CPU profiler (.cpuprofile + markdown in the run dir;
     *  window.json there says when the measured window ran, to keep setup out of the analysis). */
    profile: { type: "boolean", default: false },
    /** Extra environment for the control plane, e.g. --cp-env BUN_OPTIONS=--smol (repeatable). */
    "cp-env": { type: "string", multiple: true, default: [] },
    "no-netns": { type: "boolean", default: false },
    /** Pin the control plane (all its threads) to CPU 0 and the generator workers to CPU 1, so the load
     *  generator cannot preempt the server it measures (2-core machines). */
    pin: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const int = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const N = int("executors");
const SECONDS = int("seconds");
const WAIT_MS = int("wait-ms");
const f = (n: number) => n.toFixed(1);
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Sets the CPU affinity of every thread of `pid` (taskset from util-linux). */
function pinToCpu(pid: number, cpu: number): void {
  execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", String(cpu), String(pid)], {
    stdio: "pipe",
  });
}

// ── 1. Loopback only: re-run inside a new network namespace where only `lo` exists. ──────────────────
await reexecInNetns(import.meta.path, Math.max(65_536, N * 3), Boolean(flags["no-netns"]));

// ── 2. Preconditions: file descriptors, the binary, the machine. ─────────────────────────────────────
const needFds = N + 4_096;
if (openFileLimit() < needFds) {
  console.error(
    `the open-file limit is ${openFileLimit()} but ${N} executors need about ${needFds} (one held long-poll\n` +
      `each, in the control plane and in the workers). Raise it (as root: ulimit -n ${N * 3}) and rerun.`,
  );
  process.exit(2);
}
const binary = resolve(flags.binary!);
ensureBinary(binary, Boolean(flags.build), log);
const machine = {
  nproc: cpus().length,
  cpuModel: /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown",
  memoryGib: Number((totalmem() / 2 ** 30).toFixed(1)),
  bun: Bun.version,
  binary: execFileSync(binary, ["--version"], { encoding: "utf8" }).trim(),
  loadavgBefore: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  netns: process.env.NOVACULA_BENCH_NETNS === "1",
  openFileLimit: openFileLimit(),
};
log(
  `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGib} GiB, bun ${machine.bun}, load ${machine.loadavgBefore}`,
);

// ── 3. Control plane, admin session, keys. ───────────────────────────────────────────────────────────
const runDir = join(ROOT, ".cache/bench", `run-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const cpStartedAt = Date.now();
const cp = await startControlPlane(
  flags.profile
    ? [process.execPath, "--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${runDir}`, join(ROOT, "src/main.ts")]
    : [binary],
  runDir,
  Object.fromEntries(
    (flags["cp-env"] ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  ),
);
log(`control plane pid ${cp.pid} at ${cp.url} (data ${runDir})`);
let peakRssMib = rssMib(cp.pid);
const rssTimer = setInterval(() => {
  peakRssMib = Math.max(peakRssMib, rssMib(cp.pid) || 0);
}, 250);
const cookie = await signIn(cp.url);
// Keys are meant per executor, and each valid key has its own rate limit (abuse/limiter.ts): 10 executors
// per key keep every key far below it while still sharing keys as a fleet operator may.
const keyCount = Math.max(1, Math.ceil(N / int("executors-per-key")));
const keys = await createKeys(cp.url, cookie, keyCount);
log(`${keyCount} executor keys created`);

const fleet = new Fleet({
  url: cp.url,
  keys,
  executors: N,
  workers: Math.max(1, Math.min(int("workers"), N)),
  syncIntervalMs: int("sync-interval-ms"),
  observedIntervalMs: int("observed-interval-ms"),
  waitMs: WAIT_MS,
  client: flags.client === "fetch" ? "fetch" : "raw",
  staggerMs: (flags["ramp-seconds"] ? int("ramp-seconds") : int("sync-interval-ms") / 1000) * 1000,
});
let exitCode = 0;
try {
  // ── 4. Before any load: every executor's first contact, then one node each (GraphQL, as a user). ──
  const t0 = Date.now();
  const registered = await registerExecutors(cp.url, keys, N);
  log(`${N} executors registered in ${((Date.now() - t0) / 1000).toFixed(1)} s (first syncs, 64 at a time)`);
  const tNodes = Date.now();
  const nodeIds = await createNodes(cp.url, cookie, registered);
  const nodeWritesPerSecond = N / ((Date.now() - tNodes) / 1000);
  log(
    `${N} nodes created in ${((Date.now() - tNodes) / 1000).toFixed(1)} s (${nodeWritesPerSecond.toFixed(0)} node writes/s)`,
  );

  // ── 5. The fleet: staggered starts, each executor picks up its node on its first poll. ─────────────
  fleet.start(process.execPath);
  if (flags.pin) {
    pinToCpu(cp.pid, 0);
    for (const worker of fleet.procs) pinToCpu(worker.pid, 1);
    log("pinned: control plane → CPU 0, generator workers → CPU 1");
  }
  await until("every executor's first sync", 60_000 + N * 10, async () => fleet.ids.size >= N);
  await until(
    "every executor to receive its node",
    120_000,
    async () => (await fleet.status()).withNodes >= N,
  );
  const warmupSeconds = flags["warmup-seconds"] ? int("warmup-seconds") : 15 + Math.ceil(N * 0.004);
  log(`warm-up ${warmupSeconds} s`);
  await Bun.sleep(warmupSeconds * 1000);

  // ── 5. The measured window. ──────────────────────────────────────────────────────────────────────
  await fleet.measure(true);
  await fleet.interval();
  log("measured window starts");
  const cpu0 = {
    cp: processCpuSeconds(cp.pid),
    workers: fleet.procs.reduce((s, p) => s + processCpuSeconds(p.pid), 0),
    self: process.cpuUsage(),
    machine: machineCpuSeconds(),
  };
  const windowStart = performance.now();
  peakRssMib = rssMib(cp.pid);
  for (let s = 10; s <= SECONDS; s += 10) {
    await Bun.sleep(Math.min(10_000, windowStart + s * 1000 - performance.now()));
    const st = await fleet.status();
    const errors = Object.values(st.errorsTotal).reduce((a, b) => a + b, 0);
    const recent = await fleet.interval();
    log(
      `t=${s}s rss=${rssMib(cp.pid).toFixed(0)} MiB held=${st.held} errors(all phases)=${errors} ` +
        `sync p50/p99/max ${f(recent.quantile(0.5))}/${f(recent.quantile(0.99))}/${f(recent.maxMs)} ms`,
    );
  }
  await Bun.sleep(Math.max(0, windowStart + SECONDS * 1000 - performance.now()));
  const window = await fleet.measure(false);
  const elapsed = (performance.now() - windowStart) / 1000;
  const machineCpu = machineCpuSeconds();
  const selfCpu = process.cpuUsage(cpu0.self);
  const cpuSeconds = {
    cp: processCpuSeconds(cp.pid) - cpu0.cp,
    workers: fleet.procs.reduce((s, p) => s + processCpuSeconds(p.pid), 0) - cpu0.workers,
    self: (selfCpu.user + selfCpu.system) / 1e6,
    machineBusy: machineCpu.busy - cpu0.machine.busy,
    steal: machineCpu.steal - cpu0.machine.steal,
  };
  const windowRssPeak = peakRssMib;
  if (flags.profile) {
    const startMs = Date.now() - elapsed * 1000 - cpStartedAt;
    writeFileSync(join(runDir, "window.json"), JSON.stringify({ startMs, endMs: startMs + elapsed * 1000 }));
  }
  const rssEnd = rssMib(cp.pid);

  // ── 6./7. Long-poll wake: one executor, then one spec change per executor (scripts/bench/wake.ts). ─
  const ctx = { url: cp.url, cookie, fleet, executors: N, nodeIds, until };
  const wakeOneResult = await wakeOne(ctx, int("wake-samples"));
  log(`wake one: ${wakeOneResult.samplesMs.map((ms) => ms.toFixed(1)).join(", ")} ms`);
  const wakeAllResult = flags["no-wake-all"] ? null : await wakeAll(ctx);
  const final = await fleet.stop();
  const finalErrors = Object.values(final.errorsTotal).reduce((a, b) => a + b, 0);

  // ── 8. Report. ───────────────────────────────────────────────────────────────────────────────────
  const windowErrors = Object.values(window.errors).reduce((a, b) => a + b, 0);
  const totalRequests = window.requests.sync + window.requests.specs + window.requests.observed;
  const result = {
    command: `npm run bench:sync -- ${Bun.argv.slice(2).join(" ")}`.trim(),
    machine,
    config: {
      executors: N,
      seconds: SECONDS,
      keys: keyCount,
      workers: fleet.procs.length,
      waitMs: WAIT_MS,
      client: flags.client,
      pinned: flags.pin,
    },
    requestsPerSecond: Math.round(totalRequests / elapsed),
    requests: window.requests,
    sync: {
      p50: window.sync.quantile(0.5),
      p99: window.sync.quantile(0.99),
      p999: window.sync.quantile(0.999),
      max: window.sync.maxMs,
    },
    observed: {
      p50: window.observed.quantile(0.5),
      p99: window.observed.quantile(0.99),
      max: window.observed.maxMs,
    },
    generatorLagP99Ms: window.lag.quantile(0.99),
    errors: {
      window: windowErrors,
      allPhases: finalErrors,
      kinds: final.errorsTotal,
      firstSeenAt: final.firstErrorAt,
    },
    controlPlaneErrorLogLines: cp.errorLines.length,
    nodeWritesPerSecond: Math.round(nodeWritesPerSecond),
    wakeOne: wakeOneResult,
    wakeAll: wakeAllResult,
    rssMib: { windowPeak: windowRssPeak, windowEnd: rssEnd, runPeak: peakRssMib },
    cpuPercentOfOneCore: {
      controlPlane: (cpuSeconds.cp / elapsed) * 100,
      generatorWorkers: (cpuSeconds.workers / elapsed) * 100,
      benchProcess: (cpuSeconds.self / elapsed) * 100,
      machineBusy: (cpuSeconds.machineBusy / elapsed) * 100,
      stolenByHypervisor: (cpuSeconds.steal / elapsed) * 100,
      otherProcesses:
        ((cpuSeconds.machineBusy - cpuSeconds.steal - cpuSeconds.cp - cpuSeconds.workers - cpuSeconds.self) /
          elapsed) *
        100,
    },
    loadavgAfter: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  };
  console.log(`
── bench:sync — ${result.config.executors} executors, ${result.config.seconds} s window, ${result.config.workers} generator workers${result.config.pinned ? " (pinned: control plane CPU 0, generator CPU 1)" : ""} ──
requests/s            ${result.requestsPerSecond}  (sync ${result.requests.sync}, spec answers ${result.requests.specs}, observed ${result.requests.observed})
sync latency          ${window.sync.summary()}
observed latency      ${window.observed.summary()}
generator lag         ${window.lag.summary()}  (how late syncs left vs. their schedule)
errors                window ${result.errors.window}, all phases ${result.errors.allPhases}${result.errors.allPhases ? ` ${JSON.stringify(result.errors.kinds)} first seen ${JSON.stringify(result.errors.firstSeenAt)}` : ""}; control-plane error log lines ${result.controlPlaneErrorLogLines}
wake one executor     median ${f(result.wakeOne.medianMs)} ms, max ${f(result.wakeOne.maxMs)} ms (write sent → its poll answered; the write alone ${f(result.wakeOne.writeAckMedianMs)} ms)
wake all executors    ${
    result.wakeAll
      ? `one bulk restart of ${N} nodes → ${result.wakeAll.executors} polls answered (${result.wakeAll.heldBefore} held): last ${f(result.wakeAll.totalMs)} ms after the mutation was sent;
                      the mutation's transaction answered after ${f(result.wakeAll.writeMs)} ms; polls answered p50 ${f(result.wakeAll.p50Ms)} p99 ${f(result.wakeAll.p99Ms)} ms`
      : "skipped (--no-wake-all)"
  }
node writes           ${result.nodeWritesPerSecond}/s (createNode, 50 per GraphQL document)
control-plane RSS     window peak ${f(result.rssMib.windowPeak)} MiB, end ${f(result.rssMib.windowEnd)} MiB, whole run peak ${f(result.rssMib.runPeak)} MiB
CPU (% of one core)   control plane ${f(result.cpuPercentOfOneCore.controlPlane)}, generator ${f(result.cpuPercentOfOneCore.generatorWorkers)} + ${f(result.cpuPercentOfOneCore.benchProcess)}, other processes ${f(result.cpuPercentOfOneCore.otherProcesses)}, stolen by the hypervisor ${f(result.cpuPercentOfOneCore.stolenByHypervisor)}, machine ${f(result.cpuPercentOfOneCore.machineBusy)} of ${result.machine.nproc * 100}
load average          before ${result.machine.loadavgBefore}, after ${result.loadavgAfter}
`);
  const jsonPath = flags.json ?? join(ROOT, ".cache/bench/results", `${N}x${SECONDS}s-${Date.now()}.json`);
  mkdirSync(join(jsonPath, ".."), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  log(`figures written to ${jsonPath}`);
  if (windowErrors > 0 || finalErrors > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
  await fleet.stop().catch(() => undefined);
} finally {
  clearInterval(rssTimer);
  const code = await cp.stop();
  if (code !== 0) log(`the control plane exited with ${code}; log: ${cp.logPath}`);
  if (cp.errorLines.length > 0)
    log(`control-plane error log lines:\n${cp.errorLines.slice(0, 5).join("\n")}`);
  if (!flags.keep && !flags.profile && exitCode === 0) rmSync(runDir, { recursive: true, force: true });
}
process.exit(exitCode);
