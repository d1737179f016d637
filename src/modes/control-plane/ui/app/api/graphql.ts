// The UI's one way to the API: POST /graphql as JSON with the session cookie (the server accepts cookie
// GraphQL only as application/json from a trusted origin, http/csrf.ts). Documents carry their result and
// variable types; test/ui/documents.test.ts validates every document against the server's schema.

/** A GraphQL document whose result is R and whose variables are V (types written next to the text). */
export type Document<R, V> = string & { readonly __result?: R; readonly __variables?: V };

export function graphql<R, V = Record<string, never>>(source: string): Document<R, V> {
  return source as Document<R, V>;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error the API answered with: its code (src/protocol/errors.ts), message and per-field details. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

interface GraphQLBody<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string; details?: ErrorDetail[] } }[];
}

export async function request<R, V>(document: Document<R, V>, variables?: V): Promise<R> {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: document, variables: variables ?? {} }),
  });
  const body = (await response.json().catch(() => null)) as GraphQLBody<R> | null;
  const first = body?.errors?.[0];
  if (first) {
    throw new ApiError(first.message, first.extensions?.code ?? "error", first.extensions?.details ?? []);
  }
  if (!response.ok || !body?.data) {
    throw new ApiError(`the API answered HTTP ${response.status}`, "http_error");
  }
  return body.data;
}

/** One line a person can act on: the message plus each field's problem. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details.map((d) => `${d.path}: ${d.message}`);
    return [error.message, ...details].join(" — ");
  }
  return error instanceof Error ? error.message : String(error);
}
