// The outcome of a client version change, as its executor reports it: the runtime events
// `client_upgrade.succeeded` and `client_upgrade.reverted` (payload: role, client, from, to, revision and, for a
// revert, its cause) mark the revision they carried out; the revision history shows it (clientUpgrade). A
// revision whose change was reverted is what lets the node go back to the version still running on its host.
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { findRevision, listRecentRevisions, type NodeRevisionRow } from "../../../db/queries/nodes.ts";
import { nodeRevisions } from "../../../db/schema/index.ts";
import type { RuntimeEvent } from "../../../protocol/index.ts";
import { type ClientChange, clientChanges } from "./client-change.ts";

export const CLIENT_UPGRADE_SUCCEEDED = "client_upgrade.succeeded";
export const CLIENT_UPGRADE_REVERTED = "client_upgrade.reverted";

/** A revision's client change and what became of it on the host. */
export interface ClientUpgradeView extends ClientChange {
  outcome: "pending" | "succeeded" | "reverted";
  reason: string | null;
}

/** Marks the revision an outcome event names (a node the executor runs: `nodeId` is already checked). */
export function recordClientUpgradeOutcome(tx: DbOrTx, nodeId: string, event: RuntimeEvent): void {
  const outcome =
    event.reason === CLIENT_UPGRADE_SUCCEEDED
      ? "succeeded"
      : event.reason === CLIENT_UPGRADE_REVERTED
        ? "reverted"
        : null;
  const revision = event.payload?.revision;
  if (!outcome || typeof revision !== "number" || !Number.isInteger(revision)) return;
  const cause = event.payload?.cause;
  tx.orm
    .update(nodeRevisions)
    .set({ outcome, outcomeReason: outcome === "reverted" && typeof cause === "string" ? cause : null })
    .where(and(eq(nodeRevisions.nodeId, nodeId), eq(nodeRevisions.revision, revision)))
    .run();
}

/** The client change a revision made (the first role, when several changed) and its outcome; null for none. */
export function clientUpgradeOf(db: DbOrTx, revision: NodeRevisionRow): ClientUpgradeView | null {
  if (revision.revision <= 1) return null;
  const before = findRevision(db, revision.nodeId, revision.revision - 1);
  const [change] = clientChanges(before?.spec ?? null, revision.spec);
  if (!change) return null;
  return { ...change, outcome: revision.outcome ?? "pending", reason: revision.outcomeReason ?? null };
}

/** How far back the history is read for the latest client change (edits in between are rare). */
const CLIENT_CHANGE_LOOKBACK = 50;

/**
 * role → the version the node's latest client change tried and its executor reverted from: going back to it is
 * no downgrade of the data (the newer version never ran on it for good). Revisions after that change which left
 * the clients alone (a port edit, a restart) do not end this.
 */
export function revertedFrom(db: DbOrTx, nodeId: string): Record<string, string> {
  const newestFirst = listRecentRevisions(db, nodeId, CLIENT_CHANGE_LOOKBACK + 1);
  for (const [index, revision] of newestFirst.entries()) {
    const before = newestFirst[index + 1];
    if (!before) break;
    const changes = clientChanges(before.spec, revision.spec);
    if (changes.length === 0) continue;
    if (revision.outcome !== "reverted") return {};
    return Object.fromEntries(changes.map((c) => [c.role, c.from]));
  }
  return {};
}
