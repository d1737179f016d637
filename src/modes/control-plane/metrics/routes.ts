// GET /metrics for Prometheus, and the timing of every request it reports. The endpoint is off unless
// METRICS_TOKEN is set, and then answers only `Authorization: Bearer <METRICS_TOKEN>` (compared as
// SHA-256 digests in constant time): metrics name routes, counts and timings an outsider has no business
// reading, and a loopback-only rule would let everything through a reverse proxy on the same host.
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import { AppError, notFound, unauthenticated } from "../../../lib/errors.ts";
import { clientIp } from "../abuse/guard.ts";
import { tooManyRequests } from "../abuse/limiter.ts";
import { bearerToken } from "../auth/request-key.ts";
import type { ControlPlaneServices } from "../services.ts";
import { ControlPlaneMetrics } from "./registry.ts";

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Reads `Authorization: Bearer <token>` against the configured token's digest. */
function authorized(request: Request, expected: Buffer): boolean {
  const token = bearerToken(request);
  return token !== null && timingSafeEqual(digest(token), expected);
}

/** The status a handler's answer carries (a Response it returned, else what Elysia set). */
function statusOf(response: unknown, set: { status?: number | string }): number {
  if (response instanceof Response) return response.status;
  if (response instanceof AppError) return response.status;
  return typeof set.status === "number" ? set.status : 200;
}

export function metricsRoutes(s: ControlPlaneServices) {
  const metrics = new ControlPlaneMetrics(s);
  const token = s.config.metricsToken;
  const expected = token ? digest(token) : null;
  // When each request started; a WeakMap so an aborted request leaves nothing behind.
  const started = new WeakMap<Request, number>();
  return new Elysia({ name: "metrics" })
    .onRequest(({ request }) => {
      started.set(request, performance.now());
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set, responseValue }) => {
      const t0 = started.get(request);
      if (t0 === undefined) return;
      const method = METHODS.has(request.method) ? request.method : "other";
      metrics.observeRequest(
        route || "unmatched",
        method,
        statusOf(responseValue, set),
        (performance.now() - t0) / 1000,
      );
    })
    .get("/metrics", async ({ request, server }) => {
      if (!expected) throw notFound("/metrics is off: set METRICS_TOKEN to turn it on");
      if (!authorized(request, expected)) {
        // A wrong token counts against the caller's address like a wrong executor key does.
        const ip = clientIp(request, server, s.config.trustedProxies);
        const wait = s.limits.badKey.retryAfterMs(ip);
        if (wait > 0) return tooManyRequests(wait);
        s.limits.badKey.fail(ip);
        throw unauthenticated("send Authorization: Bearer <METRICS_TOKEN> to read /metrics");
      }
      const { body, contentType } = await metrics.exposition();
      return new Response(body, { headers: { "content-type": contentType } });
    });
}
