// A readable difference between two specs: every changed leaf by its path ("/settings/blockTimeSecs"), with
// the value before and after. Used by the Revisions list and by the "N changed" badge of Edit configuration.

/** Spec fields lifecycle actions own: an edit or a rollback keeps the node's own. */
export const LIFECYCLE_FIELDS = ["desiredState", "restartGeneration"] as const;

export interface Change {
  path: string;
  /** JSON text of the value before; undefined when the field was added. */
  before?: string;
  /** JSON text of the value after; undefined when the field was removed. */
  after?: string;
}

/** Leaf path → JSON text. Arrays are leaves as a whole when they hold scalars (an argument list reads best whole). */
function flatten(value: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, `${path}/${key}`, out);
  } else if (value !== undefined) {
    out.set(path || "/", JSON.stringify(value));
  }
  return out;
}

/** The changed leaves from `before` to `after`, sorted by path; `ignore` lists top-level fields to skip. */
export function diffSpecs(before: unknown, after: unknown, ignore: readonly string[] = []): Change[] {
  const a = flatten(before ?? {}, "", new Map());
  const b = flatten(after ?? {}, "", new Map());
  const skipped = (path: string) =>
    ignore.some((field) => path === `/${field}` || path.startsWith(`/${field}/`));
  const changes: Change[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (skipped(path) || a.get(path) === b.get(path)) continue;
    changes.push({ path, before: a.get(path), after: b.get(path) });
  }
  return changes.sort((x, y) => x.path.localeCompare(y.path));
}
