// The events timeline: append (inside the caller's transaction) and list with filters and a cursor.
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { connectionOf, jsonText } from "../../../db/connection.ts";
import { events } from "../../../db/schema/index.ts";
import type { EventLevel, EventSource, EventType } from "../../../protocol/index.ts";

export type EventRow = typeof events.$inferSelect;
type Tx = Pick<Db, "insert">;

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

/** Appends one event in the caller's transaction (a raw, cached statement: see src/db/connection.ts). */
export function appendEvent(tx: Tx, event: NewEvent): string {
  const id = Bun.randomUUIDv7();
  connectionOf(tx)
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

export interface EventFilter {
  executorName?: string | null;
  nodeName?: string | null;
  nodeId?: string | null;
  level?: EventLevel | null;
  type?: string | null;
  /** The id of the last event of the previous page (ids are time-ordered UUIDv7). */
  cursor?: string | null;
  take?: number | null;
}

export const EVENTS_PAGE = 100;
export const EVENTS_PAGE_MAX = 500;

/** Newest first; the next page starts after `cursor`. Always scoped to one organization. */
export function listEvents(db: Db, organizationId: string, filter: EventFilter): EventRow[] {
  const conditions: SQL[] = [eq(events.organizationId, organizationId)];
  if (filter.executorName) conditions.push(eq(events.executorName, filter.executorName));
  if (filter.nodeName) conditions.push(eq(events.nodeName, filter.nodeName));
  if (filter.nodeId) conditions.push(eq(events.nodeId, filter.nodeId));
  if (filter.level) conditions.push(eq(events.level, filter.level));
  if (filter.type) conditions.push(eq(events.type, filter.type));
  if (filter.cursor) conditions.push(or(lt(events.id, filter.cursor))!);
  const take = Math.min(Math.max(filter.take ?? EVENTS_PAGE, 1), EVENTS_PAGE_MAX);
  return db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.id))
    .limit(take)
    .all();
}
