// Where the agent keeps things under data_dir, and the per-node record of what was materialized.
//   <data_dir>/artifacts/<sha256>           catalog artifacts: a verified file, content-addressed
//   <data_dir>/artifacts/<sha256>.d/        an unpacked verified archive (an archive member's path is inside)
//   <data_dir>/artifacts/<sha256>.partial   a download in progress (resumed with Range after an interruption)
//   <data_dir>/nodes/<name>/{config,data}/  one directory per node
//   <data_dir>/nodes/<name>/novacula-node.json   NodeRecord: read back each tick instead of trusting memory,
//                                                so a restarted agent neither re-rolls nor forgets a restart
//   <data_dir>/supervisor/                  the process supervisor's state
//   <data_dir>/ports.json                   the host's port plan: every node's ports (ports.ts)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanEnv, Platform } from "../../adapters/types.ts";
import { writeFileAtomicSync } from "../../lib/atomic-write.ts";
import type { NodeArtifacts, ResolvedArtifact } from "../../protocol/artifacts.ts";
import type { ClientUpgradeState } from "./client-upgrade.ts";

/** Node names as the control plane allows them; anything else never becomes a path or a unit name. */
export const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface NodePaths {
  nodeDir: string;
  configDir: string;
  dataDir: string;
  recordFile: string;
  initDir: string;
}

export function artifactsDir(agentDataDir: string): string {
  return join(agentDataDir, "artifacts");
}

/**
 * Where a resolved artifact is installed: the verified file itself, or inside its unpacked archive the
 * member it stands for (a member ending in "/" is a directory; no member means the whole unpacked tree).
 */
export function installedArtifactPath(agentDataDir: string, artifact: ResolvedArtifact): string {
  const dir = artifactsDir(agentDataDir);
  if (artifact.format === "binary") return join(dir, artifact.sha256);
  const unpacked = join(dir, `${artifact.sha256}.d`);
  const member = artifact.member?.replace(/\/+$/, "");
  return member ? join(unpacked, member) : unpacked;
}

/** role → artifact name → installed path: what an adapter's plan() sees as PlanEnv.artifacts. */
export function installedArtifacts(
  agentDataDir: string,
  artifacts: NodeArtifacts | undefined,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [role, named] of Object.entries(artifacts ?? {})) {
    out[role] = {};
    for (const [name, artifact] of Object.entries(named)) {
      out[role][name] = installedArtifactPath(agentDataDir, artifact);
    }
  }
  return out;
}

export function nodesDir(agentDataDir: string): string {
  return join(agentDataDir, "nodes");
}

export function supervisorDir(agentDataDir: string): string {
  return join(agentDataDir, "supervisor");
}

export function portsFile(agentDataDir: string): string {
  return join(agentDataDir, "ports.json");
}

export function nodePaths(agentDataDir: string, nodeName: string): NodePaths {
  if (!NODE_NAME.test(nodeName)) throw new Error(`refusing unsafe node name ${JSON.stringify(nodeName)}`);
  const nodeDir = join(nodesDir(agentDataDir), nodeName);
  return {
    nodeDir,
    configDir: join(nodeDir, "config"),
    dataDir: join(nodeDir, "data"),
    recordFile: join(nodeDir, "novacula-node.json"),
    initDir: join(nodeDir, ".init"),
  };
}

export function planEnv(
  agentDataDir: string,
  paths: NodePaths,
  platform: Platform,
  artifacts?: NodeArtifacts,
): PlanEnv {
  return {
    platform,
    nodeDir: paths.nodeDir,
    configDir: paths.configDir,
    dataDir: paths.dataDir,
    artifacts: installedArtifacts(agentDataDir, artifacts),
  };
}

/** What the agent last materialized for a node, as written on the host. */
export interface NodeRecord extends ClientUpgradeState {
  nodeId: string;
  revision: number;
  /** The restartGeneration whose restart has been carried out. */
  restartGeneration: number;
  desiredState: "running" | "stopped";
}

export function readNodeRecord(paths: NodePaths): NodeRecord | null {
  try {
    const record = JSON.parse(readFileSync(paths.recordFile, "utf8")) as NodeRecord;
    return typeof record.nodeId === "string" && Number.isInteger(record.revision) ? record : null;
  } catch {
    return null;
  }
}

export function writeNodeRecord(paths: NodePaths, record: NodeRecord): void {
  writeFileAtomicSync(paths.recordFile, `${JSON.stringify(record, null, 2)}\n`);
}

/** This host's platform in adapter terms, or null when no adapter can run here. */
export function hostPlatform(): Platform | null {
  if (process.platform !== "linux") return null;
  if (process.arch === "x64") return "linux-x64";
  if (process.arch === "arm64") return "linux-arm64";
  return null;
}
