// The agent's log tails: a node role's process found on this host (host-units.ts), then its journal (systemd
// units) or its log file (the process supervisor). Used by the executor for live log sessions and by the
// `agent logs` command.
import { LogTailError, type OpenLogTail } from "../../../executor/logs.ts";
import { ProcessStateStore } from "../supervisor/process-store.ts";
import { tailFile } from "./file-tail.ts";
import { type HostUnit, hostUnits, type UnitSource } from "./host-units.ts";
import { tailJournal } from "./journald.ts";

/** The unit of a node's role on this host; a LogTailError saying what exists otherwise. */
export function unitOfRole(source: UnitSource, nodeName: string, role: string | undefined): HostUnit {
  const units = hostUnits(source).filter((u) => u.nodeName === nodeName);
  if (units.length === 0) throw new LogTailError(`node ${nodeName} has no process on this host`);
  const roles = units.map((u) => u.role);
  if (role === undefined) {
    if (units.length === 1) return units[0]!;
    throw new LogTailError(`node ${nodeName} has several roles: choose one of ${roles.join(", ")}`);
  }
  const unit = units.find((u) => u.role === role);
  if (!unit)
    throw new LogTailError(`node ${nodeName} has no role ${role} on this host: use ${roles.join(" or ")}`);
  return unit;
}

export function agentLogTail(source: UnitSource): OpenLogTail {
  return async ({ nodeName, role, tail, follow }, onLines) => {
    const { unitName } = unitOfRole(source, nodeName, role);
    if (source.kind === "systemd") return tailJournal({ unitName, tail, follow }, onLines);
    const path = new ProcessStateStore(source.stateDir).path(unitName, "log");
    return tailFile(path, { tail, follow }, onLines);
  };
}
