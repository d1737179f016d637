// In-place client upgrades on the host: a revision that changes a role's client version restarts only that
// role's process with the new version's executable (installed beside the old one: artifacts are
// content-addressed), on the same data, then gates on its health. Healthy = the process runs, answers its probe,
// and its head advances or it has peers, within the adapter's deadline (PlannedProcess.upgradeHealthDeadlineSecs,
// default 120 s). Otherwise the previous version's executable is put back on the same data and the revision is
// reported reverted with the cause (runtime event `client_upgrade.reverted`); a healthy one is reported
// `client_upgrade.succeeded`. Both events carry { revision, role, client, from, to } and the control plane marks
// the revision with them.
//
// What the host last ran healthily per role, and any upgrade under way, live in the node record (layout.ts), so a
// restarted agent goes on gating, or keeps the reverted version, instead of forgetting the previous version.
// A reverted version is not tried again while the spec still asks for it (no restart loop on a bad release):
// the user picks another version, or goes back to the running one.
import type { ChainAdapter, PlannedProcess } from "../../adapters/types.ts";
import { runProbe } from "../../executor/probe.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { AssignedSpec, RuntimeEvent } from "../../protocol/executor-api.ts";
import type { NodeIssue } from "./planning.ts";
import type { UnitState } from "./supervisor/types.ts";

export const DEFAULT_UPGRADE_HEALTH_DEADLINE_SECS = 120;
/** One health probe during the gate; the gate itself runs once per reconcile tick. */
const GATE_PROBE_TIMEOUT_MS = 3_000;

/** A client version as it runs on this host. */
export interface ClientVersion {
  client: string;
  version: string;
  executable: string;
}

/** A version change of one role, from the revision that asked for it until it is healthy or reverted. */
export interface ClientUpgrade {
  revision: number;
  from: ClientVersion;
  to: ClientVersion;
  /** Wall clock (epoch ms): survives an agent restart. */
  deadlineAtMs: number;
  /** The new process's pid once seen running: another pid means it exited and was restarted. */
  pid?: number;
  /** The head at the first answer: a later, higher one proves the client advances. */
  firstHead?: number;
  /** Set when the new version failed its gate: `from` runs again, and this is why. */
  reverted?: string;
}

/** The node record's part this module owns. */
export interface ClientUpgradeState {
  /** role → the version the host runs as known good. */
  clients?: Record<string, ClientVersion>;
  /** role → an upgrade under way or reverted. */
  upgrades?: Record<string, ClientUpgrade>;
}

export interface UpgradeStep {
  /** role → the executable to run: the new version's, or the previous one's when reverted. */
  executables: Map<string, string>;
  state: Required<ClientUpgradeState>;
  /** A role under its gate: a wait, not a fault. */
  issues: NodeIssue[];
}

interface StepInput {
  entry: AssignedSpec;
  adapter: ChainAdapter;
  processes: readonly PlannedProcess[];
  /** role → the executable of the version the spec asks for. */
  executables: ReadonlyMap<string, string>;
  /** What the record says from the last pass (nothing for a node new on this host). */
  previous: ClientUpgradeState | null;
  running: boolean;
  unitOf: (role: string) => UnitState | undefined;
  emit: (event: RuntimeEvent) => void;
  nowMs: number;
}

/** One tick of every role's upgrade: start one, gate it, finish it, or revert it. */
export async function stepClientUpgrades(input: StepInput): Promise<UpgradeStep> {
  const { entry, processes, nowMs } = input;
  // A copy: the record read from disk is compared with this state to know whether to write it.
  const clients = structuredClone(input.previous?.clients ?? {});
  const upgrades = structuredClone(input.previous?.upgrades ?? {});
  const executables = new Map(input.executables);
  const issues: NodeIssue[] = [];
  for (const process of processes) {
    const { role } = process;
    const wanted: ClientVersion = {
      client: process.client,
      version: process.version,
      executable: input.executables.get(role)!,
    };
    let upgrade = upgrades[role];
    // The spec moved on from the version this upgrade was about, or the node was stopped while it was being
    // checked (a stopped node takes a new version without a gate): it no longer applies. A revert stays.
    if (upgrade && (!sameVersion(upgrade.to, wanted) || (!input.running && !upgrade.reverted))) {
      delete upgrades[role];
      upgrade = undefined;
    }
    const known = clients[role];
    if (!upgrade) {
      const change = known && known.client === wanted.client && !sameVersion(known, wanted);
      if (!change || !input.running) {
        clients[role] = wanted;
        continue;
      }
      upgrade = {
        revision: entry.revision,
        from: known,
        to: wanted,
        deadlineAtMs:
          nowMs + (process.upgradeHealthDeadlineSecs ?? DEFAULT_UPGRADE_HEALTH_DEADLINE_SECS) * 1000,
      };
      upgrades[role] = upgrade;
      input.emit(upgradeEvent(entry, role, upgrade, "info", "client_upgrade.started", "started"));
    } else if (!upgrade.reverted) {
      const verdict = await gate(input, process, upgrade);
      if (verdict === "healthy") {
        clients[role] = upgrade.to;
        delete upgrades[role];
        input.emit(upgradeEvent(entry, role, upgrade, "info", "client_upgrade.succeeded", "succeeded"));
        continue;
      }
      if (verdict !== "pending") {
        upgrade.reverted = verdict.failed;
        input.emit(
          upgradeEvent(
            entry,
            role,
            upgrade,
            "error",
            "client_upgrade.reverted",
            `reverted: ${verdict.failed}`,
          ),
        );
      }
    }
    if (upgrade.reverted) {
      executables.set(role, upgrade.from.executable);
      continue;
    }
    issues.push({
      reason: "client_upgrade.gating",
      role,
      waiting: true,
      message: `upgrading ${upgrade.to.client} ${upgrade.from.version} → ${upgrade.to.version}: waiting for it to answer and advance its head (until ${new Date(upgrade.deadlineAtMs).toISOString()})`,
    });
  }
  return { executables, state: { clients, upgrades }, issues };
}

const sameVersion = (a: ClientVersion, b: ClientVersion) =>
  a.client === b.client && a.version === b.version && a.executable === b.executable;

type Verdict = "healthy" | "pending" | { failed: string };

/** Is the new version healthy yet, failed for good, or still within its deadline? Updates pid and firstHead. */
async function gate(input: StepInput, process: PlannedProcess, upgrade: ClientUpgrade): Promise<Verdict> {
  const unit = input.unitOf(process.role);
  const name = `${upgrade.to.client} ${upgrade.to.version}`;
  if (
    unit?.activeState === "failed" ||
    (unit && unit.activeState !== "active" && unit.exitStatus !== undefined)
  ) {
    const output = lastLines(unit.recentOutput);
    return {
      failed: `${name} exited${unit.exitStatus !== undefined ? ` with status ${unit.exitStatus}` : ""}${output ? `: ${output}` : ""}`,
    };
  }
  if (unit?.activeState === "active" && unit.mainPid > 0) {
    if (upgrade.pid !== undefined && upgrade.pid !== unit.mainPid) {
      return { failed: `${name} exited and was restarted (pid ${upgrade.pid} → ${unit.mainPid})` };
    }
    upgrade.pid = unit.mainPid;
  }
  let observed = `${name} is ${unit?.activeState ?? "not installed"}`;
  if (unit?.activeState === "active") {
    const answer = await runProbe(process.probe, "127.0.0.1", GATE_PROBE_TIMEOUT_MS).catch((error) => ({
      ok: false as const,
      message: errorMessage(error),
    }));
    if (answer.ok) {
      const { metrics } = input.adapter.interpretProbe(process.role, answer.raw);
      if ((metrics.peers ?? 0) > 0) return "healthy";
      const head = metrics.blockHeight;
      if (head !== undefined && upgrade.firstHead !== undefined && head > upgrade.firstHead) return "healthy";
      if (head !== undefined) upgrade.firstHead ??= head;
      observed = `${name} answers but has no peers and its head stayed at ${upgrade.firstHead ?? "unknown"}`;
    } else {
      observed = `${name} does not answer its probe: ${answer.message}`;
    }
  }
  if (input.nowMs >= upgrade.deadlineAtMs) {
    const deadline = new Date(upgrade.deadlineAtMs).toISOString();
    return { failed: `not healthy by its deadline (${deadline}): ${observed}` };
  }
  return "pending";
}

function lastLines(output: string | undefined): string {
  const lines = (output ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  // The lines that say what went wrong (the log also holds the previous version's last words), each once.
  const errors = [...new Set(lines.filter((l) => /error|fatal|panic|denied|not found/i.test(l)))];
  return (errors.length > 0 ? errors : lines).slice(-2).join(" | ").slice(0, 500);
}

function upgradeEvent(
  entry: AssignedSpec,
  role: string,
  upgrade: ClientUpgrade,
  level: RuntimeEvent["level"],
  reason: string,
  what: string,
): RuntimeEvent {
  const { from, to } = upgrade;
  return {
    nodeId: entry.nodeId,
    level,
    reason,
    message: `${entry.name}: client upgrade ${to.client} ${from.version} → ${to.version} ${what}`.slice(
      0,
      4000,
    ),
    payload: {
      revision: upgrade.revision,
      role,
      client: to.client,
      from: from.version,
      to: to.version,
      ...(upgrade.reverted ? { cause: upgrade.reverted.slice(0, 2000) } : {}),
    },
  };
}
