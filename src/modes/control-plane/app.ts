// The Elysia application: the web UI, health, auth (better-auth), the executor protocol, GraphQL, artifacts,
// and the one error handler. Feature modules are separate Elysia instances composed here.
import { Elysia } from "elysia";
import { abuseGuard, clientIp } from "./abuse/guard.ts";
import { artifactRoutes } from "./artifacts/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { CLIENT_IP_HEADER } from "./auth/tenancy-hooks.ts";
import { executorConnectRoutes } from "./executor-connect/routes.ts";
import { executorRoutes } from "./executors/routes.ts";
import { GRAPHQL_MODULES } from "./graphql/modules.ts";
import { createGraphQL } from "./graphql/yoga.ts";
import { readBody } from "./http/body.ts";
import { csrfRefusal } from "./http/csrf.ts";
import { errorToResponse } from "./http/errors.ts";
import { requestRefusal, serveLimits } from "./http/request-limits.ts";
import { invitationRoutes } from "./invitations/routes.ts";
import { logRoutes } from "./logs/routes.ts";
import { metricsRoutes } from "./metrics/routes.ts";
import { releaseRoutes } from "./releases/routes.ts";
import type { ControlPlaneServices } from "./services.ts";
import { pageNotFound, uiRoutes } from "./ui/serve.ts";

/** Sign-in and sign-up bodies are an email, a password and a name. */
const MAX_AUTH_BODY_BYTES = 64 * 1024;

export function createApp(s: ControlPlaneServices) {
  const trusted = s.config.trustedOrigins;
  const yoga = createGraphQL(s, GRAPHQL_MODULES, trusted);
  return (
    new Elysia({ serve: serveLimits() })
      .onRequest(({ request }) => requestRefusal(request))
      .onError(async ({ error, code, request }) => {
        const page = code === "NOT_FOUND" ? await pageNotFound(request) : null;
        return page ?? errorToResponse(error, code, s.log);
      })
      // First, so that its request timing covers every route below.
      .use(metricsRoutes(s))
      .use(abuseGuard(s))
      .use(uiRoutes())
      .get("/healthz", () => ({ status: "ok" }))
      .all(
        "/api/auth/*",
        async ({ request, server }) => {
          // better-auth reads the client IP (rate limits, session rows) from this header only; it is
          // always overwritten here, so a client can't choose its own.
          const headers = new Headers(request.headers);
          headers.set(CLIENT_IP_HEADER, clientIp(request, server, s.config.trustedProxies));
          // Read with a cap here: better-auth would read a chunked body of any length.
          const body = request.body ? await readBody(request, MAX_AUTH_BODY_BYTES) : undefined;
          return s.auth.handler(new Request(request.url, { method: request.method, headers, body }));
        },
        { parse: "none" },
      )
      .use(executorRoutes(s))
      .use(artifactRoutes(s))
      .use(executorConnectRoutes(s))
      .use(releaseRoutes(s))
      .use(auditRoutes(s))
      .use(logRoutes(s))
      .use(invitationRoutes(s))
      .all(
        "/graphql",
        ({ request, server }) => {
          const refusal = csrfRefusal(request, trusted);
          if (refusal) throw refusal;
          return yoga.fetch(request, {
            ip: server ? clientIp(request, server, s.config.trustedProxies) : null,
          });
        },
        { parse: "none" },
      )
  );
}
