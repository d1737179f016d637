// The Elysia application: health, auth (better-auth), the executor protocol, GraphQL, artifacts, and the
// one error handler. Feature modules are separate Elysia instances composed here.
import { Elysia } from "elysia";
import { abuseGuard, clientIp } from "./abuse/guard.ts";
import { auditRoutes } from "./audit/routes.ts";
import { CLIENT_IP_HEADER } from "./auth/tenancy-hooks.ts";
import { executorConnectRoutes } from "./executor-connect/routes.ts";
import { executorRoutes } from "./executors/routes.ts";
import { GRAPHQL_MODULES } from "./graphql/modules.ts";
import { createGraphQL } from "./graphql/yoga.ts";
import { errorToResponse } from "./http/errors.ts";
import type { ControlPlaneServices } from "./services.ts";
import { landingPage } from "./ui/landing.ts";

export function createApp(s: ControlPlaneServices) {
  const yoga = createGraphQL(s, GRAPHQL_MODULES);
  return new Elysia()
    .onError(({ error, code }) => errorToResponse(error, code, s.log))
    .use(abuseGuard(s))
    .get("/", () => landingPage())
    .get("/healthz", () => ({ status: "ok" }))
    .all(
      "/api/auth/*",
      ({ request, server }) => {
        // better-auth reads the client IP (rate limits, session rows) from this header only; it is
        // always overwritten here, so a client can't choose its own.
        const headers = new Headers(request.headers);
        headers.set(CLIENT_IP_HEADER, clientIp(request, server, s.config.trustedProxies));
        return s.auth.handler(new Request(request, { headers }));
      },
      { parse: "none" },
    )
    .use(executorRoutes(s))
    .use(executorConnectRoutes(s))
    .use(auditRoutes(s))
    .all(
      "/graphql",
      ({ request, server }) =>
        yoga.fetch(request, { ip: server ? clientIp(request, server, s.config.trustedProxies) : null }),
      {
        parse: "none",
      },
    );
}
