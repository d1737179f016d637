// GET /install.sh (the agent installer), GET /download/novacula?platform=<linux-x64|linux-arm64> (the binary
// for a host: the newest published stable agent release of the catalog for that platform when there is one,
// else this control plane's own executable, which is also the agent: one binary for every mode). Public on
// purpose: neither holds a secret, and a host being provisioned has no credentials yet except the key it
// passes in its environment. Client binaries reach agents through the artifact store (../artifacts/).
import { Elysia } from "elysia";
import { AppError } from "../../../lib/errors.ts";
import type { ControlPlaneServices } from "../services.ts";
import { findNovaculaBinary, type Lookup, ownPlatform } from "./artifacts.ts";
import { INSTALL_SCRIPT } from "./install.ts";

function serve(lookup: Lookup, path: string, headers: Record<string, string> = {}): Response {
  if ("missing" in lookup) {
    throw new AppError("not_found", lookup.missing, 404, lookup.hint ? [{ path, message: lookup.hint }] : []);
  }
  return new Response(Bun.file(lookup.path), {
    headers: { "content-type": "application/octet-stream", ...headers },
  });
}

export function executorConnectRoutes(s: Pick<ControlPlaneServices, "config" | "releases">) {
  return new Elysia()
    .get(
      "/install.sh",
      () =>
        new Response(INSTALL_SCRIPT, {
          headers: { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store" },
        }),
    )
    .get("/download/novacula", ({ query }) => {
      const platform = query.platform ?? ownPlatform();
      const headers = { "content-disposition": 'attachment; filename="novacula"' };
      const released = s.releases.newest("agent", "stable", platform);
      if (released) {
        return serve({ path: released.path }, "/download/novacula", {
          ...headers,
          "x-novacula-version": released.release.version,
          "x-novacula-sha256": released.artifact.sha256,
        });
      }
      return serve(findNovaculaBinary(s.config.dataDir, platform), "/download/novacula", headers);
    });
}
