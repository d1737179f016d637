// The agent's side of the self-upgrade (the core is src/executor/self-upgrade/): the binary to replace is the
// compiled `novacula` this process runs from; the host is systemd: the guard timer armed before the swap
// (novacula-agent-upgrade-guard.timer, units.ts), and `systemctl restart --no-block novacula-agent.service`
// to start the new binary. Restart through systemctl rather than exiting with a special code: it works the
// same from the service and from `novacula agent upgrade` run by a person, it is what reference §9.4 says,
// and it does not spend one of the flap budget's three starts on a crash that is not one. Node processes are
// units of their own, so restarting the agent never touches them.

import type { OpenRange } from "../../executor/self-upgrade/download.ts";
import { SelfUpgrader, type UpgradeHost } from "../../executor/self-upgrade/self-upgrader.ts";
import { minisignVerifier } from "../../executor/self-upgrade/signature.ts";
import type { Logger } from "../../lib/log.ts";
import type { RuntimeEvent } from "../../protocol/executor-api.ts";
import { NOVACULA_VERSION } from "../../protocol/version.ts";
import { systemctl } from "./supervisor/systemd.ts";
import { AGENT_UNIT, UPGRADE_GUARD_TIMER } from "./units.ts";

/** The path of the compiled binary this process runs from; null when run from source (`bun src/…`). */
export function compiledBinaryPath(): string | null {
  return Bun.main.startsWith("/$bunfs/") ? process.execPath : null;
}

export function systemdUpgradeHost(options: {
  supervisorKind: "systemd" | "process";
  binaryPath: string | null;
  commandPrefix?: readonly string[];
}): UpgradeHost {
  const commandPrefix = options.commandPrefix ?? [];
  return {
    unsupportedReason: () => {
      if (!options.binaryPath) return "this agent runs from source, not from a compiled novacula binary";
      if (options.supervisorKind !== "systemd") {
        return "the agent runs without systemd ([supervisor] kind = process): nothing would restart it or roll it back; upgrade the binary by hand";
      }
      return null;
    },
    armGuard: async () => {
      await systemctl(["start", UPGRADE_GUARD_TIMER], { commandPrefix });
    },
    disarmGuard: async () => {
      await systemctl(["stop", UPGRADE_GUARD_TIMER], { commandPrefix, check: false });
    },
    restart: async () => {
      // A fresh flap budget for the new binary: its own three starts decide, not earlier restarts (a
      // second upgrade within 120 s would otherwise be rolled back after one failed start, or none).
      await systemctl(["reset-failed", AGENT_UNIT], { commandPrefix, check: false });
      await systemctl(["restart", "--no-block", AGENT_UNIT], { commandPrefix });
    },
  };
}

export interface AgentSelfUpgraderOptions {
  supervisorKind: "systemd" | "process";
  controlPlaneUrl: string;
  open: OpenRange;
  logger: Logger;
  emit: (event: RuntimeEvent) => void;
  /** Default: the compiled binary this process runs from. */
  binaryPath?: string | null;
}

export function createAgentSelfUpgrader(options: AgentSelfUpgraderOptions): SelfUpgrader {
  const binaryPath = options.binaryPath === undefined ? compiledBinaryPath() : options.binaryPath;
  return new SelfUpgrader({
    // From source there is no binary to swap; the path only names files that are never written then.
    binaryPath: binaryPath ?? "/nonexistent/novacula",
    currentVersion: NOVACULA_VERSION,
    verifier: minisignVerifier(),
    host: systemdUpgradeHost({ supervisorKind: options.supervisorKind, binaryPath }),
    open: options.open,
    baseUrl: options.controlPlaneUrl,
    logger: options.logger,
    emit: options.emit,
  });
}
