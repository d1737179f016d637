// Runs an attack against a control plane while a bystander keeps using it the way the rest of the system
// does: /healthz every 50 ms, an executor sync every 50 ms and one held spec long-poll. The caller
// asserts that every bystander request was answered; latencies are returned for benchmarks, never for
// assertions (the machines are shared).
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { call, syncBody } from "./protocol-client.ts";

export interface Bystander {
  /** Status of every /healthz poll, in order. */
  health: number[];
  /** Status of every executor sync, in order. */
  syncs: number[];
  /** Status of the long-poll held during the attack. */
  longPoll: number;
  healthLatenciesMs: number[];
}

/** A request that never answers fails the test with this much patience, rather than hanging it. */
const ANSWER_WITHIN_MS = 15_000;

export async function underAttack<T>(
  cp: ControlPlaneHandle,
  executor: { key: string; executorId: string; name: string },
  attack: () => Promise<T>,
): Promise<{ result: T; bystander: Bystander }> {
  const bystander: Bystander = { health: [], syncs: [], longPoll: 0, healthLatenciesMs: [] };
  let attacking = true;
  const answered = (path: string, init: RequestInit = {}) =>
    fetch(`${cp.url}${path}`, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      })
      .catch(() => 0);
  const poll = async (every: () => Promise<void>) => {
    while (attacking) {
      const next = Bun.sleep(50);
      await every();
      await next;
    }
  };
  const health = poll(async () => {
    const started = performance.now();
    bystander.health.push(await answered("/healthz"));
    bystander.healthLatenciesMs.push(performance.now() - started);
  });
  const syncs = poll(async () => {
    const headers = { "content-type": "application/json", authorization: `Bearer ${executor.key}` };
    const body = JSON.stringify(syncBody(executor.name));
    bystander.syncs.push(await answered("/api/v1/executor/sync", { method: "POST", headers, body }));
  });
  const current = await call(cp, "/api/v1/executor/specs?cursor=0&waitMs=0", executor);
  const longPoll = call(
    cp,
    `/api/v1/executor/specs?cursor=${current.json.cursor}&waitMs=1000`,
    executor,
  ).then((r) => r.status);
  try {
    const result = await attack();
    return { result, bystander };
  } finally {
    attacking = false;
    await Promise.all([health, syncs]);
    bystander.longPoll = await longPoll;
  }
}

/** What a test asserts: every bystander request was answered, and at least one of each ran. */
export function allAnswered(b: Bystander): boolean {
  return (
    b.health.length > 0 &&
    b.syncs.length > 0 &&
    b.health.every((s) => s === 200) &&
    b.syncs.every((s) => s === 200) &&
    b.longPoll === 200
  );
}
