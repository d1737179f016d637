// Instance settings: small key/value rows the control plane keeps about itself (the generated auth secret).
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../client.ts";
import { instanceSettings } from "../schema/index.ts";

export function readSetting(db: DbOrTx, key: string): string | null {
  return db.orm.select().from(instanceSettings).where(eq(instanceSettings.key, key)).get()?.value ?? null;
}

/** Stores `value` unless the key already has one; returns the value stored now. */
export function settleSetting(db: DbOrTx, key: string, value: string): string {
  db.orm.insert(instanceSettings).values({ key, value }).onConflictDoNothing().run();
  return readSetting(db, key)!;
}
