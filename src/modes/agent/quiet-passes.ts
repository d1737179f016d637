// Which nodes the reconciler may skip this tick: the reconciler's fast path. A full converge of a node whose
// spec, units and files are all as the host already has them changes nothing, yet costs a plan, config
// renders and hashes, a unit render and compare, and the node record: on an idle agent with 10 nodes, every
// 5 s, that was ~1/3 of its CPU (docs/benchmarks.md, Agent). So after a *quiet* pass (nothing changed, no
// issue, every process in the state the spec asks for) the node is remembered with a fingerprint of what that
// pass depended on:
//   - the desired entry itself (a new spec, tombstone or restartGeneration arrives as a new entry object);
//   - its units as this tick's supervisor listing shows them (state, main pid, restarts, definition hash, exit
//     status: a crash, a stop, a restart, a deleted unit, an edited unit file systemd has not loaded all
//     change it);
//   - mtime and size of the files the pass read or wrote (config files, init markers, node record, binaries).
// While all three are unchanged the node is skipped, but never for longer than the full-pass interval
// (`[reconciler] full_pass_secs`, default DEFAULT_FULL_PASS_SECS): then it gets a full converge whatever the
// fingerprint says, which catches what the fingerprint cannot see (a same-size edit that kept the mtime).
//
// The contract (ADR 0027): drift the fingerprint sees is repaired on the next tick; any drift at all is
// repaired within repairBoundMs() of happening. Nothing here is needed to converge: an agent that restarts
// starts with no memory and does full passes.
import { statSync } from "node:fs";
import type { AssignedSpec } from "../../protocol/executor-api.ts";
import { nodeNameOfUnit } from "./materialize.ts";
import type { UnitState } from "./supervisor/types.ts";

/** Default of `[reconciler] full_pass_secs`: every node gets a full converge at least this often. */
export const DEFAULT_FULL_PASS_SECS = 120;

/**
 * THE bound of the reconciler's contract: drift of any kind (a hand-edited or deleted unit, a changed file, a
 * stopped process) is repaired at most this long after it happens, plus the time the repairing pass takes. A
 * skipped node is due for its full pass `fullPassSecs` after its last one, and the tick that runs it comes at
 * most one interval later.
 */
export function repairBoundMs(config: { fullPassSecs: number; intervalSecs: number }): number {
  return (config.fullPassSecs + config.intervalSecs) * 1000;
}

interface Quiet {
  entry: AssignedSpec;
  units: string;
  files: readonly string[];
  fileStamps: string;
  atMs: number;
}

/** One line per unit of the node, sorted: what the reconciler reads from the listing to decide anything. */
export function unitFingerprints(units: Iterable<UnitState>): Map<string, string> {
  const byNode = new Map<string, string[]>();
  for (const u of units) {
    const node = nodeNameOfUnit(u.unitName);
    if (node === null) continue;
    const line = `${u.unitName} ${u.activeState}/${u.subState} ${u.mainPid} ${u.restarts} ${u.definitionHash} ${u.exitStatus ?? ""}`;
    const lines = byNode.get(node);
    if (lines) lines.push(line);
    else byNode.set(node, [line]);
  }
  const result = new Map<string, string>();
  for (const [node, lines] of byNode) result.set(node, lines.sort().join("\n"));
  return result;
}

/** "mtime:size" per path ("-" when missing), joined; sync stats: a handful of small local files per node. */
function stamps(files: readonly string[]): string {
  let out = "";
  for (const file of files) {
    const info = statSync(file, { throwIfNoEntry: false });
    out += info ? `${info.mtimeMs}:${info.size};` : "-;";
  }
  return out;
}

export class QuietPasses {
  private readonly byNode = new Map<string, Quiet>();

  constructor(private readonly fullPassEveryMs = DEFAULT_FULL_PASS_SECS * 1000) {}

  /** True when `entry` had a quiet pass recently and nothing it depended on has changed since. */
  canSkip(entry: AssignedSpec, units: string, nowMs: number): boolean {
    const quiet = this.byNode.get(entry.nodeId);
    if (!quiet) return false;
    if (
      quiet.entry !== entry ||
      quiet.units !== units ||
      nowMs - quiet.atMs >= this.fullPassEveryMs ||
      stamps(quiet.files) !== quiet.fileStamps
    ) {
      this.byNode.delete(entry.nodeId);
      return false;
    }
    return true;
  }

  /** Remember a quiet full pass of `entry`; `files` are the host files it read or wrote. */
  record(entry: AssignedSpec, units: string, files: readonly string[], nowMs: number): void {
    this.byNode.set(entry.nodeId, { entry, units, files, fileStamps: stamps(files), atMs: nowMs });
  }

  forget(nodeId: string): void {
    this.byNode.delete(nodeId);
  }

  retain(nodeIds: Set<string>): void {
    for (const id of this.byNode.keys()) if (!nodeIds.has(id)) this.byNode.delete(id);
  }
}
