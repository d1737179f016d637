// The simulated fleet as seen by scripts/bench-sync.ts: spawns the executor worker processes, splits the
// executors between them, and turns the IPC messages into awaitable requests and merged figures.
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { WorkerCommand, WorkerInit, WorkerStats, WorkerStatus } from "./executors.ts";
import { Histogram, type HistogramData } from "./stats.ts";

type Reply = { type: "reply"; reqId: number } & Record<string, unknown>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface FleetOptions extends Omit<WorkerInit, "type" | "first" | "count" | "total"> {
  executors: number;
  workers: number;
}

export class Fleet {
  readonly procs: Subprocess[] = [];
  /** Executor index → executor id, as the workers report first syncs. */
  readonly ids = new Map<number, string>();
  private pending = new Map<number, (reply: Reply) => void>();
  private nextReqId = 1;

  constructor(private readonly options: FleetOptions) {}

  start(bun: string): void {
    const { executors, workers } = this.options;
    const perWorker = Math.ceil(executors / workers);
    for (let w = 0; w < workers; w++) {
      const first = w * perWorker;
      const count = Math.min(perWorker, executors - first);
      if (count <= 0) break;
      const proc = Bun.spawn([bun, join(import.meta.dir, "executors.ts")], {
        stdio: ["ignore", "inherit", "inherit"],
        env: {
          ...process.env,
          // Bun's fetch allows 256 requests in flight by default; every executor holds one long-poll.
          BUN_CONFIG_MAX_HTTP_REQUESTS: String(Math.min(65_535, count * 2 + 1_024)),
        },
        ipc: (message: { type: string } & Record<string, unknown>) => this.onMessage(message),
        serialization: "json",
      });
      this.procs.push(proc);
      const { executors: _e, workers: _w, ...shared } = this.options;
      proc.send({ type: "init", ...shared, first, count, total: executors } satisfies WorkerInit);
    }
  }

  private onMessage(message: { type: string } & Record<string, unknown>): void {
    if (message.type === "registered") {
      for (const [index, id] of message.ids as [number, string][]) this.ids.set(index, id);
    } else if (message.type === "reply") {
      const reply = message as Reply;
      this.pending.get(reply.reqId)?.(reply);
      this.pending.delete(reply.reqId);
    }
  }

  private request(proc: Subprocess, command: DistributiveOmit<WorkerCommand, "reqId">): Promise<Reply> {
    const reqId = this.nextReqId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${proc.pid} did not answer ${command.type}`)),
        30_000,
      );
      this.pending.set(reqId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      proc.send({ ...command, reqId });
    });
  }

  private all(command: DistributiveOmit<WorkerCommand, "reqId">): Promise<Reply[]> {
    return Promise.all(this.procs.map((p) => this.request(p, command)));
  }

  async status(): Promise<WorkerStatus> {
    const replies = await this.all({ type: "status" });
    const total: WorkerStatus = { registered: 0, withNodes: 0, held: 0, errorsTotal: {}, firstErrorAt: {} };
    for (const reply of replies) {
      const s = reply.status as WorkerStatus;
      total.registered += s.registered;
      total.withNodes += s.withNodes;
      total.held += s.held;
      for (const [k, n] of Object.entries(s.errorsTotal))
        total.errorsTotal[k] = (total.errorsTotal[k] ?? 0) + n;
      for (const [k, at] of Object.entries(s.firstErrorAt)) {
        const known = total.firstErrorAt[k];
        if (!known || at < known) total.firstErrorAt[k] = at;
      }
    }
    return total;
  }

  /** Starts (resets) or stops the measurement window; stopping returns the window's merged figures. */
  async measure(on: boolean) {
    const stats = (await this.all({ type: "measure", on })).map((r) => r.stats as WorkerStats);
    const errors: Record<string, number> = {};
    const requests = { sync: 0, specs: 0, observed: 0 };
    for (const s of stats) {
      for (const [k, n] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + n;
      requests.sync += s.requests.sync;
      requests.specs += s.requests.specs;
      requests.observed += s.requests.observed;
    }
    return {
      sync: Histogram.merge(stats.map((s) => s.sync)),
      observed: Histogram.merge(stats.map((s) => s.observed)),
      lag: Histogram.merge(stats.map((s) => s.lag)),
      requests,
      errors,
    };
  }

  /** Sync latency since the previous call (merged over workers). */
  async interval(): Promise<Histogram> {
    return Histogram.merge((await this.all({ type: "interval" })).map((r) => r.sync as HistogramData));
  }

  async arm(indices: number[] | "all"): Promise<void> {
    await this.all({ type: "arm", indices });
  }

  /** Executor index → the wall-clock ms its poll brought a new spec, for armed executors. */
  async woken(): Promise<{ woken: Map<number, number>; armed: number }> {
    const woken = new Map<number, number>();
    let armed = 0;
    for (const reply of await this.all({ type: "woken" })) {
      for (const [index, at] of reply.woken as [number, number][]) woken.set(index, at);
      armed += reply.armed as number;
    }
    return { woken, armed };
  }

  async stop(): Promise<WorkerStatus> {
    const status = await this.status();
    await Promise.allSettled(this.procs.map((p) => this.request(p, { type: "stop" })));
    await Promise.race([Promise.all(this.procs.map((p) => p.exited)), Bun.sleep(5_000)]);
    for (const p of this.procs) if (p.exitCode === null) p.kill("SIGKILL");
    return status;
  }
}
