// What better-auth does for tenancy, as its hooks: the personal organization at sign-up, the session's
// starting organization (refusing sign-in when every organization of the user is deactivated), sign-up
// by invitation only unless OPEN_SIGN_UP, the per email+IP sign-in throttle, and the audit rows of
// registration, sign-in and sign-out. better-auth.ts plugs these in; nothing else configures the library.
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { invitation, member, user } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import type { Logger } from "../../../lib/log.ts";
import type { AbuseLimits } from "../abuse/limiter.ts";
import { appendAudit, type RequestMeta } from "../audit/service.ts";
import { firstActiveOrganization, OrganizationService } from "../organizations/service.ts";

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

function userRow(db: Db, id: string) {
  return db
    .select({ id: user.id, name: user.name, email: user.email, role: user.role })
    .from(user)
    .where(eq(user.id, id))
    .get();
}

export function hasPendingInvitation(db: Db, email: string, now: Date): boolean {
  return (
    db
      .select({ id: invitation.id })
      .from(invitation)
      .where(
        and(
          sql`lower(${invitation.email}) = ${email.trim().toLowerCase()}`,
          eq(invitation.status, "pending"),
          sql`${invitation.expiresAt} > ${now.getTime()}`,
        ),
      )
      .get() !== undefined
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
            appendAudit(db, {
              organizationId: org.id,
              actor: { id: created.id, name: created.name, email: created.email },
              action: "user.registered",
              targetKind: "user",
              targetId: created.id,
              targetName: created.email,
              details: { email: created.email },
              meta,
              at: clock.now(),
            });
          },
        },
      },
      session: {
        create: {
          before: async (session: { userId: string; activeOrganizationId?: string | null }) => {
            if (session.activeOrganizationId) return;
            const organizationId = firstActiveOrganization(db, session.userId);
            if (!organizationId) {
              const memberships = db
                .select({ id: member.id })
                .from(member)
                .where(eq(member.userId, session.userId))
                .all().length;
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
            appendAudit(db, {
              organizationId: session.activeOrganizationId ?? null,
              actor: {
                id: u.id,
                name: u.name,
                email: u.email,
                impersonatorId: session.impersonatedBy ?? null,
              },
              action: "session.signed_in",
              targetKind: "user",
              targetId: u.id,
              targetName: u.email,
              details: { impersonatedBy: session.impersonatedBy ?? null },
              meta: metaOf(ctx),
              at: clock.now(),
            });
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
            appendAudit(db, {
              organizationId: session.activeOrganizationId ?? null,
              actor: { id: u.id, name: u.name, email: u.email },
              action: "session.signed_out",
              targetKind: "user",
              targetId: u.id,
              targetName: u.email,
              meta: metaOf(ctx),
              at: clock.now(),
            });
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
const ADMIN_ACTIONS: Record<string, string> = {
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
function auditAdminCall(db: Db, clock: Clock, ctx: AdminCallContext): void {
  const action = ADMIN_ACTIONS[ctx.path];
  const session = ctx.context.session;
  if (!action || !session || isAPIError(ctx.context.returned)) return;
  const targetId = typeof ctx.body?.userId === "string" ? ctx.body.userId : null;
  const target = targetId ? userRow(db, targetId) : undefined;
  appendAudit(db, {
    organizationId: null,
    scope: "platform",
    actor: {
      id: session.user.id,
      name: session.user.name,
      email: session.user.email,
      impersonatorId: session.session.impersonatedBy ?? null,
    },
    action,
    targetKind: "user",
    targetId,
    targetName: target?.email ?? null,
    details: {
      toRole: typeof ctx.body?.role === "string" ? ctx.body.role : undefined,
      reason: "admin_console",
    },
    meta: { ...metaOf(ctx), source: "ui" },
    at: clock.now(),
  });
}
