// The agent's configuration pipeline: path resolution (--config/-c > NOVACULA_CONFIG > /etc/novacula/agent.toml)
// → TOML text → every key checked against AGENT_CONFIG_KEYS (unknown keys and bad values are errors naming the
// key and the fix, all at once; a retired key is a warning, so an older agent.toml still starts) → defaults →
// a frozen AgentConfig. The key table is also what the
// documentation test walks, so a key cannot exist without being documented in docs/agent-config.md.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { errorMessage, UsageError } from "../../lib/errors.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "../../lib/log.ts";
import { type Channel, EXECUTOR_NAME_PATTERN } from "../../protocol/executor-api.ts";
import { DEFAULT_FULL_PASS_SECS } from "./quiet-passes.ts";

export const DEFAULT_CONFIG_PATH = "/etc/novacula/agent.toml";
export const DEFAULT_DATA_DIR = "/var/lib/novacula";
export const DEFAULT_UNIT_DIR = "/etc/systemd/system";

export type SupervisorKind = "systemd" | "process";

/** Directories node units make invisible (ProtectHome=yes), so data_dir cannot be below them. */
const HIDDEN_FROM_NODES = ["/home", "/root", "/run/user"];

export interface AgentConfig {
  /** The file this came from. */
  readonly path: string;
  readonly agent: {
    readonly name: string;
    readonly dataDir: string;
    readonly publicHost?: string;
    readonly channel: Channel;
  };
  readonly controlPlane: { readonly url: string; readonly accessToken: string };
  readonly logging: { readonly level: LogLevel; readonly format: LogFormat };
  readonly reconciler: { readonly intervalSecs: number; readonly fullPassSecs: number };
  readonly reporter: { readonly intervalSecs: number; readonly scrapeTimeoutMs: number };
  readonly supervisor: { readonly kind: SupervisorKind; readonly unitDir: string };
  /** `[metrics] listen`: where GET /metrics is served (a loopback address); null: not served. */
  readonly metrics: { readonly listen: { readonly host: string; readonly port: number } | null };
  /** Retired keys the file still sets: each is ignored, and the agent logs why once at start. */
  readonly warnings: readonly string[];
}

type Value = string | number;
/** A value check: returns the problem (with the fix), or null when fine. */
type Check = (value: unknown) => string | null;

export interface ConfigKey {
  section: string;
  key: string;
  /** Default as documented (computed defaults are described in words). */
  defaultText: string;
  check: Check;
}

const isString = (v: unknown): v is string => typeof v === "string";
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    isString(v) && allowed.includes(v) ? null : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
const integer =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? null
      : `must be a whole number from ${min} to ${max}`;
const pattern =
  (re: RegExp, what: string): Check =>
  (v) =>
    isString(v) && re.test(v) ? null : `must be ${what}`;
const absolutePath: Check = (v) =>
  isString(v) && isAbsolute(v) && !v.includes("\0")
    ? null
    : "must be an absolute path, e.g. /var/lib/novacula";
const httpUrl: Check = (v) => {
  if (!isString(v)) return 'must be a URL such as "https://novacula.example.com"';
  try {
    const url = new URL(v);
    if (url.protocol !== "http:" && url.protocol !== "https:") return "must start with http:// or https://";
  } catch {
    return 'must be a URL such as "https://novacula.example.com"';
  }
  return v.endsWith("/") ? "must not end with a slash: remove the trailing /" : null;
};
/** "127.0.0.1:9469" or "[::1]:9469" → host and port; anything else (not loopback, no port) → null. */
function parseLoopbackListen(v: string): { host: string; port: number } | null {
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(v);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return null;
  return { host: match[1] === "[::1]" ? "::1" : match[1]!, port };
}
const loopbackListen: Check = (v) =>
  isString(v) && parseLoopbackListen(v)
    ? null
    : 'must be a loopback address and port such as "127.0.0.1:9469" (node metrics are not for the network; scrape through a local Prometheus agent or an SSH tunnel)';
const accessToken: Check = (v) =>
  isString(v) && /^exc_[A-Za-z0-9_-]{8,}$/.test(v)
    ? null
    : 'must be an executor key starting with "exc_" (copy it again: stray whitespace is a common cause)';

export const AGENT_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    section: "agent",
    key: "name",
    defaultText: "$HOSTNAME, then agent",
    check: pattern(
      new RegExp(EXECUTOR_NAME_PATTERN),
      "1-63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
    ),
  },
  { section: "agent", key: "data_dir", defaultText: DEFAULT_DATA_DIR, check: absolutePath },
  {
    section: "agent",
    key: "public_host",
    defaultText: "unset",
    check: pattern(
      /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/,
      "a host name such as node1.example.com",
    ),
  },
  { section: "agent", key: "channel", defaultText: "stable", check: oneOf("stable", "beta", "dev") },
  { section: "control_plane", key: "url", defaultText: "required", check: httpUrl },
  {
    section: "control_plane",
    key: "access_token",
    defaultText: "required, or in <data_dir>/credentials.json",
    check: accessToken,
  },
  { section: "logging", key: "level", defaultText: "info", check: oneOf(...LOG_LEVELS) },
  { section: "logging", key: "format", defaultText: "json", check: oneOf("json", "pretty") },
  { section: "reconciler", key: "interval_secs", defaultText: "5", check: integer(1, 3600) },
  {
    section: "reconciler",
    key: "full_pass_secs",
    defaultText: String(DEFAULT_FULL_PASS_SECS),
    check: integer(1, 3600),
  },
  { section: "reporter", key: "interval_secs", defaultText: "10", check: integer(1, 3600) },
  { section: "reporter", key: "scrape_timeout_ms", defaultText: "5000", check: integer(100, 60_000) },
  {
    section: "supervisor",
    key: "kind",
    defaultText: "systemd when PID 1 is systemd, else required",
    check: oneOf("systemd", "process"),
  },
  { section: "supervisor", key: "unit_dir", defaultText: DEFAULT_UNIT_DIR, check: absolutePath },
  { section: "metrics", key: "listen", defaultText: "unset (no /metrics)", check: loopbackListen },
];

/**
 * Keys an earlier agent read and this one ignores, with why: an agent.toml written for an older agent must
 * not stop the agent from starting, but its owner should learn the setting does nothing.
 */
export const RETIRED_AGENT_CONFIG_KEYS: readonly { section: string; key: string; why: string }[] = [
  {
    section: "agent",
    key: "artifacts_url",
    why: "client binaries now arrive with each node's spec from the control plane's artifact store (or from their upstream URL when the control plane runs with ARTIFACT_SOURCE=upstream), so there is no artifact URL to configure: remove the line",
  },
];

/** --config/-c, then NOVACULA_CONFIG, then /etc/novacula/agent.toml. */
export function resolveConfigPath(
  flagPath: string | undefined,
  env: Record<string, string | undefined>,
): string {
  return flagPath ?? (env.NOVACULA_CONFIG || undefined) ?? DEFAULT_CONFIG_PATH;
}

export interface ParseOptions {
  path: string;
  env: Record<string, string | undefined>;
  /** Whether PID 1 of this host is systemd (decides the default supervisor). */
  pid1IsSystemd: () => boolean;
  /** The access token from <data_dir>/credentials.json, or null when there is none. */
  readCredentials: (dataDir: string) => string | null;
}

/** Parse and validate agent.toml text; throws one UsageError listing every problem. */
export function parseAgentConfig(text: string, options: ParseOptions): AgentConfig {
  const where = options.path;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${where} is not valid TOML: ${errorMessage(error)}`, "fix the line shown above");
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const values = new Map<string, Value>();
  const retired = new Map(RETIRED_AGENT_CONFIG_KEYS.map((k) => [`${k.section}.${k.key}`, k.why]));
  const known = new Map(AGENT_CONFIG_KEYS.map((k) => [`${k.section}.${k.key}`, k]));
  const sections = new Set(AGENT_CONFIG_KEYS.map((k) => k.section));
  for (const [section, body] of Object.entries(doc)) {
    if (!sections.has(section)) {
      problems.push(
        `unknown section [${section}]: remove it (sections: ${[...sections].map((s) => `[${s}]`).join(" ")})`,
      );
      continue;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      problems.push(`${section} must be a [${section}] table`);
      continue;
    }
    for (const [key, value] of Object.entries(body)) {
      const why = retired.get(`${section}.${key}`);
      if (why !== undefined) {
        warnings.push(`[${section}] ${key} in ${where} is ignored: ${why}`);
        continue;
      }
      const spec = known.get(`${section}.${key}`);
      if (!spec) {
        const keys = AGENT_CONFIG_KEYS.filter((k) => k.section === section).map((k) => k.key);
        problems.push(
          `unknown key [${section}] ${key}: remove it (keys of [${section}]: ${keys.join(", ")})`,
        );
        continue;
      }
      const problem = spec.check(value);
      if (problem) problems.push(`[${section}] ${key} ${problem} (got ${JSON.stringify(value)})`);
      else values.set(`${section}.${key}`, value as Value);
    }
  }
  const get = <T extends Value>(id: string, fallback: T): T => (values.get(id) as T | undefined) ?? fallback;

  const hostname = options.env.HOSTNAME?.trim();
  const nameFromHost = hostname && new RegExp(EXECUTOR_NAME_PATTERN).test(hostname) ? hostname : undefined;
  const dataDir = get("agent.data_dir", DEFAULT_DATA_DIR);
  const url = values.get("control_plane.url") as string | undefined;
  if (url === undefined && !problems.some((p) => p.startsWith("[control_plane] url"))) {
    problems.push(
      '[control_plane] url is required: set it to the control plane\'s address, e.g. "https://novacula.example.com"',
    );
  }
  let token = values.get("control_plane.access_token") as string | undefined;
  if (token === undefined && !problems.some((p) => p.startsWith("[control_plane] access_token"))) {
    try {
      const stored = options.readCredentials(dataDir);
      if (stored !== null) {
        const problem = accessToken(stored);
        if (problem) problems.push(`accessToken in ${join(dataDir, "credentials.json")} ${problem}`);
        else token = stored;
      } else {
        problems.push(
          `[control_plane] access_token is required: set it, or write {"accessToken": "exc_…"} to ${join(dataDir, "credentials.json")}`,
        );
      }
    } catch (error) {
      problems.push(`${join(dataDir, "credentials.json")} is unreadable: ${errorMessage(error)}`);
    }
  }
  let kind = values.get("supervisor.kind") as SupervisorKind | undefined;
  if (kind === undefined && !problems.some((p) => p.startsWith("[supervisor] kind"))) {
    if (options.pid1IsSystemd()) kind = "systemd";
    else {
      problems.push(
        '[supervisor] kind is required on this host: PID 1 is not systemd, so set kind = "process" to run nodes as direct children of the agent (or run the agent on a systemd host)',
      );
    }
  }
  // Node units hide home directories (ProtectHome=yes): nodes under one could not see their own directory.
  const home = HIDDEN_FROM_NODES.find((dir) => dataDir === dir || dataDir.startsWith(`${dir}/`));
  if (kind === "systemd" && home) {
    problems.push(
      `[agent] data_dir ${dataDir} is under ${home}, which node processes cannot see (their units set ProtectHome=yes): choose a directory outside /home, /root and /run/user, such as ${DEFAULT_DATA_DIR}`,
    );
  }
  if (problems.length > 0) {
    throw new UsageError(
      `${where}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`}`,
      "see docs/agent-config.md for every key, its default and its allowed values",
    );
  }
  const publicHost = values.get("agent.public_host") as string | undefined;
  const listen = values.get("metrics.listen") as string | undefined;
  const config: AgentConfig = {
    path: where,
    agent: {
      name: get("agent.name", nameFromHost ?? "agent"),
      dataDir,
      ...(publicHost ? { publicHost } : {}),
      channel: get("agent.channel", "stable") as Channel,
    },
    controlPlane: { url: url!, accessToken: token! },
    logging: {
      level: get("logging.level", "info") as LogLevel,
      format: get("logging.format", "json") as LogFormat,
    },
    reconciler: {
      intervalSecs: get("reconciler.interval_secs", 5),
      fullPassSecs: get("reconciler.full_pass_secs", DEFAULT_FULL_PASS_SECS),
    },
    reporter: {
      intervalSecs: get("reporter.interval_secs", 10),
      scrapeTimeoutMs: get("reporter.scrape_timeout_ms", 5000),
    },
    supervisor: { kind: kind!, unitDir: get("supervisor.unit_dir", DEFAULT_UNIT_DIR) },
    metrics: { listen: listen ? parseLoopbackListen(listen) : null },
    warnings,
  };
  return deepFreeze(config);
}

/** The accessToken of <data_dir>/credentials.json, null when the file does not exist. */
export function readCredentialsFile(dataDir: string): string | null {
  const path = join(dataDir, "credentials.json");
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { accessToken?: unknown };
  if (typeof parsed?.accessToken !== "string") throw new Error('expected {"accessToken": "exc_…"}');
  return parsed.accessToken.trim();
}

export function pid1IsSystemd(): boolean {
  try {
    return readFileSync("/proc/1/comm", "utf8").trim() === "systemd";
  } catch {
    return false;
  }
}

/** Resolve the path, read the file and parse it, with this host's environment. */
export function loadAgentConfig(flagPath: string | undefined, env = process.env): AgentConfig {
  const path = resolveConfigPath(flagPath, env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `no agent config at ${path}` : `cannot read ${path}: ${errorMessage(error)}`,
      "write it as docs/agent-config.md shows, or point --config / NOVACULA_CONFIG at it",
    );
  }
  return parseAgentConfig(text, { path, env, pid1IsSystemd, readCredentials: readCredentialsFile });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
