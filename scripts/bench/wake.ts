// The long-poll wake measurements of scripts/bench-sync.ts. A spec change is a user write through GraphQL
// (requestNodeLifecycleAction restart: a new revision, as an edit would make); the executors' workers
// record the wall-clock moment their held poll answered with it.
// - one: a single write, until that executor's poll answers (several samples, spread over the fleet);
// - all: one write per executor, in aliased GraphQL documents, until every poll has answered. Each
//   executor's delay is also taken from the acknowledgement of the document holding its write, which
//   separates the fan-out to held polls from the time the writes themselves take.
import { batchedMutations, gql } from "./control-plane.ts";
import type { Fleet } from "./fleet.ts";
import { quantileOf, wallMs } from "./stats.ts";

export interface WakeContext {
  url: string;
  cookie: string;
  fleet: Fleet;
  executors: number;
  nodeIds: Map<number, string>;
  until<T>(what: string, timeoutMs: number, check: () => Promise<T | null | false>): Promise<T>;
}

const restart = (nodeId: string, alias: string) =>
  `${alias}: requestNodeLifecycleAction(id: "${nodeId}", action: restart) { revision }`;

async function heldPolls(ctx: WakeContext): Promise<number> {
  return ctx.until("held long-polls", 30_000, async () => {
    const held = (await ctx.fleet.status()).held;
    return held >= ctx.executors * 0.99 ? held : null;
  });
}

export async function wakeOne(ctx: WakeContext, samples: number) {
  const wakeMs: number[] = [];
  const ackMs: number[] = [];
  for (let k = 0; k < samples; k++) {
    const index = Math.floor(((k + 0.5) * ctx.executors) / samples);
    await heldPolls(ctx);
    await ctx.fleet.arm([index]);
    const sent = wallMs();
    await gql(ctx.url, ctx.cookie, `mutation { ${restart(ctx.nodeIds.get(index)!, "m0")} }`);
    ackMs.push(wallMs() - sent);
    const at = await ctx.until(
      "the executor's poll to answer",
      10_000,
      async () => (await ctx.fleet.woken()).woken.get(index) ?? null,
    );
    wakeMs.push(at - sent);
  }
  return {
    medianMs: quantileOf(wakeMs, 0.5),
    maxMs: Math.max(...wakeMs),
    samplesMs: wakeMs,
    writeAckMedianMs: quantileOf(ackMs, 0.5),
  };
}

/** Writes stop being sent after this long; the figures then cover the executors whose write went out. */
const WAKE_ALL_WRITE_BUDGET_MS = 180_000;

export async function wakeAll(ctx: WakeContext) {
  const heldBefore = await heldPolls(ctx);
  await ctx.fleet.arm("all");
  const acks = new Map<number, number>();
  const sent = wallMs();
  await batchedMutations(
    ctx.url,
    ctx.cookie,
    [...ctx.nodeIds.keys()],
    (i, a) => restart(ctx.nodeIds.get(i)!, a),
    {
      batch: 100,
      concurrency: 2,
      onAck: (items) => {
        const at = wallMs();
        for (const index of items) acks.set(index, at);
      },
      stop: () => wallMs() - sent > WAKE_ALL_WRITE_BUDGET_MS,
    },
  );
  const lastAck = Math.max(...acks.values());
  const { woken } = await ctx.until("every written executor's poll to answer", 120_000, async () => {
    const w = await ctx.fleet.woken();
    for (const index of acks.keys()) if (!w.woken.has(index)) return null;
    return w;
  });
  const answered = [...woken].filter(([index]) => acks.has(index));
  const lastWoke = Math.max(...answered.map(([, at]) => at));
  const afterAck = answered.map(([index, at]) => at - acks.get(index)!);
  return {
    executors: answered.length,
    /** Fewer than all when the writes ran out of their time budget. */
    written: acks.size,
    heldBefore,
    /** First write sent → last poll answered: the headline "one change per executor reaches all". */
    totalMs: lastWoke - sent,
    writesMs: lastAck - sent,
    writesPerSecond: Math.round(acks.size / ((lastAck - sent) / 1000)),
    afterLastWriteMs: lastWoke - lastAck,
    /** Poll answered minus its document's acknowledgement (negative: the poll was first). */
    afterOwnWriteP50Ms: quantileOf(afterAck, 0.5),
    afterOwnWriteP99Ms: quantileOf(afterAck, 0.99),
    afterOwnWriteMaxMs: Math.max(...afterAck),
  };
}
