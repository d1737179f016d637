// What one node revision write carries (the new spec, its summary, the timeline event and the audit row),
// and the write a lifecycle action makes. NodeService commits them; keeping their shapes here keeps the
// service about transactions and checks.
import type { NodeRow } from "../../../db/queries/nodes.ts";
import type { EventType, NodeSpec } from "../../../protocol/index.ts";
import type { NodeLifecycleAuditAction } from "../audit/service.ts";
import type { Caller as AnyCaller } from "../auth/caller.ts";

export type LifecycleAction = "start" | "stop" | "restart";

/** Who asks, for which organization: every service call is scoped by the caller, never by an argument. */
export type Caller = Pick<AnyCaller, "organizationId" | "actor" | "meta">;

/** The revision a lifecycle action makes: desiredState and, for restart, the next restart generation. */
export function lifecycleWrite(caller: Caller, node: NodeRow, action: LifecycleAction): RevisionWrite {
  const spec: NodeSpec = { ...node.spec };
  if (action === "start") spec.desiredState = "running";
  if (action === "stop") spec.desiredState = "stopped";
  if (action === "restart") {
    spec.desiredState = "running";
    spec.restartGeneration = node.spec.restartGeneration + 1;
  }
  return {
    node,
    spec,
    summary: `${action} requested`,
    event: {
      type: "node.lifecycle.requested",
      message: `${caller.actor.name} requested ${action} of node ${node.name}`,
      payload: { action, requestedBy: caller.actor.id },
    },
    audit: { action: `node.${action}.requested`, details: { restartGeneration: spec.restartGeneration } },
  };
}

/** A node's audit row (its revision is added when written). */
type NodeAudit =
  | { action: "node.created"; details: { chain: string; network: string; executorId: string } }
  | { action: "node.updated"; details: { changedFields: string[] } }
  | { action: "node.deleted"; details: { retainData: boolean } }
  | { action: "node.rolled_back"; details: { toRevision: number } }
  | { action: NodeLifecycleAuditAction; details: { restartGeneration: number } };

export interface RevisionWrite {
  node: NodeRow;
  spec: NodeSpec;
  summary: string;
  /** The timeline event, for the reference's event types only (a configuration edit is audited, not an event). */
  event?: { type: EventType; message: string; payload?: Record<string, unknown> };
  /** The audit row to write, or the id of one already written for a whole bulk action. */
  audit: NodeAudit | { id: string };
  deleted?: { retainData: boolean };
}
