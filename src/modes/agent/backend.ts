// The agent as an ExecutorBackend: what the shared executor engine calls to register (capabilities,
// resources), converge (the reconciler) and observe (the observer) on a Linux host.
import { cpus, totalmem } from "node:os";
import { supportedChains } from "../../adapters/registry.ts";
import type { Platform } from "../../adapters/types.ts";
import type { DesiredSet } from "../../executor/desired-set.ts";
import type { ExecutorBackend, ObserveOptions } from "../../executor/executor.ts";
import type { OpenLogTail } from "../../executor/logs.ts";
import type { Logger } from "../../lib/log.ts";
import type { ExecutorCapabilities } from "../../protocol/capabilities.ts";
import type { ExecutorResources, RuntimeEvent } from "../../protocol/executor-api.ts";
import type { ObservedNodeState } from "../../protocol/observed.ts";
import type { ArtifactInstaller } from "./artifact-installer.ts";
import { filesystemBytes } from "./host/disk.ts";
import { portsFile } from "./layout.ts";
import type { NodeOwner } from "./node-user.ts";
import { AgentObserver, LISTING_MAX_AGE_MS } from "./observer.ts";
import { NodeIssues } from "./planning.ts";
import { PortPlan } from "./ports.ts";
import { AgentReconciler } from "./reconciler.ts";
import type { Supervisor } from "./supervisor/types.ts";

export interface AgentBackendOptions {
  dataDir: string;
  platform: Platform | null;
  supervisor: Supervisor;
  artifacts: ArtifactInstaller;
  scrapeTimeoutMs: number;
  logger: Logger;
  logHint: (unitName: string) => string;
  emit: (event: RuntimeEvent) => void;
  /** `[reconciler] full_pass_secs` (see AgentReconcilerOptions.fullPassSecs). */
  fullPassSecs?: number;
  /** The user node processes run as (see AgentReconcilerOptions.nodeOwner). */
  nodeOwner?: () => NodeOwner | null;
  /** Called after a reconcile pass that changed the host (the working-set trimmer's cue). */
  onHostChanged?: () => void;
  /**
   * Called when a reconcile pass that changed nothing itself saw a unit's state or process change (a crash,
   * systemd restarting a process on its own): the executor then reports at once.
   */
  onUnitsChanged?: () => void;
  /** Tails a node role's log for live log sessions (logs/tail.ts). */
  openLogTail?: OpenLogTail;
}

/** What an agent sends at every sync (and `novacula agent capabilities` prints). */
export function agentCapabilities(): ExecutorCapabilities {
  // `lifecycle`: start/stop/restart are honoured; `event`: runtime events are sent. No storage classes here.
  return {
    supportedChains: supportedChains(),
    features: ["sync", "event", "lifecycle"],
    storageClasses: [],
  };
}

export class AgentBackend implements ExecutorBackend {
  readonly kind = "agent" as const;
  private readonly reconciler: AgentReconciler;
  private readonly observer: AgentObserver;
  /** Every unit's state and main pid as the last reconcile pass saw them. */
  private unitsSeen: string | null = null;
  readonly openLogTail?: OpenLogTail;

  constructor(private readonly options: AgentBackendOptions) {
    const issues = new NodeIssues();
    const ports = new PortPlan(portsFile(options.dataDir));
    this.reconciler = new AgentReconciler({ ...options, issues, ports });
    this.observer = new AgentObserver({ ...options, issues, ports });
    if (options.openLogTail) this.openLogTail = options.openLogTail;
  }

  capabilities(): ExecutorCapabilities {
    return agentCapabilities();
  }

  async resources(): Promise<ExecutorResources> {
    const fs = await filesystemBytes(this.options.dataDir);
    return {
      cpuCores: cpus().length,
      memoryBytes: totalmem(),
      ...(fs ? { diskTotalBytes: fs.totalBytes, diskAvailableBytes: fs.availableBytes } : {}),
      os: process.platform,
      arch: process.arch,
    };
  }

  async reconcile(desired: DesiredSet, signal: AbortSignal): Promise<boolean> {
    const changed = await this.reconciler.reconcile(desired, signal);
    if (changed) this.options.onHostChanged?.();
    // systemd restarts a crashed process on its own: the pass's own listing (reused, no extra systemctl
    // call) shows it. The process supervisor says so itself (its onChange).
    if (this.options.supervisor.kind === "systemd") {
      const units = await this.options.supervisor.list({ maxAgeMs: LISTING_MAX_AGE_MS });
      const seen = units
        .map((u) => `${u.unitName}:${u.activeState}:${u.mainPid}`)
        .sort()
        .join(",");
      if (this.unitsSeen !== null && seen !== this.unitsSeen && !changed) this.options.onUnitsChanged?.();
      this.unitsSeen = seen;
    }
    return changed;
  }

  observe(desired: DesiredSet, options?: ObserveOptions): Promise<ObservedNodeState[]> {
    return this.observer.observe(desired, options);
  }
}
