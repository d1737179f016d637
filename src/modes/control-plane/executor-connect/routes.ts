// GET /install.sh (the agent installer) and GET /download/novacula (this control plane's own binary, which
// is also the agent: one binary for every mode). Public on purpose: the binary and script hold no secret,
// and a host being provisioned has no credentials yet except the key it passes in its environment.
import { Elysia } from "elysia";
import { AppError } from "../../../lib/errors.ts";
import { INSTALL_SCRIPT } from "./install.ts";

/** The running executable when this is a `bun build --compile` binary; null under `bun src/main.ts`. */
export function ownBinaryPath(): string | null {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/") ? process.execPath : null;
}

export function executorConnectRoutes() {
  return new Elysia()
    .get(
      "/install.sh",
      () =>
        new Response(INSTALL_SCRIPT, {
          headers: { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store" },
        }),
    )
    .get("/download/novacula", () => {
      const path = ownBinaryPath();
      if (!path) {
        throw new AppError(
          "not_found",
          "this control plane runs from source, so it has no binary to serve; run the compiled novacula binary",
          404,
          [
            {
              path: "/download/novacula",
              message: "build it with `bun run build` and start dist/novacula control-plane",
            },
          ],
        );
      }
      return new Response(Bun.file(path), {
        headers: {
          "content-type": "application/octet-stream",
          "content-disposition": 'attachment; filename="novacula"',
        },
      });
    });
}
