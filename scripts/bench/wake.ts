// The long-poll wake measurements of scripts/bench-sync.ts. A spec change is a user write through GraphQL
// (requestNodeLifecycleAction restart: a new revision, as an edit would make); the executors' workers
// record the wall-clock moment their held poll answered with it.
// - one: a single write, until that executor's poll answers (several samples, spread over the fleet);
// - all: one bulk restart of every executor's node (one mutation, one transaction), until every poll has
//   answered.
import { gql } from "./control-plane.ts";
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

/**
 * One spec change for the whole fleet: a single `requestNodesLifecycleAction` restarting every executor's
 * node (one transaction, one revision per node), then the time until every held poll has answered.
 */
export async function wakeAll(ctx: WakeContext) {
  const heldBefore = await heldPolls(ctx);
  await ctx.fleet.arm("all");
  const ids = [...ctx.nodeIds.values()];
  const sent = wallMs();
  const result = await gql(
    ctx.url,
    ctx.cookie,
    "mutation($ids: [ID!]!) { requestNodesLifecycleAction(ids: $ids, action: restart) { id } }",
    { ids },
  );
  const acknowledged = wallMs();
  const changed = (result.data?.requestNodesLifecycleAction as unknown[] | undefined)?.length ?? 0;
  if (changed !== ids.length) throw new Error(`the bulk restart changed ${changed} of ${ids.length} nodes`);
  const { woken } = await ctx.until("every executor's poll to answer", 120_000, async () => {
    const w = await ctx.fleet.woken();
    return w.woken.size >= ctx.executors ? w : null;
  });
  const answeredAt = [...woken.values()].map((at) => at - sent);
  return {
    executors: woken.size,
    heldBefore,
    /** Mutation sent → the last executor's poll answered with its new revision: the headline figure. */
    totalMs: Math.max(...answeredAt),
    /** Mutation sent → its answer (the one transaction writing every revision). */
    writeMs: acknowledged - sent,
    p50Ms: quantileOf(answeredAt, 0.5),
    p99Ms: quantileOf(answeredAt, 0.99),
  };
}
