// File overrides written as dotted key paths ("authority-store-pruning-config.num-epochs-to-retain",
// "node.openHistoryQueryWhenLiteFN"), for clients configured by one nested file (sui-node's YAML, java-tron's
// HOCON): merged into the rendered model, checked against the managed paths at any depth, and the known keys'
// values checked against their types. Pure functions.
import type { ErrorDetail } from "../../protocol/errors.ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy of `base` with each dotted key set (objects given as values merge into what is there). A
 * number steps into a list the model has ("state-archive-read-config.0.concurrency"); a key that would go
 * through a list by a name, or past its end, is not set but returned in `unreachable`, for the caller to refuse.
 */
export function mergeDotted(
  base: Record<string, unknown>,
  overrides: Readonly<Record<string, unknown>>,
): { content: Record<string, unknown>; unreachable: string[] } {
  const content = structuredClone(base);
  const unreachable: string[] = [];
  // Sorted: the same overrides give the same result whatever order the spec lists them in.
  for (const dotted of Object.keys(overrides).sort()) {
    const parts = dotted.split(".");
    let node: Container = content;
    for (const [depth, part] of parts.entries()) {
      const key = Array.isArray(node) ? listIndex(node, part) : part;
      if (key === undefined) {
        unreachable.push(dotted);
        break;
      }
      const current: unknown = (node as Indexable)[key];
      if (depth === parts.length - 1) {
        const value = structuredClone(overrides[dotted]);
        (node as Indexable)[key] =
          isPlainObject(current) && isPlainObject(value) ? mergeObjects(current, value) : value;
      } else if (isPlainObject(current) || Array.isArray(current)) {
        node = current;
      } else {
        // Lists exist only in the model, so once a level is created here no list can follow it.
        const created: Record<string, unknown> = {};
        (node as Indexable)[key] = created;
        node = created;
      }
    }
  }
  return { content, unreachable };
}

type Container = Record<string, unknown> | unknown[];
type Indexable = Record<string | number, unknown>;

const listIndex = (list: unknown[], part: string) =>
  /^(0|[1-9][0-9]{0,5})$/.test(part) && Number(part) < list.length ? Number(part) : undefined;

function mergeObjects(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [name, value] of Object.entries(patch)) {
    out[name] = isPlainObject(out[name]) && isPlainObject(value) ? mergeObjects(out[name], value) : value;
  }
  return out;
}

/** Every leaf of a nested model as a dotted path (arrays are leaves): what a rendered file sets. */
export function dottedLeaves(model: Readonly<Record<string, unknown>>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(model)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (isPlainObject(value) && Object.keys(value).length > 0) out.push(...dottedLeaves(value, path));
    else out.push(path);
  }
  return out.sort();
}

/** The dotted paths an override value reaches: its key, plus the leaves of an object given as its value. */
function reachedPaths(dotted: string, value: unknown): string[] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [dotted];
  return dottedLeaves(value).map((leaf) => `${dotted}.${leaf}`);
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

export type KnownKeyType = "boolean" | "integer" | "number" | "string" | "array" | "object";

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    default:
      return true;
  }
}

/**
 * One file's overrides: a key that sets, contains or lies inside a managed path is refused at its path (an
 * object value cannot smuggle a managed key in), and a known key with a value of the wrong type is refused.
 * `fix` says where the managed value comes from. Unknown keys pass (they are the client's business).
 */
export function checkFileOverrides(
  file: string,
  overrides: Readonly<Record<string, unknown>>,
  managedPaths: readonly string[],
  knownKeys: Readonly<Record<string, { type: string }>>,
  fix: (managed: string) => string,
): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const [dotted, value] of Object.entries(overrides)) {
    const path = `/overrides/files/${file}/${dotted}`;
    if (dotted === "" || dotted.split(".").some((part) => part === "")) {
      errors.push({ path, message: 'write the key as dot-separated names, e.g. "a.b.c"' });
      continue;
    }
    // An exact match is reported by the shared override check already; this adds the nested cases.
    const managed = managedPaths.find(
      (m) => m !== dotted && reachedPaths(dotted, value).some((reached) => overlaps(reached, m)),
    );
    if (managed !== undefined) {
      errors.push({
        path,
        message: `${dotted} reaches ${managed}, which is managed by Novacula: remove it (${fix(managed)})`,
      });
      continue;
    }
    const known = Object.hasOwn(knownKeys, dotted) ? knownKeys[dotted] : undefined;
    if (known && !hasType(value, known.type)) {
      errors.push({ path, message: `${dotted} must be ${article(known.type)} ${known.type}` });
    }
  }
  return errors;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? "an" : "a");

/** `base` with one file's overrides merged; a key that cannot be placed is refused at its path. */
export function mergeFileOverrides(
  file: string,
  base: Record<string, unknown>,
  overrides: Readonly<Record<string, unknown>> | undefined,
  errors: ErrorDetail[],
): Record<string, unknown> {
  const { content, unreachable } = mergeDotted(base, overrides ?? {});
  for (const dotted of unreachable) {
    errors.push({
      path: `/overrides/files/${file}/${dotted}`,
      message: `${dotted} goes into a list by a name or past its end: name list items by their number (e.g. "list.0.key")`,
    });
  }
  return content;
}
