// better-auth wiring: email + password, cookie sessions, organizations and the system-admin role, on the
// drizzle adapter over our SQLite database. The only module that configures the auth library; the
// tenancy behaviour (personal organization, active organization, invitation-only sign-up, throttles,
// audit) comes from tenancy-hooks.ts.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, organization } from "better-auth/plugins";
import type { Db } from "../../../db/client.ts";
import { schema } from "../../../db/client.ts";
import { type Clock, systemClock } from "../../../lib/clock.ts";
import { type Logger, silentLogger } from "../../../lib/log.ts";
import { AbuseLimits } from "../abuse/limiter.ts";
import { hashPlaintextSessionTokens, withHashedSessionTokens } from "./session-tokens.ts";
import { CLIENT_IP_HEADER, tenancyAuthOptions } from "./tenancy-hooks.ts";

export interface AuthOptions {
  db: Db;
  secret: string;
  baseUrl: string;
  /** Origins sign-in accepts (config.trustedOrigins); default: the base URL's only. */
  trustedOrigins?: readonly string[];
  /** Self-hosted default: off, so only invitations add people after the first admin. */
  openSignUp: boolean;
  limits?: AbuseLimits;
  log?: Logger;
  clock?: Clock;
}

const organizationPlugin = organization({ allowUserToCreateOrganization: false });

/**
 * Endpoints that would change tenancy or account state behind the GraphQL authorization and audit log:
 * every endpoint of the organization plugin, and the account endpoints GraphQL replaces (password
 * change must revoke the other sessions; email is changed by an administrator only; there is no
 * self-service password reset). The GraphQL API is the one way to do these.
 */
export const DISABLED_AUTH_PATHS = [
  ...Object.values(organizationPlugin.endpoints)
    .map((e) => (e as { path: string }).path)
    .filter((path) => typeof path === "string" && path.startsWith("/organization/")),
  "/change-password",
  "/change-email",
  "/update-user",
  "/delete-user",
  "/list-sessions",
  "/revoke-session",
  "/revoke-sessions",
  "/revoke-other-sessions",
  "/request-password-reset",
  "/reset-password",
  "/set-password",
].sort();

export function createAuth({
  db,
  secret,
  baseUrl,
  trustedOrigins = [],
  openSignUp,
  limits = new AbuseLimits(),
  log = silentLogger,
  clock = systemClock,
}: AuthOptions) {
  const tenancy = tenancyAuthOptions({ db, clock, log, openSignUp, limits });
  const rehashed = hashPlaintextSessionTokens(db);
  if (rehashed > 0) log.info("hashed the session tokens an older version stored", { sessions: rehashed });
  return betterAuth({
    appName: "Novacula",
    baseURL: baseUrl,
    basePath: "/api/auth",
    trustedOrigins: [...trustedOrigins],
    secret,
    // Session tokens are stored hashed (session-tokens.ts): a copy of the database holds no live session.
    database: withHashedSessionTokens(
      drizzleAdapter(db.orm, {
        provider: "sqlite",
        schema: {
          user: schema.user,
          session: schema.session,
          account: schema.account,
          verification: schema.verification,
          organization: schema.organization,
          member: schema.member,
          invitation: schema.invitation,
        },
      }),
    ),
    // Sign-up stays reachable for invitees; tenancy-hooks refuses everyone else unless OPEN_SIGN_UP.
    emailAndPassword: { enabled: true, disableSignUp: false, minPasswordLength: 8, maxPasswordLength: 256 },
    // Sliding expiry: a week, extended at most once a day while the session is used.
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    advanced: {
      database: { generateId: () => Bun.randomUUIDv7() },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    // Per-IP request limits on every auth endpoint (on in every environment, not only production).
    // Sign-in has none here: a per-IP count of attempts lets one person's wrong guesses refuse everyone
    // behind the same address. Its failures are limited per account and address in tenancy-hooks.
    rateLimit: {
      enabled: true,
      storage: "memory",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": false,
        "/sign-up/email": { window: 60, max: 30 },
        "/get-session": false,
      },
    },
    disabledPaths: DISABLED_AUTH_PATHS,
    databaseHooks: tenancy.databaseHooks,
    hooks: tenancy.hooks,
    telemetry: { enabled: false },
    plugins: [organizationPlugin, admin()],
    logger: { disabled: true },
  });
}

export type Auth = ReturnType<typeof createAuth>;
