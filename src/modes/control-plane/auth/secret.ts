// The auth secret: BETTER_AUTH_SECRET when given, otherwise generated once and persisted in the database
// so that sessions survive restarts.
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { instanceSettings } from "../../../db/schema/index.ts";

const KEY = "auth_secret";

export function resolveAuthSecret(db: Db, configured: string | null): string {
  if (configured) return configured;
  const existing = db.select().from(instanceSettings).where(eq(instanceSettings.key, KEY)).get();
  if (existing) return existing.value;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  db.insert(instanceSettings).values({ key: KEY, value: secret }).onConflictDoNothing().run();
  return db.select().from(instanceSettings).where(eq(instanceSettings.key, KEY)).get()!.value;
}
