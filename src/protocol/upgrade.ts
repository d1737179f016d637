// Upgrade specs an executor receives in pendingUpgrade: a signed binary (agent) or an image (operator).
import { type Static, Type as T } from "@sinclair/typebox";

const Semver = T.String({ pattern: "^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$" });
const Sha256 = T.String({ pattern: "^[0-9a-f]{64}$" });

export const AgentUpgradeSpec = T.Object(
  {
    kind: T.Literal("agent"),
    targetVersion: Semver,
    downloadUrl: T.String({ pattern: "^https?://", maxLength: 2048 }),
    sha256: Sha256,
    signature: T.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type AgentUpgradeSpec = Static<typeof AgentUpgradeSpec>;

export const OperatorUpgradeSpec = T.Object(
  {
    kind: T.Literal("operator"),
    targetVersion: Semver,
    image: T.String({ minLength: 1, maxLength: 512 }),
    sha256: T.Optional(Sha256),
    signature: T.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type OperatorUpgradeSpec = Static<typeof OperatorUpgradeSpec>;

export const UpgradeSpec = T.Union([AgentUpgradeSpec, OperatorUpgradeSpec]);
export type UpgradeSpec = Static<typeof UpgradeSpec>;
