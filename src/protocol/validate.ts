// Compiled validators for protocol schemas: all problems at once, each with a JSON path and a fix.
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ValueErrorType } from "@sinclair/typebox/errors";
import type { ErrorDetail } from "./errors.ts";
import "./formats.ts";

export interface Validator<S extends TSchema> {
  check(value: unknown): value is Static<S>;
  /** Every problem with its path ("/spec/clients/el/version"); empty when valid. */
  errors(value: unknown, basePath?: string): ErrorDetail[];
}

function describe(error: { type: ValueErrorType; message: string; schema: TSchema }): string {
  // A schema may say how to fix a value it refuses (`fix`, an annotation of ours: validators ignore unknown
  // keywords; a schema exported for another system, such as a CRD, leaves it out).
  const fix = (error.schema as { fix?: unknown }).fix;
  if (typeof fix === "string") return fix;
  const options = (error.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (error.type === ValueErrorType.Union && options?.every((o) => o.const !== undefined)) {
    return `use one of ${options.map((o) => JSON.stringify(o.const)).join(", ")}`;
  }
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return "unknown field: remove it (fields are listed in the schema)";
    case ValueErrorType.ObjectRequiredProperty:
      return "required field is missing";
    case ValueErrorType.StringPattern:
      return `${error.message}${error.schema.description ? ` (${error.schema.description})` : ""}`;
    default:
      return error.schema.description ? `${error.message} (${error.schema.description})` : error.message;
  }
}

export function compileValidator<S extends TSchema>(schema: S): Validator<S> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<S> => compiled.Check(value),
    errors(value, basePath = "") {
      const details: ErrorDetail[] = [];
      const seen = new Set<string>();
      for (const error of compiled.Errors(value)) {
        // Additional-property errors point at the object; name the offending key itself.
        let path = error.path;
        if (
          error.type === ValueErrorType.ObjectAdditionalProperties &&
          error.value &&
          typeof error.value === "object"
        ) {
          const allowed = new Set(Object.keys((error.schema as { properties?: object }).properties ?? {}));
          for (const key of Object.keys(error.value)) {
            if (!allowed.has(key))
              details.push({ path: `${basePath}${path}/${key}`, message: describe(error) });
          }
          continue;
        }
        path = `${basePath}${path}` || "/";
        const message = describe(error);
        const key = `${path}\u0000${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        details.push({ path, message });
        if (details.length >= 50) break;
      }
      return details;
    },
  };
}
