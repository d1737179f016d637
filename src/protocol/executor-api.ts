// Requests and responses of the executor protocol (/api/v1/executor/*), validated on both sides.
import { type Static, Type as T } from "@sinclair/typebox";
import { NodeArtifacts } from "./artifacts.ts";
import { ExecutorCapabilities } from "./capabilities.ts";
import { JsonObjectBytes } from "./json-bytes.ts";
import { NodeSpec } from "./node-spec.ts";
import { ObservedNodeState } from "./observed.ts";
import { UpgradeSpec } from "./upgrade.ts";

export const ExecutorKind = T.Union([T.Literal("agent"), T.Literal("operator")]);
export type ExecutorKind = Static<typeof ExecutorKind>;

export const Channel = T.Union([T.Literal("stable"), T.Literal("beta"), T.Literal("dev")]);
export type Channel = Static<typeof Channel>;

export const CompatStatus = T.Union([
  T.Literal("in-window"),
  T.Literal("deprecated"),
  T.Literal("out-of-support"),
]);
export type CompatStatus = Static<typeof CompatStatus>;

export const EXECUTOR_NAME_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$";

export const ExecutorResources = T.Object(
  {
    cpuCores: T.Optional(T.Integer({ minimum: 0 })),
    memoryBytes: T.Optional(T.Number({ minimum: 0 })),
    diskTotalBytes: T.Optional(T.Number({ minimum: 0 })),
    diskAvailableBytes: T.Optional(T.Number({ minimum: 0 })),
    os: T.Optional(T.String({ maxLength: 64 })),
    arch: T.Optional(T.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type ExecutorResources = Static<typeof ExecutorResources>;

export const SyncRequest = T.Object(
  {
    name: T.String({ pattern: EXECUTOR_NAME_PATTERN, description: "executor name, unique per organization" }),
    kind: ExecutorKind,
    version: T.String({
      pattern: "^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$",
      description: "semver, e.g. 1.2.3",
    }),
    channel: Channel,
    capabilities: ExecutorCapabilities,
    resources: T.Optional(ExecutorResources),
    publicHost: T.Optional(T.String({ pattern: "^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$" })),
  },
  { additionalProperties: false },
);
export type SyncRequest = Static<typeof SyncRequest>;

export const Cadences = T.Object({
  syncIntervalMs: T.Integer(),
  specWaitMs: T.Integer(),
  reconcileIntervalMs: T.Integer(),
  reportIntervalMs: T.Integer(),
});
export type Cadences = Static<typeof Cadences>;

export const SyncResponse = T.Object({
  executorId: T.String(),
  organizationId: T.String(),
  compat: CompatStatus,
  controlPlaneVersion: T.String(),
  pendingUpgrade: T.Union([UpgradeSpec, T.Null()]),
  cadences: Cadences,
  serverTime: T.String({ format: "date-time" }),
});
export type SyncResponse = Static<typeof SyncResponse>;

export const MAX_SPEC_WAIT_MS = 30_000;

export const SpecsQuery = T.Object(
  {
    cursor: T.Optional(
      T.Integer({ minimum: 0, description: "the cursor of the previous answer; 0 for all" }),
    ),
    waitMs: T.Optional(T.Integer({ minimum: 0, maximum: MAX_SPEC_WAIT_MS, description: "0..30000" })),
  },
  { additionalProperties: false },
);
export type SpecsQuery = Static<typeof SpecsQuery>;

export const AssignedSpec = T.Object({
  nodeId: T.String(),
  name: T.String(),
  revision: T.Integer(),
  /** null for a tombstone (the node was deleted). */
  spec: T.Union([NodeSpec, T.Null()]),
  deleted: T.Boolean(),
  retainData: T.Boolean(),
  /** The files the spec's clients need on this executor's platform, resolved from the client catalog. */
  artifacts: T.Optional(NodeArtifacts),
});
export type AssignedSpec = Static<typeof AssignedSpec>;

export const SpecsResponse = T.Object({
  cursor: T.Integer(),
  specs: T.Array(AssignedSpec),
});
export type SpecsResponse = Static<typeof SpecsResponse>;

export const MAX_OBSERVATIONS_PER_REPORT = 500;

export const ObservedRequest = T.Object(
  { observations: T.Array(ObservedNodeState, { maxItems: MAX_OBSERVATIONS_PER_REPORT }) },
  { additionalProperties: false },
);
export type ObservedRequest = Static<typeof ObservedRequest>;

export const EventLevel = T.Union([T.Literal("info"), T.Literal("warn"), T.Literal("error")]);
export type EventLevel = Static<typeof EventLevel>;

/** One event's payload, serialized: diagnostics, not logs (every events page carries it back). */
export const MAX_EVENT_PAYLOAD_BYTES = 8 * 1024;

export const RuntimeEvent = T.Object(
  {
    nodeId: T.Optional(T.String({ format: "uuid" })),
    level: EventLevel,
    message: T.String({ minLength: 1, maxLength: 4000 }),
    /** Free-form classification from the executor, e.g. "process.crashed"; stored as runtime.event. */
    reason: T.Optional(T.String({ maxLength: 64 })),
    payload: T.Optional(JsonObjectBytes(MAX_EVENT_PAYLOAD_BYTES, 64)),
    occurredAt: T.Optional(T.String({ format: "date-time" })),
  },
  { additionalProperties: false },
);
export type RuntimeEvent = Static<typeof RuntimeEvent>;

export const EventsRequest = T.Object(
  { events: T.Array(RuntimeEvent, { minItems: 1, maxItems: 200 }) },
  { additionalProperties: false },
);
export type EventsRequest = Static<typeof EventsRequest>;

export const AcceptedResponse = T.Object({ accepted: T.Integer() });
export type AcceptedResponse = Static<typeof AcceptedResponse>;

/** The largest executor request body the control plane reads. */
export const MAX_EXECUTOR_BODY_BYTES = 1024 * 1024;

/**
 * Names the executor on /specs, /observed and /events: one key may serve several executors, so the key alone
 * does not say which one is asking. The value is the executorId the /sync answer carries.
 */
export const EXECUTOR_ID_HEADER = "x-novacula-executor-id";
