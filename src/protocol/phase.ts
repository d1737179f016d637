// getDerivedNodePhase: the displayed phase of a node, computed from desired state, observations and drift.
// Never stored. Precedence for multi-process nodes: the least healthy process wins.
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

export function getDerivedNodePhase(node: PhaseInput, now: Date): NodePhase {
  if (node.deleted) return "deleting";
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
