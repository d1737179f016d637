// The events timeline: append (inside the caller's transaction) and list with filters and a cursor.
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
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

export function appendEvent(tx: Tx, event: NewEvent): string {
  const id = Bun.randomUUIDv7();
  tx.insert(events)
    .values({
      id,
      organizationId: event.organizationId,
      source: event.source ?? "control_plane",
      type: event.type,
      level: event.level ?? "info",
      message: event.message,
      executorId: event.executorId ?? null,
      executorName: event.executorName ?? null,
      nodeId: event.nodeId ?? null,
      nodeName: event.nodeName ?? null,
      payload: event.payload ?? null,
      auditActionId: event.auditActionId ?? null,
      createdAt: event.createdAt ?? new Date(),
    })
    .run();
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
