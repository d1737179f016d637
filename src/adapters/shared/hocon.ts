// A deterministic HOCON writer for typed config models (java-tron's config.conf): nested objects as blocks,
// arrays one item a line, every string quoted. Keys are sorted, so the same model always gives the same bytes.
// It writes only what Typesafe Config reads back as the same tree: no substitutions, includes or comments.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A key written bare when HOCON reads it as one path element; quoted otherwise (a dot would split it). */
function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : JSON.stringify(name);
}

function scalar(path: string, value: unknown): string {
  // A HOCON quoted string is a JSON string: JSON.stringify escapes exactly what HOCON needs escaped.
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`hocon: value at ${path} is not a finite number`);
    return String(value);
  }
  throw new TypeError(`hocon: value at ${path} must be a string, number, boolean, null, object or array`);
}

function value(path: string, item: unknown, indent: string): string {
  if (isPlainObject(item)) return block(path, item, indent);
  if (Array.isArray(item)) {
    if (item.length === 0) return "[]";
    const inner = `${indent}  `;
    const lines = item.map((element, i) => `${inner}${value(`${path}/${i}`, element, inner)}`);
    return `[\n${lines.join(",\n")}\n${indent}]`;
  }
  return scalar(path, item);
}

function block(path: string, object: Record<string, unknown>, indent: string): string {
  const entries = Object.keys(object)
    .sort()
    .filter((name) => object[name] !== undefined);
  if (entries.length === 0) return "{}";
  const inner = `${indent}  `;
  const lines = entries.map(
    (name) => `${inner}${key(name)} = ${value(`${path}/${name}`, object[name], inner)}`,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** The whole file: top-level keys as `key = value` lines (no outer braces), sorted, with a trailing newline. */
export function renderHocon(content: Record<string, unknown>): string {
  const names = Object.keys(content)
    .sort()
    .filter((name) => content[name] !== undefined);
  if (names.length === 0) return "";
  return `${names.map((name) => `${key(name)} = ${value(`/${name}`, content[name], "")}`).join("\n")}\n`;
}
