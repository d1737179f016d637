// Release binaries over HTTP. PUT /api/v1/admin/releases/binaries: a system admin's personal access token
// uploads one binary (the raw body) into the release store and gets its sha256 and size back, to name it in
// createExecutorRelease. A token, not the session cookie: a cookie is an ambient credential a foreign page
// could ride, and a raw binary body cannot be held to the JSON-only rule that guards cookie requests.
// GET /api/v1/executor/releases/:sha256: an executor (its exc_ key) downloads a stored binary, with Range
// requests so an interrupted download resumes. GET /api/v1/executor/releases?version=X.Y.Z&platform=linux-x64[&from=RUNNING]:
// the published release's AgentUpgradeSpec, for `novacula agent upgrade --to X.Y.Z` on a host.
import { Elysia } from "elysia";
import { AppError, badRequest, forbidden, notFound, unauthenticated } from "../../../lib/errors.ts";
import type { ControlPlaneServices } from "../services.ts";
import { SHA256_HEX } from "./store.ts";

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export const RELEASE_UPLOAD_PATH = "/api/v1/admin/releases/binaries";

type Range = { start: number; end: number } | "unsatisfiable" | null;

/** One byte range of a `Range: bytes=…` header (a, a-b or -n); several ranges are answered whole. */
export function parseRange(header: string | null, size: number): Range {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

export function releaseRoutes(s: ControlPlaneServices) {
  return new Elysia()
    .put(
      RELEASE_UPLOAD_PATH,
      async ({ request }) => {
        const p = await s.principals.resolve(request);
        if (p.kind !== "user") throw unauthenticated("send a system administrator's personal access token");
        if (p.via !== "token")
          throw forbidden("upload with a personal access token (Authorization: Bearer nvp_…), not a session");
        if (!p.systemAdmin) throw forbidden("only a system administrator may upload release binaries");
        if (!request.body)
          throw new AppError("bad_request", "the upload is empty", 400, [
            { path: "/", message: "send the release binary as the request body" },
          ]);
        return s.releaseStore.put(request.body);
      },
      { parse: "none" },
    )
    .get("/api/v1/executor/releases", ({ request }) => {
      s.executorAuth.key(request);
      const query = new URL(request.url).searchParams;
      const missing = (["version", "platform"] as const).filter((k) => !query.get(k));
      if (missing.length > 0)
        throw badRequest(
          `missing ${missing.join(", ")}`,
          missing.map((k) => ({
            path: `/query/${k}`,
            message: k === "version" ? "e.g. version=3.1.0" : "e.g. platform=linux-x64",
          })),
        );
      // The version the host runs (sent by `agent upgrade --to`), for the catalog's hop rule.
      const from = query.get("from") ?? undefined;
      if (from !== undefined && !SEMVER.test(from))
        throw badRequest(`from ${JSON.stringify(from)} is not a version`, [
          { path: "/query/from", message: "send the running version, e.g. from=3.0.2" },
        ]);
      return s.releases.agentRelease(query.get("version")!, query.get("platform")!, from);
    })
    .get("/api/v1/executor/releases/:sha256", ({ request, params }) => {
      s.executorAuth.key(request);
      const path = SHA256_HEX.test(params.sha256) ? s.releaseStore.path(params.sha256) : null;
      if (!path) throw notFound(`no release binary with sha256 ${params.sha256}`);
      const file = Bun.file(path);
      const size = file.size;
      const headers: Record<string, string> = {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        // Content-addressed: the bytes behind this URL never change.
        "cache-control": "private, max-age=31536000, immutable",
        etag: `"${params.sha256}"`,
      };
      const range = parseRange(request.headers.get("range"), size);
      if (range === "unsatisfiable") {
        return new Response(null, {
          status: 416,
          headers: { ...headers, "content-range": `bytes */${size}` },
        });
      }
      if (!range) return new Response(file, { headers: { ...headers, "content-length": String(size) } });
      return new Response(file.slice(range.start, range.end + 1), {
        status: 206,
        headers: {
          ...headers,
          "content-range": `bytes ${range.start}-${range.end}/${size}`,
          "content-length": String(range.end - range.start + 1),
        },
      });
    });
}
