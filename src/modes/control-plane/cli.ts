// `novacula control-plane`: reads the environment, starts the server, stops cleanly on SIGTERM/SIGINT.
import { UsageError } from "../../lib/errors.ts";
import { loadControlPlaneConfig } from "./config.ts";
import { environmentHelp } from "./env-vars.ts";
import { startControlPlane } from "./server.ts";

export async function runControlPlaneCli(argv: string[]): Promise<number> {
  if (argv[0] === "catalog") {
    const { runCatalogCli } = await import("./catalog/cli.ts");
    return runCatalogCli(argv.slice(1));
  }
  if (argv[0] === "artifact") {
    const { runArtifactCli } = await import("./artifacts/cli.ts");
    return runArtifactCli(argv.slice(1));
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(
      `usage: novacula control-plane\n       novacula control-plane catalog import FILE | list [--json]\n       novacula control-plane artifact import FILE   (store a client file for executors)\n\nConfigured by environment variables only (a bad value exits 2 naming it):\n${environmentHelp()}`,
    );
    return 0;
  }
  if (argv.length > 0) {
    throw new UsageError(
      `control-plane takes no arguments (got ${argv[0]})`,
      "configure it with environment variables (`novacula control-plane --help` lists them)",
    );
  }
  const server = await startControlPlane(loadControlPlaneConfig());
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  });
  await server.stop();
  // Stopped: requests drained or cut after the grace, batches flushed, the database closed. Anything still
  // scheduled (a timer a request started while the server stopped, a socket a client abandoned) has
  // nothing left to do, and must not keep a stopped control plane from exiting.
  process.exit(0);
}
