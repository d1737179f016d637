// The desired set: the latest assigned spec (or tombstone) per node, as pulled from the control plane. It is
// the only state the executor keeps in memory about nodes; everything about what *is* comes from the host.
import type { AssignedSpec, SpecsResponse } from "../protocol/executor-api.ts";

export class DesiredSet {
  private readonly entries = new Map<string, AssignedSpec>();
  /** False until the first full answer (cursor 0): before it, an empty set means "unknown", not "nothing". */
  initialized = false;
  cursor = 0;

  /** Merge one specs answer; returns the node ids whose entry changed. */
  apply(response: SpecsResponse): string[] {
    const changed: string[] = [];
    for (const spec of response.specs) {
      const current = this.entries.get(spec.nodeId);
      // Revisions only grow, so an older answer arriving late never undoes a newer one. A tombstone or a
      // retainData change at the same revision still counts.
      if (
        current &&
        (current.revision > spec.revision ||
          (current.revision === spec.revision &&
            current.deleted === spec.deleted &&
            current.retainData === spec.retainData))
      ) {
        continue;
      }
      this.entries.set(spec.nodeId, spec);
      changed.push(spec.nodeId);
    }
    this.cursor = Math.max(this.cursor, response.cursor);
    this.initialized = true;
    return changed;
  }

  /** Drop a tombstone once its removal was reported and accepted. */
  forget(nodeId: string): void {
    const entry = this.entries.get(nodeId);
    if (entry?.deleted) this.entries.delete(nodeId);
  }

  /** A stable snapshot for one reconcile or report pass. */
  snapshot(): AssignedSpec[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get size(): number {
    return this.entries.size;
  }
}
