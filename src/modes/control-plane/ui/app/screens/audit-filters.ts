// The audit log's filters (reference §15), kept in the URL: parsed from it in one place, turned into the
// GraphQL filter and into the CSV export's query string (audit/routes.ts reads the same names), so the
// export holds exactly the rows the screen shows.

/** The action catalog of reference §15 and the actions this control plane adds (audit/service.ts). */
export const AUDIT_ACTION_NAMES = [
  "node.created",
  "node.updated",
  "node.deleted",
  "node.start.requested",
  "node.stop.requested",
  "node.restart.requested",
  "node.rolled_back",
  "executor.deleted",
  "api_key.created",
  "api_key.updated",
  "api_key.revoked",
  "api_key.deleted",
  "user.registered",
  "user.password.changed",
  "user.profile.updated",
  "user.global_role.changed",
  "user.organization_role.changed",
  "user.organization_membership.added",
  "user.organization_membership.removed",
  "user.banned",
  "user.unbanned",
  "user.deleted",
  "organization.created",
  "organization.updated",
  "organization.invitation.created",
  "invitation.sent",
  "invitation.accepted",
  "invitation.revoked",
  "notification_settings.updated",
  "session.signed_in",
  "session.signed_out",
  "session.active_organization.changed",
  "user.session.terminated",
  "admin.impersonation.started",
  "admin.impersonation.stopped",
];

export const TARGET_KINDS = ["node", "executor", "api_key", "organization", "user", "invitation"];

export interface AuditSearch {
  /** Comma-separated action names. */
  actions?: string;
  actor?: string;
  targetKind?: string;
  targetId?: string;
  /** YYYY-MM-DD, local days, both included. */
  from?: string;
  to?: string;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
const day = (value: unknown) =>
  typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;

export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  const parsed: AuditSearch = {
    actions: text(search.actions),
    actor: text(search.actor),
    targetKind: text(search.targetKind),
    targetId: text(search.targetId),
    from: day(search.from),
    to: day(search.to),
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as AuditSearch;
}

export const selectedActions = (s: AuditSearch): string[] =>
  s.actions ? s.actions.split(",").filter(Boolean) : [];

/** The filter's values as the API takes them: the day range becomes instants in the browser's time zone. */
export function auditFilter(s: AuditSearch) {
  const actions = selectedActions(s);
  return {
    ...(actions.length > 0 ? { actions } : {}),
    ...(s.actor ? { actor: s.actor } : {}),
    ...(s.targetKind ? { targetKind: s.targetKind } : {}),
    ...(s.targetId ? { targetId: s.targetId } : {}),
    ...(s.from ? { from: new Date(`${s.from}T00:00:00`).toISOString() } : {}),
    ...(s.to ? { to: new Date(`${s.to}T23:59:59.999`).toISOString() } : {}),
  };
}

/** GET /api/v1/audit/export.csv with the same filter: the file the server names audit-activity-log-<date>.csv. */
export function exportHref(s: AuditSearch): string {
  const f = auditFilter(s);
  const params = new URLSearchParams();
  for (const action of f.actions ?? []) params.append("action", action);
  for (const key of ["actor", "targetKind", "targetId", "from", "to"] as const) {
    const value = f[key];
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return `/api/v1/audit/export.csv${query ? `?${query}` : ""}`;
}
