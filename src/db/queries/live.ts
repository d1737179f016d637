// What live subscriptions read to notice changes no in-process signal announces: spec writes (the
// node_changes sequence), new events (the events table's rowid, which only grows: retention deletes the
// oldest rows, never the newest) and executor versions. Each read is a range on a rowid or an index, so a
// poll costs the same whether the fleet has ten nodes or ten thousand.
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { events, executors } from "../schema/index.ts";
import type { EventRow } from "./events.ts";

export interface NodeChangeRow {
  seq: number;
  nodeId: string;
  organizationId: string;
}

export function latestNodeChange(db: DbOrTx): number {
  return (
    db.sqlite.query<{ seq: number | null }, []>("SELECT max(seq) AS seq FROM node_changes").get()?.seq ?? 0
  );
}

/** The nodes written after `seq` (each node's latest write only: node_changes keeps one row per node). */
export function nodeChangesAfter(db: DbOrTx, seq: number, limit: number): NodeChangeRow[] {
  return db.sqlite
    .query<NodeChangeRow, [number, number]>(
      `SELECT c.seq AS seq, c.node_id AS nodeId, n.organization_id AS organizationId
       FROM node_changes c JOIN nodes n ON n.id = c.node_id
       WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    )
    .all(seq, limit);
}

export function latestEventSeq(db: DbOrTx): number {
  return db.sqlite.query<{ seq: number | null }, []>("SELECT max(rowid) AS seq FROM events").get()?.seq ?? 0;
}

/** Events appended after `seq` (any organization), oldest first, with their sequence numbers. */
export function eventsAfter(db: DbOrTx, seq: number, limit: number): { seq: number; event: EventRow }[] {
  const rowid = sql<number>`${events}.rowid`;
  return db.orm
    .select({ seq: rowid, event: events })
    .from(events)
    .where(gt(rowid, seq))
    .orderBy(asc(rowid))
    .limit(limit)
    .all();
}

/** The organization's live executors and the version each last reported. */
export function executorVersions(db: DbOrTx, organizationId: string): { id: string; version: string }[] {
  return db.orm
    .select({ id: executors.id, version: executors.currentVersion })
    .from(executors)
    .where(and(eq(executors.organizationId, organizationId), isNull(executors.deletedAt)))
    .all();
}
