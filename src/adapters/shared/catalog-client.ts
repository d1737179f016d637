// What the adapters of catalog-delivered, single-process clients (sui-node, java-tron) share: the NodeSpec
// fields they leave to others, the checks they all make (offer, unused fields, file overrides, ports,
// limits), a memory limit with a per-network default and a floor, and the adapter object around their own
// plan and probe. Pure helpers; the checks add their problems to `errors`.
import type { ChainCapability } from "../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import type { ChainAdapter, PlannedProcess, ProbeResult } from "../types.ts";
import { checkFileOverrides } from "./file-overrides.ts";
import { hostPortsOf, quantityBytes, resolvePorts, resourceLimits, validateOffer } from "./spec.ts";

/** NodeSpec fields a host-run client from the catalog does not use, each with the reason. */
export function catalogClientIgnoredFields(client: string): Record<string, string> {
  return {
    "/images": `${client} runs from the catalog's artifact; container images are the operator's business`,
    "/storage/size": "the agent uses the host disk under data_dir; the per-network disk default is a hint",
    "/storage/storageClass": "Kubernetes-only; the agent uses the host disk",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; the plan carries limits only",
    "/resources/disk": "a request is a scheduling hint; the plan carries limits only",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; on a host the RPC ports listen on loopback",
  };
}

/** spec.checkpointSyncUrl and spec.settings, which this client has no use for, refused with the fix. */
export function refuseUnusedFields(
  spec: NodeSpec,
  errors: ErrorDetail[],
  reasons: { checkpointSyncUrl: string; settings: string },
): void {
  if (spec.checkpointSyncUrl !== undefined)
    errors.push({ path: "/checkpointSyncUrl", message: reasons.checkpointSyncUrl });
  for (const name of Object.keys(spec.settings ?? {}))
    errors.push({ path: `/settings/${name}`, message: reasons.settings });
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${Math.ceil(bytes / GIB)}Gi`;

/**
 * The process's memory limit: spec.resources.memoryLimit, or the network's RAM default (so one node cannot
 * starve its host). Below `floorBytes` (what the client needs to run at all) it is refused with the fix.
 */
export function memoryLimitBytes(
  spec: NodeSpec,
  errors: ErrorDetail[],
  defaultBytes: number,
  floor?: { bytes: number; why: string },
): number {
  const limit = spec.resources?.memoryLimit;
  if (limit === undefined) return defaultBytes;
  let bytes: number;
  try {
    bytes = quantityBytes(limit);
  } catch {
    return defaultBytes; // resourceLimits() reports the malformed quantity
  }
  if (floor && bytes < floor.bytes) {
    errors.push({
      path: "/resources/memoryLimit",
      message: `${limit} is below what the node needs (${floor.why}): raise it to at least ${gib(floor.bytes)}`,
    });
  }
  return bytes;
}

/** The checks every such client makes: the executor's offer, unused fields, file overrides, ports, limits. */
export function validateCatalogClient(
  spec: NodeSpec,
  offered: ChainCapability,
  rules: {
    defaultPorts: Readonly<Record<string, number>>;
    unused: { checkpointSyncUrl: string; settings: string };
    /** Where a managed key's value comes from, for the refusal's fix. */
    managedFix: (managed: string) => string;
  },
): ErrorDetail[] {
  const errors = validateOffer(spec, offered);
  refuseUnusedFields(spec, errors, rules.unused);
  const files = offered.configOverrideSchema.files;
  for (const [file, keys] of Object.entries(spec.overrides?.files ?? {})) {
    const entry = Object.hasOwn(files, file) ? files[file] : undefined;
    if (entry)
      errors.push(...checkFileOverrides(file, keys, entry.managedPaths, entry.knownKeys, rules.managedFix));
  }
  resolvePorts(spec, rules.defaultPorts, errors);
  resourceLimits(spec, errors);
  return errors;
}

/** A planned process's lifecycle fields: restart policy, limits and the stop timeout. */
export function lifecycleFields(
  spec: NodeSpec,
  limits: { cpuQuotaPercent?: number },
  memoryMaxBytes: number,
  stopTimeoutSecs: number,
): Pick<PlannedProcess, "restartPolicy" | "cpuQuotaPercent" | "memoryMaxBytes" | "stopTimeoutSecs"> {
  return {
    restartPolicy: spec.restartPolicy ?? "on-failure",
    ...(limits.cpuQuotaPercent !== undefined ? { cpuQuotaPercent: limits.cpuQuotaPercent } : {}),
    memoryMaxBytes,
    stopTimeoutSecs,
  };
}

/** A ChainAdapter of one role's client, from its capability, rules, plan and probe reading. */
export function catalogClientAdapter(parts: {
  chain: string;
  client: string;
  defaultPorts: Readonly<Record<string, number>>;
  /** Ports that listen on more than tcp (see hostPortsOf). */
  portProtocols?: Readonly<Record<string, readonly ("tcp" | "udp")[]>>;
  capability: () => ChainCapability;
  validate: ChainAdapter["validate"];
  plan: ChainAdapter["plan"];
  interpretProbe: (raw: Record<string, unknown>) => ProbeResult;
}): ChainAdapter {
  return {
    chain: parts.chain,
    ignoredSpecFields: catalogClientIgnoredFields(parts.client),
    capability: parts.capability,
    formHints: () => ({ settings: {}, ports: parts.defaultPorts }),
    validate: parts.validate,
    hostPorts: (spec) => hostPortsOf(spec, parts.defaultPorts, parts.portProtocols),
    plan: parts.plan,
    interpretProbe: (_role, raw) => parts.interpretProbe(raw),
  };
}
