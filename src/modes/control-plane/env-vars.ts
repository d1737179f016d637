// The control plane's environment variables, each with its default and meaning: the one list that
// `novacula control-plane --help` prints, that config.ts reads, and that a test compares with
// docs/control-plane-env.md (the binary ships without the docs, so --help must carry the list itself).

export interface EnvVar {
  readonly name: string;
  readonly defaultText: string;
  readonly meaning: string;
}

export const CONTROL_PLANE_ENV_VARS = [
  {
    name: "PORT",
    defaultText: "3000",
    meaning: "HTTP port (0 picks a free one); a taken port stops startup",
  },
  {
    name: "HOST",
    defaultText: "0.0.0.0",
    meaning: "address to listen on (127.0.0.1 behind a reverse proxy on the same host)",
  },
  { name: "NOVACULA_DATA_DIR", defaultText: "./.novacula", meaning: "data directory: cp.db and artifacts/" },
  { name: "DATABASE_URL", defaultText: "file:<data dir>/cp.db", meaning: "SQLite file URL" },
  {
    name: "BETTER_AUTH_URL",
    defaultText: "http://localhost:<PORT> (required when NODE_ENV=production)",
    meaning: "public base URL: sign-in origin, links and install commands",
  },
  {
    name: "BETTER_AUTH_SECRET",
    defaultText: "unset",
    meaning: "at least 32 characters; signs session cookies (else the secret file below)",
  },
  {
    name: "BETTER_AUTH_SECRET_FILE",
    defaultText: "<data dir>/auth-secret, generated with mode 600",
    meaning: "a file holding the secret, kept outside the database",
  },
  {
    name: "INITIAL_ADMIN_EMAIL",
    defaultText: "required on a fresh database",
    meaning: "email of the first system admin",
  },
  {
    name: "INITIAL_ADMIN_PASSWORD",
    defaultText: "required on a fresh database",
    meaning: "password of the first system admin (at least 12 characters)",
  },
  { name: "LOG_LEVEL", defaultText: "info", meaning: "debug, info, warn or error" },
  {
    name: "HEARTBEAT_TIMEOUT_MS",
    defaultText: "30000",
    meaning: "silence before an executor is offline (at least 15000)",
  },
  {
    name: "PENDING_UPGRADE_TTL_MS",
    defaultText: "900000",
    meaning:
      "how long a requested executor upgrade waits to be carried out before it must be requested again",
  },
  {
    name: "EVENT_RETENTION_DAYS",
    defaultText: "90",
    meaning: "age limit of runtime events and resolved alert incidents",
  },
  {
    name: "EVENT_RETENTION_MAX_PER_ORG",
    defaultText: "100000",
    meaning: "runtime events kept per organization",
  },
  {
    name: "NODE_ENV",
    defaultText: "unset",
    meaning: "production: no introspection; BETTER_AUTH_URL required",
  },
  { name: "OPEN_SIGN_UP", defaultText: "false", meaning: "true lets anyone create an account" },
  {
    name: "TRUSTED_PROXIES",
    defaultText: "unset",
    meaning: "comma-separated proxy addresses/CIDRs whose X-Forwarded-For names the client",
  },
  {
    name: "API_KEY_ROTATION_GRACE_MS",
    defaultText: "86400000",
    meaning: "how long a rotated key stays valid",
  },
  { name: "INVITATION_TTL_MS", defaultText: "604800000", meaning: "how long an invitation link stays valid" },
  { name: "SMTP_URL", defaultText: "unset", meaning: "smtp(s)://user:pass@host:port to email invitations" },
  { name: "SMTP_FROM", defaultText: "Novacula <novacula@localhost>", meaning: "sender of invitation emails" },
  {
    name: "METRICS_TOKEN",
    defaultText: "unset (/metrics off)",
    meaning: "at least 32 characters; GET /metrics answers Authorization: Bearer <it>",
  },
  {
    name: "WEBHOOK_RETRY_BASE_MS",
    defaultText: "10000",
    meaning: "delay before a failed webhook delivery's first retry; each next one doubles (10..3600000)",
  },
  {
    name: "WEBHOOK_MAX_ATTEMPTS",
    defaultText: "12",
    meaning: "attempts per webhook delivery, the first included (1..50)",
  },
  {
    name: "WEBHOOK_ALLOW_PRIVATE_NETWORKS",
    defaultText: "false",
    meaning:
      "true lets webhooks reach private, link-local and other internal addresses (loopback and public ones always can)",
  },
  {
    name: "OBSERVATION_LISTENERS",
    defaultText: "true",
    meaning: "false: nothing reacts to observations (no history, alerts or live updates); for benchmarks",
  },
  {
    name: "ARTIFACT_SOURCE",
    defaultText: "control-plane",
    meaning:
      "where hosts fetch client files: control-plane (this server downloads, verifies and serves them) or upstream",
  },
] as const satisfies readonly EnvVar[];

export type ControlPlaneEnvName = (typeof CONTROL_PLANE_ENV_VARS)[number]["name"];

/** The variable names, in documentation order. */
export const CONTROL_PLANE_ENV: readonly ControlPlaneEnvName[] = CONTROL_PLANE_ENV_VARS.map((v) => v.name);

/** The variables as `--help` prints them: one aligned line each. */
export function environmentHelp(): string {
  const width = Math.max(...CONTROL_PLANE_ENV_VARS.map((v) => v.name.length));
  return CONTROL_PLANE_ENV_VARS.map(
    (v) => `  ${v.name.padEnd(width)}  ${v.meaning} (default: ${v.defaultText})`,
  ).join("\n");
}
