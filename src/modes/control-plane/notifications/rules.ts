// The alert rules as pure verdicts over one observation, the node's policy and what the engine remembers
// of the node: `fire` (the condition holds: open an incident unless one is open), `clear` (it does not:
// resolve the open one) or `keep` (this observation cannot tell, e.g. a process still stopping).
// - node_down: desiredState running and a process observed stopped or error; clear once every process is
//   running, syncing or starting (or the node should not run, or the rule is off).
// - disk_usage: filesystem use above the effective threshold; clear below it.
// - sync_stalled: not synced and the head has not advanced for the node's syncStalledMinutes; clear when
//   the head advances or the node is synced.
// - executor_offline: decided by the executor liveness signal alone (engine.ts).
import type { ObservedNodeState } from "../../../protocol/index.ts";
import type { NodePolicy } from "./settings.ts";

export type Verdict = "fire" | "clear" | "keep";
export const RULES = ["node_down", "disk_usage", "sync_stalled", "executor_offline"] as const;
export type Rule = (typeof RULES)[number];
export const NODE_RULES = ["node_down", "disk_usage", "sync_stalled"] as const;
export type NodeRule = (typeof NODE_RULES)[number];

/** What the processes say about node_down, before asking whether the node should run. */
export type ProcessHealth = "down" | "up" | "unknown";

export function processHealth(observation: ObservedNodeState): ProcessHealth {
  const processes = observation.processes;
  if (observation.removed || processes.length === 0) return "unknown";
  let up = true;
  for (const p of processes) {
    if (p.status === "stopped" || p.status === "error") return "down";
    if (p.status !== "running" && p.status !== "syncing" && p.status !== "starting") up = false;
  }
  return up ? "up" : "unknown";
}

export function nodeDownVerdict(
  policy: NodePolicy,
  health: ProcessHealth,
  shouldRun: () => boolean,
): Verdict {
  if (!policy.nodeDownEnabled) return "clear";
  if (health === "up") return "clear";
  if (health === "unknown") return "keep";
  return shouldRun() ? "fire" : "clear";
}

/** Filesystem use in percent (from total and available bytes, else the node's own bytes), or null. */
export function diskPercent(observation: ObservedNodeState): number | null {
  const m = observation.metrics;
  if (!m?.diskTotalBytes) return null;
  if (m.diskAvailableBytes !== undefined)
    return ((m.diskTotalBytes - m.diskAvailableBytes) / m.diskTotalBytes) * 100;
  if (m.diskUsedBytes !== undefined) return (m.diskUsedBytes / m.diskTotalBytes) * 100;
  return null;
}

export function diskVerdict(policy: NodePolicy, percent: number | null): Verdict {
  if (!policy.diskUsageEnabled) return "clear";
  if (percent === null) return "keep";
  if (percent > policy.diskUsageThresholdPercent) return "fire";
  return percent < policy.diskUsageThresholdPercent ? "clear" : "keep";
}

/** The head's progress as the engine tracks it per node. */
export interface HeadTrack {
  height: number;
  /** When the head last advanced, or the node was last synced (ms). */
  sinceMs: number;
}

export function notSynced(observation: ObservedNodeState): boolean {
  const m = observation.metrics;
  if (m?.syncing === true) return true;
  if (m?.syncPercent !== undefined && m.syncPercent < 100) return true;
  return observation.processes.some((p) => p.status === "syncing");
}

/**
 * Updates `track` with the observation (returns the new one) and decides. A head that moved (either way:
 * a reset counts) or a synced node clears; a head stuck for the node's minutes while not synced fires.
 */
export function syncStalledVerdict(
  policy: NodePolicy,
  observation: ObservedNodeState,
  track: HeadTrack | undefined,
  atMs: number,
): { verdict: Verdict; track: HeadTrack | undefined } {
  const height = observation.metrics?.blockHeight;
  if (height === undefined) return { verdict: policy.syncStalledEnabled ? "keep" : "clear", track };
  const syncing = notSynced(observation);
  // First sight (e.g. after a restart): start counting, but leave an incident reloaded open as it is.
  if (!track) return { verdict: syncing ? "keep" : "clear", track: { height, sinceMs: atMs } };
  if (track.height !== height || !syncing) return { verdict: "clear", track: { height, sinceMs: atMs } };
  if (!policy.syncStalledEnabled) return { verdict: "clear", track };
  return { verdict: atMs - track.sinceMs >= policy.syncStalledMinutes * 60_000 ? "fire" : "keep", track };
}

/** The incident's message when it opens and when it resolves (also the webhook payload's `message`). */
export function ruleMessage(
  rule: Rule,
  status: "open" | "resolved",
  subjectName: string,
  facts: { percent?: number; threshold?: number; height?: number; minutes?: number } = {},
): string {
  const open = status === "open";
  switch (rule) {
    case "node_down":
      return open ? `Node ${subjectName} is down` : `Node ${subjectName} is up again`;
    case "disk_usage":
      return open
        ? `Node ${subjectName} disk usage is ${Math.round(facts.percent ?? 0)}% (threshold ${facts.threshold}%)`
        : `Node ${subjectName} disk usage is back below its threshold`;
    case "sync_stalled":
      return open
        ? `Node ${subjectName} has not advanced past block ${facts.height} for ${facts.minutes} minutes while syncing`
        : `Node ${subjectName} is advancing again`;
    case "executor_offline":
      return open ? `Executor ${subjectName} is offline` : `Executor ${subjectName} is back online`;
  }
}
