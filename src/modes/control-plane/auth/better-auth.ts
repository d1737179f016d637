// better-auth wiring: email + password, cookie sessions, organizations and the system-admin role, on the
// drizzle adapter over our SQLite database. The only module that configures the auth library.
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, organization } from "better-auth/plugins";
import type { Db } from "../../../db/client.ts";
import { schema } from "../../../db/client.ts";

export interface AuthOptions {
  db: Db;
  secret: string;
  baseUrl: string;
  /** Self-hosted default: off, so only invitations add people after the first admin. */
  openSignUp: boolean;
}

export function createAuth({ db, secret, baseUrl, openSignUp }: AuthOptions) {
  return betterAuth({
    appName: "Novacula",
    baseURL: baseUrl,
    basePath: "/api/auth",
    secret,
    database: drizzleAdapter(db, {
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
    emailAndPassword: { enabled: true, disableSignUp: !openSignUp, minPasswordLength: 8, maxPasswordLength: 256 },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    advanced: { database: { generateId: () => Bun.randomUUIDv7() } },
    telemetry: { enabled: false },
    plugins: [organization({ allowUserToCreateOrganization: true }), admin()],
    logger: { disabled: true },
  });
}

export type Auth = ReturnType<typeof createAuth>;
