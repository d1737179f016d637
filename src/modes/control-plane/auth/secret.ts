// The auth secret: BETTER_AUTH_SECRET when given, otherwise generated once and persisted in the database
// so that sessions survive restarts.
import type { Db } from "../../../db/client.ts";
import { readSetting, settleSetting } from "../../../db/queries/settings.ts";

const KEY = "auth_secret";

export function resolveAuthSecret(db: Db, configured: string | null): string {
  if (configured) return configured;
  const existing = readSetting(db, KEY);
  if (existing) return existing;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  return settleSetting(db, KEY, secret);
}
