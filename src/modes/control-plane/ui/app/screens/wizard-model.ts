// The deploy and edit forms' model, free of React: a Draft holds what a person typed (strings, as inputs
// give them), toSpec() turns it into the NodeSpec the server receives, fromSpec() back; each server error's
// JSON path says which step and which field it belongs to; resources below the network's defaults warn.
import type { ChainOffer, ExecutorOffer, FieldError } from "../api/node-flows.ts";

export type StepId = "target" | "resources" | "configuration" | "review";
export const STEPS: { id: StepId; title: string }[] = [
  { id: "target", title: "Target" },
  { id: "resources", title: "Resources" },
  { id: "configuration", title: "Configuration" },
  { id: "review", title: "Review" },
];

export const RESOURCE_FIELDS = ["cpu", "memory", "disk", "cpuLimit", "memoryLimit"] as const;
export type ResourceField = (typeof RESOURCE_FIELDS)[number];

export interface Draft {
  executorId: string;
  chain: string;
  network: string;
  nodeType: string;
  /** role → "client@version" */
  clients: Record<string, string>;
  name: string;
  resources: Record<ResourceField, string>;
  storageSize: string;
  storageClass: string;
  /** client → one argument per line */
  args: Record<string, string>;
  /** config file → "key = value" per line */
  files: Record<string, string>;
  checkpointSyncUrl: string;
  settings: Record<string, string>;
  ports: Record<string, string>;
  restartPolicy: string;
  serviceType: string;
  /** Spec fields no form control edits (images, sidecars, desiredState…), kept as they are. */
  kept: Record<string, unknown>;
}

const EMPTY_RESOURCES: Record<ResourceField, string> = {
  cpu: "",
  memory: "",
  disk: "",
  cpuLimit: "",
  memoryLimit: "",
};

export function emptyDraft(): Draft {
  return {
    executorId: "",
    chain: "",
    network: "",
    nodeType: "",
    clients: {},
    name: "",
    resources: { ...EMPTY_RESOURCES },
    storageSize: "",
    storageClass: "",
    args: {},
    files: {},
    checkpointSyncUrl: "",
    settings: {},
    ports: {},
    restartPolicy: "",
    serviceType: "",
    kept: {},
  };
}

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

function splitClient(pickValue: string): { name: string; version: string } {
  const at = pickValue.lastIndexOf("@");
  return { name: pickValue.slice(0, at), version: pickValue.slice(at + 1) };
}

/**
 * "42" → 42, "true" → true, "\"42\"" → the text 42; anything else stays text (config file values and
 * settings are typed by what the adapter expects).
 */
function scalar(text: string): string | number | boolean {
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^".*"$/.test(text)) {
    try {
      return String(JSON.parse(text));
    } catch {
      return text;
    }
  }
  return text;
}

/** The text scalar() reads back as `value`: a text that would read as a number or boolean is quoted. */
function scalarText(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value);
  return scalar(value) === value ? value : JSON.stringify(value);
}

const nonEmpty = <T>(record: Record<string, T>) => (Object.keys(record).length > 0 ? record : undefined);

/** The NodeSpec input the draft describes; a blank field is left out (the adapter's default applies). */
export function toSpec(draft: Draft): Record<string, unknown> {
  const resources = Object.fromEntries(
    RESOURCE_FIELDS.filter((f) => draft.resources[f].trim() !== "").map((f) => [
      f,
      draft.resources[f].trim(),
    ]),
  );
  const storage = Object.fromEntries(
    [
      ["size", draft.storageSize.trim()],
      ["storageClass", draft.storageClass],
    ].filter(([, v]) => v !== ""),
  );
  const args = Object.fromEntries(
    Object.entries(draft.args)
      .map(
        ([client, text]) =>
          [
            client,
            text
              .split("\n")
              .map((l) => l.trim())
              .filter(Boolean),
          ] as const,
      )
      .filter(([, list]) => list.length > 0),
  );
  const files = Object.fromEntries(
    Object.entries(draft.files)
      .map(([file, text]) => {
        const entries = text
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
          .map((line) => {
            const eq = line.indexOf("=");
            return eq === -1 ? [line, ""] : [line.slice(0, eq).trim(), scalar(line.slice(eq + 1).trim())];
          });
        return [file, Object.fromEntries(entries)] as const;
      })
      .filter(([, keys]) => Object.keys(keys).length > 0),
  );
  const numbers = (record: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(record)
        .filter(([, v]) => v.trim() !== "")
        .map(([k, v]) => [k, Number(v)]),
    );
  const overrides = Object.fromEntries(
    [
      ["args", nonEmpty(args)],
      ["files", nonEmpty(files)],
    ].filter(([, v]) => v !== undefined),
  );
  const spec: Record<string, unknown> = {
    ...draft.kept,
    chain: draft.chain,
    network: draft.network,
    nodeType: draft.nodeType,
    clients: Object.fromEntries(Object.entries(draft.clients).map(([role, c]) => [role, splitClient(c)])),
    resources: nonEmpty(resources),
    storage: nonEmpty(storage),
    overrides: nonEmpty(overrides),
    checkpointSyncUrl: draft.checkpointSyncUrl.trim() || undefined,
    settings: nonEmpty(
      Object.fromEntries(
        Object.entries(draft.settings)
          .filter(([, v]) => v.trim() !== "")
          .map(([k, v]) => [k, scalar(v.trim())]),
      ),
    ),
    ports: nonEmpty(numbers(draft.ports)),
    restartPolicy: draft.restartPolicy || undefined,
    serviceType: draft.serviceType || undefined,
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

const FORM_KEYS = new Set([
  "chain",
  "network",
  "nodeType",
  "clients",
  "resources",
  "storage",
  "overrides",
  "checkpointSyncUrl",
  "settings",
  "ports",
  "restartPolicy",
  "serviceType",
  // Owned by lifecycle actions: the server keeps the node's own on an edit.
  "restartGeneration",
]);

const texts = (record: Record<string, unknown> | undefined, show: (v: unknown) => string = String) =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, show(v)]));

/** The draft of an existing spec (Edit configuration starts from it). */
export function fromSpec(spec: Record<string, unknown>, executorId: string): Draft {
  const s = spec as {
    clients?: Record<string, { name: string; version: string }>;
    resources?: Partial<Record<ResourceField, string>>;
    storage?: { size?: string; storageClass?: string };
    overrides?: { args?: Record<string, string[]>; files?: Record<string, Record<string, unknown>> };
    [key: string]: unknown;
  };
  return {
    ...emptyDraft(),
    executorId,
    chain: String(s.chain ?? ""),
    network: String(s.network ?? ""),
    nodeType: String(s.nodeType ?? ""),
    clients: Object.fromEntries(
      Object.entries(s.clients ?? {}).map(([r, c]) => [r, `${c.name}@${c.version}`]),
    ),
    resources: { ...EMPTY_RESOURCES, ...s.resources },
    storageSize: s.storage?.size ?? "",
    storageClass: s.storage?.storageClass ?? "",
    args: Object.fromEntries(
      Object.entries(s.overrides?.args ?? {}).map(([c, list]) => [c, list.join("\n")]),
    ),
    files: Object.fromEntries(
      Object.entries(s.overrides?.files ?? {}).map(([f, keys]) => [
        f,
        Object.entries(keys)
          .map(([k, v]) => `${k} = ${scalarText(v)}`)
          .join("\n"),
      ]),
    ),
    checkpointSyncUrl: typeof s.checkpointSyncUrl === "string" ? s.checkpointSyncUrl : "",
    settings: texts(s.settings as Record<string, unknown> | undefined, scalarText),
    ports: texts(s.ports as Record<string, unknown> | undefined),
    restartPolicy: typeof s.restartPolicy === "string" ? s.restartPolicy : "",
    serviceType: typeof s.serviceType === "string" ? s.serviceType : "",
    kept: Object.fromEntries(Object.entries(spec).filter(([k]) => !FORM_KEYS.has(k))),
  };
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

const UNITS: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
/** A Kubernetes-style quantity ("500m", "16Gi") as a number, or null when it is not one. */
export function quantity(text: string): number | null {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text.trim());
  return match ? Number(match[1]) * (UNITS[match[2] ?? ""] ?? 1) : null;
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
    const mine = quantity(draft.resources[field]);
    const floor = quantity(byDefault);
    if (mine !== null && floor !== null && mine < floor) {
      warnings[field] =
        `Below the default for ${draft.chain} ${draft.network} (${byDefault}): the node may fall behind or run out. You can still deploy.`;
    }
  }
  return warnings;
}
