// Control-plane configuration: environment variables only (reference §1). defaults → parse → validate →
// frozen object. A bad value stops startup with a UsageError naming the variable and the fix. The list of
// variables with their documentation lives in env-vars.ts (--help prints it; a test checks the docs).
import { BlockList, isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../../lib/errors.ts";
import { LOG_LEVELS, type LogLevel } from "../../lib/log.ts";
import { PENDING_UPGRADE_TTL_MS } from "../../protocol/upgrade.ts";

export { CONTROL_PLANE_ENV } from "./env-vars.ts";

export interface ControlPlaneConfig {
  readonly port: number;
  /** Bind address (HOST). */
  readonly host: string;
  readonly dataDir: string;
  readonly databasePath: string;
  readonly publicUrl: string;
  /** False when publicUrl was derived from PORT (it then follows the port actually bound). */
  readonly publicUrlExplicit: boolean;
  /** Origins sign-in accepts: the public URL's, plus its loopback aliases when it is a loopback URL. */
  readonly trustedOrigins: readonly string[];
  /** Peers whose X-Forwarded-For names the client (TRUSTED_PROXIES); null when none are trusted. */
  readonly trustedProxies: TrustedProxies | null;
  readonly authSecret: string | null;
  /** A file holding the auth secret (BETTER_AUTH_SECRET_FILE); unset: `auth-secret` in the data directory. */
  readonly authSecretFile: string | null;
  readonly initialAdminEmail: string | null;
  readonly initialAdminPassword: string | null;
  readonly logLevel: LogLevel;
  readonly heartbeatTimeoutMs: number;
  /** How long a requested executor upgrade waits to be carried out (PENDING_UPGRADE_TTL_MS). */
  readonly pendingUpgradeTtlMs: number;
  readonly eventRetentionDays: number;
  readonly eventRetentionMaxPerOrg: number;
  readonly production: boolean;
  /** Tenancy (docs/tenancy.md): self-service sign-up, key rotation grace, invitation lifetime, SMTP. */
  readonly openSignUp: boolean;
  readonly apiKeyRotationGraceMs: number;
  readonly invitationTtlMs: number;
  readonly smtpUrl: string | null;
  readonly smtpFrom: string;
  /** Bearer token that turns GET /metrics on (METRICS_TOKEN); null: /metrics is off. */
  readonly metricsToken: string | null;
  /** Webhook retries (docs/webhooks.md): the first retry's delay, and attempts per delivery. */
  readonly webhookRetryBaseMs: number;
  readonly webhookMaxAttempts: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: webhooks may go to internal addresses, not only public ones and loopback. */
  readonly webhookAllowPrivateNetworks: boolean;
  /** OBSERVATION_LISTENERS: false only to measure what the listeners (history, alerts) cost. */
  readonly observationListeners: boolean;
  /** ARTIFACT_SOURCE: where executors fetch client files (the control plane's store, or upstream directly). */
  readonly artifactSource: "control-plane" | "upstream";
}

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
  // The same check better-auth applies when it creates the user (zod's email rule): an address it would
  // refuse must stop startup here, naming the variable, rather than fail later inside the library.
  if (adminEmail !== null && !z.email().safeParse(adminEmail).success) {
    throw new UsageError(
      `INITIAL_ADMIN_EMAIL=${JSON.stringify(adminEmail)} is not an email address the sign-in accepts`,
      "use a full address such as admin@example.com (the domain needs a dot and a top-level name of two letters or more)",
    );
  }
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is not valid`,
      `use one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  const production = env.NODE_ENV === "production";
  if (production && !env.BETTER_AUTH_URL) {
    throw new UsageError(
      "BETTER_AUTH_URL is required when NODE_ENV=production",
      "set BETTER_AUTH_URL to the URL people and executors reach this control plane at, e.g. https://novacula.example.com",
    );
  }
  // Unset: the local URL; a public deployment sets it so cookies and install commands name the real host.
  const publicUrl = env.BETTER_AUTH_URL
    ? url("BETTER_AUTH_URL", env.BETTER_AUTH_URL)
    : `http://localhost:${port}`;
  return Object.freeze({
    port,
    host: host(env.HOST),
    dataDir,
    databasePath,
    publicUrl,
    publicUrlExplicit: Boolean(env.BETTER_AUTH_URL),
    trustedOrigins: trustedOrigins(publicUrl),
    trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    authSecret: secret,
    authSecretFile: env.BETTER_AUTH_SECRET_FILE ? resolve(env.BETTER_AUTH_SECRET_FILE) : null,
    initialAdminEmail: adminEmail,
    initialAdminPassword: adminPassword,
    logLevel,
    // "well above the 5 s poll": at least three sync intervals.
    heartbeatTimeoutMs: integer(env, "HEARTBEAT_TIMEOUT_MS", 30_000, 15_000, 3_600_000),
    pendingUpgradeTtlMs: integer(env, "PENDING_UPGRADE_TTL_MS", PENDING_UPGRADE_TTL_MS, 1_000, 86_400_000),
    eventRetentionDays: integer(env, "EVENT_RETENTION_DAYS", 90, 1, 36_500),
    eventRetentionMaxPerOrg: integer(env, "EVENT_RETENTION_MAX_PER_ORG", 100_000, 100, 100_000_000),
    production,
    openSignUp: boolean(env, "OPEN_SIGN_UP", false),
    apiKeyRotationGraceMs: integer(env, "API_KEY_ROTATION_GRACE_MS", 86_400_000, 1_000, 30 * 86_400_000),
    invitationTtlMs: integer(env, "INVITATION_TTL_MS", 7 * 86_400_000, 1_000, 90 * 86_400_000),
    smtpUrl: smtpUrl(env.SMTP_URL),
    smtpFrom: env.SMTP_FROM || "Novacula <novacula@localhost>",
    metricsToken: metricsToken(env.METRICS_TOKEN),
    webhookRetryBaseMs: integer(env, "WEBHOOK_RETRY_BASE_MS", 10_000, 10, 3_600_000),
    webhookMaxAttempts: integer(env, "WEBHOOK_MAX_ATTEMPTS", 12, 1, 50),
    webhookAllowPrivateNetworks: boolean(env, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", false),
    observationListeners: boolean(env, "OBSERVATION_LISTENERS", true),
    artifactSource: artifactSource(env.ARTIFACT_SOURCE),
  });
}

function artifactSource(raw: string | undefined): "control-plane" | "upstream" {
  if (!raw || raw === "control-plane") return "control-plane";
  if (raw === "upstream") return "upstream";
  throw new UsageError(
    `ARTIFACT_SOURCE=${JSON.stringify(raw)} is not valid`,
    "set ARTIFACT_SOURCE to control-plane (hosts download client files from this control plane) or upstream (hosts fetch them from the upstream URLs)",
  );
}

function metricsToken(raw: string | undefined): string | null {
  if (!raw) return null;
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new UsageError(
      "METRICS_TOKEN is too short or contains whitespace",
      "use at least 32 characters without spaces, e.g. `openssl rand -hex 32`",
    );
  }
  return raw;
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

function host(raw: string | undefined): string {
  if (!raw) return "0.0.0.0";
  // An IP literal, or a host name this machine resolves (e.g. localhost); binding it is checked at start.
  if (isIP(raw) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(raw))
    return raw;
  throw new UsageError(
    `HOST=${JSON.stringify(raw)} is not an address`,
    "set HOST to an address of this machine, e.g. 0.0.0.0 (every interface), 127.0.0.1 or ::",
  );
}

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** True when the URL names this machine only (a remote host reaching it would reach itself). */
export function isLoopbackUrl(publicUrl: string): boolean {
  const { hostname } = new URL(publicUrl);
  return LOOPBACK_HOSTS.includes(hostname) || hostname.startsWith("127.") || hostname.endsWith(".localhost");
}

/**
 * The public URL's origin; for a loopback public URL also the other loopback spellings on the same port,
 * so the page works whether it was opened at localhost or 127.0.0.1. A real URL is trusted as it is.
 */
export function trustedOrigins(publicUrl: string): string[] {
  const parsed = new URL(publicUrl);
  if (!isLoopbackUrl(publicUrl)) return [parsed.origin];
  const port = parsed.port ? `:${parsed.port}` : "";
  return [parsed.origin, ...LOOPBACK_HOSTS.map((h) => `${parsed.protocol}//${h}${port}`)].filter(
    (origin, i, all) => all.indexOf(origin) === i,
  );
}

/** The proxies TRUSTED_PROXIES names; `has` answers for a socket address. */
export interface TrustedProxies {
  readonly entries: readonly string[];
  has(address: string): boolean;
}

function trustedProxies(raw: string | undefined): TrustedProxies | null {
  if (!raw) return null;
  const list = new BlockList();
  const entries = raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (
      family === 0 ||
      rest.length > 0 ||
      !Number.isInteger(bits) ||
      bits < 0 ||
      bits > (family === 6 ? 128 : 32)
    ) {
      throw new UsageError(
        `TRUSTED_PROXIES entry ${JSON.stringify(entry)} is not an address or CIDR range`,
        "list the reverse proxies' addresses, comma-separated, e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8,fd00::/8",
      );
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return {
    entries,
    has(address: string) {
      // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
      const plain =
        address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? "ipv6" : "ipv4");
    },
  };
}
