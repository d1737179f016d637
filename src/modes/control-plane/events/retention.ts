// Runtime-event retention (reference §13): every 60 s, delete runtime events older than
// EVENT_RETENTION_DAYS and, per organization, all but the newest EVENT_RETENTION_MAX_PER_ORG.
// Control-plane events are never pruned.
import type { DbOrTx } from "../../../db/client.ts";
import { deleteOldRuntimeEvents } from "../../../db/queries/events.ts";

export function pruneRuntimeEvents(db: DbOrTx, now: Date, maxAgeDays: number, maxPerOrg: number): number {
  return deleteOldRuntimeEvents(db, now.getTime() - maxAgeDays * 86_400_000, maxPerOrg);
}
