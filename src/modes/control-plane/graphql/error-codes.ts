// GraphQL errors in the API's own codes (src/protocol/errors.ts): typed AppErrors keep their code and
// details; what graphql-js and yoga report about the caller's document or variables (parse and validation
// errors, a variable it cannot coerce, a body too large) becomes the caller's error; anything else is
// logged and masked as `internal`.
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { AppError } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";

/** Yoga's own request errors carry its codes; the API speaks ours (src/protocol/errors.ts). */
const YOGA_CODES: Record<string, string> = {
  REQUEST_ENTITY_TOO_LARGE: "payload_too_large",
  BAD_REQUEST: "bad_request",
  GRAPHQL_PARSE_FAILED: "bad_request",
  GRAPHQL_VALIDATION_FAILED: "bad_request",
};

function withOurCode(error: GraphQLError): GraphQLError {
  const ours = YOGA_CODES[String(error.extensions?.code)];
  if (!ours) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: ours, details: [] },
  });
}

/**
 * graphql-js reports a variable it cannot coerce (an Int out of range, an unknown enum value) as an error
 * wrapping the scalar's own: the caller's mistake, answered as `bad_request` naming the variable.
 */
function callerInputError(error: GraphQLError, cause: GraphQLError): GraphQLError {
  const variable = /^Variable "\$([^"]+)"/.exec(error.message)?.[1];
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: {
      code: "bad_request",
      details: [{ path: variable ? `/variables/${variable}` : "/", message: cause.message }],
    },
  });
}

/** A document that fails validation (unknown field, wrong literal) is the caller's error, in our codes. */
export const validationErrorsAreBadRequests: Plugin = {
  onValidate() {
    return ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((e) =>
          e.extensions?.code
            ? e
            : new GraphQLError(e.message, {
                nodes: e.nodes,
                extensions: { code: "bad_request", details: [] },
              }),
        ),
      );
    };
  },
};

export function maskErrorWith(log: Logger) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AppError) {
      return new GraphQLError(original.message, {
        ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
        extensions: { code: original.code, details: original.details },
      });
    }
    if (error instanceof GraphQLError && !error.originalError) return withOurCode(error);
    if (error instanceof GraphQLError && original instanceof GraphQLError && !error.path)
      return callerInputError(error, original);
    log.error("graphql resolver failed", {
      error: original instanceof Error ? original.stack : String(original),
    });
    return new GraphQLError(message, { extensions: { code: "internal", details: [] } });
  };
}
