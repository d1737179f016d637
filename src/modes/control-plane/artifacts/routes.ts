// GET /api/v1/executor/artifacts/<sha256>: a catalog artifact for an executor (executor key required).
// Stored: the bytes, with ETag = the sha256 and byte ranges (206 + Content-Range), so an interrupted
// download resumes. Not stored yet: 503 artifact_fetching with Retry-After and the upstream fetch's progress
// (one fetch per sha256, however many ask); upstream served other bytes or refused the URL: 502 with the
// fix; a sha256 no catalog file has: 404 saying how to import it.
import { Elysia } from "elysia";
import { AppError, badRequest, notFound } from "../../../lib/errors.ts";
import { ARTIFACT_FETCHING } from "../../../protocol/artifact-delivery.ts";
import type { ControlPlaneServices } from "../services.ts";
import type { ArtifactFetcher } from "./fetcher.ts";
import { SHA256_HEX } from "./store.ts";

/** The one range form executors send (bytes=N- to resume) and the other single-range forms of RFC 9110. */
function parseRange(header: string, size: number): { start: number; end: number } | "unsatisfiable" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

function serveStored(request: Request, path: string, size: number, sha256: string, fetcher: ArtifactFetcher) {
  const etag = `"${sha256}"`;
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    etag,
    "accept-ranges": "bytes",
    // Content-addressed: the bytes behind this URL never change.
    "cache-control": "private, max-age=31536000, immutable",
  };
  const rangeHeader = request.headers.get("range");
  const ifRange = request.headers.get("if-range");
  const range = rangeHeader && (ifRange === null || ifRange === etag) ? parseRange(rangeHeader, size) : null;
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  }
  const file = Bun.file(path);
  if (range) {
    fetcher.counters.bytesServed += range.end - range.start + 1;
    return new Response(file.slice(range.start, range.end + 1), {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}` },
    });
  }
  fetcher.counters.bytesServed += size;
  return new Response(file, { headers });
}

/** How long a request waits for a fetch in progress before it is answered 503 with the progress. */
const FIRST_ANSWER_WAIT_MS = 2_000;

export function artifactRoutes(s: Pick<ControlPlaneServices, "executorAuth" | "artifacts">) {
  return new Elysia({ prefix: "/api/v1/executor" }).get("/artifacts/:sha256", async ({ request, params }) => {
    s.executorAuth.key(request);
    const sha256 = params.sha256;
    if (!SHA256_HEX.test(sha256)) {
      throw badRequest("not a sha256", [
        { path: "/params/sha256", message: "use the 64 lowercase hex digits of the file's sha256" },
      ]);
    }
    const found = await s.artifacts.availabilitySoon(sha256, FIRST_ANSWER_WAIT_MS);
    switch (found.state) {
      case "stored":
        return serveStored(request, found.path, found.size, sha256, s.artifacts);
      case "fetching":
        return new Response(
          JSON.stringify({
            code: ARTIFACT_FETCHING,
            message: found.message,
            details: [],
            progress: found.progress,
          }),
          {
            status: 503,
            headers: {
              "content-type": "application/json; charset=utf-8",
              "retry-after": String(found.retryAfterSecs),
            },
          },
        );
      case "failed":
        throw new AppError(found.code, found.message, 502, [
          { path: "/params/sha256", message: "correct the client catalog entry, or import the right file" },
        ]);
      case "unknown":
        throw notFound(
          `no client catalog file has sha256 ${sha256}, and no file with it was imported: add it to the catalog, or run \`novacula control-plane artifact import FILE\` on the control plane`,
        );
    }
  });
}
