// The append-only audit log: one row per mutation, through one helper (`recordAudit`). Actions are a
// typed union; each action's detail keys are an allow-list, and anything else is dropped so a secret can
// never slip in.
import type { DbOrTx } from "../../../db/client.ts";
import { insertAudit } from "../../../db/queries/audit.ts";
import type { AuditedCaller } from "../auth/caller.ts";

export type { Actor, RequestMeta } from "../auth/caller.ts";

/** Every audit action and the detail keys it may record. */
const DETAIL_ALLOW_LIST = {
  "node.created": ["revision", "chain", "network", "executorId"],
  "node.updated": ["revision", "changedFields"],
  "node.deleted": ["revision", "retainData"],
  // nodeCount: a bulk action (requestNodesLifecycleAction) is one audit row for all its nodes.
  "node.start.requested": ["revision", "nodeCount"],
  "node.stop.requested": ["revision", "nodeCount"],
  "node.restart.requested": ["revision", "restartGeneration", "nodeCount"],
  "node.rolled_back": ["revision", "toRevision"],
  "api_key.created": ["purpose", "expiresAt", "start", "rotatedFromId", "executorName"],
  "api_key.revoked": ["purpose", "start", "reason"],
  "api_key.updated": ["purpose", "start", "enabled", "rotatedToId", "graceEndsAt"],
  "api_key.deleted": ["purpose", "start"],
  "executor.deleted": ["kind", "disabledKeyIds"],
  "executor.upgrade.requested": ["fromVersion", "targetVersion", "platform"],
  "executor.upgrade.cancelled": ["targetVersion"],
  "executor_release.created": ["kind", "version", "channel", "platforms", "keyIds"],
  "executor_release.updated": ["kind", "version", "changedFields", "channel"],
  "executor_release.yanked": ["kind", "version"],
  "organization.created": ["slug", "personal"],
  "organization.updated": ["changedFields", "active"],
  "organization.invitation.created": ["email", "role", "expiresAt"],
  "notification_settings.updated": ["changedFields", "nodeIds"],
  "invitation.sent": ["email", "role", "expiresAt", "delivery", "resend"],
  "invitation.accepted": ["email", "role"],
  "invitation.revoked": ["email", "role"],
  "user.registered": ["email"],
  "user.global_role.changed": ["toRole"],
  "user.profile.updated": ["changedFields"],
  "user.password.changed": ["revokedSessions"],
  "user.organization_role.changed": ["fromRole", "toRole", "ownershipTransfer"],
  "user.organization_membership.added": ["role", "via"],
  "user.organization_membership.removed": ["role", "endedSessions", "left"],
  "user.banned": [],
  "user.unbanned": [],
  "user.deleted": [],
  "admin.impersonation.started": [],
  "admin.impersonation.stopped": [],
  "session.signed_in": ["impersonatedBy"],
  "session.signed_out": [],
  "session.active_organization.changed": ["fromOrganizationId"],
  "user.session.terminated": ["sessionId", "count", "reason"],
  // The client catalog (platform rows: system admins manage it for every organization).
  "catalog.entry.added": ["chain", "client", "version", "replaced", "files"],
  "catalog.entry.removed": ["chain", "client", "version", "origin"],
  "catalog.checksum.pinned": [
    "chain",
    "client",
    "version",
    "platform",
    "network",
    "artifact",
    "url",
    "sha256",
  ],
} as const satisfies Record<string, readonly string[]>;

export type AuditAction = keyof typeof DETAIL_ALLOW_LIST;
export type NodeLifecycleAuditAction = `node.${"start" | "stop" | "restart"}.requested` & AuditAction;

/** The details an action may record (any other key would be dropped anyway, so it is a type error). */
export type AuditDetails<A extends AuditAction> = {
  [K in (typeof DETAIL_ALLOW_LIST)[A][number]]?: unknown;
};

export function sanitizeDetails(action: AuditAction, details: Record<string, unknown> | undefined) {
  const allowed: readonly string[] = DETAIL_ALLOW_LIST[action] ?? [];
  const out: Record<string, unknown> = {};
  for (const key of allowed) if (details && key in details) out[key] = details[key];
  return out;
}

/** What a row is about. */
export interface AuditTarget {
  kind:
    | "node"
    | "api_key"
    | "executor"
    | "executor_release"
    | "organization"
    | "invitation"
    | "user"
    | "catalog_entry";
  id?: string | null;
  name?: string | null;
}

export interface AuditOptions {
  /** Platform rows (admin console) belong to no organization. */
  scope?: "organization" | "platform";
  outcome?: "success" | "failure";
}

/** Appends one audit row for `by` in the caller's transaction; returns its id. */
export function recordAudit<A extends AuditAction>(
  tx: DbOrTx,
  by: AuditedCaller,
  action: A,
  target: AuditTarget,
  details: AuditDetails<A>,
  at: Date,
  options: AuditOptions = {},
): string {
  return insertAudit(tx, {
    organizationId: by.organizationId,
    scope: options.scope ?? "organization",
    actorId: by.actor.id,
    actorName: by.actor.name,
    actorEmail: by.actor.email,
    impersonatorId: by.actor.impersonatorId ?? null,
    action,
    targetKind: target.kind,
    targetId: target.id ?? null,
    targetName: target.name ?? null,
    details: sanitizeDetails(action, details as Record<string, unknown>),
    source: by.meta.source,
    outcome: options.outcome ?? "success",
    ipAddress: by.meta.ipAddress,
    userAgent: by.meta.userAgent,
    at,
  });
}
