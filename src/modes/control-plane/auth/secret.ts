// The auth secret (signs session cookies), kept outside the database so that a copy of the database
// alone can't sign a cookie. In order: BETTER_AUTH_SECRET; the file BETTER_AUTH_SECRET_FILE names; else
// `auth-secret` in the data directory, beside the database, generated on first start with mode 0600.
// Older versions kept the generated secret in the database: it is moved to that file and deleted there.
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../../../db/client.ts";
import { deleteSetting, readSetting } from "../../../db/queries/settings.ts";
import { writeFileAtomicSync } from "../../../lib/atomic-write.ts";
import { UsageError } from "../../../lib/errors.ts";

const LEGACY_KEY = "auth_secret";
export const SECRET_FILE_NAME = "auth-secret";
const MIN_SECRET_CHARS = 32;

export interface SecretSettings {
  /** BETTER_AUTH_SECRET. */
  configured: string | null;
  /** BETTER_AUTH_SECRET_FILE. */
  file: string | null;
  dataDir: string;
}

const writePrivate = (path: string, value: string) =>
  writeFileAtomicSync(path, `${value}\n`, { mode: 0o600 });

function readSecretFile(path: string, variable: string | null): string {
  const secret = readFileSync(path, "utf8").trim();
  if (secret.length < MIN_SECRET_CHARS) {
    throw new UsageError(
      `${variable ?? path} holds a secret shorter than ${MIN_SECRET_CHARS} characters`,
      `put at least ${MIN_SECRET_CHARS} characters in ${path}, e.g. \`openssl rand -hex 32 > ${path}\``,
    );
  }
  return secret;
}

/** Moves a secret an older version stored in the database into `path` (unless one is there), then drops it. */
function moveLegacySecret(db: Db, path: string): void {
  const legacy = readSetting(db, LEGACY_KEY);
  if (legacy === null) return;
  if (!existsSync(path)) writePrivate(path, legacy);
  deleteSetting(db, LEGACY_KEY);
}

export function resolveAuthSecret(db: Db, settings: SecretSettings): string {
  mkdirSync(settings.dataDir, { recursive: true });
  const beside = join(settings.dataDir, SECRET_FILE_NAME);
  moveLegacySecret(db, beside);
  if (settings.configured) return settings.configured;
  if (settings.file) {
    if (!existsSync(settings.file)) {
      throw new UsageError(
        `BETTER_AUTH_SECRET_FILE=${JSON.stringify(settings.file)} does not exist`,
        "create it with `openssl rand -hex 32 > <file>` and `chmod 600 <file>`, or unset the variable",
      );
    }
    return readSecretFile(settings.file, "BETTER_AUTH_SECRET_FILE");
  }
  if (!existsSync(beside)) {
    writePrivate(beside, Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"));
  }
  chmodSync(beside, 0o600);
  return readSecretFile(beside, null);
}
