// Deterministic rendering of ConfigFile content: build a typed object, sort its keys, then stringify. The same
// object always renders to the same bytes, so a re-render never restarts a node for nothing.
import { stringify as stringifyToml } from "smol-toml";
import type { ConfigFile } from "../types.ts";
import { renderHocon } from "./hocon.ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A deep copy whose object keys are in sorted order (arrays keep their order: it is meaningful). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => sortKeysDeep(item)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    if (item !== undefined) out[key] = sortKeysDeep(item);
  }
  return out as T;
}

/** JSON with sorted keys, two-space indent and a trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

export function renderToml(content: Record<string, unknown>): string {
  const text = stringifyToml(sortKeysDeep(content));
  return text.endsWith("\n") ? text : `${text}\n`;
}

function iniValue(path: string, value: unknown): string {
  if (typeof value === "string") {
    if (/[\r\n]/.test(value)) throw new TypeError(`ini: value at ${path} contains a newline`);
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TypeError(`ini: value at ${path} must be a string, number or boolean`);
}

/**
 * INI: top-level scalars first, then one [section] per nested object, everything sorted. Arrays repeat the
 * key (bitcoin.conf style: `addnode=a`, `addnode=b`), keeping their order.
 */
export function renderIni(content: Record<string, unknown>): string {
  const sorted = sortKeysDeep(content);
  const lines: string[] = [];
  const sections: [string, Record<string, unknown>][] = [];
  const emit = (key: string, value: unknown, path: string) => {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) lines.push(`${key}=${iniValue(path, item)}`);
  };
  for (const [key, value] of Object.entries(sorted)) {
    if (isPlainObject(value)) sections.push([key, value]);
    else emit(key, value, `/${key}`);
  }
  for (const [section, body] of sections) {
    if (lines.length > 0) lines.push("");
    lines.push(`[${section}]`);
    for (const [key, value] of Object.entries(body)) {
      if (isPlainObject(value)) throw new TypeError(`ini: section ${section} nests an object at ${key}`);
      emit(key, value, `/${section}/${key}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The exact bytes a config file is written with. */
export function renderConfigFile(file: ConfigFile): string {
  if (file.format === "text") {
    if (typeof file.content !== "string") throw new TypeError(`${file.path}: text content must be a string`);
    return file.content;
  }
  if (typeof file.content === "string")
    throw new TypeError(`${file.path}: ${file.format} content must be an object`);
  switch (file.format) {
    case "toml":
      return renderToml(file.content);
    case "ini":
      return renderIni(file.content);
    case "hocon":
      return renderHocon(file.content);
    // JSON is valid YAML 1.2: one well-tested renderer instead of a hand-written one.
    case "json":
    case "yaml":
      return canonicalJson(file.content);
  }
}
