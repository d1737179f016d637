// GET /install.sh (the agent installer), GET /download/novacula?platform=<linux-x64|linux-arm64> (the binary
// for a host: this control plane's own executable is also the agent, one binary for every mode) and
// GET /artifacts/<file> (client binaries the agent installs). Public on purpose: none of them holds a
// secret, and a host being provisioned has no credentials yet except the key it passes in its environment.
import { Elysia } from "elysia";
import { AppError } from "../../../lib/errors.ts";
import type { ControlPlaneServices } from "../services.ts";
import { findArtifact, findNovaculaBinary, type Lookup, ownPlatform } from "./artifacts.ts";
import { INSTALL_SCRIPT } from "./install.ts";

function serve(lookup: Lookup, path: string, headers: Record<string, string> = {}): Response {
  if ("missing" in lookup) {
    throw new AppError("not_found", lookup.missing, 404, lookup.hint ? [{ path, message: lookup.hint }] : []);
  }
  return new Response(Bun.file(lookup.path), {
    headers: { "content-type": "application/octet-stream", ...headers },
  });
}

export function executorConnectRoutes(s: Pick<ControlPlaneServices, "config">) {
  return new Elysia()
    .get(
      "/install.sh",
      () =>
        new Response(INSTALL_SCRIPT, {
          headers: { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store" },
        }),
    )
    .get("/download/novacula", ({ query }) =>
      serve(findNovaculaBinary(s.config.dataDir, query.platform ?? ownPlatform()), "/download/novacula", {
        "content-disposition": 'attachment; filename="novacula"',
      }),
    )
    .get("/artifacts/:file", ({ params }) =>
      serve(findArtifact(s.config.dataDir, params.file), `/artifacts/${params.file}`),
    );
}
