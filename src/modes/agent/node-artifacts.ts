// The reconciler's first step for a node: every program and file its processes need, installed before
// anything on the host changes. The artifacts a plan names (PlannedProcess.artifacts, copy-artifact init
// steps), resolved by the control plane into AssignedSpec.artifacts, go through the ArtifactInstaller.
//
// A download in progress is a wait, not an error: the node reports "downloading geth 1.17.10: 42 % (…)" and
// the reconciler tries again on its next tick. Progress reaches the node's events at most every 5 s, or
// sooner after 10 % more. A checksum mismatch or a refused URL throws: the node goes to `error` with the
// message, and nothing of it starts.
import type { ProcessPlan } from "../../adapters/types.ts";
import type { ResolvedArtifact } from "../../protocol/artifacts.ts";
import type { AssignedSpec, RuntimeEvent } from "../../protocol/executor-api.ts";
import type { ArtifactInstaller } from "./artifact-installer.ts";
import type { NodeIssue } from "./planning.ts";

const EVENT_EVERY_MS = 5000;
const EVENT_EVERY_PERCENT = 10;

export interface NodeArtifactsResult {
  /** role → the program to run. */
  executables: Map<string, string>;
  /** Artifacts still on their way (issues with `waiting`): the node waits, nothing else is applied. */
  waiting: NodeIssue[];
}

/** Emits download progress as node events, throttled per node and file. */
export class ProgressEvents {
  private readonly last = new Map<string, { atMs: number; percent: number | null }>();

  constructor(private readonly emit: (event: RuntimeEvent) => void) {}

  report(
    entry: AssignedSpec,
    sha256: string,
    message: string,
    percent: number | null,
    payload: object,
  ): void {
    const key = `${entry.nodeId}/${sha256}`;
    const now = Date.now();
    const last = this.last.get(key);
    const advanced = percent !== null && (last?.percent ?? 0) + EVENT_EVERY_PERCENT <= percent;
    if (last && now - last.atMs < EVENT_EVERY_MS && !advanced) return;
    this.last.set(key, { atMs: now, percent });
    this.emit({
      nodeId: entry.nodeId,
      level: "info",
      reason: "artifact.downloading",
      message: `${entry.name}: ${message}`,
      payload: { revision: entry.revision, sha256, ...payload },
    });
  }

  /** Forget files that are installed (a later download of the same file reports from the start). */
  done(entry: AssignedSpec, sha256: string): void {
    this.last.delete(`${entry.nodeId}/${sha256}`);
  }
}

export interface NodeArtifactsDeps {
  installer: ArtifactInstaller;
  progress: ProgressEvents;
}

/** The artifacts of a role that the plan names (the process's own, and those init steps copy). */
function wantedArtifacts(plan: ProcessPlan): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  const add = (role: string, name: string) => {
    const names = wanted.get(role) ?? new Set<string>();
    names.add(name);
    wanted.set(role, names);
  };
  for (const process of plan.processes) for (const name of process.artifacts ?? []) add(process.role, name);
  for (const step of plan.initSteps) if (step.kind === "copy-artifact") add(step.role, step.artifact);
  return wanted;
}

export function installNodeArtifacts(
  entry: AssignedSpec,
  plan: ProcessPlan,
  deps: NodeArtifactsDeps,
): NodeArtifactsResult {
  const executables = new Map<string, string>();
  const waiting: NodeIssue[] = [];
  const clientOf = new Map(plan.processes.map((p) => [p.role, `${p.client} ${p.version}`]));
  for (const [role, names] of wantedArtifacts(plan)) {
    for (const name of names) {
      const artifact: ResolvedArtifact | undefined = entry.artifacts?.[role]?.[name];
      const label = `${clientOf.get(role) ?? role}${name === "client" ? "" : ` ${name}`}`;
      if (!artifact) {
        throw new Error(
          `the control plane delivered no "${name}" artifact for ${label}: add it to the control plane's client catalog`,
        );
      }
      const state = deps.installer.request(artifact);
      if (state.state === "installed") {
        deps.progress.done(entry, artifact.sha256);
        continue;
      }
      const message = `downloading ${label}: ${state.message}`;
      waiting.push({ reason: "artifact.downloading", role, message, waiting: true });
      deps.progress.report(entry, artifact.sha256, message, state.progress?.percent ?? null, {
        ...(state.progress ?? {}),
      });
    }
  }
  for (const process of plan.processes) executables.set(process.role, process.executable);
  return { executables, waiting };
}
