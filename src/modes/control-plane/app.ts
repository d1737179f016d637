// The Elysia application: health, auth (better-auth), the executor protocol, GraphQL, artifacts, and the
// one error handler. Feature modules are separate Elysia instances composed here.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Elysia } from "elysia";
import { notFound } from "../../lib/errors.ts";
import { abuseGuard, clientIp } from "./abuse/guard.ts";
import { auditRoutes } from "./audit/routes.ts";
import { CLIENT_IP_HEADER } from "./auth/tenancy-hooks.ts";
import { executorConnectRoutes } from "./executor-connect/routes.ts";
import { executorRoutes } from "./executors/routes.ts";
import { GRAPHQL_MODULES } from "./graphql/modules.ts";
import { createGraphQL } from "./graphql/yoga.ts";
import { readBody } from "./http/body.ts";
import { csrfRefusal } from "./http/csrf.ts";
import { errorToResponse } from "./http/errors.ts";
import { trustedOrigins } from "./http/origins.ts";
import { requestRefusal, serveLimits } from "./http/request-limits.ts";
import type { ControlPlaneServices } from "./services.ts";
import { landingPage } from "./ui/landing.ts";

/** Sign-in and sign-up bodies are an email, a password and a name. */
const MAX_AUTH_BODY_BYTES = 64 * 1024;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function createApp(s: ControlPlaneServices) {
  const trusted = trustedOrigins(s.config);
  const yoga = createGraphQL(s, GRAPHQL_MODULES, trusted);
  return (
    new Elysia({ serve: serveLimits() })
      .onRequest(({ request }) => requestRefusal(request))
      .onError(({ error, code }) => errorToResponse(error, code, s.log))
      .use(abuseGuard(s))
      .get("/", () => landingPage(!s.config.production))
      .get("/healthz", () => ({ status: "ok" }))
      .all(
        "/api/auth/*",
        async ({ request, server }) => {
          // better-auth reads the client IP (rate limits, session rows) from this header only; it is
          // always overwritten here, so a client can't choose its own.
          const headers = new Headers(request.headers);
          headers.set(CLIENT_IP_HEADER, clientIp(request, server));
          // Read with a cap here: better-auth would read a chunked body of any length.
          const body = request.body ? await readBody(request, MAX_AUTH_BODY_BYTES) : undefined;
          return s.auth.handler(new Request(request.url, { method: request.method, headers, body }));
        },
        { parse: "none" },
      )
      .use(executorRoutes(s))
      .use(executorConnectRoutes())
      .use(auditRoutes(s))
      .all(
        "/graphql",
        ({ request, server }) => {
          const refusal = csrfRefusal(request, trusted);
          if (refusal) throw refusal;
          return yoga.fetch(request, { ip: server?.requestIP(request)?.address ?? null });
        },
        {
          parse: "none",
        },
      )
      // Client binaries executors install from (the control plane is their mirror; sha256 pinned by adapters).
      .get("/artifacts/:file", ({ params }) => {
        const path = join(s.config.dataDir, "artifacts", params.file);
        if (!ARTIFACT_NAME.test(params.file) || !existsSync(path))
          throw notFound(`no artifact named ${params.file}`);
        return new Response(Bun.file(path));
      })
  );
}
