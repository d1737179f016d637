// Refusals made before any route runs, each with the error envelope: a request without a Host header
// (HTTP/1.0 allows it, but every URL we build needs one), headers past our limit (431) and a declared
// body past the largest any route accepts (413, answered without reading it). Bun's own parser answers
// these with a bare status line and no body; so Bun's limits are raised (serveLimits) and ours, with
// the same thresholds, answer first. A chunked body has no declared length: each route reads with its
// own cap (http/body.ts, yoga's maxRequestBodySize). Framing Bun's parser rejects outright (conflicting
// Content-Length and Transfer-Encoding, a NUL in a header) never reaches JavaScript: Bun closes the
// connection with a bare 400.
import http from "node:http";
import { envelopeResponse } from "./errors.ts";

/** Bun's own default header limit, kept as ours. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The largest body any route accepts (executor reports, GraphQL documents: 1 MiB each). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
/** Headers Bun itself accepts before answering a bare 431: past ours, so ours answers with the envelope. */
const BUN_MAX_HEADER_BYTES = 256 * 1024;

/** Options for Bun.serve, and Bun's process-wide header limit (read from node:http by Bun.serve). */
export function serveLimits(): { maxRequestBodySize: number } {
  (http as { maxHeaderSize: number }).maxHeaderSize = BUN_MAX_HEADER_BYTES;
  // Declared lengths are checked below and bodies are read with caps, so Bun need not refuse any itself.
  return { maxRequestBodySize: Number.MAX_SAFE_INTEGER };
}

function headerBytes(headers: Headers): number {
  let total = 0;
  for (const [name, value] of headers) total += name.length + value.length + 4;
  return total;
}

function isReleaseUpload(request: Request): boolean {
  return request.method === "PUT" && new URL(request.url).pathname === "/api/v1/admin/releases/binaries";
}

export function requestRefusal(request: Request): Response | undefined {
  if (!request.headers.has("host")) {
    return envelopeResponse(400, {
      code: "bad_request",
      message: "the request has no Host header",
      details: [{ path: "/headers/host", message: "send a Host header (HTTP/1.1 requires one)" }],
    });
  }
  if (headerBytes(request.headers) > MAX_HEADER_BYTES) {
    return envelopeResponse(431, {
      code: "bad_request",
      message: `the request headers are larger than ${MAX_HEADER_BYTES} bytes`,
      details: [{ path: "/headers", message: `send at most ${MAX_HEADER_BYTES} bytes of headers` }],
    });
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  // Release binary uploads (releases/routes.ts) stream to disk under their own, larger cap.
  if (declared > MAX_REQUEST_BODY_BYTES && !isReleaseUpload(request)) {
    return envelopeResponse(413, {
      code: "payload_too_large",
      message: `the request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`,
      details: [{ path: "/", message: `send at most ${MAX_REQUEST_BODY_BYTES} bytes (split large batches)` }],
    });
  }
  return undefined;
}
