// Runtime-event retention (reference §13): every 60 s, delete runtime events older than
// EVENT_RETENTION_DAYS and, per organization, all but the newest EVENT_RETENTION_MAX_PER_ORG.
// Control-plane events are never pruned.
import type { Db } from "../../../db/client.ts";

export function pruneRuntimeEvents(db: Db, now: Date, maxAgeDays: number, maxPerOrg: number): number {
  const sqlite = db.$client;
  const cutoff = now.getTime() - maxAgeDays * 86_400_000;
  let removed = sqlite
    .query("DELETE FROM events WHERE source = 'runtime' AND created_at < ?")
    .run(cutoff).changes;
  const crowded = sqlite
    .query<{ organization_id: string }, [number]>(
      "SELECT organization_id FROM events WHERE source = 'runtime' GROUP BY organization_id HAVING count(*) > ?",
    )
    .all(maxPerOrg);
  for (const { organization_id } of crowded) {
    removed += sqlite
      .query(
        `DELETE FROM events WHERE source = 'runtime' AND organization_id = ?1 AND id NOT IN (
           SELECT id FROM events WHERE source = 'runtime' AND organization_id = ?1 ORDER BY id DESC LIMIT ?2)`,
      )
      .run(organization_id, maxPerOrg).changes;
  }
  return removed;
}
