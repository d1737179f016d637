// `bun scripts/bench-agent.ts`: the agent benchmark. Not part of the test command. Prints:
//   1. start → first sync: size of the compiled binary; spawn → "executor registered" of `novacula agent run`
//      on the host (fresh data dir per run), and under systemd with the nodes running (ExecMainStartTimestamp
//      → the log line's own time);
//   2. create → unit active for each of the nodes, then idle RSS (VmRSS) and CPU (utime+stime, and the CPU of
//      the systemctl children it waited for) of the agent's MainPID over a window with every node running;
//   3. spec write → unit active over N spec edits: from the GraphQL mutation's acknowledgement to systemd's
//      own ActiveEnterTimestamp of the restarted unit (so the poll interval does not count), p50/p99.
// Everything runs on loopback, inside a systemd namespace the harness boots and kills. Every wait is bounded.
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { eventually } from "../src/lib/eventually.ts";
import { AGENT_UNIT } from "../src/modes/agent/units.ts";
import { testWorkDir } from "../test/harness/systemd.ts";
import {
  type Bench,
  createDevnetNode,
  editArgs,
  freePort,
  type NodeView,
  nodeView,
  startBench,
  unitTimes,
} from "./bench-agent/setup.ts";
import { timeStartup, timeVersion } from "./bench-agent/startup.ts";
import {
  clockTicksPerSecond,
  fmt,
  machineInfo,
  median,
  percentile,
  readProc,
  rssByMapping,
} from "./bench-agent/stats.ts";

const { values: flags } = parseArgs({
  options: {
    nodes: { type: "string", default: "10" },
    changes: { type: "string", default: "50" },
    "idle-seconds": { type: "string", default: "60" },
    "settle-seconds": { type: "string", default: "20" },
    "startup-runs": { type: "string", default: "7" },
    /** A prebuilt binary; default: build src/main.ts afresh (scripts/build.ts) into the run directory. */
    binary: { type: "string" },
    json: { type: "boolean", default: false },
    /** Extra environment for the agent's systemd unit (a drop-in), e.g. --agent-env KEY=VALUE (repeatable). */
    "agent-env": { type: "string", multiple: true, default: [] },
    /** Keep the run directory (binary, agent data, logs) instead of removing it at the end. */
    keep: { type: "boolean", default: false },
  },
});
const int = (name: "nodes" | "changes" | "idle-seconds" | "settle-seconds" | "startup-runs") => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
};
const NODES = int("nodes");
const CHANGES = int("changes");
const IDLE_S = Math.max(60, int("idle-seconds"));
const SETTLE_S = int("settle-seconds");
const STARTUP_RUNS = Math.max(5, int("startup-runs"));
const nowMs = () => performance.timeOrigin + performance.now();
const log = (msg: string) => console.error(`[bench-agent ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const teardown: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const stop of teardown.splice(0).reverse()) await stop().catch((e) => log(`teardown: ${e}`));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

async function startupOnHost(binary: string, bench: Bench, workDir: string) {
  const version: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) version.push(await timeVersion(binary));
  const runs = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    runs.push(
      await timeStartup({
        binary,
        workDir,
        controlPlaneUrl: bench.cp.url,
        accessToken: bench.accessToken,
        run: i,
      }),
    );
  }
  return {
    versionMs: median(version),
    agentStartingMs: median(runs.map((r) => r.agentStartingMs)),
    registeredMs: median(runs.map((r) => r.registeredMs)),
    registeredAllMs: runs.map((r) => Math.round(r.registeredMs)),
  };
}

/** Deploy the nodes one by one; each sample is create's acknowledgement → its unit's first activation. */
async function deployNodes(bench: Bench): Promise<{ nodes: NodeView[]; createToActiveMs: number[] }> {
  const nodes: NodeView[] = [];
  const createToActiveMs: number[] = [];
  for (let i = 0; i < NODES; i++) {
    const node = await createDevnetNode(bench, `bench-${String(i).padStart(2, "0")}`, freePort());
    const ackMs = nowMs();
    const unit = `devnet-node@${node.name}.service`;
    const t = await eventually(
      async () => {
        const s = await unitTimes(bench.ns, unit);
        return s.active === "active" && s.activeEnterUs !== null ? s : null;
      },
      { timeoutMs: 120_000, intervalMs: 50, message: `${unit} to become active` },
    );
    createToActiveMs.push(t.activeEnterUs! / 1000 - ackMs);
    nodes.push(node);
  }
  for (const node of nodes) {
    await eventually(
      async () => {
        const view = await nodeView(bench, node.id);
        return view.observedRevision === view.revision;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `${node.name} to be reported` },
    );
  }
  return { nodes, createToActiveMs };
}

async function idle(bench: Bench) {
  const pid = await bench.agentPid();
  if (!pid) throw new Error("the agent is not running");
  log(`settling ${SETTLE_S} s, then measuring the idle agent (pid ${pid} in the namespace) for ${IDLE_S} s`);
  await Bun.sleep(SETTLE_S * 1000); // the measurement window itself, not a wait for a state
  const first = readProc(bench.procRoot, pid);
  if (!first) throw new Error(`cannot read /proc of the agent (pid ${pid})`);
  const rss: number[] = [first.rssKib];
  const anon: number[] = [first.rssAnonKib];
  let last = first;
  const end = first.atMs + IDLE_S * 1000;
  while (performance.now() < end) {
    await Bun.sleep(Math.min(5000, end - performance.now()));
    const sample = readProc(bench.procRoot, pid);
    if (!sample || sample.startTicks !== first.startTicks) throw new Error("the agent restarted while idle");
    rss.push(sample.rssKib);
    anon.push(sample.rssAnonKib);
    last = sample;
  }
  // The agent logs its first working-set trim (src/lib/working-set.ts): the RSS right after it.
  const trimLine = (await bench.journal(2000))
    .split("\n")
    .find((line) => line.includes("working set trimmed"));
  const trimmedToKib = trimLine ? Number(/"rssKibAfter":(\d+)/.exec(trimLine)?.[1]) : null;
  const residentKibByMapping = rssByMapping(bench.procRoot, pid);
  const hz = clockTicksPerSecond();
  const seconds = (last.atMs - first.atMs) / 1000;
  const pct = (ticks: number) => (ticks / hz / seconds) * 100;
  return {
    seconds,
    rssMedianMib: median(rss) / 1024,
    rssMaxMib: Math.max(...rss) / 1024,
    rssAnonMedianMib: median(anon) / 1024,
    rssSamplesMib: rss.map((kib) => Math.round(kib / 102.4) / 10),
    rssRightAfterFirstTrimMib: trimmedToKib ? trimmedToKib / 1024 : null,
    residentKibByMapping,
    cpuOwnPct: pct(last.ownTicks - first.ownTicks),
    cpuWithChildrenPct: pct(last.ownTicks - first.ownTicks + last.childTicks - first.childTicks),
  };
}

/** N spec edits, one at a time, round-robin over the nodes; each waits for its restart and its report. */
async function specChanges(bench: Bench, nodes: NodeView[]) {
  const ackToActive: number[] = [];
  const ackToReported: number[] = [];
  const mutationMs: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const node = await nodeView(bench, nodes[i % nodes.length]!.id);
    const unit = `devnet-node@${node.name}.service`;
    const before = await unitTimes(bench.ns, unit);
    // Alternates per node, so every edit changes that node's args and restarts its process.
    const accounts = String(2 + (Math.floor(i / nodes.length) % 2));
    const sentMs = nowMs();
    const revision = await editArgs(bench, node, ["--accounts", accounts]);
    const ackMs = nowMs();
    mutationMs.push(ackMs - sentMs);
    const after = await eventually(
      async () => {
        const s = await unitTimes(bench.ns, unit);
        return s.active === "active" && (s.activeEnterUs ?? 0) > (before.activeEnterUs ?? 0) ? s : null;
      },
      { timeoutMs: 60_000, intervalMs: 50, message: `${unit} to restart for revision ${revision}` },
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await bench.journal(60)}`);
    });
    ackToActive.push(after.activeEnterUs! / 1000 - ackMs);
    await eventually(async () => (await nodeView(bench, node.id)).observedRevision === revision, {
      timeoutMs: 60_000,
      intervalMs: 25,
      message: `revision ${revision} of ${node.name} to be reported`,
    });
    ackToReported.push(nowMs() - ackMs);
  }
  return { ackToActive, ackToReported, mutationMs };
}

/** Restart the agent unit with the nodes running: ExecMainStartTimestamp → its "executor registered" time. */
async function startupUnderSystemd(bench: Bench): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    // Manual restarts count against StartLimitBurst too; reset-failed clears the counter.
    await bench.ns.exec(["systemctl", "reset-failed", AGENT_UNIT]);
    const before = await bench.agentPid();
    const restarted = await bench.ns.exec(["systemctl", "restart", AGENT_UNIT]);
    if (restarted.code !== 0) throw new Error(`systemctl restart: ${restarted.stderr}`);
    const started = await eventually(
      async () => {
        const t = await unitTimes(bench.ns, AGENT_UNIT);
        return t.active === "active" && t.mainPid > 0 && t.mainPid !== before ? t : null;
      },
      { timeoutMs: 30_000, intervalMs: 50, message: "the agent to restart" },
    );
    const registeredAt = await eventually(
      async () => {
        const { stdout } = await bench.ns.exec([
          "journalctl",
          `_PID=${started.mainPid}`,
          "-o",
          "cat",
          "--no-pager",
        ]);
        const line = stdout.split("\n").find((l) => l.includes('"msg":"executor registered"'));
        return line ? Date.parse((JSON.parse(line) as { time: string }).time) : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: "the restarted agent's first sync" },
    );
    samples.push(registeredAt - started.execMainStartUs! / 1000);
  }
  return samples;
}

let workDir = "";
async function main(): Promise<void> {
  const machine = machineInfo();
  workDir = testWorkDir("bench-agent");
  log(`run directory ${workDir}`);
  // The release build (scripts/build.ts, as `npm run build` and the test gate make dist/novacula).
  const binary = flags.binary ? resolve(flags.binary) : join(workDir, "novacula");
  if (!flags.binary) {
    const build = Bun.spawnSync([process.execPath, join(import.meta.dir, "build.ts"), "--outfile", binary], {
      stdout: "inherit",
      stderr: "inherit",
    });
    if (build.exitCode !== 0) throw new Error("scripts/build.ts failed");
  }
  const binaryBytes = statSync(binary).size;
  // The control plane runs from the same compiled binary (the harness reads this when it spawns it).
  process.env.NOVACULA_BINARY = binary;
  // The agent runs from its own copy, as on a host where it is installed: there nothing else maps its
  // executable, so what the kernel keeps of it in the page cache is the agent's alone.
  const agentBinary = join(workDir, "agent-bin", "novacula");
  mkdirSync(join(workDir, "agent-bin"));
  copyFileSync(binary, agentBinary);
  chmodSync(agentBinary, 0o755);
  const bench = await startBench(workDir, agentBinary, (stop) => teardown.push(stop), flags["agent-env"]);
  log("control plane, systemd namespace and agent up; timing start → first sync on the host");
  const hostStartup = await startupOnHost(binary, bench, workDir);
  log(`deploying ${NODES} devnet nodes`);
  const { nodes, createToActiveMs } = await deployNodes(bench);
  const idleFigures = await idle(bench);
  log(`${CHANGES} spec edits`);
  const changes = await specChanges(bench, nodes);
  log("restarting the agent under systemd with the nodes running");
  const systemdStartup = await startupUnderSystemd(bench);

  const q = (xs: number[], p: number) => fmt(percentile(xs, p));
  const report = {
    machine,
    binary: { path: binary, bytes: binaryBytes, mib: binaryBytes / 2 ** 20 },
    startup: {
      versionMs: hostStartup.versionMs,
      agentStartingMs: hostStartup.agentStartingMs,
      registeredMs: hostStartup.registeredMs,
      registeredRunsMs: hostStartup.registeredAllMs,
      underSystemdWithNodesMs: median(systemdStartup),
      underSystemdRunsMs: systemdStartup.map(Math.round),
    },
    deploy: { createToActiveMs: createToActiveMs.map(Math.round) },
    idle: { nodes: NODES, ...idleFigures },
    specChange: {
      changes: CHANGES,
      p50Ms: percentile(changes.ackToActive, 50),
      p99Ms: percentile(changes.ackToActive, 99),
      maxMs: Math.max(...changes.ackToActive),
      reportedP50Ms: percentile(changes.ackToReported, 50),
      reportedP99Ms: percentile(changes.ackToReported, 99),
      mutationP50Ms: percentile(changes.mutationMs, 50),
    },
  };
  if (flags.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const m = machine;
  console.log(
    `machine: ${m.nproc} cores, ${m.memoryGib} GiB, ${m.cpuModel}; kernel ${m.kernel}; ${m.systemd}`,
  );
  console.log(`bun ${m.bunVersion}`);
  console.log(`binary: ${fmt(report.binary.mib, 1)} MiB (${binaryBytes} bytes)`);
  console.log(
    `start → first sync (host, median of ${STARTUP_RUNS}): ${fmt(hostStartup.registeredMs)} ms ` +
      `(first log line ${fmt(hostStartup.agentStartingMs)} ms; \`novacula --version\` ${fmt(hostStartup.versionMs)} ms); ` +
      `runs ${hostStartup.registeredAllMs.join(", ")}`,
  );
  console.log(
    `start → first sync (systemd restart, ${NODES} nodes running, median of ${STARTUP_RUNS}): ` +
      `${fmt(report.startup.underSystemdWithNodesMs)} ms; runs ${report.startup.underSystemdRunsMs.join(", ")}`,
  );
  console.log(
    `create → unit active (${NODES} deploys): p50 ${q(createToActiveMs, 50)} ms, max ${fmt(Math.max(...createToActiveMs))} ms ` +
      `(first includes the anvil download: ${fmt(createToActiveMs[0]!)} ms)`,
  );
  console.log(
    `idle with ${NODES} nodes over ${fmt(idleFigures.seconds)} s: RSS median ${fmt(idleFigures.rssMedianMib, 1)} MiB ` +
      `(max ${fmt(idleFigures.rssMaxMib, 1)}; anonymous ${fmt(idleFigures.rssAnonMedianMib, 1)}); CPU ${fmt(idleFigures.cpuOwnPct, 2)} % of a core ` +
      `(${fmt(idleFigures.cpuWithChildrenPct, 2)} % with its systemctl children); RSS samples ` +
      `${idleFigures.rssSamplesMib.join(", ")} MiB; right after the first working-set trim ` +
      `${idleFigures.rssRightAfterFirstTrimMib === null ? "(no trim logged)" : `${fmt(idleFigures.rssRightAfterFirstTrimMib, 1)} MiB`}`,
  );
  const where = Object.entries(idleFigures.residentKibByMapping ?? {}).slice(0, 6);
  console.log(
    `idle RSS by mapping at the window's end (KiB): ${where.map(([k, v]) => `${k} ${v}`).join(", ")}`,
  );
  console.log(
    `spec write → unit active (${CHANGES} edits): p50 ${q(changes.ackToActive, 50)} ms, p99 ${q(changes.ackToActive, 99)} ms, ` +
      `max ${fmt(report.specChange.maxMs)} ms; → reported p50 ${q(changes.ackToReported, 50)} ms, ` +
      `p99 ${q(changes.ackToReported, 99)} ms; mutation round trip p50 ${q(changes.mutationMs, 50)} ms`,
  );
}

try {
  await main();
} finally {
  await cleanUp();
  // After teardown (the namespace is dead by then): the run directory holds ~160 MiB of binaries.
  if (workDir && !flags.keep) rmSync(workDir, { recursive: true, force: true });
}
