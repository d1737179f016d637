// Length caps on filter strings. A `contains` filter becomes an SQLite LIKE pattern, whose length SQLite
// limits (50,000 bytes by default): without a cap, a long filter was an internal error. Every String or ID
// inside a filter input (an input type named …Filter, …FilterInput or …WhereInput) is checked where the
// root field receives its arguments, inline or from variables, and a long one is `bad_request` naming
// its path.
import {
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";
import { badRequest } from "../../../lib/errors.ts";

/** Names, types and ids are far shorter; 256 characters of UTF-8 stay far inside SQLite's pattern limit. */
export const FILTER_STRING_MAX_CHARS = 256;
const FILTER_INPUT = /(Filter|FilterInput|WhereInput)$/;

function longStrings(value: unknown, type: GraphQLInputType, path: string, inFilter: boolean): string[] {
  if (value === null || value === undefined) return [];
  if (isNonNullType(type)) return longStrings(value, type.ofType, path, inFilter);
  if (isListType(type)) {
    if (!Array.isArray(value)) return longStrings(value, type.ofType, path, inFilter);
    return value.flatMap((item, i) => longStrings(item, type.ofType, `${path}/${i}`, inFilter));
  }
  if (isInputObjectType(type)) {
    const filter = inFilter || FILTER_INPUT.test(type.name);
    return Object.values(type.getFields()).flatMap((field) =>
      longStrings(
        (value as Record<string, unknown>)[field.name],
        field.type,
        `${path}/${field.name}`,
        filter,
      ),
    );
  }
  const scalar = isScalarType(type) && (type.name === "String" || type.name === "ID");
  return inFilter && scalar && typeof value === "string" && value.length > FILTER_STRING_MAX_CHARS
    ? [path]
    : [];
}

function needsCheck(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  if (FILTER_INPUT.test(named.name)) return true;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => needsCheck(f.type, seen));
}

/** Wraps the root fields that take filter inputs so they refuse over-long filter strings first. */
export function capFilterStrings(schema: GraphQLSchema): void {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const checked = field.args.filter((a: GraphQLArgument) => needsCheck(a.type));
      if (checked.length === 0 || !field.resolve) continue;
      const resolve = field.resolve;
      field.resolve = (source, args, context, info) => {
        const paths = checked.flatMap((a) => longStrings(args[a.name], a.type, `/${a.name}`, false));
        if (paths.length > 0) {
          throw badRequest(
            `filter strings are limited to ${FILTER_STRING_MAX_CHARS} characters`,
            paths.map((path) => ({ path, message: `use at most ${FILTER_STRING_MAX_CHARS} characters` })),
          );
        }
        return resolve(source, args, context, info);
      };
    }
  }
}
