// getDerivedNodePhase: the displayed phase of a node, computed from desired state, observations and drift.
// Never stored. Precedence for multi-process nodes: the least healthy process wins. A deleted node is
// `deleting` while its teardown is unfinished and `deleted` once its executor reports it removed (beyond the
// reference's list, which names no phase for a finished teardown).
// isObservationStale: whether the observation a node's phase is derived from may no longer be true, because
// its executor went offline or stopped reporting it (the reference's "unreachable, greyed" nodes).
import { type Static, Type as T } from "@sinclair/typebox";
import type { DesiredState } from "./node-spec.ts";
import type { ObservedNodeState, ProcessStatus } from "./observed.ts";

export const NodePhase = T.Union([
  T.Literal("provisioning"),
  T.Literal("configuring"),
  T.Literal("starting"),
  T.Literal("running"),
  T.Literal("syncing"),
  T.Literal("stopping"),
  T.Literal("stopped"),
  T.Literal("error"),
  T.Literal("deleting"),
  T.Literal("deleted"),
]);
export type NodePhase = Static<typeof NodePhase>;

export interface PhaseInput {
  deleted: boolean;
  desiredState: DesiredState;
  revision: number;
  observed: ObservedNodeState | null;
  observedAt: Date | null;
  /** When the current revision was written. */
  updatedAt: Date;
}

const has = (statuses: ProcessStatus[], status: ProcessStatus) => statuses.includes(status);

/** The executor reported the node gone (units, and data unless retained) at its latest revision. */
export function isRemovalConfirmed(node: Pick<PhaseInput, "revision" | "observed">): boolean {
  return node.observed?.removed === true && node.observed.revision >= node.revision;
}

export function getDerivedNodePhase(node: PhaseInput, now: Date): NodePhase {
  if (node.deleted) return isRemovalConfirmed(node) ? "deleted" : "deleting";
  const observed = node.observed;
  if (!observed || !node.observedAt) return "provisioning";
  const statuses = observed.processes.map((p) => p.status);
  if (has(statuses, "error")) return "error";
  // An observation taken before the current revision was written, or of an older revision, means the
  // executor has not applied the change yet: the node is being (re)configured.
  const drifted = observed.revision < node.revision || node.observedAt.getTime() < node.updatedAt.getTime();
  if (node.desiredState === "stopped") {
    if (statuses.length > 0 && statuses.every((s) => s === "stopped"))
      return drifted ? "stopping" : "stopped";
    return "stopping";
  }
  if (drifted && now.getTime() >= node.updatedAt.getTime()) {
    return has(statuses, "starting") ? "starting" : "configuring";
  }
  if (statuses.length === 0) return "configuring";
  if (has(statuses, "stopping")) return "stopping";
  if (has(statuses, "starting")) return "starting";
  if (has(statuses, "stopped")) return "stopped";
  if (has(statuses, "syncing")) return "syncing";
  return "running";
}

export interface StalenessInput {
  observed: ObservedNodeState | null;
  observedAt: Date | null;
  /** When the node's executor last synced, if this process knows it. */
  executorSyncAt: Date | null;
}

/**
 * True when the node's observation (and so its phase) may no longer hold: its executor has been silent for
 * the heartbeat timeout (it reads `offline`), or the node has not been reported for that long. Nothing
 * observed yet, or a confirmed removal, is never stale.
 */
export function isObservationStale(node: StalenessInput, now: Date, heartbeatTimeoutMs: number): boolean {
  if (!node.observed || !node.observedAt || node.observed.removed) return false;
  const silentSince = (at: Date) => now.getTime() - at.getTime() >= heartbeatTimeoutMs;
  return silentSince(node.observedAt) || (node.executorSyncAt !== null && silentSince(node.executorSyncAt));
}
