// ObservedNodeState: what an executor actually sees for one node, reported back to the control plane.
import { type Static, Type as T } from "@sinclair/typebox";

export const ProcessStatus = T.Union([
  T.Literal("starting"),
  T.Literal("running"),
  T.Literal("syncing"),
  T.Literal("stopping"),
  T.Literal("stopped"),
  T.Literal("error"),
]);
export type ProcessStatus = Static<typeof ProcessStatus>;
export const PROCESS_STATUSES = ["starting", "running", "syncing", "stopping", "stopped", "error"] as const;

const NonNegative = T.Number({ minimum: 0 });

export const ObservedProcess = T.Object(
  {
    role: T.String({ minLength: 1, maxLength: 32 }),
    status: ProcessStatus,
    /** Why the process is in `error` (or any note a person can act on). */
    message: T.Optional(T.String({ maxLength: 2000 })),
    mainPid: T.Optional(T.Integer({ minimum: 0 })),
    restarts: T.Optional(T.Integer({ minimum: 0 })),
    cpuMillicores: T.Optional(NonNegative),
    memoryBytes: T.Optional(NonNegative),
    peers: T.Optional(T.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type ObservedProcess = Static<typeof ObservedProcess>;

export const NodeMetrics = T.Object(
  {
    blockHeight: T.Optional(T.Integer({ minimum: 0 })),
    networkHeight: T.Optional(T.Integer({ minimum: 0 })),
    syncPercent: T.Optional(T.Number({ minimum: 0, maximum: 100 })),
    syncing: T.Optional(T.Boolean()),
    peers: T.Optional(T.Integer({ minimum: 0 })),
    lastBlockAt: T.Optional(T.String({ format: "date-time" })),
    diskUsedBytes: T.Optional(NonNegative),
    diskTotalBytes: T.Optional(NonNegative),
    diskAvailableBytes: T.Optional(NonNegative),
  },
  { additionalProperties: false },
);
export type NodeMetrics = Static<typeof NodeMetrics>;

export const ObservedNodeState = T.Object(
  {
    nodeId: T.String({ format: "uuid" }),
    /** The spec revision actually materialized on the host. */
    revision: T.Integer({ minimum: 0 }),
    processes: T.Array(ObservedProcess, { maxItems: 8 }),
    metrics: T.Optional(NodeMetrics),
    /** Chain-specific extras (Bitcoin difficulty, Monad counters, …). */
    details: T.Optional(
      T.Record(T.String({ maxLength: 64 }), T.Union([T.String(), T.Number(), T.Boolean()])),
    ),
    /** Every named port of the node as the executor allocated it on its host (spec ports and moved defaults). */
    ports: T.Optional(
      T.Record(T.String({ maxLength: 32 }), T.Integer({ minimum: 1, maximum: 65_535 }), {
        maxProperties: 32,
      }),
    ),
    /** Set once a deleted node's units (and data, unless retained) are gone. */
    removed: T.Optional(T.Boolean()),
  },
  { additionalProperties: false },
);
export type ObservedNodeState = Static<typeof ObservedNodeState>;
