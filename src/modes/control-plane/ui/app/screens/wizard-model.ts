// The deploy and edit forms' draft, free of React: what a person typed (strings, as inputs give them),
// toSpec() turning it into the NodeSpec input the server receives, and fromSpec() back (Edit configuration
// starts from the node's spec, and a spec saved untouched goes back unchanged).

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

export const EMPTY_RESOURCES: Record<ResourceField, string> = {
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
