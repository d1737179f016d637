// Removing a deleted node from the host: its units, and (unless the control plane asked to retain the data)
// its directory. A name that now belongs to another node (deleted, then redeployed under the same name) is
// left alone.
import { existsSync, rmSync } from "node:fs";
import type { Logger } from "../../lib/log.ts";
import type { AssignedSpec } from "../../protocol/executor-api.ts";
import { nodePaths, readNodeRecord } from "./layout.ts";
import { nodeNameOfUnit } from "./materialize.ts";
import type { NodeIssue } from "./planning.ts";
import type { Supervisor, UnitState } from "./supervisor/types.ts";

export async function teardownNode(
  host: { dataDir: string; supervisor: Supervisor; logger: Logger },
  entry: AssignedSpec,
  units: Map<string, UnitState>,
  liveNames: Set<string>,
): Promise<{ changed: boolean; issues: NodeIssue[] }> {
  const paths = nodePaths(host.dataDir, entry.name);
  const record = readNodeRecord(paths);
  if ((record && record.nodeId !== entry.nodeId) || liveNames.has(entry.name))
    return { changed: false, issues: [] };
  let changed = false;
  for (const unit of units.values()) {
    if (nodeNameOfUnit(unit.unitName) === entry.name) {
      await host.supervisor.remove(unit.unitName);
      changed = true;
    }
  }
  if (entry.retainData) {
    // The data stays for a same-name redeploy; the record goes, it described the deleted node.
    if (record) {
      rmSync(paths.recordFile, { force: true });
      changed = true;
    }
  } else if (existsSync(paths.nodeDir)) {
    rmSync(paths.nodeDir, { recursive: true, force: true });
    changed = true;
  }
  if (changed) host.logger.info("node removed", { node: entry.name, retainData: entry.retainData });
  return { changed, issues: [] };
}
