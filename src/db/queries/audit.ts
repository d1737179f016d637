// The audit log's statements: the append every mutation makes in its own transaction (a raw statement
// bun:sqlite compiles once and caches), and the filtered, visibility-scoped newest-first page.
import { and, desc, eq, gte, inArray, like, lt, lte, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { auditActions, member } from "../schema/index.ts";
import { jsonText } from "./encoding.ts";

export type AuditRow = typeof auditActions.$inferSelect;

export interface AuditInsert {
  organizationId: string | null;
  scope: "organization" | "platform";
  actorId: string;
  actorName: string;
  actorEmail: string;
  impersonatorId: string | null;
  action: string;
  targetKind: string;
  targetId: string | null;
  targetName: string | null;
  details: Record<string, unknown>;
  source: "ui" | "api" | "system";
  outcome: "success" | "failure";
  ipAddress: string | null;
  userAgent: string | null;
  at: Date;
}

const INSERT_AUDIT = `INSERT INTO audit_actions (id, organization_id, scope, actor_id, actor_name, actor_email,
  impersonator_id, action, target_kind, target_id, target_name, details, source, outcome, ip_address,
  user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Appends one audit row in the caller's transaction; returns its id (a time-ordered UUIDv7). */
export function insertAudit(tx: DbOrTx, row: AuditInsert): string {
  const id = Bun.randomUUIDv7();
  tx.sqlite
    .query(INSERT_AUDIT)
    .run(
      id,
      row.organizationId,
      row.scope,
      row.actorId,
      row.actorName,
      row.actorEmail,
      row.impersonatorId,
      row.action,
      row.targetKind,
      row.targetId,
      row.targetName,
      jsonText(row.details),
      row.source,
      row.outcome,
      row.ipAddress,
      row.userAgent,
      row.at.getTime(),
    );
  return id;
}

/** Which rows the reader may see (decided by the authorization policy, applied here). */
export type AuditReader = {
  organizationId: string;
  userId: string;
  /** Every organization (system admins asking for it). */
  allOrganizations: boolean;
  visibility: { kind: "all" } | { kind: "admin"; userId: string } | { kind: "own"; userId: string };
};

export interface AuditQuery {
  actions?: string[] | null;
  /** Part of the actor's name or email, case-insensitive. */
  actor?: string | null;
  targetKind?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
  mine?: boolean | null;
  /** Only rows older than this id (the previous page's last). */
  cursor?: string | null;
}

function conditions(reader: AuditReader, f: AuditQuery): SQL[] {
  const where: SQL[] = [];
  if (!reader.allOrganizations) where.push(eq(auditActions.organizationId, reader.organizationId));
  const v = reader.visibility;
  if (v.kind === "own") where.push(eq(auditActions.actorId, v.userId));
  if (v.kind === "admin") {
    const leaders = reader.organizationId
      ? sql`(SELECT ${member.userId} FROM ${member} WHERE ${member.organizationId} = ${reader.organizationId} AND ${member.role} IN ('owner', 'admin'))`
      : sql`(SELECT NULL)`;
    where.push(or(eq(auditActions.actorId, v.userId), notInArray(auditActions.actorId, leaders))!);
  }
  if (f.mine) where.push(eq(auditActions.actorId, reader.userId));
  if (f.actions && f.actions.length > 0) where.push(inArray(auditActions.action, f.actions));
  if (f.actor) {
    const needle = `%${f.actor.toLowerCase().replace(/[%_\\]/g, "")}%`;
    where.push(
      or(
        like(sql`lower(${auditActions.actorName})`, needle),
        like(sql`lower(${auditActions.actorEmail})`, needle),
      )!,
    );
  }
  if (f.targetKind) where.push(eq(auditActions.targetKind, f.targetKind));
  if (f.targetId) where.push(eq(auditActions.targetId, f.targetId));
  if (f.from) where.push(gte(auditActions.createdAt, f.from));
  if (f.to) where.push(lte(auditActions.createdAt, f.to));
  if (f.cursor) where.push(lt(auditActions.id, f.cursor));
  return where;
}

/** Newest first, at most `limit` rows. */
export function selectAudit(db: DbOrTx, reader: AuditReader, f: AuditQuery, limit: number): AuditRow[] {
  return db.orm
    .select()
    .from(auditActions)
    .where(and(...conditions(reader, f)))
    .orderBy(desc(auditActions.id))
    .limit(limit)
    .all();
}
