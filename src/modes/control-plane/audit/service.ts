// The append-only audit log: one row per mutation, with details sanitized by a per-action allow-list.
import type { Db } from "../../../db/client.ts";
import { connectionOf, jsonText } from "../../../db/connection.ts";

type Tx = Pick<Db, "insert">;

export interface Actor {
  id: string;
  name: string;
  email: string;
  impersonatorId?: string | null;
}

export interface RequestMeta {
  ipAddress: string | null;
  userAgent: string | null;
  source: "ui" | "api" | "system";
}

/** The detail keys each action may record; anything else is dropped so a secret can never slip in. */
const DETAIL_ALLOW_LIST: Record<string, readonly string[]> = {
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
  "organization.created": ["slug", "personal"],
  "organization.updated": ["changedFields", "active"],
  "organization.invitation.created": ["email", "role", "expiresAt"],
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
  "session.signed_in": ["impersonatedBy"],
  "session.signed_out": [],
  "session.active_organization.changed": ["fromOrganizationId"],
  "user.session.terminated": ["sessionId", "count", "reason"],
};

export function sanitizeDetails(action: string, details: Record<string, unknown> | undefined) {
  const allowed = DETAIL_ALLOW_LIST[action] ?? [];
  const out: Record<string, unknown> = {};
  for (const key of allowed) if (details && key in details) out[key] = details[key];
  return out;
}

export interface NewAuditAction {
  organizationId: string | null;
  scope?: "organization" | "platform";
  actor: Actor;
  action: string;
  targetKind: string;
  targetId?: string | null;
  targetName?: string | null;
  details?: Record<string, unknown>;
  meta: RequestMeta;
  outcome?: "success" | "failure";
  at?: Date;
}

const INSERT_AUDIT = `INSERT INTO audit_actions (id, organization_id, scope, actor_id, actor_name, actor_email,
  impersonator_id, action, target_kind, target_id, target_name, details, source, outcome, ip_address,
  user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Appends one audit row in the caller's transaction (a raw, cached statement: see src/db/connection.ts). */
export function appendAudit(tx: Tx, entry: NewAuditAction): string {
  const id = Bun.randomUUIDv7();
  connectionOf(tx)
    .query(INSERT_AUDIT)
    .run(
      id,
      entry.organizationId,
      entry.scope ?? "organization",
      entry.actor.id,
      entry.actor.name,
      entry.actor.email,
      entry.actor.impersonatorId ?? null,
      entry.action,
      entry.targetKind,
      entry.targetId ?? null,
      entry.targetName ?? null,
      jsonText(sanitizeDetails(entry.action, entry.details)),
      entry.meta.source,
      entry.outcome ?? "success",
      entry.meta.ipAddress,
      entry.meta.userAgent,
      (entry.at ?? new Date()).getTime(),
    );
  return id;
}
