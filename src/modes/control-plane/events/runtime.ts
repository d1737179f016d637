// Runtime events reported by executors (crashes, failed installs, sync errors): stored as `runtime.event`
// in the timeline. A node id that is not this executor's is dropped from the event, never trusted.
import type { Db } from "../../../db/client.ts";
import { nodeNamesOn } from "../../../db/queries/nodes.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { RuntimeEvent } from "../../../protocol/index.ts";
import { recordClientUpgradeOutcome } from "../nodes/client-upgrade-outcome.ts";
import { appendEvent } from "./service.ts";

export class RuntimeEventService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  record(organizationId: string, executor: { id: string; name: string }, batch: RuntimeEvent[]): number {
    const ids = [...new Set(batch.flatMap((e) => (e.nodeId ? [e.nodeId] : [])))];
    const owned = ids.length === 0 ? new Map<string, string>() : nodeNamesOn(this.db, executor.id, ids);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      for (const event of batch) {
        const nodeName = event.nodeId ? owned.get(event.nodeId) : undefined;
        appendEvent(tx, {
          organizationId,
          source: "runtime",
          type: "runtime.event",
          level: event.level,
          message: event.message,
          executorId: executor.id,
          executorName: executor.name,
          nodeId: nodeName ? event.nodeId : null,
          nodeName: nodeName ?? null,
          payload: {
            ...(event.payload ?? {}),
            ...(event.reason ? { reason: event.reason } : {}),
            occurredAt: event.occurredAt ?? null,
          },
          createdAt: now,
        });
        if (nodeName) recordClientUpgradeOutcome(tx, event.nodeId!, event);
      }
    });
    return batch.length;
  }
}
