import type { Platform } from "../../adapters/types.ts";
import type { DesiredSet } from "../../executor/desired-set.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import type { AssignedSpec, RuntimeEvent } from "../../protocol/executor-api.ts";
import { ArtifactInstallError, type ArtifactInstaller } from "./artifact-installer.ts";
import { ChecksumMismatchError } from "./checksum.ts";
import { stepClientUpgrades } from "./client-upgrade.ts";
import { firstBusyPort } from "./host/ports.ts";
import { installedArtifacts, readNodeRecord, writeNodeRecord } from "./layout.ts";
import {
  initMarker,
  nodeNameOfUnit,
  processDefinition,
  runInitSteps,
  unitNameOf,
  writeConfigFiles,
} from "./materialize.ts";
import { installNodeArtifacts, ProgressEvents } from "./node-artifacts.ts";
import { NODE_USER, type NodeOwner } from "./node-user.ts";
import { type NodeIssue, type NodeIssues, planNode } from "./planning.ts";
import { type PortPlan, portMoveMessage, portPlanNodes } from "./ports.ts";
import { DEFAULT_FULL_PASS_SECS, QuietPasses, unitFingerprints } from "./quiet-passes.ts";
import type { ProcessDefinition, Supervisor, UnitState } from "./supervisor/types.ts";
import { teardownNode } from "./teardown.ts";

export interface AgentReconcilerOptions {
  dataDir: string;
  platform: Platform | null;
  supervisor: Supervisor;
  /** The artifacts delivered with a spec (artifacts/). */
  artifacts: ArtifactInstaller;
  issues: NodeIssues;
  /** The host's port plan: brought up to date each pass, before any node is planned. */
  ports: PortPlan;
  logger: Logger;
  emit: (event: RuntimeEvent) => void;
  /**
   * The user node processes run as, looked up on every pass (systemd: the node user, which may be created
   * after the agent started); absent when they run as the agent's own user (the process supervisor).
   */
  nodeOwner?: () => NodeOwner | null;
  /** `[reconciler] full_pass_secs`: the longest a node goes without a full converge (default 120). */
  fullPassSecs?: number;
}

/** A failed unit is started again after this, doubling up to the cap (a crash loop must not spin). */
const FAILED_RETRY_INITIAL_MS = 30_000;
const FAILED_RETRY_MAX_MS = 5 * 60_000;

const running = (state: UnitState | undefined) =>
  state?.activeState === "active" || state?.activeState === "activating";

/** What one node's step found; `watch` (only on a quiet converge) lists the files the pass depended on. */
interface StepResult {
  changed: boolean;
  issues: NodeIssue[];
  watch?: string[];
}

export class AgentReconciler {
  private readonly failedRetry = new Map<string, { atMs: number; delayMs: number }>();
  /** Nodes whose last full converge was quiet and whose inputs have not changed since: skipped. */
  private readonly quiet: QuietPasses;
  private readonly progress: ProgressEvents;

  constructor(private readonly options: AgentReconcilerOptions) {
    this.quiet = new QuietPasses((options.fullPassSecs ?? DEFAULT_FULL_PASS_SECS) * 1000);
    this.progress = new ProgressEvents(options.emit);
  }

  /** One full pass; returns true when anything on the host changed. */
  async reconcile(desired: DesiredSet, signal?: AbortSignal): Promise<boolean> {
    const { supervisor, issues } = this.options;
    const entries = desired.snapshot();
    const units = new Map((await supervisor.list()).map((u) => [u.unitName, u]));
    let changed = false;
    // Tombstones first: a deleted node's name may already be reused by a new node in the same answer.
    const live = entries.filter((e) => !e.deleted && e.spec);
    const liveNames = new Set(live.map((e) => e.name));
    for (const entry of entries.filter((e) => e.deleted || !e.spec)) {
      if (signal?.aborted) return changed;
      const { dataDir, supervisor, logger } = this.options;
      const remove = () => teardownNode({ dataDir, supervisor, logger }, entry, units, liveNames);
      changed = (await this.guard(entry, remove)) || changed;
    }
    changed = (await this.updatePorts(live, units)) || changed;
    const fingerprints = unitFingerprints(units.values());
    const owner = this.options.nodeOwner ? this.options.nodeOwner() : null;
    const ownerMissing = this.options.nodeOwner !== undefined && owner === null;
    for (const entry of live) {
      if (signal?.aborted) return changed;
      const unitsSeen = fingerprints.get(entry.name) ?? "";
      if (this.quiet.canSkip(entry, unitsSeen, Date.now())) continue;
      const step = () => {
        if (ownerMissing) {
          throw new Error(
            `the user ${NODE_USER} that node processes run as does not exist: run \`novacula agent install\``,
          );
        }
        return this.converge(entry, units, owner);
      };
      changed = (await this.guard(entry, step, unitsSeen)) || changed;
    }
    // Units of nodes this executor is no longer assigned (deleted while we were away, or moved): remove the
    // units, keep the data (only an explicit tombstone deletes data).
    for (const unit of units.values()) {
      const node = nodeNameOfUnit(unit.unitName);
      if (node !== null && liveNames.has(node)) continue;
      if (entries.some((e) => e.name === node)) continue;
      this.options.logger.warn("removing the units of a node no longer assigned here (data kept)", {
        unit: unit.unitName,
      });
      await supervisor.remove(unit.unitName);
      changed = true;
    }
    const ids = new Set(entries.map((e) => e.nodeId));
    issues.retain(ids);
    this.quiet.retain(ids);
    return changed;
  }

  /** The port plan after tombstones released theirs; a node whose ports changed gets a full pass. */
  private async updatePorts(live: AssignedSpec[], units: Map<string, UnitState>): Promise<boolean> {
    // A process still stopping (a restart under way) may hold its ports too: only a dead one frees them.
    const runningNodes = new Set<string>();
    for (const unit of units.values()) {
      const node = nodeNameOfUnit(unit.unitName);
      if (node !== null && !["inactive", "failed", "absent"].includes(unit.activeState))
        runningNodes.add(node);
    }
    const nodes = portPlanNodes(live, runningNodes, this.options.dataDir);
    const { changed, moves } = await this.options.ports.update(nodes);
    for (const nodeId of changed) this.quiet.forget(nodeId);
    for (const move of moves) {
      this.options.logger.info("port moved", { ...move });
      this.options.emit({
        nodeId: move.nodeId,
        level: "info",
        reason: "port.moved",
        message: portMoveMessage(move),
        payload: { port: move.port, from: move.from, to: move.to },
      });
    }
    return moves.length > 0;
  }

  /** Run one node's step; whatever it throws becomes that node's issue, never the whole tick's failure. */
  private async guard(entry: AssignedSpec, step: () => Promise<StepResult>, unitsSeen?: string) {
    let result: StepResult;
    try {
      result = await step();
    } catch (error) {
      const reason =
        error instanceof ChecksumMismatchError
          ? "artifact.checksum"
          : error instanceof ArtifactInstallError
            ? "artifact.failed"
            : "reconcile.failed";
      result = { changed: false, issues: [{ reason, message: errorMessage(error) }] };
    }
    for (const issue of this.options.issues.replace(entry.nodeId, result.issues)) {
      // A wait (a download under way) reports its own progress events; it is not a fault.
      if (issue.waiting) continue;
      this.options.logger.error("node cannot converge", {
        node: entry.name,
        reason: issue.reason,
        error: issue.message,
      });
      this.options.emit({
        nodeId: entry.nodeId,
        level: "error",
        reason: issue.reason,
        // The events request takes messages of up to 4000 characters; a longer one would hold back the batch.
        message: `${entry.name}: ${issue.message}`.slice(0, 4000),
        payload: { revision: entry.revision, ...(issue.role ? { role: issue.role } : {}) },
      });
    }
    // Only a pass that changed nothing and found nothing wrong may be skipped next time; anything else
    // (a restart just issued, a failed unit waiting for its retry, a busy port) gets a full pass every tick.
    if (unitsSeen !== undefined && result.watch && !result.changed && result.issues.length === 0) {
      this.quiet.record(entry, unitsSeen, result.watch, Date.now());
    } else {
      this.quiet.forget(entry.nodeId);
    }
    return result.changed;
  }

  private async converge(
    entry: AssignedSpec,
    units: Map<string, UnitState>,
    owner: NodeOwner | null,
  ): Promise<StepResult> {
    const { supervisor, artifacts, dataDir, platform, logger } = this.options;
    const planned = planNode(entry, dataDir, platform, this.options.ports.assignment(entry.nodeId));
    // Nothing on the host changes for a plan that cannot be made: the previous revision keeps running.
    if (!planned.ok)
      return { changed: false, issues: [{ reason: planned.reason, message: planned.message }] };
    const { plan, paths, spec, adapter } = planned;
    const log = logger.child({ node: entry.name, revision: entry.revision });

    // Artifacts before anything else: a failed or unfinished download leaves the running version untouched.
    const artifactInstall = installNodeArtifacts(entry, plan, {
      installer: artifacts,
      progress: this.progress,
    });
    if (artifactInstall.waiting.length > 0) return { changed: false, issues: artifactInstall.waiting };
    const record = readNodeRecord(paths);
    const sameNode = record?.nodeId === entry.nodeId;
    // A changed client version: the new executable on the same data, gated on health (client-upgrade.ts).
    const upgrades = await stepClientUpgrades({
      entry,
      adapter,
      processes: plan.processes,
      executables: artifactInstall.executables,
      previous: sameNode ? record : null,
      running: spec.desiredState === "running",
      unitOf: (role) => units.get(unitNameOf(spec.chain, role, entry.name)),
      emit: this.options.emit,
      nowMs: Date.now(),
    });
    const { executables } = upgrades;
    let changed = false;
    const rendered = writeConfigFiles(paths, plan, owner);
    if (rendered.written.length > 0) changed = true;
    const artifactPaths = installedArtifacts(dataDir, entry.artifacts);
    if ((await runInitSteps(paths, plan, { owner, artifacts: artifactPaths })).length > 0) changed = true;

    const definitions: ProcessDefinition[] = plan.processes.map((process) =>
      processDefinition({
        chain: spec.chain,
        nodeName: entry.name,
        paths,
        process,
        executable: executables.get(process.role)!,
        configHashes: rendered.hashes.get(process.role) ?? {},
      }),
    );
    const installed = new Set<string>();
    for (const definition of definitions) {
      if (await supervisor.install(definition)) {
        installed.add(definition.unitName);
        changed = true;
      }
    }
    // Roles the plan no longer has.
    const wanted = new Set(definitions.map((d) => d.unitName));
    for (const unit of units.values()) {
      if (nodeNameOfUnit(unit.unitName) === entry.name && !wanted.has(unit.unitName)) {
        await supervisor.remove(unit.unitName);
        changed = true;
      }
    }

    const generationBumped = sameNode && spec.restartGeneration > record.restartGeneration;
    const issues: NodeIssue[] = [...upgrades.issues];
    // Read back after installing: install() may have changed what the supervisor reports. When nothing was
    // installed for this node, the tick's own listing is still current for its units: re-listing anyway cost
    // one `systemctl show` per node per tick, the bulk of an idle agent's CPU (docs/benchmarks.md, Agent).
    const current =
      installed.size > 0 ? new Map((await supervisor.list()).map((u) => [u.unitName, u])) : units;
    for (const [index, definition] of definitions.entries()) {
      const state = current.get(definition.unitName);
      const process = plan.processes[index]!;
      if (spec.desiredState === "stopped") {
        if (running(state) || state?.activeState === "deactivating") {
          log.info("stopping process", { unit: definition.unitName });
          await supervisor.stop(definition.unitName);
          changed = true;
        }
        continue;
      }
      if (running(state)) {
        const stale =
          installed.has(definition.unitName) || state?.definitionHash !== definition.definitionHash;
        if (stale || generationBumped) {
          log.info("restarting process", {
            unit: definition.unitName,
            why: stale ? "definition" : "restartGeneration",
          });
          await supervisor.restart(definition.unitName);
          changed = true;
        }
        this.failedRetry.delete(definition.unitName);
        continue;
      }
      if (state?.activeState === "failed") {
        // The user changed something (definition, restart): try at once; otherwise back off.
        const userAction = installed.has(definition.unitName) || generationBumped;
        // restartPolicy "no": a process that died stays down (reported as error) until the user acts.
        if (definition.restartPolicy === "no" && !userAction) continue;
        if (!this.mayRetryFailed(definition.unitName, userAction)) continue;
      }
      const busy = await firstBusyPort(process.ports);
      if (busy) {
        issues.push({
          reason: "port.in_use",
          role: process.role,
          message: `port ${busy.port} (${busy.name}) is already in use on this host, so ${process.client} cannot start: set another spec.ports.${busy.name} or stop what listens there`,
        });
        continue;
      }
      log.info("starting process", { unit: definition.unitName });
      await supervisor.start(definition.unitName);
      changed = true;
    }
    // Recorded last, after the restart happened: an agent killed before this line re-rolls once more, never
    // zero times; one killed after it does not re-roll again.
    if (
      !sameNode ||
      record.revision !== entry.revision ||
      record.restartGeneration !== spec.restartGeneration ||
      record.desiredState !== spec.desiredState ||
      JSON.stringify([record.clients, record.upgrades]) !==
        JSON.stringify([upgrades.state.clients, upgrades.state.upgrades])
    ) {
      writeNodeRecord(paths, {
        nodeId: entry.nodeId,
        revision: entry.revision,
        restartGeneration: spec.restartGeneration,
        desiredState: spec.desiredState,
        ...upgrades.state,
      });
      log.info("node materialized", {
        desiredState: spec.desiredState,
        restartGeneration: spec.restartGeneration,
      });
      changed = true;
    }
    // Settled: every process is where the spec wants it (running ones fully active, not still activating).
    const settled = definitions.every((d) => {
      const state = current.get(d.unitName)?.activeState;
      return spec.desiredState === "stopped"
        ? !running(current.get(d.unitName)) && state !== "deactivating"
        : state === "active";
    });
    if (changed || issues.length > 0 || !settled) return { changed, issues };
    const markers = plan.initSteps.map((step) => initMarker(paths, step.id));
    const watch = [paths.recordFile, ...executables.values(), ...rendered.targets, ...markers];
    return { changed, issues, watch };
  }

  /** A failed unit is retried after a pause that doubles up to a cap, or at once after a user action. */
  private mayRetryFailed(unitName: string, userAction: boolean): boolean {
    const now = Date.now();
    const entry = this.failedRetry.get(unitName);
    if (userAction || (entry && now >= entry.atMs)) {
      const delayMs =
        entry && !userAction ? Math.min(entry.delayMs * 2, FAILED_RETRY_MAX_MS) : FAILED_RETRY_INITIAL_MS;
      this.failedRetry.set(unitName, { atMs: now + delayMs, delayMs });
      return true;
    }
    // First sight of the failure: leave it failed for a while, so that the error is reported and seen.
    if (!entry)
      this.failedRetry.set(unitName, {
        atMs: now + FAILED_RETRY_INITIAL_MS,
        delayMs: FAILED_RETRY_INITIAL_MS,
      });
    return false;
  }
}
