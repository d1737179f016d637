// Turning one adapter plan into things on the host: config files under nodes/<name>/config (rewritten only
// when their bytes change), init steps run once (marker files), and one ProcessDefinition per planned process
// whose definitionHash covers everything that should restart it, config file contents included.
//
// Ownership, when node processes run as the unprivileged node user (node-user.ts): the node directory and
// config/ stay root's, so a node process can replace nothing the agent (root) later writes into or follows;
// the files a node reads (config files, secrets) are the node user's, so their adapter-given modes (0600
// secrets) apply to it; data/ is the node user's and the only place it can write. HOME points into data/ for
// clients that keep caches under $HOME (anvil's ~/.foundry).
import { createHash, randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { canonicalJson, renderConfigFile } from "../../adapters/shared/render.ts";
import type { PlannedProcess, ProcessPlan } from "../../adapters/types.ts";
import { writeFileAtomicSync } from "../../lib/atomic-write.ts";
import { copyArtifact, runStep } from "./init-steps.ts";
import type { NodePaths } from "./layout.ts";
import { handOverDir, type NodeOwner } from "./node-user.ts";
import type { ProcessDefinition } from "./supervisor/types.ts";

/** A path an adapter gave, confined to the node directory (relative paths are relative to `base`). */
function insideNode(paths: NodePaths, base: string, path: string): string {
  const full = isAbsolute(path) ? resolve(path) : resolve(base, path);
  const rel = relative(paths.nodeDir, full);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new Error(`refusing to write ${path}: outside the node directory ${paths.nodeDir}`);
  }
  return full;
}

function writeIfChanged(path: string, content: string, mode: number, owner: NodeOwner | null): boolean {
  try {
    if (readFileSync(path, "utf8") === content) {
      // Same bytes written before the node user existed (an upgrade from root-run nodes): hand them over.
      const info = owner ? statSync(path) : null;
      if (owner && info && (info.uid !== owner.uid || info.gid !== owner.gid)) {
        chownSync(path, owner.uid, owner.gid);
      }
      return false;
    }
  } catch {
    // Missing: write it.
  }
  writeFileAtomicSync(path, content, { mode, ...(owner ? { owner } : {}) });
  return true;
}

export interface RenderedConfig {
  /** Per process role: path → sha256 of the rendered bytes (feeds the definition hash). */
  hashes: Map<string, Record<string, string>>;
  /** Files whose bytes changed on disk in this pass. */
  written: string[];
  /** Every config file of the plan, as written on the host (what a skipped pass must see unchanged). */
  targets: string[];
}

/**
 * Render and write every config file of the plan. With an `owner` (the node user), the files and data/ are
 * handed to it; without one, everything belongs to whoever runs the agent (the process supervisor's demo).
 */
export function writeConfigFiles(
  paths: NodePaths,
  plan: ProcessPlan,
  owner: NodeOwner | null = null,
): RenderedConfig {
  const hashes = new Map<string, Record<string, string>>();
  const written: string[] = [];
  const targets: string[] = [];
  mkdirSync(paths.configDir, { recursive: true, mode: 0o755 });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o750 });
  if (owner) handOverDir(paths.dataDir, owner);
  for (const process of plan.processes) {
    const fileHashes: Record<string, string> = {};
    for (const file of process.configFiles) {
      const target = insideNode(paths, paths.configDir, file.path);
      targets.push(target);
      const text = renderConfigFile(file);
      if (writeIfChanged(target, text, file.mode ?? 0o640, owner)) written.push(target);
      fileHashes[file.path] = createHash("sha256").update(text).digest("hex");
    }
    hashes.set(process.role, fileHashes);
  }
  return { hashes, written, targets };
}

/** The marker file that says an init step ran. */
export function initMarker(paths: NodePaths, stepId: string): string {
  return join(paths.initDir, `${stepId}.done`);
}

export interface InitContext {
  /** The node user (systemd) or null (the process supervisor: steps run as the agent's own user). */
  owner?: NodeOwner | null;
  /** role → artifact name → installed path (PlanEnv.artifacts), for copy-artifact. */
  artifacts?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Run the init steps that have not run yet for this node, in order; returns the ids that ran. A step that
 * fails throws (the node reports the message) and leaves no marker, so it runs again on the next reconcile;
 * the steps after it wait.
 */
export async function runInitSteps(
  paths: NodePaths,
  plan: ProcessPlan,
  context: InitContext = {},
): Promise<string[]> {
  const owner = context.owner ?? null;
  const ran: string[] = [];
  for (const step of plan.initSteps) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(step.id)) throw new Error(`invalid init step id ${step.id}`);
    const marker = initMarker(paths, step.id);
    if (existsSync(marker)) continue;
    switch (step.kind) {
      case "generate-secret": {
        const target = insideNode(paths, paths.nodeDir, step.path);
        // Never replace an existing secret: both clients of a node may already share it.
        if (!existsSync(target))
          writeIfChanged(target, randomBytes(step.bytes).toString("hex"), 0o600, owner);
        break;
      }
      case "copy-artifact": {
        const source = context.artifacts?.[step.role]?.[step.artifact];
        if (!source) {
          throw new Error(
            `init step ${step.id}: no "${step.artifact}" artifact of role ${step.role} was delivered: add it to the control plane's client catalog`,
          );
        }
        copyArtifact(source, insideNode(paths, paths.nodeDir, step.path), owner, step.dropTomlTables);
        break;
      }
      case "run":
        await runStep(paths, step, owner);
        break;
    }
    mkdirSync(paths.initDir, { recursive: true });
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    ran.push(step.id);
  }
  return ran;
}

export function unitNameOf(chain: string, role: string, nodeName: string): string {
  return `${chain}-${role}@${nodeName}`;
}

/** The node a unit belongs to (`<chain>-<role>@<node>`), or null for a name of another shape. */
export function nodeNameOfUnit(unitName: string): string | null {
  const at = unitName.lastIndexOf("@");
  return at > 0 ? unitName.slice(at + 1) : null;
}

export function processDefinition(input: {
  chain: string;
  nodeName: string;
  paths: NodePaths;
  process: PlannedProcess;
  executable: string;
  configHashes: Record<string, string>;
}): ProcessDefinition {
  const { process, paths } = input;
  const body: Omit<ProcessDefinition, "definitionHash"> = {
    unitName: unitNameOf(input.chain, process.role, input.nodeName),
    nodeName: input.nodeName,
    role: process.role,
    executable: input.executable,
    args: process.args,
    // HOME in data/: clients that keep caches under $HOME (anvil's ~/.foundry) must not write outside the
    // only place the node user can write.
    env: { HOME: paths.dataDir, ...process.env },
    workingDirectory: paths.nodeDir,
    readWritePaths: [paths.nodeDir],
    restartPolicy: process.restartPolicy,
    stopTimeoutSecs: process.stopTimeoutSecs,
    ...(process.cpuQuotaPercent !== undefined ? { cpuQuotaPercent: process.cpuQuotaPercent } : {}),
    ...(process.memoryHighBytes !== undefined ? { memoryHighBytes: process.memoryHighBytes } : {}),
    ...(process.memoryMaxBytes !== undefined ? { memoryMaxBytes: process.memoryMaxBytes } : {}),
  };
  const definitionHash = createHash("sha256")
    .update(canonicalJson({ definition: body, configFiles: input.configHashes }))
    .digest("hex")
    .slice(0, 32);
  return { ...body, definitionHash };
}
