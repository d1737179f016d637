// Nodes, their revision history and the change cursor: lookups scoped by organization, the list with
// every filter in SQL (before LIMIT/OFFSET), and the writes of one revision as raw statements bun:sqlite
// compiles once and caches (a bulk action writes thousands in one transaction). `node_changes` is only
// the cursor's sequence: its AUTOINCREMENT never reuses a number (SQLite records the highest one given),
// so each write keeps just its own row and the table does not grow with every revision ever written.
import { and, asc, count, desc, eq, inArray, isNull, like, type SQL, sql } from "drizzle-orm";
import type { NodeSpec } from "../../protocol/index.ts";
import type { DbOrTx } from "../client.ts";
import { nodeRevisions, nodes } from "../schema/index.ts";
import { boolInt } from "./encoding.ts";
import { nodePhaseIs } from "./node-phase.ts";

export type NodeRow = typeof nodes.$inferSelect;
export type NodeRevisionRow = typeof nodeRevisions.$inferSelect;

/** Ids per lookup statement, well under SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

export function findNode(db: DbOrTx, organizationId: string, id: string): NodeRow | null {
  return (
    db.orm
      .select()
      .from(nodes)
      .where(and(eq(nodes.id, id), eq(nodes.organizationId, organizationId)))
      .get() ?? null
  );
}

/** The live nodes among `ids` in the organization (any number of ids). */
export function findLiveNodes(db: DbOrTx, organizationId: string, ids: string[]): NodeRow[] {
  const found: NodeRow[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    found.push(
      ...db.orm
        .select()
        .from(nodes)
        .where(
          and(inArray(nodes.id, chunk), eq(nodes.organizationId, organizationId), isNull(nodes.deletedAt)),
        )
        .all(),
    );
  }
  return found;
}

/** Whether a live node of that name runs on the executor. */
export function liveNodeNamed(db: DbOrTx, executorId: string, name: string): boolean {
  return (
    db.orm
      .select({ id: nodes.id })
      .from(nodes)
      .where(and(eq(nodes.executorId, executorId), eq(nodes.name, name), isNull(nodes.deletedAt)))
      .get() !== undefined
  );
}

export function insertNode(
  tx: DbOrTx,
  values: Pick<NodeRow, "id" | "organizationId" | "executorId" | "name" | "spec" | "createdAt" | "updatedAt">,
): NodeRow {
  return tx.orm
    .insert(nodes)
    .values({ ...values, revision: 0, changeSeq: 0 })
    .returning()
    .get();
}

export interface NodeListQuery {
  name?: { equals?: string; contains?: string };
  executorId?: string;
  chain?: string;
  /** Only nodes whose derived phase (src/protocol/phase.ts) is this one, at `phaseAt`. */
  phase?: string;
  phaseAt?: Date;
  includeDeleted?: boolean;
  /** The sort key (name by default) and its direction. */
  sort?: "name" | "createdAt";
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

/** One page of the organization's nodes by name; every filter narrows the rows before the page is cut. */
export function listNodes(db: DbOrTx, organizationId: string, q: NodeListQuery): NodeRow[] {
  const where: SQL[] = [eq(nodes.organizationId, organizationId)];
  if (!q.includeDeleted) where.push(isNull(nodes.deletedAt));
  if (q.name?.equals) where.push(eq(nodes.name, q.name.equals));
  if (q.name?.contains) where.push(like(nodes.name, `%${q.name.contains.replace(/[%_]/g, "")}%`));
  if (q.executorId) where.push(eq(nodes.executorId, q.executorId));
  if (q.chain) where.push(sql`json_extract(${nodes.spec}, '$.chain') = ${q.chain}`);
  if (q.phase) where.push(nodePhaseIs(q.phase, q.phaseAt ?? new Date()));
  const direction = q.order === "desc" ? desc : asc;
  return (
    db.orm
      .select()
      .from(nodes)
      .where(and(...where))
      // Ties (same name on two executors, same millisecond) fall back to insertion order, so pages are stable.
      .orderBy(
        direction(q.sort === "createdAt" ? nodes.createdAt : nodes.name),
        direction(sql.raw("nodes.rowid")),
      )
      .limit(q.limit)
      .offset(q.offset)
      .all()
  );
}

/** The live nodes on one executor, by name. */
export function liveNodesOn(db: DbOrTx, executorId: string): NodeRow[] {
  return db.orm
    .select()
    .from(nodes)
    .where(and(eq(nodes.executorId, executorId), isNull(nodes.deletedAt)))
    .orderBy(asc(nodes.name))
    .all();
}

export function countLiveNodesOn(db: DbOrTx, executorId: string): number {
  return db.orm
    .select({ n: count() })
    .from(nodes)
    .where(and(eq(nodes.executorId, executorId), isNull(nodes.deletedAt)))
    .get()!.n;
}

/** id → name of those of `ids` that belong to the executor. */
export function nodeNamesOn(db: DbOrTx, executorId: string, ids: string[]): Map<string, string> {
  const rows = db.orm
    .select({ id: nodes.id, name: nodes.name })
    .from(nodes)
    .where(and(eq(nodes.executorId, executorId), inArray(nodes.id, ids)))
    .all();
  return new Map(rows.map((n) => [n.id, n.name] as const));
}

export function findRevision(db: DbOrTx, nodeId: string, revision: number): NodeRevisionRow | null {
  return (
    db.orm
      .select()
      .from(nodeRevisions)
      .where(and(eq(nodeRevisions.nodeId, nodeId), eq(nodeRevisions.revision, revision)))
      .get() ?? null
  );
}

export function listRevisions(db: DbOrTx, nodeId: string): NodeRevisionRow[] {
  return db.orm
    .select()
    .from(nodeRevisions)
    .where(eq(nodeRevisions.nodeId, nodeId))
    .orderBy(nodeRevisions.revision)
    .all();
}

/** The newest `limit` revisions of a node, newest first (the primary key orders them). */
export function listRecentRevisions(db: DbOrTx, nodeId: string, limit: number): NodeRevisionRow[] {
  return db.orm
    .select()
    .from(nodeRevisions)
    .where(eq(nodeRevisions.nodeId, nodeId))
    .orderBy(desc(nodeRevisions.revision))
    .limit(limit)
    .all();
}

export interface RevisionRows {
  node: NodeRow;
  revision: number;
  spec: NodeSpec;
  authorId: string;
  summary: string;
  at: Date;
  deletedAt: Date | null;
  retainData: boolean;
}

/**
 * The rows of one revision, in the caller's transaction: the next change sequence, the history row and the
 * node's new state. Returns the change sequence (the node's new change_seq).
 */
export function writeRevisionRows(tx: DbOrTx, w: RevisionRows): number {
  const sqlite = tx.sqlite;
  const at = w.at.getTime();
  const spec = JSON.stringify(w.spec);
  const seq = sqlite
    .query<{ seq: number }, [string, string, number, number]>(
      "INSERT INTO node_changes (node_id, executor_id, revision, created_at) VALUES (?, ?, ?, ?) RETURNING seq",
    )
    .get(w.node.id, w.node.executorId, w.revision, at)!.seq;
  sqlite.query("DELETE FROM node_changes WHERE seq < ?").run(seq);
  sqlite
    .query(
      `INSERT INTO node_revisions (node_id, revision, spec, author_id, summary, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(w.node.id, w.revision, spec, w.authorId, w.summary, at);
  sqlite
    .query(
      `UPDATE nodes SET spec = ?, revision = ?, change_seq = ?, updated_at = ?,
       deleted_at = ?, retain_data = ? WHERE id = ?`,
    )
    .run(spec, w.revision, seq, at, w.deletedAt?.getTime() ?? null, boolInt(w.retainData), w.node.id);
  return seq;
}
