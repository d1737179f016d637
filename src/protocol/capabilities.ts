// ExecutorCapabilities: which chains, networks, roles, clients and versions an executor binary supports.
import { type Static, Type as T } from "@sinclair/typebox";

const Name = T.String({ minLength: 1, maxLength: 64 });

export const ClientCapability = T.Object(
  {
    name: Name,
    /** Versions this binary knows (its default catalog); the catalog may offer others within versionRange. */
    versions: T.Array(T.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 }),
    /**
     * Semver range of the versions this adapter can run (its flags and config fit them), e.g. ">=1.14.0 <2.0.0".
     * When present, any catalog version inside it is accepted; when absent, only `versions`.
     */
    versionRange: T.Optional(T.String({ maxLength: 128 })),
    /** network → semver range, e.g. { hoodi: ">=1.15.0" }. */
    versionConstraints: T.Optional(T.Record(Name, T.String({ maxLength: 64 }))),
    /**
     * Which in-place version changes of a deployed node keep its data usable (default: upgrades within the
     * same major, no downgrade). `crossMajor`: an upgrade may cross a major version. `downgradeTo`: semver
     * range of versions the data of a newer version still opens with (a downgrade into it is allowed).
     */
    upgradePolicy: T.Optional(
      T.Object(
        {
          crossMajor: T.Optional(T.Boolean()),
          downgradeTo: T.Optional(T.String({ maxLength: 128 })),
        },
        { additionalProperties: false },
      ),
    ),
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

/**
 * What users may override (reference §11.1): per config file, managed key paths (rejected) and known keys
 * (hints); per role or client, managed flags (rejected) and known flags. Anything else passes through.
 */
export const ConfigOverrideSchema = T.Object(
  {
    /** file name (relative to the config dir) → managed key paths and typed hints. */
    files: T.Record(
      T.String({ maxLength: 128 }),
      T.Object({
        managedPaths: T.Array(T.String()),
        knownKeys: T.Record(T.String(), T.Object({ type: T.String(), description: T.String() })),
      }),
    ),
    /** client name (the key of spec.overrides.args) → managed flags and typed hints. */
    args: T.Record(
      T.String({ maxLength: 64 }),
      T.Object({
        managedFlags: T.Array(T.String()),
        knownFlags: T.Record(T.String(), T.Object({ description: T.String() })),
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClientCapability = Static<typeof ClientCapability>;
export type ConfigOverrideSchema = Static<typeof ConfigOverrideSchema>;

export const ChainCapability = T.Object(
  {
    chain: Name,
    networks: T.Array(Name, { maxItems: 32 }),
    roles: T.Array(RoleCapability, { maxItems: 8 }),
    nodeTypes: T.Array(T.Union([T.Literal("full"), T.Literal("archive")]), { maxItems: 2 }),
    defaults: T.Record(Name, ResourceDefaults),
    configOverrideSchema: ConfigOverrideSchema,
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
