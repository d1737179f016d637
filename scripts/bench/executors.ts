// A share of the simulated fleet for scripts/bench-sync.ts, run as a child process (IPC with the bench):
// each executor syncs every syncIntervalMs, keeps one spec long-poll held (re-issued when answered) and
// posts an observed report (every common metric) for the nodes it was given every observedIntervalMs.
// Starts are staggered.
// It records latencies and errors, and when armed, the moment each executor's poll brings a new spec.
import { EXECUTOR_ID_HEADER } from "../../src/protocol/index.ts";
import { HttpConnection, HttpPool, type HttpResponse } from "./http-client.ts";
import { type SyncBody, syncBodyFor } from "./setup.ts";
import { Histogram, type HistogramData, wallMs } from "./stats.ts";

export interface WorkerInit {
  type: "init";
  url: string;
  keys: string[];
  first: number;
  count: number;
  total: number;
  syncIntervalMs: number;
  observedIntervalMs: number;
  waitMs: number;
  staggerMs: number;
  /** "raw": the lean keep-alive client (default); "fetch": Bun's fetch, for comparison. */
  client: "raw" | "fetch";
}

export type WorkerCommand =
  | WorkerInit
  | { type: "measure"; on: boolean; reqId: number }
  | { type: "status"; reqId: number }
  | { type: "interval"; reqId: number }
  | { type: "arm"; indices: number[] | "all"; reqId: number }
  | { type: "woken"; reqId: number }
  | { type: "stop"; reqId: number };

export interface WorkerStats {
  sync: HistogramData;
  observed: HistogramData;
  /** How late the generator sent a sync compared with its schedule: shows whether it kept up. */
  lag: HistogramData;
  requests: { sync: number; specs: number; observed: number };
  errors: Record<string, number>;
}

export interface WorkerStatus {
  registered: number;
  withNodes: number;
  /** Polls in flight for more than 100 ms: the control plane holds them. */
  held: number;
  errorsTotal: Record<string, number>;
  firstErrorAt: Record<string, string>;
}

interface Sim {
  index: number;
  key: string;
  syncBody: SyncBody;
  id: string | null;
  cursor: number;
  nodes: Map<string, number>;
  pollSentAt: number;
  /** The executor's own connection for its held long-poll (raw client). */
  pollConnection: HttpConnection | null;
  armed: boolean;
  wokeAt: number;
  height: number;
}

let init: WorkerInit;
let stopping = false;
let measuring = false;
const abort = new AbortController();
const sims: Sim[] = [];
const syncLatency = new Histogram();
/** Sync latency since the last "interval" request: the bench prints it every 10 s of the window. */
const intervalLatency = new Histogram();
const observedLatency = new Histogram();
const lag = new Histogram();
const requests = { sync: 0, specs: 0, observed: 0 };
const errors: Record<string, number> = {};
const errorsTotal: Record<string, number> = {};
/** When each kind of error was first seen, to tell setup trouble from steady-state trouble. */
const firstErrorAt: Record<string, string> = {};
let registeredOut: [number, string][] = [];

function send(message: unknown): void {
  process.send!(message);
}

function fail(kind: string, detail: string): void {
  if (stopping) return;
  const key = `${kind}: ${detail}`.slice(0, 160);
  if (!(key in errorsTotal)) firstErrorAt[key] = new Date().toISOString();
  errorsTotal[key] = (errorsTotal[key] ?? 0) + 1;
  if (measuring) errors[key] = (errors[key] ?? 0) + 1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pool: HttpPool | null = null;
/** Pooled connections per worker for syncs and reports: well above the requests in flight at once. */
const POOL_SIZE = 256;

/** One request through the chosen client; `via` is the connection for raw requests (else the pool). */
async function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  via?: HttpConnection,
): Promise<HttpResponse> {
  if (init.client === "fetch") {
    const response = await fetch(`${init.url}${path}`, { method, headers, body, signal: abort.signal });
    return { status: response.status, body: await response.text() };
  }
  let head = "";
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return (via ?? pool!).request(method, path, head, body);
}

const ok = (status: number) => status >= 200 && status < 300;

async function syncOnce(sim: Sim, scheduledAt: number): Promise<void> {
  sim.syncBody.resources.diskAvailableBytes -= 4096 * (1 + (sim.index % 7));
  const started = performance.now();
  if (measuring) lag.record(Math.max(0, started - scheduledAt));
  try {
    const response = await request(
      "POST",
      "/api/v1/executor/sync",
      { authorization: `Bearer ${sim.key}`, "content-type": "application/json" },
      JSON.stringify(sim.syncBody),
    );
    const text = response.body;
    const ms = performance.now() - started;
    if (!ok(response.status)) return fail("sync", `HTTP ${response.status} ${text.slice(0, 80)}`);
    if (measuring) {
      syncLatency.record(ms);
      intervalLatency.record(ms);
      requests.sync++;
    }
    if (sim.id === null) {
      sim.id = (JSON.parse(text) as { executorId: string }).executorId;
      registeredOut.push([sim.index, sim.id]);
      void pollLoop(sim);
      scheduleObserved(sim, performance.now() + ((sim.index * 7919) % init.observedIntervalMs));
    }
  } catch (error) {
    fail("sync", String((error as Error).message ?? error));
  }
}

function scheduleSync(sim: Sim, at: number): void {
  if (stopping) return;
  setTimeout(
    async () => {
      await syncOnce(sim, at);
      scheduleSync(sim, at + init.syncIntervalMs);
    },
    Math.max(0, at - performance.now()),
  );
}

async function pollLoop(sim: Sim): Promise<void> {
  // Bounded by the run: the loop ends when the bench stops this process.
  while (!stopping) {
    sim.pollSentAt = performance.now();
    try {
      if (init.client === "raw") sim.pollConnection ??= new HttpConnection(host.hostname, Number(host.port));
      const response = await request(
        "GET",
        `/api/v1/executor/specs?cursor=${sim.cursor}&waitMs=${init.waitMs}`,
        { authorization: `Bearer ${sim.key}`, [EXECUTOR_ID_HEADER]: sim.id! },
        undefined,
        sim.pollConnection ?? undefined,
      );
      const text = response.body;
      const at = wallMs();
      sim.pollSentAt = 0;
      if (!ok(response.status)) {
        fail("specs", `HTTP ${response.status} ${text.slice(0, 80)}`);
        await sleep(1_000);
        continue;
      }
      if (measuring) requests.specs++;
      const body = JSON.parse(text) as { cursor: number; specs: { nodeId: string; revision: number }[] };
      sim.cursor = body.cursor;
      for (const spec of body.specs) sim.nodes.set(spec.nodeId, spec.revision);
      if (body.specs.length > 0 && sim.armed && sim.wokeAt === 0) sim.wokeAt = at;
    } catch (error) {
      sim.pollSentAt = 0;
      fail("specs", String((error as Error).message ?? error));
      await sleep(1_000);
    }
  }
}

function scheduleObserved(sim: Sim, at: number): void {
  if (stopping) return;
  setTimeout(
    async () => {
      if (sim.nodes.size > 0) await observeOnce(sim);
      scheduleObserved(sim, at + init.observedIntervalMs);
    },
    Math.max(0, at - performance.now()),
  );
}

async function observeOnce(sim: Sim): Promise<void> {
  sim.height++;
  // Every common figure an agent reports (docs/executor-protocol.md), moving a little between reports.
  const observations = [...sim.nodes].map(([nodeId, revision]) => ({
    nodeId,
    revision,
    processes: [
      {
        role: "node",
        status: "running",
        restarts: 0,
        mainPid: 1000 + sim.index,
        cpuMillicores: 20 + (sim.height % 7),
        memoryBytes: 120_000_000 + sim.height * 4096,
        peers: 3,
      },
    ],
    metrics: {
      blockHeight: sim.height,
      networkHeight: sim.height + 1,
      syncPercent: 99.5,
      syncing: false,
      peers: 3,
      diskUsedBytes: 5_000_000_000 + sim.height * 65_536,
      diskTotalBytes: 500_000_000_000,
      diskAvailableBytes: 200_000_000_000 - sim.height * 65_536,
    },
  }));
  const started = performance.now();
  try {
    const response = await request(
      "POST",
      "/api/v1/executor/observed",
      {
        authorization: `Bearer ${sim.key}`,
        "content-type": "application/json",
        [EXECUTOR_ID_HEADER]: sim.id!,
      },
      JSON.stringify({ observations }),
    );
    const text = response.body;
    if (!ok(response.status)) return fail("observed", `HTTP ${response.status} ${text.slice(0, 80)}`);
    if (measuring) {
      observedLatency.record(performance.now() - started);
      requests.observed++;
    }
  } catch (error) {
    fail("observed", String((error as Error).message ?? error));
  }
}

let host: URL;

function start(message: WorkerInit): void {
  init = message;
  host = new URL(init.url);
  if (init.client === "raw") pool = new HttpPool(host.hostname, Number(host.port), POOL_SIZE);
  const t0 = performance.now();
  for (let i = 0; i < init.count; i++) {
    const index = init.first + i;
    const sim: Sim = {
      index,
      key: init.keys[index % init.keys.length]!,
      syncBody: syncBodyFor(index),
      id: null,
      cursor: 0,
      nodes: new Map(),
      pollSentAt: 0,
      pollConnection: null,
      armed: false,
      wokeAt: 0,
      height: 0,
    };
    sims.push(sim);
    // Spread over the whole fleet, not per worker, so that workers interleave instead of bunching.
    scheduleSync(sim, t0 + (index / init.total) * init.staggerMs);
  }
  // Registered ids go to the bench in batches (thousands of executors register within seconds).
  setInterval(() => {
    if (registeredOut.length === 0) return;
    send({ type: "registered", ids: registeredOut });
    registeredOut = [];
  }, 200);
}

function status(): WorkerStatus {
  const now = performance.now();
  let registered = 0;
  let withNodes = 0;
  let held = 0;
  for (const sim of sims) {
    if (sim.id) registered++;
    if (sim.nodes.size > 0) withNodes++;
    if (sim.pollSentAt > 0 && now - sim.pollSentAt > 100) held++;
  }
  return { registered, withNodes, held, errorsTotal, firstErrorAt };
}

process.on("message", (message: WorkerCommand) => {
  switch (message.type) {
    case "init":
      return start(message);
    case "measure":
      measuring = message.on;
      if (message.on) {
        for (const h of [syncLatency, observedLatency, lag]) h.reset();
        Object.assign(requests, { sync: 0, specs: 0, observed: 0 });
        for (const key of Object.keys(errors)) delete errors[key];
      }
      return send({
        type: "reply",
        reqId: message.reqId,
        stats: {
          sync: syncLatency.toData(),
          observed: observedLatency.toData(),
          lag: lag.toData(),
          requests: { ...requests },
          errors: { ...errors },
        } satisfies WorkerStats,
      });
    case "status":
      return send({ type: "reply", reqId: message.reqId, status: status() });
    case "interval": {
      const data = intervalLatency.toData();
      intervalLatency.reset();
      return send({ type: "reply", reqId: message.reqId, sync: data });
    }
    case "arm": {
      const wanted = message.indices === "all" ? null : new Set(message.indices);
      for (const sim of sims) {
        sim.armed = wanted === null || wanted.has(sim.index);
        sim.wokeAt = 0;
      }
      return send({ type: "reply", reqId: message.reqId });
    }
    case "woken":
      return send({
        type: "reply",
        reqId: message.reqId,
        woken: sims.filter((s) => s.armed && s.wokeAt > 0).map((s) => [s.index, s.wokeAt]),
        armed: sims.filter((s) => s.armed).length,
      });
    case "stop":
      stopping = true;
      abort.abort();
      pool?.close();
      for (const sim of sims) sim.pollConnection?.close();
      send({ type: "reply", reqId: message.reqId, status: status() });
      setTimeout(() => process.exit(0), 100);
  }
});
