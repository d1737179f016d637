// Which node processes are on this host, read from the agent's own state on disk (never from memory, so the
// `agent logs` command of a person on the host sees what the running agent sees): the process supervisor's
// definitions, or the Novacula-owned unit files of the systemd unit directory, and the node records under
// <data_dir>/nodes (to find a node by its id).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_NAME, nodePaths, nodesDir, readNodeRecord } from "../layout.ts";
import { nodeNameOfUnit } from "../materialize.ts";
import { ProcessStateStore } from "../supervisor/process-store.ts";
import { parseDefinitionHash } from "../units.ts";

/** Where the node processes of this host are defined, per supervisor. */
export type UnitSource = { kind: "process"; stateDir: string } | { kind: "systemd"; unitDir: string };

export interface HostUnit {
  unitName: string;
  nodeName: string;
  role: string;
}

/** `<chain>-<role>@<node>` → role (chains may contain "-", roles do not). */
function roleOfUnit(unitName: string): string {
  return unitName.slice(0, unitName.lastIndexOf("@")).split("-").pop() ?? "";
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every node process on this host, sorted by unit name. */
export function hostUnits(source: UnitSource): HostUnit[] {
  if (source.kind === "process") {
    const store = new ProcessStateStore(source.stateDir);
    return store.unitNames().flatMap((unitName) => {
      const definition = store.readDefinition(unitName);
      return definition ? [{ unitName, nodeName: definition.nodeName, role: definition.role }] : [];
    });
  }
  const units: HostUnit[] = [];
  for (const file of listDir(source.unitDir).sort()) {
    if (!file.endsWith(".service") || !file.includes("@")) continue;
    const unitName = file.slice(0, -".service".length);
    let text: string;
    try {
      text = readFileSync(join(source.unitDir, file), "utf8");
    } catch {
      continue;
    }
    const nodeName = nodeNameOfUnit(unitName);
    // Only our own units: an admin's foreign unit of the same shape is none of our business.
    if (nodeName && parseDefinitionHash(text) !== null)
      units.push({ unitName, nodeName, role: roleOfUnit(unitName) });
  }
  return units;
}

/** A node's name from its name or its id (the control plane's), using the node records on this host. */
export function nodeNameOf(agentDataDir: string, nameOrId: string): string | null {
  const names = listDir(nodesDir(agentDataDir)).filter((name) => NODE_NAME.test(name));
  if (names.includes(nameOrId)) return nameOrId;
  for (const name of names) {
    if (readNodeRecord(nodePaths(agentDataDir, name))?.nodeId === nameOrId) return name;
  }
  return null;
}
