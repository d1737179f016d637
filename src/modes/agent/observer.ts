// The agent's observer: what is actually on the host for every desired node, as ObservedNodeState. Per process:
// supervisor state, CPU and RSS from /proc/<mainPid>, and the adapter's probe (with scrape_timeout_ms: no answer
// in time means `error`). Per node: the revision recorded as materialized, disk use, merged chain metrics and
// chain extras (`details`), and the reconciler's issues. Tombstones report `removed` once no unit and (unless retained) no directory is left.
// It also raises runtime events for what it sees happen: a process restarted on its own, or one that failed.
// A quick observation (the executor's watch, every second for nodes in motion) reuses each node's last disk
// measurement: walking a chain's data directory is the one costly part of an observation.
import { existsSync } from "node:fs";
import { getAdapter } from "../../adapters/registry.ts";
import type { Platform } from "../../adapters/types.ts";
import type { DesiredSet } from "../../executor/desired-set.ts";
import type { ObserveOptions } from "../../executor/executor.ts";
import { runProbe } from "../../executor/probe.ts";
import type { AssignedSpec, RuntimeEvent } from "../../protocol/executor-api.ts";
import type { NodeMetrics, ObservedNodeState, ObservedProcess } from "../../protocol/observed.ts";
import { directoryBytes, filesystemBytes } from "./host/disk.ts";
import { clockTicksPerSecond, readProcStat, rssBytes, uptimeSeconds } from "./host/proc.ts";
import { nodePaths, readNodeRecord } from "./layout.ts";
import { nodeNameOfUnit, unitNameOf } from "./materialize.ts";
import { type NodeIssues, planNode } from "./planning.ts";
import type { PortPlan } from "./ports.ts";
import type { Supervisor, UnitState } from "./supervisor/types.ts";

/**
 * A report may use the reconcile tick's unit listing if it is this recent (one `systemctl show` fewer per
 * report; the default reconcile interval is 5 s). What it shows is then up to this much older, well within
 * the report interval; any change the agent itself made forces a fresh listing.
 */
export const LISTING_MAX_AGE_MS = 6_000;

/** After a (re)start, a client that does not answer yet is `starting`, not `error`. */
export const STARTUP_GRACE_MS = 60_000;

export interface AgentObserverOptions {
  dataDir: string;
  platform: Platform | null;
  supervisor: Supervisor;
  issues: NodeIssues;
  /** The host's port plan (the reconciler keeps it up to date). */
  ports: PortPlan;
  scrapeTimeoutMs: number;
  /** Where to find the agent's supervisor logs, for messages (e.g. "journalctl -u <unit>"). */
  logHint: (unitName: string) => string;
  emit: (event: RuntimeEvent) => void;
}

interface Seen {
  restarts: number;
  activeState: string;
  pid: number;
  firstSeenMs: number;
}

export class AgentObserver {
  private readonly cpuSamples = new Map<number, { ticks: number; atMs: number }>();
  private readonly seen = new Map<string, Seen>();
  /** nodeId → the disk metrics of its last full observation (quick observations reuse them). */
  private readonly disks = new Map<string, NodeMetrics>();

  constructor(private readonly options: AgentObserverOptions) {}

  async observe(desired: DesiredSet, options: ObserveOptions = {}): Promise<ObservedNodeState[]> {
    const units = await this.options.supervisor.list({ maxAgeMs: LISTING_MAX_AGE_MS });
    const byName = new Map(units.map((u) => [u.unitName, u]));
    const all = desired.snapshot();
    const entries = options.only ? all.filter((e) => options.only!.has(e.nodeId)) : all;
    const quick = options.quick === true;
    const observations = await Promise.all(
      entries.map((entry) =>
        entry.deleted || !entry.spec
          ? this.observeTombstone(entry, units)
          : this.observeNode(entry, byName, quick),
      ),
    );
    if (!options.only) {
      const livePids = new Set(units.map((u) => u.mainPid));
      for (const pid of this.cpuSamples.keys()) if (!livePids.has(pid)) this.cpuSamples.delete(pid);
      const ids = new Set(all.map((e) => e.nodeId));
      for (const id of this.disks.keys()) if (!ids.has(id)) this.disks.delete(id);
    }
    return observations;
  }

  private async observeTombstone(entry: AssignedSpec, units: UnitState[]): Promise<ObservedNodeState> {
    const paths = nodePaths(this.options.dataDir, entry.name);
    const record = readNodeRecord(paths);
    const unitsLeft = units.filter((u) => nodeNameOfUnit(u.unitName) === entry.name);
    const ownedByOther = record !== null && record.nodeId !== entry.nodeId;
    const dataLeft = !entry.retainData && existsSync(paths.nodeDir);
    if (ownedByOther || (unitsLeft.length === 0 && !dataLeft && record === null)) {
      return { nodeId: entry.nodeId, revision: entry.revision, processes: [], removed: true };
    }
    const processes = unitsLeft.map((u) => ({
      role: u.unitName.split("@")[0]!.split("-").pop()!,
      status: "stopping" as const,
    }));
    return { nodeId: entry.nodeId, revision: record?.revision ?? 0, processes: processes.slice(0, 8) };
  }

  private async observeNode(
    entry: AssignedSpec,
    units: Map<string, UnitState>,
    quick: boolean,
  ): Promise<ObservedNodeState> {
    const spec = entry.spec!;
    const paths = nodePaths(this.options.dataDir, entry.name);
    const record = readNodeRecord(paths);
    const revision = record?.nodeId === entry.nodeId ? record.revision : 0;
    const issues = this.options.issues.get(entry.nodeId);
    const ports = this.options.ports.assignment(entry.nodeId);
    const metrics: NodeMetrics = {};
    const details: NonNullable<ObservedNodeState["details"]> = {};
    const processes: ObservedProcess[] = [];
    // A node the reconciler has not given ports yet would be probed on ports that may be another's.
    if (!ports && getAdapter(spec.chain)) {
      for (const role of Object.keys(spec.clients)) processes.push({ role, status: "starting" });
      return { nodeId: entry.nodeId, revision, processes: processes.slice(0, 8) };
    }
    const planned = planNode(entry, this.options.dataDir, this.options.platform, ports);
    if (!planned.ok) {
      for (const role of Object.keys(spec.clients))
        processes.push({ role, status: "error", message: planned.message.slice(0, 2000) });
      return { nodeId: entry.nodeId, revision, processes: processes.slice(0, 8) };
    }
    for (const process of planned.plan.processes) {
      const unitName = unitNameOf(spec.chain, process.role, entry.name);
      const unit = units.get(unitName);
      const issue = issues.find((i) => i.role === process.role) ?? issues.find((i) => i.role === undefined);
      const observed: ObservedProcess = { role: process.role, status: "starting" };
      this.trackTransitions(entry, process.client, unitName, unit);
      if (unit && unit.mainPid > 0) {
        observed.mainPid = unit.mainPid;
        const cpu = this.cpuMillicores(unit.mainPid);
        if (cpu !== null) observed.cpuMillicores = cpu;
        const rss = rssBytes(unit.mainPid);
        if (rss !== null) observed.memoryBytes = rss;
      }
      if (unit) observed.restarts = unit.restarts;
      const state = unit?.activeState ?? "absent";
      if (spec.desiredState === "stopped") {
        observed.status =
          state === "active" || state === "activating" || state === "deactivating" ? "stopping" : "stopped";
      } else if (issue?.waiting) {
        // Waiting for a download: on its way, not broken.
        Object.assign(observed, { status: "starting", message: issue.message.slice(0, 2000) });
      } else if (issue) {
        // Capped like every observed message: one long message must not make the whole report invalid.
        Object.assign(observed, { status: "error", message: issue.message.slice(0, 2000) });
      } else if (state === "failed") {
        observed.status = "error";
        observed.message = this.failureMessage(process.client, unitName, unit!);
      } else if (state === "deactivating") {
        observed.status = "stopping";
      } else if (state === "active") {
        const answer = await runProbe(process.probe, "127.0.0.1", this.options.scrapeTimeoutMs);
        const since = unit!.activeSinceMs ?? this.seen.get(unitName)?.firstSeenMs ?? Date.now();
        if (answer.ok) {
          const result = planned.adapter.interpretProbe(process.role, answer.raw);
          observed.status = result.status;
          if (result.message) observed.message = result.message;
          if (result.metrics.peers !== undefined) observed.peers = result.metrics.peers;
          for (const [key, value] of Object.entries(result.metrics)) {
            if ((metrics as Record<string, unknown>)[key] === undefined)
              (metrics as Record<string, unknown>)[key] = value;
          }
          // Chain extras: the first process to name one wins, like the metrics above.
          for (const [key, value] of Object.entries(result.details ?? {})) details[key] ??= value;
        } else if (Date.now() - since < STARTUP_GRACE_MS) {
          observed.status = "starting";
        } else {
          Object.assign(observed, { status: "error", message: answer.message });
        }
      } else {
        // activating (a restart is pending) or not there yet: the reconciler is on it.
        observed.status = "starting";
        if (unit?.exitStatus !== undefined && unit.restarts > 0) {
          observed.message = `restarting after exit status ${unit.exitStatus} (restart ${unit.restarts})`;
        }
      }
      processes.push(observed);
    }
    Object.assign(metrics, await this.diskMetrics(entry.nodeId, paths.nodeDir, quick));
    const observed: ObservedNodeState = {
      nodeId: entry.nodeId,
      revision,
      processes: processes.slice(0, 8),
      metrics,
    };
    // The client version each role runs (after a reverted upgrade, not the one the spec asks for).
    for (const [role, running] of Object.entries(revision > 0 ? (record?.clients ?? {}) : {}))
      details[`runningVersion.${role}`] = running.version;
    if (Object.keys(details).length > 0) observed.details = details;
    if (ports?.ok) observed.ports = { ...ports.ports };
    return observed;
  }

  /** Bytes under the node's directory and its filesystem's size; a quick look reuses the last figures. */
  private async diskMetrics(nodeId: string, nodeDir: string, quick: boolean): Promise<NodeMetrics> {
    const known = this.disks.get(nodeId);
    if (quick && known) return known;
    const disk: NodeMetrics = { diskUsedBytes: await directoryBytes(nodeDir) };
    const fs = await filesystemBytes(existsSync(nodeDir) ? nodeDir : this.options.dataDir);
    if (fs) {
      disk.diskTotalBytes = fs.totalBytes;
      disk.diskAvailableBytes = fs.availableBytes;
    }
    this.disks.set(nodeId, disk);
    return disk;
  }

  /** "anvil exited with status 1 (restarted 4 times): <last output>. Logs: <where>" */
  private failureMessage(client: string, unitName: string, unit: UnitState): string {
    const status = unit.exitStatus !== undefined ? ` with status ${unit.exitStatus}` : "";
    const restarts = unit.restarts > 0 ? ` after ${unit.restarts} restarts` : "";
    // The lines that say what went wrong beat the usage text many clients print after them.
    const lines = (unit.recentOutput ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const errors = lines.filter((l) => /error|fatal|panic|denied|in use/i.test(l));
    const output = (errors.length > 0 ? errors.slice(-2) : lines.slice(-2)).join(" | ");
    const text = `${client} exited${status}${restarts} and is not running${output ? `: ${output}` : ""}. Logs: ${this.options.logHint(unitName)}`;
    return text.slice(0, 2000);
  }

  /** Raise an event when a process restarted on its own, or failed, since the last observation. */
  private trackTransitions(
    entry: AssignedSpec,
    client: string,
    unitName: string,
    unit: UnitState | undefined,
  ): void {
    const before = this.seen.get(unitName);
    const now = Date.now();
    if (!unit) {
      this.seen.delete(unitName);
      return;
    }
    const pidChanged = !before || before.pid !== unit.mainPid;
    this.seen.set(unitName, {
      restarts: unit.restarts,
      activeState: unit.activeState,
      pid: unit.mainPid,
      firstSeenMs: pidChanged ? now : before.firstSeenMs,
    });
    if (!before) return;
    if (unit.restarts > before.restarts) {
      this.options.emit({
        nodeId: entry.nodeId,
        level: "warn",
        reason: "process.restarted",
        message: `${entry.name}: ${client} exited${unit.exitStatus !== undefined ? ` with status ${unit.exitStatus}` : ""} and was restarted (restart ${unit.restarts})`,
        payload: { unit: unitName, restarts: unit.restarts },
      });
    }
    if (unit.activeState === "failed" && before.activeState !== "failed") {
      this.options.emit({
        nodeId: entry.nodeId,
        level: "error",
        reason: "process.failed",
        message: `${entry.name}: ${this.failureMessage(client, unitName, unit)}`,
        payload: {
          unit: unitName,
          ...(unit.exitStatus !== undefined ? { exitStatus: unit.exitStatus } : {}),
        },
      });
    }
  }

  /** CPU use since the previous sample (or since the process started), in millicores. */
  private cpuMillicores(pid: number): number | null {
    const stat = readProcStat(pid);
    if (!stat) return null;
    const now = Date.now();
    const previous = this.cpuSamples.get(pid);
    this.cpuSamples.set(pid, { ticks: stat.cpuTicks, atMs: now });
    const hz = clockTicksPerSecond();
    if (previous && now > previous.atMs) {
      return Math.max(
        0,
        Math.round(((stat.cpuTicks - previous.ticks) / hz / ((now - previous.atMs) / 1000)) * 1000),
      );
    }
    // First sample: the average since the process started.
    const ageSecs = uptimeSeconds() - stat.startTicks / hz;
    return ageSecs > 0 ? Math.max(0, Math.round((stat.cpuTicks / hz / ageSecs) * 1000)) : null;
  }
}
