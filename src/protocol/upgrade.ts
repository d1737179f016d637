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
 * Runtime-event reasons (RuntimeEvent.reason) of an upgrade's outcome, sent by the executor and read by the
 * control plane (executors/upgrades.ts):
 * - `upgrade.refused`: the executor would not swap (download or verification failed). Nothing changed on
 *   the host; the request stays pending until it expires (a bad artifact is never bypassed, reference §6.9).
 * - `upgrade.rolled_back`: the new binary ran and failed; the previous one is back. The request is cleared.
 * - `upgrade.completed`: the new version synced and marked itself good.
 */
export const UPGRADE_EVENT = {
  refused: "upgrade.refused",
  rolledBack: "upgrade.rolled_back",
  completed: "upgrade.completed",
} as const;
export const UPGRADE_REFUSED_EVENT = UPGRADE_EVENT.refused;
export const UPGRADE_ROLLED_BACK_EVENT = UPGRADE_EVENT.rolledBack;

/** Why the executor refused to swap: the running binary stays as it was. */
export const UPGRADE_REFUSAL_REASONS = [
  /** The download failed, stalled or passed its deadline (retried later, resuming where it stopped). */
  "download_failed",
  /** The downloaded bytes do not hash to the spec's sha256. */
  "checksum_mismatch",
  /** The signature is malformed, or does not verify against the key it names. */
  "signature_invalid",
  /** The signature names a key that is not compiled into this binary. */
  "signature_unknown_key",
  /** This executor cannot replace its own binary (not a compiled binary, or not under systemd). */
  "unsupported",
  /** The swap or the restart failed on this host (file system, systemctl). */
  "swap_failed",
  /** A swap was interrupted (the process was killed) before the new binary was in place. */
  "interrupted",
] as const;
/** Why the new version was rolled back: the previous binary runs again. */
export const UPGRADE_ROLLBACK_REASONS = [
  /** It failed (non-zero exit, signal) until systemd's flap budget ran out. */
  "start_failed",
  /** It exited 0 at once, again and again, until the flap budget ran out. */
  "exited_at_once",
  /** It ran but did not complete a first sync within the confirmation deadline. */
  "health_timeout",
] as const;
export type UpgradeRefusalReason = (typeof UPGRADE_REFUSAL_REASONS)[number];
export type UpgradeRollbackReason = (typeof UPGRADE_ROLLBACK_REASONS)[number];
export type UpgradeFailureReason = UpgradeRefusalReason | UpgradeRollbackReason;

export function isRollbackReason(value: string): value is UpgradeRollbackReason {
  return (UPGRADE_ROLLBACK_REASONS as readonly string[]).includes(value);
}

/** The payload of an upgrade.refused / upgrade.rolled_back runtime event. */
export const UpgradeFailurePayload = T.Object({
  targetVersion: Semver,
  /** The version running now (after a rollback: the previous one). */
  runningVersion: T.Optional(Semver),
  /**
   * Why (one of the reasons above). Named `code`, not `reason`: the event's own `reason` (upgrade.refused …)
   * sits beside it when the control plane stores the event.
   */
  code: T.Union([...UPGRADE_REFUSAL_REASONS, ...UPGRADE_ROLLBACK_REASONS].map((r) => T.Literal(r))),
  detail: T.Optional(T.String({ maxLength: 2000 })),
  /** A refused request is not tried again for this long (a download failure: with back-off). */
  retryInMs: T.Optional(T.Integer({ minimum: 0 })),
});
export type UpgradeFailurePayload = Static<typeof UpgradeFailurePayload>;

/** The payload of an upgrade.completed runtime event. */
export const UpgradeCompletedPayload = T.Object({
  targetVersion: Semver,
  previousVersion: T.Optional(Semver),
});
export type UpgradeCompletedPayload = Static<typeof UpgradeCompletedPayload>;
