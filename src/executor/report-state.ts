// What the executor last told the control plane about each node. It decides three things:
// - which observations carry news (a changed state: revision, removal, or a process's status or pid), so a
//   state change is reported the moment it is seen while metrics alone never cause an extra report;
// - which nodes are in motion (a process starting, stopping or syncing, or a revision being applied), and
//   so worth observing every second until they settle;
// - `lastBlockAt`: when the node's head last advanced, as this executor saw it (the first observation of
//   a node leaves it unset: when its head last moved before that is not known).
// It also keeps the latest observation of every node, for the executor's own metrics.
import type { ObservedNodeState } from "../protocol/observed.ts";
import type { DesiredSet } from "./desired-set.ts";

const IN_MOTION = new Set(["starting", "stopping", "syncing"]);

/** The part of an observation whose change is news: revision, removal, each process's status and pid, ports. */
function stateKey(observation: ObservedNodeState): string {
  if (observation.removed) return `removed@${observation.revision}`;
  const processes = observation.processes
    .map((p) => `${p.role}=${p.status}:${p.mainPid ?? 0}`)
    .sort()
    .join(",");
  // Ports change rarely (the host's port plan moved one): their news is where the node listens now.
  const ports = observation.ports ? JSON.stringify(observation.ports) : "";
  return `${observation.revision}|${processes}|${ports}`;
}

interface Head {
  height: number;
  /** ISO time the height was first seen; undefined while it has not moved since the first observation. */
  advancedAt?: string;
}

export class ReportState {
  /** nodeId → state key of the last observation the control plane accepted. */
  private readonly sent = new Map<string, string>();
  private readonly latest = new Map<string, ObservedNodeState>();
  private readonly heads = new Map<string, Head>();

  /** Sets `metrics.lastBlockAt` from the head's history (unless the backend knew it) and keeps the observation. */
  note(observation: ObservedNodeState, now = new Date()): void {
    const metrics = observation.metrics;
    const height = metrics?.blockHeight;
    if (metrics && height !== undefined) {
      const head = this.heads.get(observation.nodeId);
      if (!head) this.heads.set(observation.nodeId, { height });
      else if (height > head.height) {
        head.height = height;
        head.advancedAt = now.toISOString();
      } else if (height < head.height) {
        // A reset chain (a devnet without state, a resync from scratch): start over.
        this.heads.set(observation.nodeId, { height });
      }
      const advancedAt = this.heads.get(observation.nodeId)?.advancedAt;
      if (metrics.lastBlockAt === undefined && advancedAt !== undefined) metrics.lastBlockAt = advancedAt;
    }
    this.latest.set(observation.nodeId, observation);
  }

  /** True when the control plane has not yet been told this observation's state. */
  isNews(observation: ObservedNodeState): boolean {
    return this.sent.get(observation.nodeId) !== stateKey(observation);
  }

  /** The control plane accepted these observations. */
  accepted(observations: readonly ObservedNodeState[]): void {
    for (const observation of observations) {
      if (observation.removed) this.forget(observation.nodeId);
      else this.sent.set(observation.nodeId, stateKey(observation));
    }
  }

  forget(nodeId: string): void {
    this.sent.delete(nodeId);
    this.latest.delete(nodeId);
    this.heads.delete(nodeId);
  }

  /** Nodes in motion: last seen starting, stopping or syncing, or applying a newer revision (not failing). */
  inMotion(desired: DesiredSet): Set<string> {
    const ids = new Set<string>();
    for (const entry of desired.snapshot()) {
      const last = this.latest.get(entry.nodeId);
      if (!last) continue;
      const moving = last.processes.some((p) => IN_MOTION.has(p.status));
      // Behind its revision but failing: the reconciler's retries report any change; polling adds nothing.
      const applying = last.revision < entry.revision && !last.processes.some((p) => p.status === "error");
      if (moving || applying) ids.add(entry.nodeId);
    }
    return ids;
  }

  /** The latest observation of every node still reported. */
  observations(): IterableIterator<ObservedNodeState> {
    return this.latest.values();
  }
}
