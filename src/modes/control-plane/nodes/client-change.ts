// In-place client version changes of a deployed node: which ones updateNode accepts, and how a revision names
// them. A role keeps its client for the node's life (another client means other data: delete and redeploy);
// its version may move within the client's upgrade policy (ClientCapability.upgradePolicy): by default an
// upgrade within the same major and no downgrade. Whether the target exists in the catalog for the executor's
// platform, fits the executor's versionRange and the network minimum is checkNodeSpec's (validate.ts): this
// module judges only the move from one version to the other.
import type { ChainCapability, ClientCapability } from "../../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";

/** One role whose client version a revision changes. */
export interface ClientChange {
  role: string;
  client: string;
  from: string;
  to: string;
  direction: "upgrade" | "downgrade";
}

/** "1.17.10" → 1; null for what is not a version. */
function major(version: string): number | null {
  const match = /^v?(\d+)\.\d+/.exec(version);
  return match ? Number(match[1]) : null;
}

/** Bun.semver.order without throwing on a version it cannot read (0: not comparable as a move). */
function order(a: string, b: string): number {
  try {
    return Bun.semver.order(a, b);
  } catch {
    return 0;
  }
}

function satisfies(version: string, range: string): boolean {
  try {
    return Bun.semver.satisfies(version, range);
  } catch {
    return false;
  }
}

/** The roles whose client version differs between two specs with the same roles and client names. */
export function clientChanges(before: NodeSpec | null, after: NodeSpec): ClientChange[] {
  if (!before) return [];
  const changes: ClientChange[] = [];
  for (const [role, ref] of Object.entries(after.clients)) {
    const old = before.clients[role];
    if (!old || old.name !== ref.name || old.version === ref.version) continue;
    changes.push({
      role,
      client: ref.name,
      from: old.version,
      to: ref.version,
      direction: order(ref.version, old.version) < 0 ? "downgrade" : "upgrade",
    });
  }
  return changes;
}

/** "client upgrade geth 1.17.10 → 1.17.11": how the revision history names a change. */
export function describeClientChange(change: ClientChange): string {
  return `client ${change.direction} ${change.client} ${change.from} → ${change.to}`;
}

/**
 * "client upgrade geth 1.17.10 → 1.17.11", "edited ports" or both: what the revision history lists for an
 * edit; `changed`: the top-level fields that differ.
 */
export function editSummary(before: NodeSpec, after: NodeSpec, changed: readonly string[]): string {
  const parts = clientChanges(before, after).map(describeClientChange);
  const others = changed.filter((field) => field !== "clients");
  if (others.length > 0) parts.push(`edited ${others.join(", ")}`);
  return parts.join("; ");
}

function policyOf(offered: ChainCapability | undefined, role: string, client: string) {
  const found: ClientCapability | undefined = offered?.roles
    .find((r) => r.role === role)
    ?.clients.find((c) => c.name === client);
  return found?.upgradePolicy ?? {};
}

/**
 * Every reason updateNode refuses the change of `clients`, each at its path under /spec/clients with the fix.
 * `offered`: the executor's capability for the node's chain (its clients' upgrade policies). `revertedFrom`:
 * role → the version its host went back to when the latest change failed its health gate (going back to it is
 * no downgrade: the data never stayed with the newer version).
 */
export function checkClientChange(
  current: NodeSpec,
  next: NodeSpec,
  offered: ChainCapability | undefined,
  revertedFrom: Readonly<Record<string, string>> = {},
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const roles = new Set([...Object.keys(current.clients), ...Object.keys(next.clients)]);
  for (const role of roles) {
    const before = current.clients[role];
    const after = next.clients[role];
    if (!before || !after) {
      errors.push({
        path: `/spec/clients/${role}`,
        message: `the roles of a node are fixed after deploy: keep clients.${role} ${before ? "as it is" : "out"}, or delete and redeploy`,
      });
      continue;
    }
    if (before.name !== after.name) {
      errors.push({
        path: `/spec/clients/${role}/name`,
        message: `the client of a role is fixed after deploy (its data is ${before.name}'s): keep "${before.name}" and change only its version, or delete and redeploy with ${after.name}`,
      });
      continue;
    }
    if (before.version === after.version || revertedFrom[role] === after.version) continue;
    errors.push(...versionMoveProblems(role, before.name, before.version, after.version, offered));
  }
  return errors;
}

function versionMoveProblems(
  role: string,
  client: string,
  from: string,
  to: string,
  offered: ChainCapability | undefined,
): ErrorDetail[] {
  const path = `/spec/clients/${role}/version`;
  const policy = policyOf(offered, role, client);
  const [fromMajor, toMajor] = [major(from), major(to)];
  if (order(to, from) < 0) {
    if (policy.downgradeTo && satisfies(to, policy.downgradeTo)) return [];
    const allowed = policy.downgradeTo
      ? `${client} data opens with versions ${policy.downgradeTo} only`
      : `${client}'s data written by ${from} is not marked readable by older versions`;
    return [
      {
        path,
        message: `downgrade from ${from} to ${to} refused: ${allowed}; pick a version of at least ${from}, or delete and redeploy`,
      },
    ];
  }
  if (fromMajor !== null && toMajor !== null && toMajor !== fromMajor && !policy.crossMajor) {
    return [
      {
        path,
        message: `${client} ${from} changes in place within ${fromMajor}.x only (its data is not marked readable by ${toMajor}.x): pick a ${fromMajor}.x version, or delete and redeploy with ${to}`,
      },
    ];
  }
  return [];
}
