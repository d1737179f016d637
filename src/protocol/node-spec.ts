// NodeSpec: the desired state of one node, as stored by the control plane and pulled by executors.
// The only schema for specs: HTTP validation, GraphQL JSON validation and the operator CRD derive from it.
import { type Static, Type as T } from "@sinclair/typebox";

export const DesiredState = T.Union([T.Literal("running"), T.Literal("stopped")]);
export type DesiredState = Static<typeof DesiredState>;

export const NodeType = T.Union([T.Literal("full"), T.Literal("archive")]);
export type NodeType = Static<typeof NodeType>;

export const RestartPolicy = T.Union([T.Literal("always"), T.Literal("on-failure"), T.Literal("no")]);
export type RestartPolicy = Static<typeof RestartPolicy>;

export const ServiceType = T.Union([
  T.Literal("ClusterIP"),
  T.Literal("NodePort"),
  T.Literal("LoadBalancer"),
]);
export type ServiceType = Static<typeof ServiceType>;

const slug = (description: string) =>
  T.String({ pattern: "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", description });

export const ClientRef = T.Object(
  {
    name: slug("client name, e.g. geth"),
    version: T.String({ minLength: 1, maxLength: 64, pattern: "^[0-9A-Za-z.+_-]+$" }),
  },
  { additionalProperties: false },
);
export type ClientRef = Static<typeof ClientRef>;

/** Kubernetes-style quantity: "4", "500m", "16Gi". */
const Quantity = T.String({
  pattern: "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$",
  maxLength: 32,
  fix: 'write a quantity such as "2", "500m" or "16Gi"',
});

export const NodeResources = T.Object(
  {
    cpu: T.Optional(Quantity),
    memory: T.Optional(Quantity),
    disk: T.Optional(Quantity),
    cpuLimit: T.Optional(Quantity),
    memoryLimit: T.Optional(Quantity),
  },
  { additionalProperties: false },
);
export type NodeResources = Static<typeof NodeResources>;

export const NodeStorage = T.Object(
  { size: T.Optional(Quantity), storageClass: T.Optional(T.String({ minLength: 1, maxLength: 253 })) },
  { additionalProperties: false },
);

const ScalarValue = T.Union([T.String({ maxLength: 4096 }), T.Number(), T.Boolean()]);

export const NodeOverrides = T.Object(
  {
    /** file name → key path → value; validated against the adapter's configOverrideSchema. */
    files: T.Optional(
      T.Record(T.String({ maxLength: 128 }), T.Record(T.String({ maxLength: 256 }), T.Unknown())),
    ),
    /** role or client name → extra command-line arguments, merged after the managed flags. */
    args: T.Optional(
      T.Record(T.String({ maxLength: 64 }), T.Array(T.String({ maxLength: 1024 }), { maxItems: 256 })),
    ),
  },
  { additionalProperties: false },
);
export type NodeOverrides = Static<typeof NodeOverrides>;

export const Sidecar = T.Object(
  { name: slug("sidecar name"), image: T.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

export const NodeSpec = T.Object(
  {
    chain: slug("chain id, e.g. ethereum"),
    network: slug("network, e.g. mainnet"),
    nodeType: NodeType,
    clients: T.Record(T.String({ pattern: "^[a-z][a-z0-9-]{0,31}$" }), ClientRef, {
      minProperties: 1,
      maxProperties: 8,
    }),
    images: T.Optional(T.Record(T.String({ maxLength: 32 }), T.String({ minLength: 1, maxLength: 512 }))),
    storage: T.Optional(NodeStorage),
    resources: T.Optional(NodeResources),
    overrides: T.Optional(NodeOverrides),
    /** Ethereum CL checkpoint sync source. */
    checkpointSyncUrl: T.Optional(
      T.String({
        format: "uri",
        pattern: "^https?://",
        maxLength: 2048,
        fix: "write an http:// or https:// URL",
      }),
    ),
    /** port name → port number, over the adapter's defaults (e.g. { rpc: 18545 }). */
    ports: T.Optional(T.Record(T.String({ maxLength: 32 }), T.Integer({ minimum: 1, maximum: 65535 }))),
    /** chain-specific typed settings validated by the adapter (devnet: blockTimeSecs, chainId). */
    settings: T.Optional(T.Record(T.String({ maxLength: 64 }), ScalarValue)),
    sidecars: T.Optional(T.Array(Sidecar, { maxItems: 8 })),
    desiredState: DesiredState,
    restartGeneration: T.Integer({ minimum: 0 }),
    serviceType: T.Optional(ServiceType),
    restartPolicy: T.Optional(RestartPolicy),
  },
  { additionalProperties: false },
);
export type NodeSpec = Static<typeof NodeSpec>;

/** The spec a user writes: desiredState and restartGeneration are owned by lifecycle actions. */
export const NodeSpecInput = T.Composite(
  [
    T.Omit(NodeSpec, ["desiredState", "restartGeneration"]),
    T.Object({ desiredState: T.Optional(DesiredState) }),
  ],
  { additionalProperties: false },
);
export type NodeSpecInput = Static<typeof NodeSpecInput>;
