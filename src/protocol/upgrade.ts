// Upgrade specs an executor receives in pendingUpgrade: a signed binary (agent) or an image (operator); and
// how an executor reports an upgrade that did not happen (a runtime event with one of the reasons below).
import { type Static, Type as T } from "@sinclair/typebox";

const Semver = T.String({ pattern: "^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$" });
const Sha256 = T.String({ pattern: "^[0-9a-f]{64}$" });

export const AgentUpgradeSpec = T.Object(
  {
    kind: T.Literal("agent"),
    targetVersion: Semver,
    /**
     * Absolute, or a path on the control plane the executor syncs with ("/api/v1/executor/releases/<sha256>",
     * fetched with its executor key): the control plane does not always know the address hosts reach it at.
     */
    downloadUrl: T.String({ pattern: "^(https?://|/)", maxLength: 2048 }),
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

/** The URL to download an upgrade from: `downloadUrl` as is, or resolved against the control plane's URL. */
export function resolveDownloadUrl(controlPlaneUrl: string, downloadUrl: string): string {
  return /^https?:\/\//.test(downloadUrl)
    ? downloadUrl
    : `${controlPlaneUrl.replace(/\/+$/, "")}${downloadUrl}`;
}

/** How long a requested upgrade waits to be carried out before it must be requested again (reference §3.5). */
export const PENDING_UPGRADE_TTL_MS = 15 * 60_000;

/**
 * Runtime-event reasons (RuntimeEvent.reason) for an upgrade that did not complete:
 * - `upgrade.refused`: the executor would not swap (download or verification failed). Nothing changed on
 *   the host; the request stays pending until it expires (a bad artifact is never bypassed, reference §6.9).
 * - `upgrade.rolled_back`: the new binary ran and failed; the previous one is back. The request is cleared.
 */
export const UPGRADE_REFUSED_EVENT = "upgrade.refused";
export const UPGRADE_ROLLED_BACK_EVENT = "upgrade.rolled_back";

/** Why the executor refused to swap. */
export const UPGRADE_REFUSAL_REASONS = ["download_failed", "checksum_mismatch", "signature_invalid"] as const;
/** Why the new version was rolled back. */
export const UPGRADE_ROLLBACK_REASONS = [
  /** It failed to start (the flap budget ran out). */
  "start_failed",
  /** It ran but did not complete a first sync within the health deadline. */
  "health_timeout",
  /** It exited 0 at once, which systemd's flap budget does not count as a failure. */
  "exited_early",
] as const;
export type UpgradeRefusalReason = (typeof UPGRADE_REFUSAL_REASONS)[number];
export type UpgradeRollbackReason = (typeof UPGRADE_ROLLBACK_REASONS)[number];

/** The payload of an upgrade.refused / upgrade.rolled_back runtime event. */
export const UpgradeFailurePayload = T.Object({
  targetVersion: Semver,
  /** The version running now (after a rollback: the previous one). */
  runningVersion: T.Optional(Semver),
  reason: T.Union([...UPGRADE_REFUSAL_REASONS, ...UPGRADE_ROLLBACK_REASONS].map((r) => T.Literal(r))),
  detail: T.Optional(T.String({ maxLength: 2000 })),
});
export type UpgradeFailurePayload = Static<typeof UpgradeFailurePayload>;
