// What executors read and report about nodes: the specs changed after a cursor (with tombstones), and
// observations, whose status changes become `node.lifecycle.transition` events. Observations are
// coalesced through the WriteBatcher: each one supersedes the last, so losing one to a crash is harmless.
import type { Db } from "../../../db/client.ts";
import { NodeFeedStatements } from "../../../db/queries/node-feed.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { AssignedSpec, NodeSpec, ObservedNodeState, SpecsResponse } from "../../../protocol/index.ts";
import { appendEvent } from "../events/service.ts";
import type { SignalHub } from "../signals/hub.ts";

export class ExecutorNodeView {
  /** Prepared once: the long-poll path and every batch flush run these. */
  private statements: NodeFeedStatements;
  /** nodeId → last reported status summary, to detect transitions without re-reading the database. */
  private lastStatus = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly batcher: WriteBatcher,
    private readonly clock: Clock,
    private readonly signals: SignalHub,
  ) {
    this.statements = new NodeFeedStatements(db);
  }

  specsSince(executorId: string, cursor: number): SpecsResponse {
    const rows = this.statements.changedAfter(executorId, cursor);
    if (rows.length > 1) rows.sort((a, b) => a.change_seq - b.change_seq);
    const specs: AssignedSpec[] = rows.map((r) => ({
      nodeId: r.id,
      name: r.name,
      revision: r.revision,
      spec: r.deleted_at === null ? (JSON.parse(r.spec) as NodeSpec) : null,
      deleted: r.deleted_at !== null,
      retainData: r.retain_data === 1,
    }));
    const last = rows.at(-1);
    return { cursor: last ? Math.max(cursor, last.change_seq) : cursor, specs };
  }

  /** Stores each observation of a node this executor owns; returns the ids it ignored (not its nodes). */
  record(executor: { id: string; name: string }, observations: ObservedNodeState[]): string[] {
    const ignored: string[] = [];
    const now = this.clock.now();
    for (const observation of observations) {
      const node = this.statements.owner(observation.nodeId);
      if (!node || node.executor_id !== executor.id) {
        ignored.push(observation.nodeId);
        continue;
      }
      const summary = statusSummary(observation);
      const previous = this.lastStatus.get(node.id) ?? this.storedStatus(node.id);
      this.lastStatus.set(node.id, summary);
      const transition = previous !== summary;
      const id = node.id;
      const at = now.getTime();
      this.batcher.put(`observed:${id}`, () => {
        this.statements.storeObservation(id, JSON.stringify(observation), at);
      });
      if (transition) {
        // Transitions are rare and people read them, so they are written now rather than batched.
        appendEvent(this.db, {
          organizationId: node.organization_id,
          type: "node.lifecycle.transition",
          level: summary.includes("error") ? "error" : "info",
          message: `Node ${node.name}: ${previous ?? "unobserved"} → ${summary}`,
          executorId: executor.id,
          executorName: executor.name,
          nodeId: node.id,
          nodeName: node.name,
          payload: { from: previous, to: summary, revision: observation.revision },
          createdAt: now,
        });
      }
      this.signals.nodeObserved({
        node: {
          id,
          organizationId: node.organization_id,
          name: node.name,
          executorId: executor.id,
          executorName: executor.name,
        },
        observation,
        at,
      });
    }
    return ignored;
  }

  private storedStatus(nodeId: string): string | null {
    const stored = this.statements.observed(nodeId);
    return stored ? statusSummary(JSON.parse(stored)) : null;
  }
}

/** "el=running,cl=syncing"; a removed node reads "removed". */
function statusSummary(observation: ObservedNodeState): string {
  if (observation.removed) return "removed";
  if (observation.processes.length === 0) return "none";
  return observation.processes
    .map((p) => `${p.role}=${p.status}`)
    .sort()
    .join(",");
}
