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
  const tally = (field: keyof OrganizationSize, rows: { id: string; n: number }[]) => {
    for (const { id, n } of rows) {
      const size = sizes.get(id) ?? { members: 0, executors: 0, nodes: 0 };
      size[field] = n;
      sizes.set(id, size);
    }
  };
  const n = count();
  tally(
    "members",
    db.orm.select({ id: member.organizationId, n }).from(member).groupBy(member.organizationId).all(),
  );
  for (const [field, table] of [
    ["executors", executors],
    ["nodes", nodes],
  ] as const) {
    const rows = db.orm
      .select({ id: table.organizationId, n })
      .from(table)
      .where(isNull(table.deletedAt))
      .groupBy(table.organizationId)
      .all();
    tally(field, rows);
  }
  return sizes;
}
