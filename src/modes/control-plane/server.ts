// Starts and stops the control plane: config → database (migrations) → auth → services → HTTP, plus the
// background jobs (heartbeat flush, liveness sweep). SIGTERM drains: held long-polls answer, batches flush.
import { openDatabase } from "../../db/client.ts";
import { type Clock, systemClock } from "../../lib/clock.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/better-auth.ts";
import { bootstrapInitialAdmin } from "./auth/bootstrap.ts";
import { resolveAuthSecret } from "./auth/secret.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { type ControlPlaneServices, createServices } from "./services.ts";

export interface RunningControlPlane {
  url: string;
  port: number;
  services: ControlPlaneServices;
  stop(): Promise<void>;
}

export async function startControlPlane(
  config: ControlPlaneConfig,
  options: { log?: Logger; clock?: Clock } = {},
): Promise<RunningControlPlane> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const db = openDatabase(config.databasePath);
  const secret = resolveAuthSecret(db, config.authSecret);
  const auth = createAuth({ db, secret, baseUrl: config.publicUrl, openSignUp: false });
  await bootstrapInitialAdmin(db, auth, config.initialAdminEmail, config.initialAdminPassword, log);
  const services = createServices(config, db, auth, log, clock);
  services.batcher.start();
  const sweep = setInterval(() => {
    try {
      services.executors.sweep();
    } catch (error) {
      log.error("liveness sweep failed", { error });
    }
  }, 1_000);
  const app = createApp(services).listen({ port: config.port, hostname: "0.0.0.0", idleTimeout: 60 });
  const port = app.server!.port!;
  const url = `http://localhost:${port}`;
  log.info("control plane listening", { url, database: config.databasePath });
  let stopped = false;
  return {
    url,
    port,
    services,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweep);
      services.feed.notifyAll();
      await app.stop();
      services.batcher.stop();
      db.$client.close();
      log.info("control plane stopped");
    },
  };
}
