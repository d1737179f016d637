// Writes every accepted node observation into the node's metric history (a listener on the signal hub:
// the ingestion path does not know about it), cheaply enough for 10,000 nodes reporting every 10 s:
// - a point goes through the WriteBatcher (no fsync of its own, no stall of the event loop); a second
//   report within the same 10 s slot replaces the first before it is written;
// - when a node's first point of a new 5 min bucket arrives, the bucket before it is rolled up from the
//   stored 10 s points, in SQL (after them: the batcher writes in the order work was queued), so a rollup
//   needs no state in memory and a restart loses only the 10 s points not yet written;
// - each write also deletes what fell out of that node's window (and anything "from the future" after a
//   clock step back), so an active node never holds more than one window of rows: that is the hard cap;
// - the sweep (every minute) rolls up the last bucket of nodes that went quiet and prunes their series,
//   and drops the series of nodes that no longer exist.
import type { Db, DbOrTx } from "../../../db/client.ts";
import {
  allSeries,
  dropSeries,
  prunePoints,
  putPoint,
  rolesBetween,
  rollUpPoints,
  SLOT_SECONDS,
  seriesHasPoints,
  seriesOf,
  setRollupRoles,
} from "../../../db/queries/history.ts";
import type { WriteBatcher } from "../../../db/write-batcher.ts";
import type { ObservedNodeState } from "../../../protocol/index.ts";
import type { SignalHub } from "../signals/hub.ts";
import { pointOf, rollupRoles } from "./points.ts";

/** Resolutions and how long each is kept (reference: 10 s for 24 h, 5 min for 30 days). */
export const HISTORY = {
  pointSeconds: SLOT_SECONDS,
  rollupSeconds: 300,
  pointRetentionSeconds: 86_400,
  rollupRetentionSeconds: 30 * 86_400,
} as const;

const SLOTS_PER_BUCKET = HISTORY.rollupSeconds / SLOT_SECONDS;
/** Slots (10 s points) and buckets (rollups) a node keeps. */
export const POINTS_KEPT = HISTORY.pointRetentionSeconds / SLOT_SECONDS;
export const ROLLUPS_KEPT = HISTORY.rollupRetentionSeconds / HISTORY.rollupSeconds;
/** The hard cap on a node's rows: one window of 10 s points and one of rollups. */
export const MAX_ROWS_PER_NODE = POINTS_KEPT + ROLLUPS_KEPT;
/** A quiet node's last bucket is rolled up this long after it closed (a late report still lands in it). */
const ROLLUP_GRACE_MS = 30_000;
/** Quiet series are pruned this often (a pass reads every series; active nodes prune at each write). */
const PRUNE_EVERY_MS = 10 * 60_000;

interface NodeState {
  /** Series number once known (0: not looked up yet). */
  series: number;
  /** The 5 min bucket (seconds / 300) of the node's latest point. */
  bucket: number;
}

export class MetricHistoryRecorder {
  /** Nodes that reported recently; a node quiet for a bucket is dropped from here by the sweep. */
  private readonly active = new Map<string, NodeState>();
  private prunedAtMs = Number.NEGATIVE_INFINITY;
  /** Points and rollups queued since start (the control plane's /metrics). */
  pointsQueued = 0;
  rollupsQueued = 0;

  constructor(
    private readonly db: Db,
    private readonly batcher: WriteBatcher,
  ) {}

  /** Listens to every accepted observation; returns the unsubscribe. */
  attach(signals: SignalHub): () => void {
    return signals.onNodeObserved((signal) => this.record(signal.node.id, signal.observation, signal.at));
  }

  /** Queues the observation's point (received at `atMs`), and the rollup of a bucket it closes. */
  record(nodeId: string, observation: ObservedNodeState, atMs: number): void {
    const point = pointOf(observation);
    if (!point) return;
    const slot = Math.floor(atMs / 1000 / SLOT_SECONDS);
    const bucket = Math.floor(slot / SLOTS_PER_BUCKET);
    let state = this.active.get(nodeId);
    if (!state) {
      state = { series: 0, bucket };
      this.active.set(nodeId, state);
      // First seen since start: a restart may have left the bucket before open.
      this.queueRollup(nodeId, state, bucket - 1);
    }
    const s = state;
    this.pointsQueued++;
    this.batcher.put(`history:${nodeId}:${slot}`, (tx) => {
      const series = this.seriesOf(tx, nodeId, s);
      putPoint(tx, series, false, slot, point);
      prunePoints(tx, series, false, slot - POINTS_KEPT + 1, slot + 1);
    });
    if (bucket > state.bucket) this.queueRollup(nodeId, state, state.bucket);
    state.bucket = bucket;
  }

  /**
   * Rolls up the last bucket of nodes quiet for longer than a bucket and stops tracking them; every
   * PRUNE_EVERY_MS, prunes the series nobody writes to (active nodes prune their own at each write) and
   * drops those of nodes that no longer exist. The work is queued on the batcher, which writes it in short
   * slices.
   */
  sweep(nowMs: number): void {
    const current = Math.floor(nowMs / 1000 / HISTORY.rollupSeconds);
    for (const [nodeId, state] of this.active) {
      const closedAt = (state.bucket + 1) * HISTORY.rollupSeconds * 1000;
      if (state.bucket < current && nowMs - closedAt > ROLLUP_GRACE_MS) {
        this.queueRollup(nodeId, state, state.bucket);
        this.active.delete(nodeId);
      }
    }
    if (nowMs - this.prunedAtMs < PRUNE_EVERY_MS) return;
    this.prunedAtMs = nowMs;
    const slot = Math.floor(nowMs / 1000 / SLOT_SECONDS);
    for (const { id, nodeId, nodeExists } of allSeries(this.db)) {
      if (this.active.has(nodeId)) continue;
      this.batcher.put(`history-prune:${id}`, (tx) => {
        // Reporting again since the sweep: its own writes prune it, and its series must stay.
        if (this.active.has(nodeId)) return;
        if (nodeExists) {
          prunePoints(tx, id, false, slot - POINTS_KEPT + 1, slot + 1);
          prunePoints(
            tx,
            id,
            true,
            current * SLOTS_PER_BUCKET - (ROLLUPS_KEPT - 1) * SLOTS_PER_BUCKET,
            slot + 1,
          );
        }
        if (!nodeExists || !seriesHasPoints(tx, id)) dropSeries(tx, id);
      });
    }
  }

  private queueRollup(nodeId: string, state: NodeState, bucket: number): void {
    if (bucket < 0) return;
    this.rollupsQueued++;
    this.batcher.put(`history-rollup:${nodeId}:${bucket}`, (tx) => {
      const series = this.seriesOf(tx, nodeId, state);
      const first = bucket * SLOTS_PER_BUCKET;
      // In SQL: 10,000 nodes close their buckets within seconds of each other, and rows read into JS
      // for each would be hundreds of thousands of objects for the collector at every boundary.
      if (!rollUpPoints(tx, series, first, SLOTS_PER_BUCKET)) return;
      const roles = rollupRoles(rolesBetween(tx, series, first, SLOTS_PER_BUCKET));
      if (roles) setRollupRoles(tx, series, first, roles);
      prunePoints(tx, series, true, first - (ROLLUPS_KEPT - 1) * SLOTS_PER_BUCKET, first + 1);
    });
  }

  /** Nodes reporting recently (their buckets are tracked). */
  get activeNodes(): number {
    return this.active.size;
  }

  private seriesOf(tx: DbOrTx, nodeId: string, state: NodeState): number {
    if (state.series === 0) state.series = seriesOf(tx, nodeId);
    return state.series;
  }
}
