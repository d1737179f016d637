// The system admin's view across organizations (reference §15, admin console): every organization with
// its size, so an admin sees what deactivating one would stop. Read-only; callers are system admins
// (graphql/modules/admin.ts guards it).
import type { DbOrTx } from "../../../db/client.ts";
import { organizationSizes } from "../../../db/queries/admin.ts";
import { allOrganizations, type OrganizationRow } from "../../../db/queries/organizations.ts";

export interface OrganizationOverview {
  organization: OrganizationRow;
  memberCount: number;
  executorCount: number;
  nodeCount: number;
}

/** Every organization, by name, with its member, live executor and live node counts. */
export function organizationsOverview(db: DbOrTx): OrganizationOverview[] {
  const sizes = organizationSizes(db);
  return allOrganizations(db)
    .map((organization) => {
      const size = sizes.get(organization.id);
      return {
        organization,
        memberCount: size?.members ?? 0,
        executorCount: size?.executors ?? 0,
        nodeCount: size?.nodes ?? 0,
      };
    })
    .sort((a, b) => a.organization.name.localeCompare(b.organization.name));
}
