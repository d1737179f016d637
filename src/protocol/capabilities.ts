// ExecutorCapabilities: which chains, networks, roles, clients and versions an executor binary supports.
import { type Static, Type as T } from "@sinclair/typebox";

const Name = T.String({ minLength: 1, maxLength: 64 });

export const ClientCapability = T.Object(
  {
    name: Name,
    versions: T.Array(T.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 }),
    /** network → semver range, e.g. { hoodi: ">=1.15.0" }. */
    versionConstraints: T.Optional(T.Record(Name, T.String({ maxLength: 64 }))),
  },
  { additionalProperties: false },
);

export const RoleCapability = T.Object(
  { role: Name, clients: T.Array(ClientCapability, { maxItems: 16 }) },
  { additionalProperties: false },
);

export const ResourceDefaults = T.Object(
  {
    cpu: T.String({ maxLength: 16 }),
    memory: T.String({ maxLength: 16 }),
    storage: T.Object({ data: T.String({ maxLength: 16 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const ChainCapability = T.Object(
  {
    chain: Name,
    networks: T.Array(Name, { maxItems: 32 }),
    roles: T.Array(RoleCapability, { maxItems: 8 }),
    nodeTypes: T.Array(T.Union([T.Literal("full"), T.Literal("archive")]), { maxItems: 2 }),
    defaults: T.Record(Name, ResourceDefaults),
    configOverrideSchema: T.Unknown(),
  },
  { additionalProperties: false },
);
export type ChainCapability = Static<typeof ChainCapability>;

export const ExecutorFeature = T.Union([T.Literal("sync"), T.Literal("event"), T.Literal("lifecycle")]);
export type ExecutorFeature = Static<typeof ExecutorFeature>;

export const ExecutorCapabilities = T.Object(
  {
    supportedChains: T.Array(ChainCapability, { maxItems: 64 }),
    features: T.Array(ExecutorFeature, { maxItems: 8 }),
    storageClasses: T.Array(T.String({ maxLength: 253 }), { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type ExecutorCapabilities = Static<typeof ExecutorCapabilities>;
