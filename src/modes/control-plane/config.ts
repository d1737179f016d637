// Control-plane configuration: environment variables only (reference §1). defaults → parse → validate →
// frozen object. A bad value stops startup with a UsageError naming the variable and the fix.
import { resolve } from "node:path";
import { UsageError } from "../../lib/errors.ts";
import { LOG_LEVELS, type LogLevel } from "../../lib/log.ts";

export interface ControlPlaneConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly databasePath: string;
  readonly publicUrl: string;
  /** False when publicUrl was derived from PORT (it then follows the port actually bound). */
  readonly publicUrlExplicit: boolean;
  readonly authSecret: string | null;
  /** A file holding the auth secret (BETTER_AUTH_SECRET_FILE); unset: `auth-secret` in the data directory. */
  readonly authSecretFile: string | null;
  readonly initialAdminEmail: string | null;
  readonly initialAdminPassword: string | null;
  readonly logLevel: LogLevel;
  readonly heartbeatTimeoutMs: number;
  readonly eventRetentionDays: number;
  readonly eventRetentionMaxPerOrg: number;
  readonly production: boolean;
  /** Tenancy (docs/tenancy.md): self-service sign-up, key rotation grace, invitation lifetime, SMTP. */
  readonly openSignUp: boolean;
  readonly apiKeyRotationGraceMs: number;
  readonly invitationTtlMs: number;
  readonly smtpUrl: string | null;
  readonly smtpFrom: string;
}

/** Every variable the control plane reads, with its documentation; a test checks docs/control-plane-env.md. */
export const CONTROL_PLANE_ENV = [
  "PORT",
  "DATABASE_URL",
  "NOVACULA_DATA_DIR",
  "BETTER_AUTH_URL",
  "BETTER_AUTH_SECRET",
  "BETTER_AUTH_SECRET_FILE",
  "INITIAL_ADMIN_EMAIL",
  "INITIAL_ADMIN_PASSWORD",
  "LOG_LEVEL",
  "HEARTBEAT_TIMEOUT_MS",
  "EVENT_RETENTION_DAYS",
  "EVENT_RETENTION_MAX_PER_ORG",
  "NODE_ENV",
  "OPEN_SIGN_UP",
  "API_KEY_ROTATION_GRACE_MS",
  "INVITATION_TTL_MS",
  "SMTP_URL",
  "SMTP_FROM",
] as const;

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${name}=${JSON.stringify(raw)} is not valid`,
      `set ${name} to a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new UsageError(`${name}=${JSON.stringify(raw)} is not valid`, `set ${name} to true or false`);
}

function url(name: string, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(
      `${name}=${JSON.stringify(raw)} is not a URL`,
      `set ${name} like https://novacula.example.com`,
    );
  }
  if (!/^https?:$/.test(parsed.protocol))
    throw new UsageError(`${name} must be http(s)`, `use an http:// or https:// URL`);
  if (raw.endsWith("/")) throw new UsageError(`${name} must not end with a slash`, `remove the trailing "/"`);
  return raw;
}

export function loadControlPlaneConfig(env: Env = process.env): ControlPlaneConfig {
  const port = integer(env, "PORT", 3000, 0, 65535);
  const dataDir = resolve(env.NOVACULA_DATA_DIR || ".novacula");
  let databasePath = resolve(dataDir, "cp.db");
  if (env.DATABASE_URL) {
    const match = /^file:(.+)$/.exec(env.DATABASE_URL);
    if (!match) {
      throw new UsageError(
        `DATABASE_URL=${JSON.stringify(env.DATABASE_URL)} is not supported`,
        "use an SQLite file URL such as file:/var/lib/novacula/cp.db",
      );
    }
    databasePath = resolve(match[1]!);
  }
  const secret = env.BETTER_AUTH_SECRET || null;
  if (secret !== null && secret.length < 32) {
    throw new UsageError(
      "BETTER_AUTH_SECRET is too short",
      "use at least 32 characters, e.g. `openssl rand -hex 32`",
    );
  }
  const adminPassword = env.INITIAL_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 12) {
    throw new UsageError("INITIAL_ADMIN_PASSWORD is too short", "use at least 12 characters");
  }
  const adminEmail = env.INITIAL_ADMIN_EMAIL || null;
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new UsageError(
      `INITIAL_ADMIN_EMAIL=${JSON.stringify(adminEmail)} is not an email address`,
      "use name@example.com",
    );
  }
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is not valid`,
      `use one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return Object.freeze({
    port,
    dataDir,
    databasePath,
    // Unset: the local URL; a public deployment sets it so cookies and install commands name the real host.
    publicUrl: env.BETTER_AUTH_URL ? url("BETTER_AUTH_URL", env.BETTER_AUTH_URL) : `http://localhost:${port}`,
    publicUrlExplicit: Boolean(env.BETTER_AUTH_URL),
    authSecret: secret,
    authSecretFile: env.BETTER_AUTH_SECRET_FILE ? resolve(env.BETTER_AUTH_SECRET_FILE) : null,
    initialAdminEmail: adminEmail,
    initialAdminPassword: adminPassword,
    logLevel,
    // "well above the 5 s poll": at least three sync intervals.
    heartbeatTimeoutMs: integer(env, "HEARTBEAT_TIMEOUT_MS", 30_000, 15_000, 3_600_000),
    eventRetentionDays: integer(env, "EVENT_RETENTION_DAYS", 90, 1, 36_500),
    eventRetentionMaxPerOrg: integer(env, "EVENT_RETENTION_MAX_PER_ORG", 100_000, 100, 100_000_000),
    production: env.NODE_ENV === "production",
    openSignUp: boolean(env, "OPEN_SIGN_UP", false),
    apiKeyRotationGraceMs: integer(env, "API_KEY_ROTATION_GRACE_MS", 86_400_000, 1_000, 30 * 86_400_000),
    invitationTtlMs: integer(env, "INVITATION_TTL_MS", 7 * 86_400_000, 1_000, 90 * 86_400_000),
    smtpUrl: smtpUrl(env.SMTP_URL),
    smtpFrom: env.SMTP_FROM || "Novacula <novacula@localhost>",
  });
}

function smtpUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  if (!/^smtps?:\/\/[^/\s]+(\/.*)?$/.test(raw)) {
    throw new UsageError(
      "SMTP_URL is not an SMTP URL",
      "use smtp://user:password@host:587 or smtps://user:password@host:465",
    );
  }
  return raw;
}
