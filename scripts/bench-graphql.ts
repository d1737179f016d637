// `bun scripts/bench-graphql.ts [--runs 5] [--build]`: what the costliest GraphQL request the limits admit
// costs. Starts the compiled control plane on a fresh SQLite file with a realistic dataset (50 executors,
// 20 nodes each, three revisions per node, 2,000 runtime events with 1 KiB payloads), then sends each
// candidate query — the widest lists, the fattest pages, the deepest nesting and the largest alias fan-out
// the static limits let through — `--runs` times as a signed-in admin, while a bystander process polls
// /healthz and sends an executor sync every 20 ms. Prints, per candidate, whether it was answered or
// stopped by the budget, its median and worst latency, its response size, and the bystander's worst
// /healthz and sync latencies during it. Not part of `npm test`; figures go to docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { QUERY_LIMITS } from "../src/modes/control-plane/graphql/limits.ts";
import { EXECUTOR_ID_HEADER } from "../src/protocol/index.ts";
import { ensureBinary } from "./bench/binary.ts";
import { batchedMutations, DEVNET_SPEC, gql, signIn, startControlPlane } from "./bench/control-plane.ts";
import { createKeys, registerExecutors, syncBodyFor } from "./bench/setup.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    executors: { type: "string", default: "50" },
    "nodes-per-executor": { type: "string", default: "20" },
    events: { type: "string", default: "2000" },
    binary: { type: "string", default: join(ROOT, "dist/novacula") },
    build: { type: "boolean", default: false },
    /** Only the candidates whose name matches this regular expression. */
    only: { type: "string" },
  },
});
const RUNS = Number(flags.runs);
const EXECUTORS = Number(flags.executors);
const PER_EXECUTOR = Number(flags["nodes-per-executor"]);
const EVENTS = Number(flags.events);
const log = (message: string) => console.error(`[bench-graphql] ${message}`);

const binary = resolve(flags.binary!);
ensureBinary(binary, Boolean(flags.build), log);

const NODE_FIELDS = `id name executorId spec revision desiredState restartGeneration observed observedAt
  observedRevision drifted phase createdAt updatedAt deletedAt retainData`;
const EXECUTOR_FIELDS = "id name kind status currentVersion channel compat capabilities resources lastSyncAt";
const aliases = (n: number, field: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join("\n");

/** Candidates, each within the static limits (checked by the server: a refusal is reported as such). */
const CANDIDATES: Record<string, string> = {
  "node list page (100, every field, its executor)": `{ nodes(take: 100) { ${NODE_FIELDS}
    executor { id name status } } }`,
  "node list page (500, every field, its executor)": `{ nodes(take: 500) { ${NODE_FIELDS}
    executor { id name status } } }`,
  "node list page (500, every field, executor, revisions)": `{ nodes(take: 500) { ${NODE_FIELDS}
    executor { ${EXECUTOR_FIELDS} } revisions { revision spec summary createdAt } } }`,
  "every executor with every node and revision": `{ executors(take: 500) { ${EXECUTOR_FIELDS}
    nodes { ${NODE_FIELDS} revisions { revision spec summary createdAt } } } }`,
  "events page (500, with payloads)": `{ events(filter: { take: 500 }) { id source type level message executorId
    executorName nodeId nodeName payload createdAt } }`,
  "nested executor ↔ node, depth 9": `{ executors(take: 500) { nodes { executor { nodes { executor { nodes {
    executor { nodes { id name phase } } } } } } } } }`,
  [`${QUERY_LIMITS.aliases} aliased node list pages`]: `{ ${aliases(
    QUERY_LIMITS.aliases,
    (i) => `nodes(take: 500, skip: ${(i * 10) % 1000}) { id name phase spec observed }`,
  )} }`,
  "20 aliased events pages (with payloads)": `{ ${aliases(
    20,
    () => "events(filter: { take: 500 }) { id type message payload createdAt }",
  )} }`,
  "30 aliased executor lists with nodes and revisions": `{ ${aliases(
    30,
    () => `executors(take: 500) { id name nodes { id name phase spec revisions { revision spec } } }`,
  )} }`,
};

interface Bystander {
  healthMaxMs: number;
  healthMedianMs: number;
  syncMaxMs: number;
  syncMedianMs: number;
  failures: number;
}

function startBystander(url: string, key: string) {
  const proc = Bun.spawn(
    [
      process.execPath,
      join(ROOT, "scripts/bench/bystander.ts"),
      "--url",
      url,
      "--key",
      key,
      "--body",
      JSON.stringify(syncBodyFor(0)),
    ],
    { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
  );
  return {
    async stop(): Promise<Bystander> {
      proc.stdin.end();
      const text = await new Response(proc.stdout).text();
      await proc.exited;
      return JSON.parse(text) as Bystander;
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (n: number) => n.toFixed(1);

const cp = await startControlPlane([binary], join(ROOT, ".cache/bench", `graphql-${Date.now()}`));
try {
  const cookie = await signIn(cp.url);
  const keys = await createKeys(cp.url, cookie, Math.ceil(EXECUTORS / 10));
  const executors = await registerExecutors(cp.url, keys, EXECUTORS);
  const nodes: [number, string, number][] = [];
  for (const [index, id] of executors) for (let n = 0; n < PER_EXECUTOR; n++) nodes.push([index, id, n]);
  const nodeIds: string[] = [];
  await batchedMutations(
    cp.url,
    cookie,
    nodes,
    ([index, id, n], alias) =>
      `${alias}: createNode(data: { executorId: "${id}", name: "bench-${index}-${n}",
        spec: { chain: "devnet", network: "local", nodeType: "full", ports: { rpc: ${20_000 + n} },
        clients: { node: { name: "anvil", version: "${DEVNET_SPEC.clients.node.version}" } } } }) { id }`,
    {
      batch: 50,
      concurrency: 2,
      onAck: (items, data) => {
        for (const i of items.keys()) nodeIds.push((data[`m${i}`] as { id: string }).id);
      },
    },
  );
  for (const action of ["stop", "start"]) {
    await gql(
      cp.url,
      cookie,
      `mutation($ids: [ID!]!) { requestNodesLifecycleAction(ids: $ids, action: ${action}) { id } }`,
      {
        ids: nodeIds,
      },
    );
  }
  const [key0] = keys;
  const executor0 = executors.get(0)!;
  for (let sent = 0; sent < EVENTS; sent += 100) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      level: "warn",
      message: `event ${sent + i}`,
      payload: { detail: "x".repeat(1024) },
    }));
    const response = await fetch(`${cp.url}/api/v1/executor/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key0}`,
        "content-type": "application/json",
        [EXECUTOR_ID_HEADER]: executor0,
      },
      body: JSON.stringify({ events }),
    });
    if (!response.ok) throw new Error(`events answered ${response.status}: ${await response.text()}`);
  }
  log(`dataset: ${EXECUTORS} executors, ${nodeIds.length} nodes (3 revisions each), ${EVENTS} events`);

  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  const only = new RegExp(flags.only ?? "");
  for (const [name, query] of Object.entries(CANDIDATES).filter(([name]) => only.test(name))) {
    const bystander = startBystander(cp.url, keys[0]!);
    const latencies: number[] = [];
    const outcomes = new Map<string, number>();
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const response = await fetch(`${cp.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      latencies.push(performance.now() - started);
      bytes = text.length;
      const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
      const error = body.errors?.[0];
      const outcome = !error
        ? "answered"
        : error.extensions?.code === "query_too_complex"
          ? `refused (${/(\w+) budget|past the (\w+) limit/.exec(error.message)?.slice(1).find(Boolean) ?? "limit"})`
          : `error: ${error.message}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const b = await bystander.stop();
    const outcome = [...outcomes].map(([what, n]) => `${what} ${n}/${RUNS}`).join(", ");
    results[name] = { outcome, latencies, bytes, bystander: b };
    rows.push(
      `| ${name} | ${outcome} | ${f(median(latencies))} ms | ${f(Math.max(...latencies))} ms | ${(bytes / 1024).toFixed(0)} KiB | ${f(b.healthMaxMs)} ms | ${f(b.syncMaxMs)} ms | ${b.failures} |`,
    );
    log(`${name}: ${outcome}; median ${f(median(latencies))} ms; /healthz worst ${f(b.healthMaxMs)} ms`);
  }
  const machine = {
    nproc: cpus().length,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown",
    memoryGib: Number((totalmem() / 2 ** 30).toFixed(1)),
    bun: Bun.version,
    binary: execFileSync(binary, ["--version"], { encoding: "utf8" }).trim(),
    commit: execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim(),
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify({ machine, runs: RUNS, results }));
  console.log(
    [
      `\n${machine.date} · commit ${machine.commit} · ${machine.nproc} CPUs (${machine.cpuModel}) · bun ${machine.bun} · ${RUNS} runs each`,
      "| Query | Outcome | Median | Worst | Last response | /healthz worst | sync worst | bystander failures |",
      "|---|---|---|---|---|---|---|---|",
      ...rows,
    ].join("\n"),
  );
  if (cp.errorLines.length > 0)
    log(`the control plane logged ${cp.errorLines.length} errors: ${cp.errorLines[0]}`);
} finally {
  await cp.stop();
}
