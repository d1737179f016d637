// First start: creates the system admin from INITIAL_ADMIN_EMAIL/PASSWORD and a default organization it owns.
import { count, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { member, organization, user } from "../../../db/schema/index.ts";
import { UsageError } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import type { Auth } from "./better-auth.ts";

export async function bootstrapInitialAdmin(
  db: Db,
  auth: Auth,
  email: string | null,
  password: string | null,
  log: Logger,
): Promise<void> {
  const users = db.select({ n: count() }).from(user).get()!.n;
  if (users > 0) return;
  if (!email || !password) {
    throw new UsageError(
      "this is a fresh database and no initial admin is configured",
      "set INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD (at least 12 characters) for the first start",
    );
  }
  const created = await auth.api.createUser({
    body: { email, password, name: email.split("@")[0] ?? "admin", role: "admin" },
  });
  // The sign-up hook gave the admin a personal organization; it becomes the instance's Default one.
  const personal = db
    .select({ organizationId: member.organizationId })
    .from(member)
    .where(eq(member.userId, created.user.id))
    .get();
  const orgId = personal?.organizationId ?? Bun.randomUUIDv7();
  db.transaction((tx) => {
    if (personal) {
      tx.update(organization)
        .set({ name: "Default", slug: "default" })
        .where(eq(organization.id, orgId))
        .run();
      return;
    }
    tx.insert(organization)
      .values({ id: orgId, name: "Default", slug: "default", createdAt: new Date() })
      .run();
    tx.insert(member)
      .values({ id: Bun.randomUUIDv7(), organizationId: orgId, userId: created.user.id, role: "owner" })
      .run();
  });
  log.info("created the initial system admin and the default organization", { email, organizationId: orgId });
}

export function defaultOrganizationFor(db: Db, userId: string): string | null {
  const row = db
    .select({ organizationId: member.organizationId })
    .from(member)
    .where(eq(member.userId, userId))
    .orderBy(member.createdAt)
    .get();
  return row?.organizationId ?? null;
}
