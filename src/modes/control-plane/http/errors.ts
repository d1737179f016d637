// The one error handler: typed errors become the wire envelope with their status; anything unexpected is
// logged and answered as a 500 envelope without internals. Crash the request, never the process.
import { AppError } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import type { ErrorEnvelope } from "../../../protocol/index.ts";

export function envelopeResponse(status: number, envelope: ErrorEnvelope): Response {
  return new Response(JSON.stringify(envelope), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

export function errorToResponse(error: unknown, elysiaCode: string | number, log: Logger): Response {
  if (error instanceof AppError) return envelopeResponse(error.status, error.toEnvelope());
  switch (elysiaCode) {
    case "NOT_FOUND":
      return envelopeResponse(404, { code: "not_found", message: "no such route", details: [] });
    case "PARSE":
      return envelopeResponse(400, {
        code: "bad_request",
        message: "the request body could not be parsed",
        details: [{ path: "/", message: "send valid JSON with content-type application/json" }],
      });
    case "VALIDATION":
      return envelopeResponse(400, {
        code: "bad_request",
        message: String((error as Error).message),
        details: [],
      });
  }
  log.error("request failed", {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return envelopeResponse(500, {
    code: "internal",
    message: "internal error; see the control-plane log",
    details: [],
  });
}
