// Checks a NodeSpec against what its executor advertised (capabilities + configOverrideSchema), using the
// same pure validators the adapters use, so the control plane needs no per-chain code to learn new chains.
import {
  validateArgOverrides,
  validateFileOverrides,
  validateTarget,
} from "../../../adapters/shared/spec.ts";
import { AppError, invalidNodeConfig } from "../../../lib/errors.ts";
import type { ErrorDetail, ExecutorCapabilities, NodeSpec } from "../../../protocol/index.ts";

const prefixed = (errors: ErrorDetail[]) => errors.map((e) => ({ ...e, path: `/spec${e.path}` }));

export function checkSpecAgainstCapabilities(spec: NodeSpec, capabilities: ExecutorCapabilities): void {
  const chain = capabilities.supportedChains.find((c) => c.chain === spec.chain);
  if (!chain) {
    const offered = capabilities.supportedChains.map((c) => c.chain).join(", ") || "none";
    throw new AppError(
      "chain_not_supported_by_executor",
      `this executor does not support chain "${spec.chain}" (it supports: ${offered}); upgrade the executor or pick another`,
      400,
      [{ path: "/spec/chain", message: `not supported by this executor: use one of ${offered}` }],
    );
  }
  const roles = Object.fromEntries(
    chain.roles.map((r) => [r.role, Object.fromEntries(r.clients.map((c) => [c.name, c.versions]))]),
  );
  const errors = [
    ...validateTarget(spec, {
      chain: chain.chain,
      networks: chain.networks,
      nodeTypes: chain.nodeTypes,
      roles,
    }),
    ...validateArgOverrides(spec, chain.configOverrideSchema),
    ...validateFileOverrides(spec, chain.configOverrideSchema),
  ];
  if (errors.length > 0) throw invalidNodeConfig(prefixed(errors));
}

/** Fields fixed after deploy (reference §6.6): changing them means delete and redeploy. */
const FIXED_FIELDS = ["chain", "network", "nodeType", "clients", "resources", "storage", "images"] as const;

export function checkEditableChange(current: NodeSpec, next: NodeSpec): void {
  const errors: ErrorDetail[] = [];
  for (const field of FIXED_FIELDS) {
    if (JSON.stringify(current[field] ?? null) !== JSON.stringify(next[field] ?? null)) {
      errors.push({
        path: `/spec/${field}`,
        message: `${field} is fixed after deploy: delete and redeploy to change it`,
      });
    }
  }
  if (errors.length > 0) throw invalidNodeConfig(errors);
}

/** Top-level spec fields whose values differ, for the revision summary and the audit row. */
export function changedFields(before: NodeSpec | null, after: NodeSpec): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys]
    .filter(
      (k) =>
        JSON.stringify((before as Record<string, unknown> | null)?.[k] ?? null) !==
        JSON.stringify((after as Record<string, unknown>)[k] ?? null),
    )
    .sort();
}
