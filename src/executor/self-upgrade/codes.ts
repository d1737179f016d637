// The classified outcomes of a self-upgrade: why one was refused before the swap, or why the previous version
// came back after it. The code travels to the control plane in the payload of a runtime event whose reason is
// UPGRADE_EVENT.refused / rolledBack / completed, so a person (and the control plane, which clears
// pendingUpgrade on it) sees exactly what happened.

/** Refused before the swap: the running binary stays as it was. */
export const REFUSAL_CODES = [
  /** The downloaded bytes do not hash to the spec's sha256. */
  "checksum_mismatch",
  /** The signature is malformed, or does not verify against the key it names. */
  "signature_invalid",
  /** The signature names a key that is not compiled into this binary. */
  "signature_unknown_key",
  /** The download failed, stalled or passed its deadline (retried later, resuming where it stopped). */
  "download_failed",
  /** This executor cannot replace its own binary (not a compiled binary, or not under systemd). */
  "unsupported",
  /** The swap or the restart failed on this host (file system, systemctl). */
  "swap_failed",
  /** A swap was interrupted (the process was killed) before the new binary was in place. */
  "interrupted",
] as const;

/** Rolled back after the swap: the previous binary is running again. */
export const ROLLBACK_CODES = [
  /** The new binary failed (non-zero exit, signal) until systemd's flap budget ran out. */
  "start_failed",
  /** The new binary exited 0 at once, again and again, until the flap budget ran out. */
  "exited_at_once",
  /** The new binary ran but did not sync with the control plane before the confirmation deadline. */
  "health_timeout",
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];
export type RollbackCode = (typeof ROLLBACK_CODES)[number];
export type UpgradeCode = RefusalCode | RollbackCode;

/** RuntimeEvent.reason values of the upgrade's outcomes. */
export const UPGRADE_EVENT = {
  refused: "upgrade.refused",
  rolledBack: "upgrade.rolled_back",
  completed: "upgrade.completed",
} as const;

export function isRollbackCode(value: string): value is RollbackCode {
  return (ROLLBACK_CODES as readonly string[]).includes(value);
}

/** An upgrade that stopped before the swap; `code` says why, `message` says what to do. */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = "UpgradeRefusedError";
  }
}
