// Everything the control plane can check about a NodeSpec before a revision is written, every problem at
// once with its JSON path: the executor advertises the chain; the chain's adapter (compiled into this binary,
// pure) judges the spec against what that executor offers (networks, versions, override schema) and, for an
// agent, its platform; and no port the node listens on collides with another node of the same executor. A
// chain this binary has no adapter for is checked against the executor's offer alone, so the control plane
// still learns new chains without changes.
import { getAdapter } from "../../../adapters/registry.ts";
import { hostPortsOf, validateOffer } from "../../../adapters/shared/spec.ts";
import type { HostPort } from "../../../adapters/types.ts";
import { AppError, invalidNodeConfig } from "../../../lib/errors.ts";
import { type Platform, platformOf } from "../../../protocol/artifacts.ts";
import type {
  ErrorDetail,
  ExecutorCapabilities,
  ExecutorResources,
  NodeSpec,
} from "../../../protocol/index.ts";
import { catalogVerdict } from "../catalog/deploy.ts";
import type { CatalogService } from "../catalog/service.ts";
import { checkClientChange } from "./client-change.ts";

const prefixed = (errors: ErrorDetail[]) => errors.map((e) => ({ ...e, path: `/spec${e.path}` }));

/** The node's executor, as far as validation needs it. */
export interface TargetExecutor {
  kind: "agent" | "operator";
  capabilities: ExecutorCapabilities;
  resources: ExecutorResources | null;
}

/** Another live node of the same executor. */
export interface SiblingNode {
  name: string;
  spec: NodeSpec;
  /** Its last observation: the ports its executor gave it on the host, which may differ from the defaults. */
  observed?: { ports?: Readonly<Record<string, number>> } | null;
}

export function checkNodeSpec(
  spec: NodeSpec,
  executor: TargetExecutor,
  siblings: readonly SiblingNode[],
  catalog?: CatalogService,
): void {
  const offered = executor.capabilities.supportedChains.find((c) => c.chain === spec.chain);
  if (!offered) {
    const names = executor.capabilities.supportedChains.map((c) => c.chain).join(", ") || "none";
    throw new AppError(
      "chain_not_supported_by_executor",
      `this executor does not support chain "${spec.chain}" (it supports: ${names}); upgrade the executor or pick another`,
      400,
      [{ path: "/spec/chain", message: `not supported by this executor: use one of ${names}` }],
    );
  }
  const adapter = getAdapter(spec.chain);
  const platform = executorPlatform(executor);
  const errors = adapter
    ? adapter.validate(spec, { offered, ...(platform ? { platform } : {}) })
    : validateOffer(spec, offered);
  errors.push(...portCollisions(spec, siblings));
  if (catalog) {
    const verdict = catalogVerdict(catalog.current(), spec, platform);
    // Only the catalog's words where the executor's offer already refused the same version.
    const taken = new Set(errors.map((e) => e.path));
    errors.push(...verdict.errors.filter((e) => !taken.has(e.path)));
    catalog.checksumNeeded(verdict.unverified);
  }
  if (errors.length > 0) throw invalidNodeConfig(prefixed(errors));
}

/** An agent runs client binaries built per platform; it reports its OS and architecture on every sync. */
export function executorPlatform(executor: Pick<TargetExecutor, "kind" | "resources">): Platform | null {
  if (executor.kind !== "agent") return null;
  return platformOf(executor.resources?.os, executor.resources?.arch);
}

/** The ports a node listens on; for a chain without an adapter here, the ports its spec names. */
function hostPorts(spec: NodeSpec): HostPort[] {
  const adapter = getAdapter(spec.chain);
  if (adapter) return adapter.hostPorts(spec);
  return hostPortsOf(spec, spec.ports ?? {});
}

/**
 * A port this node's spec sets that another node of the executor listens on too (set in its spec, given to it
 * by its executor's port plan, or its default until the executor reports), named at the path that sets it.
 * A port left at its default is never refused: the agent's port plan moves it to a free one, so a second node
 * of a chain needs no hand-picked ports.
 */
function portCollisions(spec: NodeSpec, siblings: readonly SiblingNode[]): ErrorDetail[] {
  const mine = hostPorts(spec);
  // A sibling's port as its executor allocated it, when reported: where it really listens.
  const theirs = siblings.flatMap((node) =>
    hostPorts(node.spec).map((port) => {
      const given = node.observed?.ports?.[port.path.slice("/ports/".length)];
      return { node: node.name, path: port.path, port: given ?? port.port };
    }),
  );
  const taken = new Set([...mine, ...theirs].map((p) => p.port));
  const errors: ErrorDetail[] = [];
  for (const port of mine) {
    const other = port.explicit ? theirs.find((t) => t.port === port.port) : undefined;
    if (!other) continue;
    errors.push({
      path: port.path,
      message: `port ${port.port} is already used by node "${other.node}" on this executor (its ${other.path.slice("/ports/".length)} port): pick a free one, e.g. ${nextFreePort(taken, port.port)}`,
    });
  }
  return errors;
}

/** The first port after `from` (wrapping to 1024 past 65535) that no node of the executor uses. */
function nextFreePort(taken: ReadonlySet<number>, from: number): number {
  for (let port = from >= 65_535 ? 1024 : from + 1; port !== from; port = port >= 65_535 ? 1024 : port + 1) {
    if (!taken.has(port)) return port;
  }
  return from;
}

/**
 * Fields fixed after deploy (reference §6.6): changing them means delete and redeploy. `clients` is not:
 * a role's client version may change in place within its upgrade policy (client-change.ts).
 */
const FIXED_FIELDS = ["chain", "network", "nodeType", "resources", "storage", "images"] as const;

/**
 * `executor`: the node's executor, whose offer for the chain carries its clients' upgrade policies;
 * `revertedFrom`: the versions its host went back to (checkClientChange).
 */
export function checkEditableChange(
  current: NodeSpec,
  next: NodeSpec,
  executor?: Pick<TargetExecutor, "capabilities">,
  revertedFrom: Readonly<Record<string, string>> = {},
): void {
  const offered = executor?.capabilities.supportedChains.find((c) => c.chain === current.chain);
  const errors: ErrorDetail[] = checkClientChange(current, next, offered, revertedFrom);
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

/**
 * An edit made from revision `expected` while the node is already at `current` (someone else saved, rolled
 * back or started/stopped it meanwhile): saving would silently replace that change, so it is refused.
 */
export function revisionMoved(current: number, expected: number): AppError {
  return new AppError(
    "conflict",
    `the node is at revision ${current} now, not ${expected}: it changed since this edit started`,
    409,
    [{ path: "/data/expectedRevision", message: `reload it and edit from revision ${current}` }],
  );
}
