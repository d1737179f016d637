// How the self-upgrade core stops an upgrade before the swap. The classified reasons (refused before the swap,
// rolled back after it) and the runtime events that carry them are the protocol's (src/protocol/upgrade.ts):
// the control plane reads the same list, so every code an executor sends is one it records.
import type { UpgradeRefusalReason } from "../../protocol/upgrade.ts";

/** An upgrade that stopped before the swap; `code` says why, `message` says what to do. */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly code: UpgradeRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = "UpgradeRefusedError";
  }
}
