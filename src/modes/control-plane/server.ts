// Starts and stops the control plane: config → database (migrations) → auth → services → HTTP, plus the
// background jobs (heartbeat flush, liveness sweep). SIGTERM drains: held long-polls answer, batches flush.
import { openDatabase } from "../../db/client.ts";
import { type Clock, systemClock } from "../../lib/clock.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import { AbuseLimits } from "./abuse/limiter.ts";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/better-auth.ts";
import { bootstrapInitialAdmin } from "./auth/bootstrap.ts";
import { resolveAuthSecret } from "./auth/secret.ts";
import type { ControlPlaneConfig } from "./config.ts";
import { pruneRuntimeEvents } from "./events/retention.ts";
import { type ControlPlaneServices, createServices } from "./services.ts";

export interface RunningControlPlane {
  url: string;
  port: number;
  services: ControlPlaneServices;
  stop(): Promise<void>;
}

/**
 * PORT=0 means "any free port": pick it before anything is built, so the public URL (cookies, invite links,
 * install commands) names the port actually served rather than 0.
 */
function withConcretePort(config: ControlPlaneConfig): ControlPlaneConfig {
  if (config.port !== 0) return config;
  const probe = Bun.serve({ port: 0, hostname: "0.0.0.0", fetch: () => new Response(null) });
  const port = probe.port!;
  probe.stop(true);
  return {
    ...config,
    port,
    publicUrl: config.publicUrlExplicit ? config.publicUrl : `http://localhost:${port}`,
  };
}

export async function startControlPlane(
  requested: ControlPlaneConfig,
  options: { log?: Logger; clock?: Clock } = {},
): Promise<RunningControlPlane> {
  const config = withConcretePort(requested);
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const db = openDatabase(config.databasePath);
  const secret = resolveAuthSecret(db, {
    configured: config.authSecret,
    file: config.authSecretFile,
    dataDir: config.dataDir,
  });
  const limits = new AbuseLimits();
  const auth = createAuth({
    db,
    secret,
    baseUrl: config.publicUrl,
    openSignUp: config.openSignUp,
    limits,
    log,
    clock,
  });
  await bootstrapInitialAdmin(db, auth, config.initialAdminEmail, config.initialAdminPassword, log);
  const services = createServices(config, db, auth, log, clock, limits);
  services.batcher.start();
  const sweep = setInterval(() => {
    try {
      services.executors.sweep();
      services.keyManagement.sweepGrace();
    } catch (error) {
      log.error("liveness sweep failed", { error });
    }
  }, 1_000);
  const retention = setInterval(() => {
    try {
      const removed = pruneRuntimeEvents(
        db,
        clock.now(),
        config.eventRetentionDays,
        config.eventRetentionMaxPerOrg,
      );
      if (removed > 0) log.info("pruned runtime events", { removed });
    } catch (error) {
      log.error("event retention failed", { error });
    }
  }, 60_000);
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
      clearInterval(retention);
      services.feed.notifyAll();
      services.feed.close();
      await app.stop();
      services.batcher.stop();
      db.$client.close();
      log.info("control plane stopped");
    },
  };
}
