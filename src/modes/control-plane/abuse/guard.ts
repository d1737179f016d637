// The HTTP edge of the abuse limits, for key-authenticated requests (Bearer exc_/nvp_ on the executor
// protocol, GraphQL and exports): a valid key gets a generous per-key token bucket; an invalid one counts
// against its IP, and an IP past its free failures waits before its next bad try is even looked at.
// A legitimate executor behind the same IP is unaffected: valid keys never hit the IP throttle.
// The client address is the socket's peer, or, when that peer is a trusted proxy (TRUSTED_PROXIES), the
// address that proxy appended to X-Forwarded-For.
import { isIP } from "node:net";
import type { Server } from "bun";
import { Elysia } from "elysia";
import { bearerToken, presentedKey } from "../auth/request-key.ts";
import type { TrustedProxies } from "../config.ts";
import type { ControlPlaneServices } from "../services.ts";
import { tooManyRequests } from "./limiter.ts";

export function clientIp(
  request: Request,
  server: Server<unknown> | null | undefined,
  trusted: TrustedProxies | null = null,
): string {
  const peer = server?.requestIP(request)?.address ?? "unknown";
  if (!trusted?.has(peer)) return peer;
  // Walk X-Forwarded-For from the right (the hop nearest to us): each trusted proxy appended the address
  // it saw, so the first untrusted address is the client. Entries left of it are the client's own claim.
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i]!)) return peer;
    if (!trusted.has(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? peer;
}

export function abuseGuard(s: ControlPlaneServices) {
  return new Elysia({ name: "abuse-guard" }).onRequest(({ request, server }) => {
    const bearer = bearerToken(request);
    if (!bearer) return;
    const purpose = bearer.startsWith("exc_") ? "executor" : bearer.startsWith("nvp_") ? "personal" : null;
    // /metrics takes its own bearer token (METRICS_TOKEN) and throttles wrong ones itself.
    if (purpose === null && new URL(request.url).pathname === "/metrics") return;
    const key = purpose ? presentedKey(request, s.keys, purpose, s.clock.now()) : null;
    if (key) {
      const wait = s.limits.perKey.take(key.id);
      return wait > 0 ? tooManyRequests(wait) : undefined;
    }
    const ip = clientIp(request, server, s.config.trustedProxies);
    const wait = s.limits.badKey.retryAfterMs(ip);
    if (wait > 0) return tooManyRequests(wait);
    s.limits.badKey.fail(ip);
    return undefined;
  });
}
