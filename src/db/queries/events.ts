// The events timeline: the append every write path uses (a raw statement bun:sqlite compiles once and
// caches: thousands run in a row in a bulk action), the filtered page on either side of a cursor, and
// runtime-event retention.
import { and, asc, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import type { EventLevel, EventSource, EventType } from "../../protocol/index.ts";
import type { DbOrTx } from "../client.ts";
import { events } from "../schema/index.ts";
import { jsonText } from "./encoding.ts";

export type EventRow = typeof events.$inferSelect;

export interface NewEvent {
  organizationId: string;
  source?: EventSource;
  type: EventType;
  level?: EventLevel;
  message: string;
  executorId?: string | null;
  executorName?: string | null;
  nodeId?: string | null;
  nodeName?: string | null;
  payload?: Record<string, unknown> | null;
  auditActionId?: string | null;
  createdAt?: Date;
}

const INSERT_EVENT = `INSERT INTO events (id, organization_id, source, type, level, message, executor_id,
  executor_name, node_id, node_name, payload, audit_action_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Appends one event in the caller's transaction; returns its id (a time-ordered UUIDv7). */
export function insertEvent(tx: DbOrTx, event: NewEvent): string {
  const id = Bun.randomUUIDv7();
  tx.sqlite
    .query(INSERT_EVENT)
    .run(
      id,
      event.organizationId,
      event.source ?? "control_plane",
      event.type,
      event.level ?? "info",
      event.message,
      event.executorId ?? null,
      event.executorName ?? null,
      event.nodeId ?? null,
      event.nodeName ?? null,
      jsonText(event.payload),
      event.auditActionId ?? null,
      (event.createdAt ?? new Date()).getTime(),
    );
  return id;
}

/** `older`: the events before the cursor (the next page down the timeline); `newer`: those after it. */
export type EventDirection = "older" | "newer";

export interface EventQuery {
  executorId?: string | null;
  executorName?: string | null;
  nodeName?: string | null;
  nodeId?: string | null;
  level?: EventLevel | null;
  type?: string | null;
  /**
   * An event id (ids are time-ordered UUIDv7): with `older`, the last (oldest) event of the page shown;
   * with `newer`, its first (newest) one.
   */
  cursor?: string | null;
  direction?: EventDirection | null;
}

/**
 * One organization's events next to `cursor` in `direction`, at most `take`, nearest to the cursor first:
 * `older` pages come newest first, `newer` pages oldest first (the caller orders them for display).
 */
export function selectEvents(
  db: DbOrTx,
  organizationId: string,
  filter: EventQuery,
  take: number,
): EventRow[] {
  const newer = filter.direction === "newer";
  const conditions: SQL[] = [eq(events.organizationId, organizationId)];
  if (filter.executorId) conditions.push(eq(events.executorId, filter.executorId));
  if (filter.executorName) conditions.push(eq(events.executorName, filter.executorName));
  if (filter.nodeName) conditions.push(eq(events.nodeName, filter.nodeName));
  if (filter.nodeId) conditions.push(eq(events.nodeId, filter.nodeId));
  if (filter.level) conditions.push(eq(events.level, filter.level));
  if (filter.type) conditions.push(eq(events.type, filter.type));
  if (filter.cursor) conditions.push(newer ? gt(events.id, filter.cursor) : lt(events.id, filter.cursor));
  return db.orm
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(newer ? asc(events.id) : desc(events.id))
    .limit(take)
    .all();
}

/** Deletes runtime events older than `cutoff`, then all but each organization's newest `maxPerOrg`. */
export function deleteOldRuntimeEvents(db: DbOrTx, cutoff: number, maxPerOrg: number): number {
  const sqlite = db.sqlite;
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
