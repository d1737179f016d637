// The Supervisor contract: keeps one OS process per planned process alive. Two implementations share one
// test suite: `systemd` (production: one unit per process) and `process` (direct children, for the local
// demo on machines without systemd). State is always read back from the host, never from memory alone.
import type { RestartPolicy } from "../../../protocol/node-spec.ts";

/** A fully rendered process, ready to run: absolute paths only. */
export interface ProcessDefinition {
  /** `<chain>-<role>@<node>`: the systemd unit name without ".service". */
  unitName: string;
  nodeName: string;
  role: string;
  executable: string;
  args: string[];
  env: Record<string, string>;
  workingDirectory: string;
  /** The node's directory: the only writable path under ProtectSystem=strict. */
  readWritePaths: string[];
  restartPolicy: RestartPolicy;
  stopTimeoutSecs: number;
  cpuQuotaPercent?: number;
  memoryHighBytes?: number;
  memoryMaxBytes?: number;
  /** Hash of everything above: a changed definition means re-render and restart. */
  definitionHash: string;
}

export type UnitActiveState = "active" | "activating" | "deactivating" | "inactive" | "failed" | "absent";

export interface UnitState {
  unitName: string;
  activeState: UnitActiveState;
  subState: string;
  mainPid: number;
  restarts: number;
  /** Hash of the definition currently installed on the host; null when unknown. */
  definitionHash: string | null;
  /** Last exit status when the process died, for error messages. */
  exitStatus?: number;
  /** The runtime's own restart marker (e.g. restartGeneration) recorded when the unit was (re)started. */
  startedGeneration?: number | null;
  /** When the current process started (epoch ms), if known: probes get a grace period after a start. */
  activeSinceMs?: number;
  /** The last lines the process wrote, if the supervisor keeps them: they make error messages actionable. */
  recentOutput?: string;
}

export interface Supervisor {
  readonly kind: "systemd" | "process";
  /**
   * Every unit this supervisor manages on the host (Novacula-owned only), with its live state. With
   * `maxAgeMs`, a listing taken at most that long ago may be answered instead, provided nothing was changed
   * through this supervisor since (state changes made by others, such as a crash, wait for the next listing).
   */
  list(options?: { maxAgeMs?: number }): Promise<UnitState[]>;
  /** Write or replace the definition; does not start or restart. Returns true if it changed. */
  install(definition: ProcessDefinition): Promise<boolean>;
  start(unitName: string): Promise<void>;
  stop(unitName: string): Promise<void>;
  restart(unitName: string): Promise<void>;
  /** Stop and remove the definition. Idempotent. */
  remove(unitName: string): Promise<void>;
}
