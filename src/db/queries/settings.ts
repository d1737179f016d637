// Instance settings: small key/value rows the control plane keeps about itself (an older version's generated auth secret, moved out on start).
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { instanceSettings } from "../schema/index.ts";

export function readSetting(db: DbOrTx, key: string): string | null {
  return db.orm.select().from(instanceSettings).where(eq(instanceSettings.key, key)).get()?.value ?? null;
}

export function deleteSetting(db: DbOrTx, key: string): void {
  db.orm.delete(instanceSettings).where(eq(instanceSettings.key, key)).run();
}
