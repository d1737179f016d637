// The events timeline: append (inside the caller's transaction) and list with filters and a cursor.
import type { DbOrTx } from "../../../db/client.ts";
import {
  type EventQuery,
  type EventRow,
  insertEvent,
  type NewEvent,
  selectEvents,
} from "../../../db/queries/events.ts";

export type { EventRow, NewEvent };

/** Appends one event in the caller's transaction (a raw, cached statement). */
export function appendEvent(tx: DbOrTx, event: NewEvent): string {
  return insertEvent(tx, event);
}

export interface EventFilter extends EventQuery {
  take?: number | null;
}

export const EVENTS_PAGE = 100;
export const EVENTS_PAGE_MAX = 500;

/**
 * One page on `filter.direction`'s side of the cursor, nearest to the cursor first (see selectEvents).
 * Always scoped to one organization.
 */
export function listEvents(db: DbOrTx, organizationId: string, filter: EventFilter): EventRow[] {
  const take = Math.min(Math.max(filter.take ?? EVENTS_PAGE, 1), EVENTS_PAGE_MAX);
  return selectEvents(db, organizationId, filter, take);
}
