// Validation and conversion helpers every adapter shares: the chain/network/client target, override lists
// (managed keys rejected with their path, unknown ones passed through), ports, typed settings and resource
// quantities. Pure functions; each returns every problem it finds, never just the first.
import type { ChainCapability } from "../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import type { ConfigOverrideSchema, HostPort, PlanEnv } from "../types.ts";

/** What one client of an executor accepts: listed versions, or any inside a semver range (see capabilities). */
export interface ClientOffer {
  versions: readonly string[];
  versionRange?: string;
  /** network → minimum range, e.g. { hoodi: ">=1.15.0" }. */
  versionConstraints?: Readonly<Record<string, string>>;
}

export interface TargetInfo {
  chain: string;
  networks: readonly string[];
  nodeTypes: readonly ("full" | "archive")[];
  /** role → client name → what it accepts. */
  roles: Readonly<Record<string, Readonly<Record<string, ClientOffer>>>>;
}

/**
 * True when `version` is a semver inside `range` (Bun's semver: no I/O, also in the operator). A two-part
 * version ("29.1", Bitcoin Core's numbering) is read as "29.1.0", which Bun's semver would otherwise refuse.
 */
export function versionSatisfies(version: string, range: string): boolean {
  try {
    return Bun.semver.satisfies(version.replace(/^v/, "").replace(/^(\d+\.\d+)$/, "$1.0"), range);
  } catch {
    return false;
  }
}

/** The version problems of one client: outside what the executor runs, or below the network's minimum. */
function versionProblem(version: string, name: string, network: string, offer: ClientOffer): string | null {
  const minimum = offer.versionConstraints?.[network];
  if (minimum !== undefined && !versionSatisfies(version, minimum)) {
    return `${name} ${version} is below the ${network} minimum (${minimum}): choose a newer version`;
  }
  if (offer.versionRange !== undefined) {
    return versionSatisfies(version, offer.versionRange)
      ? null
      : `${name} ${version} is outside the versions this executor can run (${offer.versionRange}): choose one inside it or upgrade the executor`;
  }
  return offer.versions.includes(version)
    ? null
    : `${name} ${version} is not supported by this executor: use ${list(offer.versions)}`;
}

const list = (items: readonly string[]) => items.map((i) => JSON.stringify(i)).join(", ");

/** Chain, network, node type and clients: the closed lists of an adapter. */
function validateTarget(spec: NodeSpec, info: TargetInfo): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  if (spec.chain !== info.chain) {
    errors.push({
      path: "/chain",
      message: `this adapter serves chain "${info.chain}", not "${spec.chain}"`,
    });
  }
  if (!info.networks.includes(spec.network)) {
    errors.push({
      path: "/network",
      message: `unknown network "${spec.network}": use one of ${list(info.networks)}`,
    });
  }
  if (!info.nodeTypes.includes(spec.nodeType)) {
    errors.push({
      path: "/nodeType",
      message: `node type "${spec.nodeType}" is not offered for ${info.chain}: use ${list(info.nodeTypes)}`,
    });
  }
  const roles = Object.keys(info.roles);
  for (const [role, ref] of Object.entries(spec.clients)) {
    const clients = info.roles[role];
    if (!clients) {
      errors.push({
        path: `/clients/${role}`,
        message: `unknown role "${role}": ${info.chain} has ${list(roles)}`,
      });
      continue;
    }
    const offer = clients[ref.name];
    if (!offer) {
      errors.push({
        path: `/clients/${role}/name`,
        message: `client "${ref.name}" cannot fill role "${role}": use ${list(Object.keys(clients))}`,
      });
      continue;
    }
    const problem = versionProblem(ref.version, ref.name, spec.network, offer);
    if (problem) errors.push({ path: `/clients/${role}/version`, message: problem });
  }
  for (const role of roles) {
    if (!spec.clients[role])
      errors.push({ path: `/clients/${role}`, message: `role "${role}" needs a client` });
  }
  return errors;
}

/**
 * What an executor offers for one chain (its capability: networks, node types, clients and versions, override
 * schema) held against the spec: the target checks and both override checks.
 */
export function validateOffer(spec: NodeSpec, offered: ChainCapability): ErrorDetail[] {
  const roles = Object.fromEntries(
    offered.roles.map((r) => [r.role, Object.fromEntries(r.clients.map((c) => [c.name, c]))]),
  );
  return [
    ...validateTarget(spec, {
      chain: offered.chain,
      networks: offered.networks,
      nodeTypes: offered.nodeTypes,
      roles,
    }),
    ...validateArgOverrides(spec, offered.configOverrideSchema),
    ...validateFileOverrides(spec, offered.configOverrideSchema),
  ];
}

/** The flag an argument sets: "--port=1" and "--port" both set "--port". */
export function flagOf(arg: string): string | null {
  if (!arg.startsWith("-")) return null;
  const eq = arg.indexOf("=");
  return eq === -1 ? arg : arg.slice(0, eq);
}

/** spec.overrides.args: keys must name a client of the schema; managed flags are rejected at their index. */
function validateArgOverrides(spec: NodeSpec, schema: ConfigOverrideSchema): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const clients = Object.keys(schema.args);
  for (const [client, args] of Object.entries(spec.overrides?.args ?? {})) {
    const entry = schema.args[client];
    if (!entry) {
      errors.push({
        path: `/overrides/args/${client}`,
        message: `no process named "${client}" takes arguments here: use ${list(clients) || "none"}`,
      });
      continue;
    }
    args.forEach((arg, index) => {
      const flag = flagOf(arg);
      if (flag && entry.managedFlags.includes(flag)) {
        errors.push({
          path: `/overrides/args/${client}/${index}`,
          message: `${flag} is managed by Novacula and cannot be overridden: remove it (managed: ${entry.managedFlags.join(" ")})`,
        });
      }
    });
  }
  return errors;
}

/** spec.overrides.files: file names must be known; managed key paths are rejected with their path. */
function validateFileOverrides(spec: NodeSpec, schema: ConfigOverrideSchema): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const files = Object.keys(schema.files);
  for (const [file, keys] of Object.entries(spec.overrides?.files ?? {})) {
    const entry = schema.files[file];
    if (!entry) {
      errors.push({
        path: `/overrides/files/${file}`,
        message: files.length
          ? `unknown config file "${file}": use ${list(files)}`
          : "this client reads no config file: use overrides.args instead",
      });
      continue;
    }
    for (const key of Object.keys(keys)) {
      if (entry.managedPaths.includes(key)) {
        errors.push({
          path: `/overrides/files/${file}/${key}`,
          message: `${key} is managed by Novacula and cannot be overridden: remove it`,
        });
      }
    }
  }
  return errors;
}

/** spec.ports over the adapter's defaults; unknown port names are rejected. */
export function resolvePorts<K extends string>(
  spec: NodeSpec,
  defaults: Readonly<Record<K, number>>,
  errors: ErrorDetail[],
): Record<K, number> {
  const ports: Record<K, number> = { ...defaults };
  for (const [name, port] of Object.entries(spec.ports ?? {})) {
    if (!(name in defaults)) {
      errors.push({
        path: `/ports/${name}`,
        message: `unknown port "${name}": use ${list(Object.keys(defaults))}`,
      });
    } else ports[name as K] = port;
  }
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports) as [string, number][]) {
    const other = seen.get(port);
    if (other) errors.push({ path: `/ports/${name}`, message: `port ${port} is already used by "${other}"` });
    seen.set(port, name);
  }
  return ports;
}

/** The ports resolvePorts() gives, each with its spec path and whether the spec set it (for hostPorts()). */
export function hostPortsOf<K extends string>(
  spec: NodeSpec,
  defaults: Readonly<Record<K, number>>,
  /** Ports that listen on more than tcp (P2P: tcp and udp; QUIC: udp), so a port plan checks each. */
  protocols: Readonly<Partial<Record<string, readonly ("tcp" | "udp")[]>>> = {},
): HostPort[] {
  return (Object.entries(defaults) as [string, number][]).map(([name, port]) => {
    const set = spec.ports && Object.hasOwn(spec.ports, name) ? spec.ports[name] : undefined;
    const listens = protocols[name];
    return {
      path: `/ports/${name}`,
      port: set ?? port,
      explicit: set !== undefined,
      ...(listens ? { protocols: listens } : {}),
    };
  });
}

export interface IntSetting {
  default: number;
  min: number;
  max: number;
  description: string;
}

/** spec.settings: integers in range, unknown names rejected. Returns every setting with its default filled. */
export function resolveIntSettings<K extends string>(
  spec: NodeSpec,
  known: Readonly<Record<K, IntSetting>>,
  errors: ErrorDetail[],
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const [name, def] of Object.entries(known) as [K, IntSetting][]) out[name] = def.default;
  for (const [name, value] of Object.entries(spec.settings ?? {})) {
    const def = (known as Record<string, IntSetting | undefined>)[name];
    if (!def) {
      errors.push({ path: `/settings/${name}`, message: `unknown setting: use ${list(Object.keys(known))}` });
    } else if (typeof value !== "number" || !Number.isInteger(value) || value < def.min || value > def.max) {
      errors.push({
        path: `/settings/${name}`,
        message: `${def.description} must be an integer from ${def.min} to ${def.max}`,
      });
    } else out[name as K] = value;
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

function splitQuantity(quantity: string): [number, string] {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new TypeError(`not a quantity: ${quantity}`);
  return [Number(match[1]), match[2] ?? ""];
}

/** "500m" → 0.5, "2" → 2 (Kubernetes CPU quantity). */
export function cpuCores(quantity: string): number {
  const [value, unit] = splitQuantity(quantity);
  if (unit === "m") return value / 1000;
  if (unit !== "") throw new TypeError(`not a CPU quantity: ${quantity}`);
  return value;
}

/** "16Gi" → bytes (Kubernetes memory/storage quantity). */
export function quantityBytes(quantity: string): number {
  const [value, unit] = splitQuantity(quantity);
  const factor = BYTE_UNITS[unit];
  if (factor === undefined) throw new TypeError(`not a byte quantity: ${quantity}`);
  return Math.round(value * factor);
}

/** spec.resources limits → best-effort process limits (requests are scheduling hints, not limits). */
export function resourceLimits(
  spec: NodeSpec,
  errors: ErrorDetail[],
): { cpuQuotaPercent?: number; memoryMaxBytes?: number } {
  const out: { cpuQuotaPercent?: number; memoryMaxBytes?: number } = {};
  const { cpuLimit, memoryLimit } = spec.resources ?? {};
  try {
    if (cpuLimit !== undefined) out.cpuQuotaPercent = Math.max(1, Math.round(cpuCores(cpuLimit) * 100));
  } catch {
    errors.push({ path: "/resources/cpuLimit", message: 'a CPU quantity such as "2" or "500m"' });
  }
  try {
    if (memoryLimit !== undefined) out.memoryMaxBytes = quantityBytes(memoryLimit);
  } catch {
    errors.push({ path: "/resources/memoryLimit", message: 'a memory quantity such as "4Gi"' });
  }
  return out;
}

/**
 * The installed path of a role's artifact (PlanEnv.artifacts), or an error naming what the control plane did
 * not deliver: its client catalog has no such file for this version, platform or network.
 */
export function requireArtifact(
  env: PlanEnv,
  spec: NodeSpec,
  role: string,
  name: string,
  errors: ErrorDetail[],
): string {
  const path = env.artifacts?.[role]?.[name];
  if (path !== undefined) return path;
  const client = spec.clients[role];
  errors.push({
    path: `/clients/${role}/version`,
    message: `no "${name}" artifact was delivered for ${client?.name ?? role} ${client?.version ?? ""} on ${env.platform} (${spec.network}): add it to the control plane's client catalog`,
  });
  return "";
}
