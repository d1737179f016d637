// Reading the audit log: filters (actions, actor name/email, target, date range, own rows), role-based
// visibility (decided by authz.ts auditVisibility), newest-first cursor pages over time-ordered ids, and
// the CSV export with the reference's columns. Read-only: rows are never updated or deleted.
import type { DbOrTx } from "../../../db/client.ts";
import { type AuditQuery, type AuditRow, selectAudit } from "../../../db/queries/audit.ts";
import type { Caller } from "../auth/caller.ts";
import { auditVisibility } from "../graphql/authz.ts";

export type { AuditRow };

export interface AuditFilter extends Omit<AuditQuery, "cursor"> {
  /** System admins: every organization and platform rows. Ignored for everyone else. */
  allOrganizations?: boolean | null;
  /** endCursor of the previous page. */
  cursor?: string | null;
  take?: number | null;
}

export const AUDIT_PAGE = 50;
export const AUDIT_PAGE_MAX = 500;

/** Who reads: the rows they may see follow from their role (authz.ts auditVisibility). */
export type AuditScope = Pick<Caller, "organizationId" | "userId" | "role" | "systemAdmin">;

export interface AuditPage {
  rows: AuditRow[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export function listAudit(db: DbOrTx, scope: AuditScope, f: AuditFilter): AuditPage {
  const take = Math.min(Math.max(f.take ?? AUDIT_PAGE, 1), AUDIT_PAGE_MAX);
  const reader = {
    organizationId: scope.organizationId,
    userId: scope.userId,
    allOrganizations: Boolean(f.allOrganizations && scope.systemAdmin),
    visibility: auditVisibility(scope),
  };
  const rows = selectAudit(db, reader, f, take + 1);
  const hasNextPage = rows.length > take;
  const page = rows.slice(0, take);
  return { rows: page, endCursor: page.at(-1)?.id ?? null, hasNextPage };
}

/** Every visible row matching the filter, newest first, in bounded chunks (for the CSV export). */
export function* allAudit(db: DbOrTx, scope: AuditScope, f: AuditFilter): Generator<AuditRow> {
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
