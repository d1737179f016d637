// What better-auth does for tenancy, as its hooks: the personal organization at sign-up, the session's
// starting organization (refusing sign-in when every organization of the user is deactivated), sign-up
// by invitation only unless OPEN_SIGN_UP, the per email+IP sign-in throttle, and the audit rows of
// registration, sign-in and sign-out. better-auth.ts plugs these in; nothing else configures the library.
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { pendingInvitationFor } from "../../../db/queries/invitations.ts";
import { countMemberships } from "../../../db/queries/members.ts";
import { findUser } from "../../../db/queries/users.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { Logger } from "../../../lib/log.ts";
import type { AbuseLimits } from "../abuse/limiter.ts";
import { type AuditAction, recordAudit } from "../audit/service.ts";
import { firstActiveOrganization, OrganizationService } from "../organizations/service.ts";
import type { Actor, RequestMeta } from "./caller.ts";

/** Set by the HTTP layer from the socket address (a client-sent value is overwritten). */
export const CLIENT_IP_HEADER = "x-novacula-client-ip";

export interface TenancyHookDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  openSignUp: boolean;
  limits: AbuseLimits;
}

interface EndpointContext {
  path?: string;
  body?: Record<string, unknown>;
  headers?: Headers;
  request?: Request;
}

function metaOf(ctx: EndpointContext | null | undefined): RequestMeta {
  const headers = ctx?.request?.headers ?? ctx?.headers;
  return {
    ipAddress: headers?.get(CLIENT_IP_HEADER) ?? null,
    userAgent: headers?.get("user-agent") ?? null,
    source: "ui",
  };
}

function userRow(db: DbOrTx, id: string) {
  return findUser(db, id) ?? undefined;
}

export function hasPendingInvitation(db: DbOrTx, email: string, now: Date): boolean {
  return pendingInvitationFor(db, email, now);
}

/** An audit row about a user, by that user (or by the admin acting on them). */
function auditUser<A extends AuditAction>(
  db: DbOrTx,
  organizationId: string | null,
  actor: Actor,
  meta: RequestMeta,
  action: A,
  target: { id: string | null; email: string | null },
  details: Parameters<typeof recordAudit<A>>[4],
  at: Date,
  scope: "organization" | "platform" = "organization",
) {
  recordAudit(
    db,
    { organizationId, actor, meta },
    action,
    { kind: "user", id: target.id, name: target.email },
    details,
    at,
    { scope },
  );
}

export function tenancyAuthOptions({ db, clock, log, openSignUp, limits }: TenancyHookDeps) {
  const organizations = new OrganizationService(db, clock);
  const throttleKey = (ctx: EndpointContext) =>
    `${String(ctx.body?.email ?? "")
      .trim()
      .toLowerCase()}|${(ctx.request?.headers ?? ctx.headers)?.get(CLIENT_IP_HEADER) ?? "?"}`;

  return {
    databaseHooks: {
      user: {
        create: {
          after: async (
            created: { id: string; name: string; email: string },
            ctx: EndpointContext | null,
          ) => {
            const meta = metaOf(ctx);
            const org = organizations.createPersonal(created, meta);
            const actor = { id: created.id, name: created.name, email: created.email };
            auditUser(
              db,
              org.id,
              actor,
              meta,
              "user.registered",
              created,
              { email: created.email },
              clock.now(),
            );
          },
        },
      },
      session: {
        create: {
          before: async (session: { userId: string; activeOrganizationId?: string | null }) => {
            if (session.activeOrganizationId) return;
            const organizationId = firstActiveOrganization(db, session.userId);
            if (!organizationId) {
              const memberships = countMemberships(db, session.userId);
              if (memberships > 0 && userRow(db, session.userId)?.role !== "admin") {
                throw new APIError("FORBIDDEN", {
                  message: "your organization is deactivated; contact an administrator",
                });
              }
            }
            return { data: { activeOrganizationId: organizationId } };
          },
          after: async (
            session: {
              id: string;
              userId: string;
              activeOrganizationId?: string | null;
              impersonatedBy?: string | null;
            },
            ctx: EndpointContext | null,
          ) => {
            const u = userRow(db, session.userId);
            if (!u) return;
            const impersonatedBy = session.impersonatedBy ?? null;
            const actor = { id: u.id, name: u.name, email: u.email, impersonatorId: impersonatedBy };
            const org = session.activeOrganizationId ?? null;
            auditUser(db, org, actor, metaOf(ctx), "session.signed_in", u, { impersonatedBy }, clock.now());
          },
        },
        delete: {
          after: async (
            session: { userId: string; activeOrganizationId?: string | null },
            ctx: EndpointContext | null,
          ) => {
            if (ctx?.path !== "/sign-out") return;
            const u = userRow(db, session.userId);
            if (!u) return;
            const actor = { id: u.id, name: u.name, email: u.email };
            const org = session.activeOrganizationId ?? null;
            auditUser(db, org, actor, metaOf(ctx), "session.signed_out", u, {}, clock.now());
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-up/email" && !openSignUp) {
          const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "");
          if (!hasPendingInvitation(db, email, clock.now())) {
            throw new APIError("FORBIDDEN", {
              message: "sign-up is by invitation only on this control plane",
            });
          }
        }
        if (ctx.path === "/sign-in/email") {
          const wait = limits.signIn.retryAfterMs(throttleKey(ctx as EndpointContext));
          if (wait > 0) {
            const seconds = Math.ceil(wait / 1000);
            throw new APIError(
              "TOO_MANY_REQUESTS",
              { message: `too many failed sign-ins; retry in ${seconds} s` },
              { "retry-after": String(seconds) },
            );
          }
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path.startsWith("/admin/")) auditAdminCall(db, clock, ctx as unknown as AdminCallContext);
        if (ctx.path !== "/sign-in/email") return;
        const returned = ctx.context.returned;
        const key = throttleKey(ctx as EndpointContext);
        if (isAPIError(returned)) {
          if (returned.statusCode === 401) {
            limits.signIn.fail(key);
            log.warn("failed sign-in", {
              email: String(ctx.body?.email ?? ""),
              ip: key.split("|").at(-1),
              status: returned.statusCode,
            });
          }
        } else {
          limits.signIn.succeed(key);
        }
      }),
    },
  };
}

/** The admin plugin's endpoints (system admins only) and the audit action each successful call records. */
const ADMIN_ACTIONS: Record<string, AuditAction> = {
  "/admin/set-role": "user.global_role.changed",
  "/admin/ban-user": "user.banned",
  "/admin/unban-user": "user.unbanned",
  "/admin/remove-user": "user.deleted",
  "/admin/set-user-password": "user.password.changed",
  "/admin/update-user": "user.profile.updated",
  "/admin/revoke-user-session": "user.session.terminated",
  "/admin/revoke-user-sessions": "user.session.terminated",
  "/admin/impersonate-user": "admin.impersonation.started",
  "/admin/stop-impersonating": "admin.impersonation.stopped",
};

interface AdminCallContext extends EndpointContext {
  path: string;
  context: {
    returned?: unknown;
    session?: {
      user: { id: string; name: string; email: string };
      session: { impersonatedBy?: string | null };
    } | null;
  };
}

/** Admin-console calls go through better-auth's admin plugin; they land in the audit log as platform rows. */
function auditAdminCall(db: DbOrTx, clock: Clock, ctx: AdminCallContext): void {
  const action = ADMIN_ACTIONS[ctx.path];
  const session = ctx.context.session;
  if (!action || !session || isAPIError(ctx.context.returned)) return;
  const targetId = typeof ctx.body?.userId === "string" ? ctx.body.userId : null;
  const target = targetId ? userRow(db, targetId) : undefined;
  const actor = {
    id: session.user.id,
    name: session.user.name,
    email: session.user.email,
    impersonatorId: session.session.impersonatedBy ?? null,
  };
  // Each action's allow-list keeps what applies (toRole for role changes, reason for session ends).
  const details = {
    toRole: typeof ctx.body?.role === "string" ? ctx.body.role : undefined,
    reason: "admin_console",
  };
  const meta: RequestMeta = { ...metaOf(ctx), source: "ui" };
  const subject = { id: targetId, email: target?.email ?? null };
  auditUser(db, null, actor, meta, action, subject, details, clock.now(), "platform");
}
