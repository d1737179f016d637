// The deploy and edit forms' rules, free of React: what the chosen executor offers narrows each target
// choice (its networks, node types, clients, versions and their per-network constraints); each server
// error's JSON path says which step and which field it belongs to; requests below the network's defaults
// warn, read with the server's own quantity parsing.
import { cpuCores, quantityBytes } from "../../../../../adapters/shared/spec.ts";
import type { ChainOffer, ExecutorOffer, FieldError } from "../api/node-flows.ts";
import { type Draft, EMPTY_RESOURCES, type ResourceField, type StepId } from "./wizard-model.ts";

export const chainsOf = (executor: ExecutorOffer | undefined): ChainOffer[] =>
  executor?.capabilities.supportedChains ?? [];

const numbers = (version: string) => (version.match(/\d+/g) ?? []).slice(0, 3).map(Number);

function compareVersions(a: string, b: string): number {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether a version meets a constraint such as ">=1.15.0" or ">=1.2.0 <2.0.0" (all must hold). A
 * constraint this form cannot read admits the version: the server has the last word.
 */
export function satisfies(version: string, constraint: string): boolean {
  return constraint
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .every((part) => {
      const match = /^(>=|<=|>|<|=)?v?(\d+(?:\.\d+){0,2})$/.exec(part);
      if (!match) return true;
      const d = compareVersions(version, match[2]!);
      switch (match[1]) {
        case ">=":
          return d >= 0;
        case "<=":
          return d <= 0;
        case ">":
          return d > 0;
        case "<":
          return d < 0;
        default:
          return d === 0;
      }
    });
}

/** "client@version" choices for a role on a network: the versions its constraint for that network admits. */
export const clientOptions = (chain: ChainOffer | undefined, role: string, network: string): string[] =>
  (chain?.roles.find((r) => r.role === role)?.clients ?? []).flatMap((c) => {
    const constraint = c.versionConstraints?.[network];
    return c.versions.filter((v) => !constraint || satisfies(v, constraint)).map((v) => `${c.name}@${v}`);
  });

const pick = (options: string[], wanted?: string) =>
  wanted && options.includes(wanted) ? wanted : (options[0] ?? "");

/**
 * The draft with every target choice narrowed to what the earlier ones allow (executor → chain → network →
 * node type → client and version per role); resources refilled with the network's defaults when the
 * network changed.
 */
export function narrowTarget(executors: ExecutorOffer[], draft: Draft): Draft {
  const executor = executors.find((e) => e.id === draft.executorId) ?? executors[0];
  const chains = chainsOf(executor);
  const chain = chains.find((c) => c.chain === draft.chain) ?? chains[0];
  const network = pick(chain?.networks ?? [], draft.network);
  const clients: Record<string, string> = {};
  for (const role of chain?.roles ?? [])
    clients[role.role] = pick(clientOptions(chain, role.role, network), draft.clients[role.role]);
  const next: Draft = {
    ...draft,
    executorId: executor?.id ?? "",
    chain: chain?.chain ?? "",
    network,
    nodeType: pick(chain?.nodeTypes ?? [], draft.nodeType),
    clients,
  };
  if (next.chain !== draft.chain || next.network !== draft.network) {
    const defaults = chain?.defaults[next.network];
    next.resources = {
      ...EMPTY_RESOURCES,
      cpu: defaults?.cpu ?? "",
      memory: defaults?.memory ?? "",
      disk: defaults?.storage.data ?? "",
    };
  }
  return next;
}
/** The step a server error belongs to, by its JSON path. */
export function stepOf(path: string): StepId {
  if (/^\/(executorId|spec\/(chain|network|nodeType|clients))(\/|$)/.test(path)) return "target";
  if (/^\/spec\/(resources|storage)(\/|$)/.test(path)) return "resources";
  if (
    /^\/(name|spec\/(overrides|checkpointSyncUrl|settings|ports|restartPolicy|serviceType))(\/|$)/.test(path)
  )
    return "configuration";
  return "review";
}

const PATHS_OF: Partial<Record<keyof Draft, string>> = {
  executorId: "/executorId",
  chain: "/spec/chain",
  network: "/spec/network",
  nodeType: "/spec/nodeType",
  clients: "/spec/clients",
  name: "/name",
  resources: "/spec/resources",
  storageSize: "/spec/storage/size",
  storageClass: "/spec/storage/storageClass",
  args: "/spec/overrides/args",
  files: "/spec/overrides/files",
  checkpointSyncUrl: "/spec/checkpointSyncUrl",
  settings: "/spec/settings",
  ports: "/spec/ports",
  restartPolicy: "/spec/restartPolicy",
  serviceType: "/spec/serviceType",
};

/** The server's errors still standing after a change: those of the fields it touched are gone until asked again. */
export function errorsAfter(errors: FieldError[], patch: Partial<Draft>): FieldError[] {
  const touched = Object.keys(patch).flatMap((k) => PATHS_OF[k as keyof Draft] ?? []);
  return errors.filter((e) => !touched.some((p) => e.path === p || e.path.startsWith(`${p}/`)));
}

/** The errors a field shows: those at its path or below it. */
export function errorsAt(errors: FieldError[], path: string): FieldError[] {
  return errors.filter((e) => e.path === path || e.path.startsWith(`${path}/`));
}

/** A quantity ("500m", "16Gi") read the way the server reads it, or null when it is not one of its kind. */
function quantity(text: string, kind: "cpu" | "bytes"): number | null {
  try {
    return kind === "cpu" ? cpuCores(text.trim()) : quantityBytes(text.trim());
  } catch {
    return null;
  }
}

/** Requests below the network's defaults: a warning each, never a refusal (reference §6.4). */
export function resourceWarnings(
  draft: Draft,
  chain: ChainOffer | undefined,
): Partial<Record<ResourceField, string>> {
  const defaults = chain?.defaults[draft.network];
  if (!defaults) return {};
  const wanted: [ResourceField, string][] = [
    ["cpu", defaults.cpu],
    ["memory", defaults.memory],
    ["disk", defaults.storage.data],
  ];
  const warnings: Partial<Record<ResourceField, string>> = {};
  for (const [field, byDefault] of wanted) {
    const kind = field === "cpu" ? "cpu" : "bytes";
    const mine = quantity(draft.resources[field], kind);
    const floor = quantity(byDefault, kind);
    if (mine !== null && floor !== null && mine < floor) {
      warnings[field] =
        `Below the default for ${draft.chain} ${draft.network} (${byDefault}): the node may fall behind or run out. You can still deploy.`;
    }
  }
  return warnings;
}
