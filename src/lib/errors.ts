// Typed errors: a code, whether retrying can help, an HTTP status, and path-qualified details.
// The HTTP layer and the CLI map these to the wire envelope and to exit codes; nothing else does.
import type { ErrorDetail, ErrorEnvelope, UserErrorCode } from "../protocol/errors.ts";

export class AppError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly status: number,
    readonly details: ErrorDetail[] = [],
    readonly retryable = false,
  ) {
    super(message);
    this.name = "AppError";
  }

  toEnvelope(): ErrorEnvelope {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new AppError("bad_request", message, 400, details);
export const notFound = (message = "not found") => new AppError("not_found", message, 404);
export const conflict = (message: string, details: ErrorDetail[] = []) =>
  new AppError("conflict", message, 409, details);
export const unauthenticated = (message = "missing or invalid credentials") =>
  new AppError("unauthenticated", message, 401);
export const forbidden = (message = "you do not have permission to do this") =>
  new AppError("forbidden", message, 403);
export const invalidNodeConfig = (details: ErrorDetail[]) =>
  new AppError(
    "invalid_node_config",
    `the node configuration is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    400,
    details,
  );

/** A configuration or command-line problem: the CLI prints it with its hint and exits with `exitCode`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
