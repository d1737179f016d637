// The one error envelope on the wire, and the user-facing error codes.
import { type Static, Type as T } from "@sinclair/typebox";

export const ErrorDetail = T.Object({ path: T.String(), message: T.String() });
export type ErrorDetail = Static<typeof ErrorDetail>;

export const ErrorEnvelope = T.Object({
  code: T.String(),
  message: T.String(),
  details: T.Array(ErrorDetail),
});
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

/** Codes a user (UI or GraphQL) can see; the reference's UserErrorCode values plus our own. */
export const USER_ERROR_CODES = [
  "chain_not_supported_by_executor",
  "executor_offline",
  "invalid_node_config",
  "upgrade_already_pending",
  "release_not_found",
  "bad_request",
  "not_found",
  "conflict",
  "unauthenticated",
  "forbidden",
  "rate_limited",
  "payload_too_large",
  "query_too_complex",
  "internal",
  "artifact_fetching",
  "artifact_checksum_mismatch",
  "artifact_upstream_failed",
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
