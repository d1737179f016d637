// Starts and stops the control plane: config → database (migrations) → auth → services → HTTP, plus the
// background jobs (heartbeat flush, liveness sweep). SIGTERM drains: held long-polls answer, batches flush.
import { openDatabase } from "../../db/client.ts";
import { type Clock, systemClock } from "../../lib/clock.ts";
import { UsageError } from "../../lib/errors.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import { AbuseLimits } from "./abuse/limiter.ts";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/better-auth.ts";
import { bootstrapInitialAdmin } from "./auth/bootstrap.ts";
import { resolveAuthSecret } from "./auth/secret.ts";
import { type ControlPlaneConfig, trustedOrigins } from "./config.ts";
import { pruneRuntimeEvents } from "./events/retention.ts";
import { type ControlPlaneServices, createServices, type ServiceExtras } from "./services.ts";

/** How long a stopping control plane lets requests in flight finish before it closes their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningControlPlane {
  url: string;
  port: number;
  services: ControlPlaneServices;
  stop(): Promise<void>;
}

/**
 * Binds the address once before anything touches disk: a taken port or a foreign HOST then exits without
 * creating the database or the initial admin, so a retry on a free port is still a true first run. PORT=0
 * means "any free port": the probe picks it, so the public URL (cookies, invite links, install commands)
 * names the port actually served rather than 0.
 */
function probeAddress(config: ControlPlaneConfig): ControlPlaneConfig {
  const probe = listenOrExplain(config, () =>
    Bun.serve({
      port: config.port,
      hostname: config.host,
      reusePort: false,
      fetch: () => new Response(null),
    }),
  );
  const port = probe.port!;
  probe.stop(true);
  if (config.port !== 0) return config;
  const publicUrl = config.publicUrlExplicit ? config.publicUrl : `http://localhost:${port}`;
  return { ...config, port, publicUrl, trustedOrigins: trustedOrigins(publicUrl) };
}

/**
 * Binds exclusively: Elysia asks Bun for SO_REUSEPORT by default, which let a second control plane share a
 * port with the first and take half its requests (on another database). A taken port or an address this
 * machine does not have is a configuration error naming the variable.
 */
function listenOrExplain<T>(config: ControlPlaneConfig, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new UsageError(
        `PORT=${config.port} is already in use on ${config.host} (another control plane or program listens there)`,
        "stop the other process, or set PORT to a free port (PORT=0 picks one)",
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT" || code === "ENOTFOUND") {
      throw new UsageError(
        `HOST=${config.host} is not an address of this machine`,
        "set HOST to one of this machine's addresses, 0.0.0.0 for every interface, or 127.0.0.1",
      );
    }
    throw error;
  }
}

export async function startControlPlane(
  requested: ControlPlaneConfig,
  options: { log?: Logger; clock?: Clock } & ServiceExtras = {},
): Promise<RunningControlPlane> {
  const config = probeAddress(requested);
  const log = options.log ?? createLogger({ level: config.logLevel });
  if (!config.publicUrlExplicit) {
    log.warn("BETTER_AUTH_URL is not set: the public URL is this machine's own", {
      publicUrl: config.publicUrl,
      hint: "set BETTER_AUTH_URL to the URL people and executors use; install commands name this URL",
    });
  }
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
    trustedOrigins: config.trustedOrigins,
    openSignUp: config.openSignUp,
    limits,
    log,
    clock,
  });
  await bootstrapInitialAdmin(db, auth, config.initialAdminEmail, config.initialAdminPassword, log);
  const services = createServices(config, db, auth, log, clock, limits, secret, {
    ...(options.artifactLookup ? { artifactLookup: options.artifactLookup } : {}),
  });
  // Bind before any background job starts: a taken port then leaves nothing running but the database.
  let app: ReturnType<typeof createApp>;
  try {
    app = listenOrExplain(config, () =>
      createApp(services).listen({
        port: config.port,
        hostname: config.host,
        reusePort: false,
        idleTimeout: 60,
      }),
    );
  } catch (error) {
    db.close();
    throw error;
  }
  services.batcher.start();
  services.notifications.start();
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
    try {
      services.history.sweep();
    } catch (error) {
      log.error("metric history sweep failed", { error });
    }
  }, 60_000);
  const port = app.server!.port!;
  const url = `http://localhost:${port}`;
  log.info("control plane listening", { url, host: config.host, database: config.databasePath });
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
      await services.notifications.stop();
      services.feed.notifyAll();
      services.feed.close();
      // Open log streams would hold the server's stop: end them (their readers are told why).
      services.logs.closeAll("the control plane is shutting down");
      services.live.closeAll();
      services.artifacts.stop();
      // Requests in flight get a grace period to finish; a connection still open after it (a client that
      // never sends the body it announced) must not keep the process from exiting, so it is closed.
      const grace = setTimeout(() => void app.server?.stop(true), SHUTDOWN_GRACE_MS);
      await app.stop();
      clearTimeout(grace);
      services.batcher.stop();
      db.close();
      log.info("control plane stopped");
    },
  };
}
