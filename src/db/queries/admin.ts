// What the system admin's console reads across organizations: each organization's size (members, live
// executors, live nodes) in three grouped statements, whatever the number of organizations.
import { count, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { executors, member, nodes } from "../schema/index.ts";

export interface OrganizationSize {
  members: number;
  executors: number;
  nodes: number;
}

/** organization id → its size; organizations with nothing in them are absent (read them as zeros). */
export function organizationSizes(db: DbOrTx): Map<string, OrganizationSize> {
  const sizes = new Map<string, OrganizationSize>();
  const entry = (id: string) => {
    const known = sizes.get(id);
    if (known) return known;
    const size = { members: 0, executors: 0, nodes: 0 };
    sizes.set(id, size);
    return size;
  };
  for (const r of db.orm
    .select({ id: member.organizationId, n: count() })
    .from(member)
    .groupBy(member.organizationId)
    .all())
    entry(r.id).members = r.n;
  for (const r of db.orm
    .select({ id: executors.organizationId, n: count() })
    .from(executors)
    .where(isNull(executors.deletedAt))
    .groupBy(executors.organizationId)
    .all())
    entry(r.id).executors = r.n;
  for (const r of db.orm
    .select({ id: nodes.organizationId, n: count() })
    .from(nodes)
    .where(isNull(nodes.deletedAt))
    .groupBy(nodes.organizationId)
    .all())
    entry(r.id).nodes = r.n;
  return sizes;
}
