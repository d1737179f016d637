// What the adapters of catalog-delivered, single-process clients (sui-node, java-tron) share: the NodeSpec
// fields they leave to others, a refusal for fields that have no meaning for them, and a memory limit with a
// per-network default and a floor. Pure helpers; each adds its problems to `errors`.
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import { quantityBytes } from "./spec.ts";

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
