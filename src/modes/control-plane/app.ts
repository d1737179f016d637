// The Elysia application: health, auth (better-auth), the executor protocol, GraphQL, artifacts, and the
// one error handler. Feature modules are separate Elysia instances composed here.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Elysia } from "elysia";
import { notFound } from "../../lib/errors.ts";
import { executorRoutes } from "./executors/routes.ts";
import { GRAPHQL_MODULES } from "./graphql/modules.ts";
import { createGraphQL } from "./graphql/yoga.ts";
import { errorToResponse } from "./http/errors.ts";
import type { ControlPlaneServices } from "./services.ts";

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function createApp(s: ControlPlaneServices) {
  const yoga = createGraphQL(s, GRAPHQL_MODULES);
  return (
    new Elysia()
      .onError(({ error, code }) => errorToResponse(error, code, s.log))
      .get("/healthz", () => ({ status: "ok" }))
      .all("/api/auth/*", ({ request }) => s.auth.handler(request), { parse: "none" })
      .use(executorRoutes(s))
      .all(
        "/graphql",
        ({ request, server }) => yoga.fetch(request, { ip: server?.requestIP(request)?.address ?? null }),
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
