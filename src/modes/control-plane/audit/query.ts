// Reading the audit log: filters (actions, actor name/email, target, date range, own rows), role-based
// visibility (decided by authz.ts auditVisibility), newest-first cursor pages over time-ordered ids, and
// the CSV export with the reference's columns. Read-only: rows are never updated or deleted.
import { and, desc, eq, gte, inArray, like, lt, lte, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { auditActions, member } from "../../../db/schema/index.ts";
import type { AuditVisibility } from "../graphql/authz.ts";

export type AuditRow = typeof auditActions.$inferSelect;

export interface AuditFilter {
  actions?: string[] | null;
  /** Part of the actor's name or email, case-insensitive. */
  actor?: string | null;
  targetKind?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
  /** Only the caller's own rows ("My recent activity"). */
  mine?: boolean | null;
  /** System admins: every organization and platform rows. Ignored for everyone else. */
  allOrganizations?: boolean | null;
  /** endCursor of the previous page. */
  cursor?: string | null;
  take?: number | null;
}

export const AUDIT_PAGE = 50;
export const AUDIT_PAGE_MAX = 500;

export interface AuditScope {
  organizationId: string;
  userId: string;
  systemAdmin: boolean;
  visibility: AuditVisibility;
}

function conditions(scope: AuditScope, f: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (!(f.allOrganizations && scope.systemAdmin))
    where.push(eq(auditActions.organizationId, scope.organizationId));
  const v = scope.visibility;
  if (v.kind === "own") where.push(eq(auditActions.actorId, v.userId));
  if (v.kind === "admin") {
    const leaders = scope.organizationId
      ? sql`(SELECT ${member.userId} FROM ${member} WHERE ${member.organizationId} = ${scope.organizationId} AND ${member.role} IN ('owner', 'admin'))`
      : sql`(SELECT NULL)`;
    where.push(or(eq(auditActions.actorId, v.userId), notInArray(auditActions.actorId, leaders))!);
  }
  if (f.mine) where.push(eq(auditActions.actorId, scope.userId));
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
  return where;
}

export interface AuditPage {
  rows: AuditRow[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export function listAudit(db: Db, scope: AuditScope, f: AuditFilter): AuditPage {
  const take = Math.min(Math.max(f.take ?? AUDIT_PAGE, 1), AUDIT_PAGE_MAX);
  const where = conditions(scope, f);
  if (f.cursor) where.push(lt(auditActions.id, f.cursor));
  const rows = db
    .select()
    .from(auditActions)
    .where(and(...where))
    .orderBy(desc(auditActions.id))
    .limit(take + 1)
    .all();
  const hasNextPage = rows.length > take;
  const page = rows.slice(0, take);
  return { rows: page, endCursor: page.at(-1)?.id ?? null, hasNextPage };
}

/** Every visible row matching the filter, newest first, in bounded chunks (for the CSV export). */
export function* allAudit(db: Db, scope: AuditScope, f: AuditFilter): Generator<AuditRow> {
  let cursor: string | null = null;
  for (;;) {
    const page = listAudit(db, scope, { ...f, cursor, take: AUDIT_PAGE_MAX });
    yield* page.rows;
    if (!page.hasNextPage) return;
    cursor = page.endCursor;
  }
}

export const CSV_COLUMNS = [
  "timestamp",
  "actor",
  "actor_email",
  "action",
  "target_type",
  "target_id",
  "target_name",
  "details",
] as const;

/** RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula. */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(row: AuditRow): string {
  return [
    row.createdAt.toISOString(),
    row.actorName,
    row.actorEmail,
    row.action,
    row.targetKind,
    row.targetId,
    row.targetName,
    JSON.stringify(row.details ?? {}),
  ]
    .map(csvCell)
    .join(",");
}

/** `audit-activity-log-<YYYYMMDD>.csv` for the export date. */
export function csvFileName(now: Date): string {
  return `audit-activity-log-${now.toISOString().slice(0, 10).replaceAll("-", "")}.csv`;
}
