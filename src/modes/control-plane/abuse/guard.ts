// The HTTP edge of the abuse limits, for key-authenticated requests (Bearer exc_/nvp_ on the executor
// protocol, GraphQL and exports): a valid key gets a generous per-key token bucket; an invalid one counts
// against its IP, and an IP past its free failures waits before its next bad try is even looked at.
// A legitimate executor behind the same IP is unaffected: valid keys never hit the IP throttle.
import type { Server } from "bun";
import { Elysia } from "elysia";
import { bearerToken, presentedKey } from "../auth/request-key.ts";
import type { ControlPlaneServices } from "../services.ts";
import { tooManyRequests } from "./limiter.ts";

export function clientIp(request: Request, server: Server<unknown> | null | undefined): string {
  return server?.requestIP(request)?.address ?? "unknown";
}

export function abuseGuard(s: ControlPlaneServices) {
  return new Elysia({ name: "abuse-guard" }).onRequest(({ request, server }) => {
    const bearer = bearerToken(request);
    if (!bearer) return;
    const purpose = bearer.startsWith("exc_") ? "executor" : bearer.startsWith("nvp_") ? "personal" : null;
    const key = purpose ? presentedKey(request, s.keys, purpose, s.clock.now()) : null;
    if (key) {
      const wait = s.limits.perKey.take(key.id);
      return wait > 0 ? tooManyRequests(wait) : undefined;
    }
    const ip = clientIp(request, server);
    const wait = s.limits.badKey.retryAfterMs(ip);
    if (wait > 0) return tooManyRequests(wait);
    s.limits.badKey.fail(ip);
    return undefined;
  });
}
