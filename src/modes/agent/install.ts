// `novacula agent install` / `uninstall`: creates the unprivileged user node processes run as (node-user.ts,
// idempotent), writes (or removes) the agent's own units, novacula-agent.service and
// novacula-agent-rollback.service (reference §9.1, §9.3) and the self-upgrade's guard timer, reloads systemd and enables (or disables) the
// agent. Node units are never touched here, and nothing is started or stopped. Uninstall keeps the user: node
// data stays, and it is owned by that user.
//
// Enablement follows where systemd loaded the unit from: a unit in /run/ (runtime units, gone at reboot)
// is enabled with --runtime, so its wants-symlink also lives in /run. A persistent enable of a /run unit
// would leave a dangling symlink in /etc after a reboot, and in a test namespace (which shares the host's
// /etc) it would write into the host's /etc/systemd/system.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { ensureNodeUser } from "./node-user.ts";
import { systemctl, systemctlShow } from "./supervisor/systemd.ts";
import {
  AGENT_UNIT,
  ROLLBACK_UNIT,
  renderAgentUnit,
  renderRollbackUnit,
  renderUpgradeGuardTimer,
  UPGRADE_GUARD_TIMER,
} from "./units.ts";

export const DEFAULT_UNIT_DIR = "/etc/systemd/system";

export interface InstallAgentServiceOptions {
  /** Absolute path of agent.toml, as the service will see it. */
  configPath: string;
  /** Absolute path of the novacula binary the service runs (its `.prev` sibling is the rollback target). */
  binaryPath: string;
  /** Where to write the unit files, as this process sees it (default /etc/systemd/system). */
  unitDir?: string;
  /** argv before `systemctl` (tests: nsenter into a namespace). */
  commandPrefix?: readonly string[];
  /** Seconds a self-upgraded version has to sync before it is rolled back (default 120). */
  upgradeConfirmSecs?: number;
}

export interface InstallAgentServiceResult {
  /** Unit files whose bytes changed (written), in write order. */
  changed: string[];
  /** "enabled" or "enabled-runtime": what `systemctl is-enabled` answers afterwards. */
  enabled: string;
  /** True when this install created the node user (false: it existed already). */
  nodeUserCreated: boolean;
}

export async function installAgentService(
  options: InstallAgentServiceOptions,
): Promise<InstallAgentServiceResult> {
  const unitDir = options.unitDir ?? DEFAULT_UNIT_DIR;
  const commandPrefix = options.commandPrefix ?? [];
  // Before the units: an agent that starts must find the user its node units name.
  const nodeUserCreated = await ensureNodeUser({ commandPrefix });
  const files: [string, string][] = [
    // The rollback unit first: once the agent unit exists, its OnFailure= must already resolve.
    [ROLLBACK_UNIT, renderRollbackUnit(options)],
    [UPGRADE_GUARD_TIMER, renderUpgradeGuardTimer(options)],
    [AGENT_UNIT, renderAgentUnit(options)],
  ];
  const changed: string[] = [];
  for (const [name, text] of files) {
    const path = join(unitDir, name);
    const current = await Bun.file(path)
      .text()
      .catch(() => null);
    if (current === text) continue;
    await writeFileAtomic(path, text);
    changed.push(name);
  }
  // Always reload: cheap, and it heals an earlier install that was interrupted before its reload.
  await systemctl(["daemon-reload"], { commandPrefix });

  const shown = await systemctlShow([AGENT_UNIT], ["LoadState", "FragmentPath"], { commandPrefix });
  const agent = shown.get(AGENT_UNIT);
  if (agent?.LoadState !== "loaded") {
    throw new Error(
      `systemd did not load ${AGENT_UNIT} from ${unitDir} (LoadState=${agent?.LoadState ?? "unknown"}); ` +
        "is the unit directory one systemd reads?",
    );
  }
  const runtime = (agent.FragmentPath ?? "").startsWith("/run/");
  await systemctl(["enable", ...(runtime ? ["--runtime"] : []), AGENT_UNIT], { commandPrefix });
  const { stdout } = await systemctl(["is-enabled", AGENT_UNIT], { commandPrefix, check: false });
  return { changed, enabled: stdout.trim(), nodeUserCreated };
}

export interface UninstallAgentServiceOptions {
  unitDir?: string;
  commandPrefix?: readonly string[];
}

/**
 * Remove the agent's units and its enablement; no stop (reference §9.1): a running agent keeps running
 * until it is stopped, and the binary, config and data_dir stay. Idempotent.
 */
export async function uninstallAgentService(
  options: UninstallAgentServiceOptions = {},
): Promise<{ removed: string[] }> {
  const unitDir = options.unitDir ?? DEFAULT_UNIT_DIR;
  const commandPrefix = options.commandPrefix ?? [];
  const agentFile = join(unitDir, AGENT_UNIT);
  if (await Bun.file(agentFile).exists()) {
    // Disable while the file still exists: systemctl reads its [Install] section to find the symlinks.
    const shown = await systemctlShow([AGENT_UNIT], ["FragmentPath"], { commandPrefix });
    const runtime = (shown.get(AGENT_UNIT)?.FragmentPath ?? "").startsWith("/run/");
    await systemctl(["disable", ...(runtime ? ["--runtime"] : []), AGENT_UNIT], { commandPrefix });
  }
  const removed: string[] = [];
  for (const name of [AGENT_UNIT, ROLLBACK_UNIT, UPGRADE_GUARD_TIMER]) {
    const existed = await rm(join(unitDir, name)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    if (existed) removed.push(name);
  }
  await systemctl(["daemon-reload"], { commandPrefix });
  return { removed };
}
