// First start: creates the system admin from INITIAL_ADMIN_EMAIL/PASSWORD and a default organization it owns.
import type { Db } from "../../../db/client.ts";
import { anyMembership, insertMember } from "../../../db/queries/members.ts";
import { insertOrganization, updateOrganization } from "../../../db/queries/organizations.ts";
import { countUsers } from "../../../db/queries/users.ts";
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
  const users = countUsers(db);
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
  const personal = anyMembership(db, created.user.id);
  const orgId = personal ?? Bun.randomUUIDv7();
  db.transaction((tx) => {
    if (personal) {
      updateOrganization(tx, orgId, { name: "Default", slug: "default" });
      return;
    }
    insertOrganization(tx, { id: orgId, name: "Default", slug: "default", createdAt: new Date() });
    insertMember(tx, {
      id: Bun.randomUUIDv7(),
      organizationId: orgId,
      userId: created.user.id,
      role: "owner",
    });
  });
  log.info("created the initial system admin and the default organization", { email, organizationId: orgId });
}
