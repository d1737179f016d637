// A schema for free-form JSON objects bounded by their serialized size. TypeBox can bound strings and
// arrays but not the bytes of an arbitrary object, and a payload stored as-is comes back in every page
// that lists it: so the size is part of the protocol's schema, checked where bodies are validated, and
// a payload past it is a 400 naming its path.
import { Kind, type TSchema, TypeRegistry } from "@sinclair/typebox";

export interface TJsonObjectBytes extends TSchema {
  [Kind]: "JsonObjectBytes";
  static: Record<string, unknown>;
  maxBytes: number;
  maxKeyLength: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

if (!TypeRegistry.Has("JsonObjectBytes")) {
  TypeRegistry.Set<TJsonObjectBytes>(
    "JsonObjectBytes",
    (schema, value) =>
      isPlainObject(value) &&
      Object.keys(value).every((key) => key.length <= schema.maxKeyLength) &&
      Buffer.byteLength(JSON.stringify(value)) <= schema.maxBytes,
  );
}

/** A JSON object whose keys have at most `maxKeyLength` characters and whose JSON is at most `maxBytes`. */
export function JsonObjectBytes(maxBytes: number, maxKeyLength: number): TJsonObjectBytes {
  return {
    [Kind]: "JsonObjectBytes",
    maxBytes,
    maxKeyLength,
    description: `a JSON object of at most ${maxBytes} bytes, keys at most ${maxKeyLength} characters`,
  } as TJsonObjectBytes;
}
