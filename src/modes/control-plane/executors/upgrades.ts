// The life of an executor's pendingUpgrade once requested (reference §3.5): it is answered on every sync
// until the executor reports the target version (completed), reports a rollback (rolled back, with the
// executor's classified reason), or nobody carried it out within PENDING_UPGRADE_TTL_MS (expired). Each end
// clears the row's pendingUpgrade and records an event. Used by ExecutorService on its in-memory entries.
import type { DbOrTx } from "../../../db/client.ts";
import type { GroupCommitter } from "../../../db/group-commit.ts";
import { setPendingUpgrade } from "../../../db/queries/releases.ts";
import {
  compileValidator,
  type RuntimeEvent,
  UPGRADE_ROLLED_BACK_EVENT,
  UpgradeFailurePayload,
  type UpgradeSpec,
} from "../../../protocol/index.ts";
import { appendEvent } from "../events/service.ts";

export interface PendingState {
  id: string;
  organizationId: string;
  name: string;
  pendingUpgrade: UpgradeSpec | null;
  /** When it was requested (ms). */
  pendingUpgradeAt: number | null;
}

const payloadValidator = compileValidator(UpgradeFailurePayload);

function clear(entry: PendingState): () => void {
  const spec = entry.pendingUpgrade;
  const at = entry.pendingUpgradeAt;
  entry.pendingUpgrade = null;
  entry.pendingUpgradeAt = null;
  // Undo, unless a newer request replaced it meanwhile.
  return () => {
    if (entry.pendingUpgrade === null) {
      entry.pendingUpgrade = spec;
      entry.pendingUpgradeAt = at;
    }
  };
}

/** The sync of `version` carries out the pending upgrade: clear it durably (the answer waits for it). */
export function completeIfReached(
  commits: GroupCommitter,
  entry: PendingState,
  version: string,
  now: Date,
): Promise<void> | null {
  const spec = entry.pendingUpgrade;
  if (!spec || spec.targetVersion !== version) return null;
  const undo = clear(entry);
  return commits
    .run((tx) => {
      setPendingUpgrade(tx, entry.id, null, null);
      appendEvent(tx, {
        organizationId: entry.organizationId,
        type: "executor.upgrade.completed",
        message: `Executor ${entry.name} now runs ${version}`,
        executorId: entry.id,
        executorName: entry.name,
        payload: { targetVersion: version },
        createdAt: now,
      });
    })
    .catch((error: unknown) => {
      undo();
      throw error;
    });
}

/** Clears every pending upgrade older than the TTL, with an event each, in one transaction. */
export function expireDue(db: DbOrTx, entries: Iterable<PendingState>, now: Date, ttlMs: number): number {
  const due: PendingState[] = [];
  for (const entry of entries) {
    if (
      entry.pendingUpgrade &&
      entry.pendingUpgradeAt !== null &&
      now.getTime() - entry.pendingUpgradeAt >= ttlMs
    )
      due.push(entry);
  }
  if (due.length === 0) return 0;
  db.transaction((tx) => {
    for (const entry of due) {
      setPendingUpgrade(tx, entry.id, null, null);
      appendEvent(tx, {
        organizationId: entry.organizationId,
        type: "executor.upgrade.expired",
        level: "warn",
        message: `The upgrade of ${entry.name} to ${entry.pendingUpgrade!.targetVersion} was not carried out in time: request it again`,
        executorId: entry.id,
        executorName: entry.name,
        payload: { targetVersion: entry.pendingUpgrade!.targetVersion },
        createdAt: now,
      });
    }
  });
  for (const entry of due) clear(entry);
  return due.length;
}

/**
 * An executor's runtime events may report that the new version was rolled back: for the pending target,
 * clear the request and record the reason. Other events (and upgrade.refused: the request stays until it
 * expires, reference §6.9) change nothing here; RuntimeEventService stores them all as runtime.event.
 */
export function rollbacksReported(
  db: DbOrTx,
  entry: PendingState,
  events: readonly RuntimeEvent[],
  now: Date,
): boolean {
  const spec = entry.pendingUpgrade;
  if (!spec) return false;
  const rollback = events.find(
    (e) =>
      e.reason === UPGRADE_ROLLED_BACK_EVENT &&
      payloadValidator.check(e.payload) &&
      (e.payload as UpgradeFailurePayload).targetVersion === spec.targetVersion,
  );
  if (!rollback) return false;
  const payload = rollback.payload as UpgradeFailurePayload;
  db.transaction((tx) => {
    setPendingUpgrade(tx, entry.id, null, null);
    appendEvent(tx, {
      organizationId: entry.organizationId,
      type: "executor.upgrade.rolled_back",
      level: "error",
      message: `The upgrade of ${entry.name} to ${spec.targetVersion} was rolled back (${payload.code})${payload.runningVersion ? `; it runs ${payload.runningVersion} again` : ""}`,
      executorId: entry.id,
      executorName: entry.name,
      payload: { ...payload },
      createdAt: now,
    });
  });
  clear(entry);
  return true;
}
