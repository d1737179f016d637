// The metric history feature as the rest of the control plane sees it: recording starts when it is built
// (a listener on the signal hub), `read` answers a member of the node's organization, `sweep` is the
// periodic job (rollups of quiet nodes, age pruning).
import type { Db } from "../../../db/client.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { Caller } from "../auth/caller.ts";
import type { NodeService } from "../nodes/service.ts";
import type { SignalHub } from "../signals/hub.ts";
import { historyRange, type MetricPoint, type Resolution, readHistory } from "./query.ts";
import { MetricHistoryRecorder } from "./recorder.ts";

export interface NodeMetricHistory {
  nodeId: string;
  resolution: Resolution;
  from: Date;
  to: Date;
  points: MetricPoint[];
}

export class MetricHistoryService {
  readonly recorder: MetricHistoryRecorder;

  constructor(
    private readonly db: Db,
    batcher: WriteBatcher,
    private readonly nodes: NodeService,
    private readonly clock: Clock,
    signals: SignalHub,
  ) {
    this.recorder = new MetricHistoryRecorder(db, batcher);
    this.recorder.attach(signals);
  }

  /**
   * The node's history in the range; null for a node outside the caller's organization (or none). The
   * range is checked first, so a bad one says nothing about whether the node exists.
   */
  read(
    caller: Pick<Caller, "organizationId">,
    nodeId: string,
    args: { from?: unknown; to?: unknown; resolution?: Resolution | null },
  ): NodeMetricHistory | null {
    const range = historyRange(args, this.clock.now());
    if (!this.nodes.get(caller, nodeId)) return null;
    return { nodeId, ...range, points: readHistory(this.db, nodeId, range) };
  }

  sweep(): void {
    this.recorder.sweep(this.clock.now().getTime());
  }
}
