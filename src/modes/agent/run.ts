// `novacula agent run`: wire config → control-plane client → supervisor (systemd | process) → artifact installer →
// agent backend → executor engine, and run until SIGTERM/SIGINT. startAgent() is the same without signal
// handling, for tests and the demo that run an agent in-process.
import { mkdirSync } from "node:fs";
import { ControlPlaneClient } from "../../executor/control-plane-client.ts";
import { Executor } from "../../executor/executor.ts";
import { errorMessage } from "../../lib/errors.ts";
import { createLogger, type Logger } from "../../lib/log.ts";
import { startWorkingSetTrimmer } from "../../lib/working-set.ts";
import { NOVACULA_VERSION } from "../../protocol/version.ts";
import { ArtifactInstaller } from "./artifact-installer.ts";
import { AgentBackend } from "./backend.ts";
import type { AgentConfig } from "./config.ts";
import { hostPlatform, nodesDir, supervisorDir } from "./layout.ts";
import { agentLogTail } from "./logs/tail.ts";
import type { AgentMetricsServer } from "./metrics.ts";
import { lookupNodeUser, type NodeOwner } from "./node-user.ts";
import { createAgentSelfUpgrader } from "./self-upgrade.ts";
import { ProcessSupervisor } from "./supervisor/process.ts";
import { SystemdSupervisor } from "./supervisor/systemd.ts";
import type { Supervisor } from "./supervisor/types.ts";

export interface RunningAgent {
  readonly executor: Executor;
  readonly supervisor: Supervisor;
  /**
   * Stop the loops. With the process supervisor the node processes stop too (they are the agent's
   * children); systemd units keep running, as they should when an agent restarts or upgrades.
   */
  stop(): Promise<void>;
}

export interface StartAgentOptions {
  logger?: Logger;
  /** Called after a reconcile pass that changed the host. */
  onHostChanged?: () => void;
}

export function startAgent(config: AgentConfig, options: StartAgentOptions = {}): RunningAgent {
  const logger =
    options.logger ?? createLogger({ level: config.logging.level, format: config.logging.format });
  const log = logger.child({ component: "agent", executor: config.agent.name });
  for (const warning of config.warnings) log.warn("agent config key ignored", { detail: warning });
  for (const dir of [config.agent.dataDir, nodesDir(config.agent.dataDir)]) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  }
  const client = new ControlPlaneClient({
    url: config.controlPlane.url,
    accessToken: config.controlPlane.accessToken,
  });
  let executor: Executor | null = null;
  /** The /metrics server, once loaded (only with `[metrics] listen`). */
  let metrics: AgentMetricsServer | null = null;
  let supervisor: Supervisor;
  let logHint: (unitName: string) => string;
  let nodeOwner: (() => NodeOwner | null) | undefined;
  if (config.supervisor.kind === "process") {
    const processSupervisor = new ProcessSupervisor({
      stateDir: supervisorDir(config.agent.dataDir),
      logger: log.child({ component: "supervisor" }),
      // A child that died or came back is news: report it now rather than at the next interval.
      onChange: () => executor?.triggerReport(),
    });
    supervisor = processSupervisor;
    logHint = (unit) => processSupervisor.logPath(unit);
  } else {
    supervisor = new SystemdSupervisor({ unitDir: config.supervisor.unitDir });
    logHint = (unit) => `journalctl -u ${unit}.service`;
    // Units run node processes as the node user; the process supervisor runs them as the agent's own user.
    // Looked up until found (`agent install` may create the user after the agent started), then kept: a
    // user's uid does not change under a running agent, and the idle tick need not reread /etc/passwd.
    let found: NodeOwner | null = null;
    nodeOwner = () => {
      found ??= lookupNodeUser();
      return found;
    };
  }
  const artifacts = new ArtifactInstaller({
    dataDir: config.agent.dataDir,
    // Paths on the control plane with the key; absolute URLs (upstream, when the spec says so) without it.
    open: (url, from, signal) => client.fetchArtifact(url, from, signal),
    logger: log.child({ component: "artifacts" }),
    // A finished download lets its node start now rather than on the next reconcile tick.
    onSettled: () => executor?.triggerReconcile(),
  });
  const backend = new AgentBackend({
    dataDir: config.agent.dataDir,
    platform: hostPlatform(),
    supervisor,
    artifacts,
    scrapeTimeoutMs: config.reporter.scrapeTimeoutMs,
    logger: log.child({ component: "reconciler" }),
    logHint,
    ...(nodeOwner ? { nodeOwner } : {}),
    fullPassSecs: config.reconciler.fullPassSecs,
    emit: (event) => executor?.emit(event),
    onUnitsChanged: () => executor?.triggerReport(),
    openLogTail: agentLogTail(
      config.supervisor.kind === "process"
        ? { kind: "process", stateDir: supervisorDir(config.agent.dataDir) }
        : { kind: "systemd", unitDir: config.supervisor.unitDir },
    ),
    ...(options.onHostChanged ? { onHostChanged: options.onHostChanged } : {}),
  });
  // Created before the executor: recover() reads what an upgrade left (probation, rollback) and queues its
  // report; the executor confirms a version on probation at its first successful sync.
  const upgrader = createAgentSelfUpgrader({
    supervisorKind: config.supervisor.kind,
    controlPlaneUrl: config.controlPlane.url,
    open: (url, from, signal) => client.fetchArtifact(url, from, signal),
    logger: log.child({ component: "self-upgrade" }),
    emit: (event) => executor?.emit(event),
  });
  const recovered = upgrader.recover().catch((error: unknown) => {
    log.error("cannot read the state of a previous self-upgrade", { error: errorMessage(error) });
  });
  executor = new Executor({
    client,
    backend,
    logger: log,
    name: config.agent.name,
    version: NOVACULA_VERSION,
    channel: config.agent.channel,
    ...(config.agent.publicHost ? { publicHost: config.agent.publicHost } : {}),
    reconcileIntervalMs: config.reconciler.intervalSecs * 1000,
    reportIntervalMs: config.reporter.intervalSecs * 1000,
    onReconciled: (durationMs, ok) => metrics?.reconciled(durationMs, ok),
    onSynced: (answer) => {
      void recovered
        .then(async () => {
          await upgrader.confirm();
          if (answer.pendingUpgrade?.kind === "agent") upgrader.offer(answer.pendingUpgrade);
        })
        .catch((error: unknown) => log.error("self-upgrade step failed", { error: errorMessage(error) }));
    },
  });
  log.info("agent starting", {
    version: NOVACULA_VERSION,
    controlPlane: config.controlPlane.url,
    supervisor: supervisor.kind,
    dataDir: config.agent.dataDir,
  });
  executor.start();
  const running = executor;
  const listen = config.metrics.listen;
  // Loaded on demand: an agent without `[metrics] listen` never loads the metrics library.
  const metricsReady = listen
    ? import("./metrics.ts")
        .then((m) => {
          metrics = m.serveAgentMetrics(listen, running, log.child({ component: "metrics" }));
        })
        .catch((error: unknown) => {
          // The nodes matter more than their metrics: say what is wrong, keep managing them.
          log.error("cannot serve /metrics: check [metrics] listen (is the port taken?)", {
            error: errorMessage(error),
            listen: `${listen.host}:${listen.port}`,
          });
        })
    : Promise.resolve();
  let stopping: Promise<void> | null = null;
  return {
    executor: running,
    supervisor,
    stop: () => {
      stopping ??= (async () => {
        await metricsReady;
        metrics?.stop();
        await running.stop();
        if (supervisor instanceof ProcessSupervisor) {
          await supervisor.stopAll();
          supervisor.close();
        }
        log.info("agent stopped");
      })();
      return stopping;
    },
  };
}

/** JIT tier-up thresholds scaled by this in the agent's process (see runAgent). */
const AGENT_JIT_POLICY = 1000;

/** Run until SIGTERM or SIGINT; resolves with the exit code. */
export async function runAgent(config: AgentConfig): Promise<number> {
  // An agent process is idle nearly all the time: a few small passes every few seconds. Left at the normal
  // policy, JavaScriptCore keeps compiling that code to its optimizing tiers, which costs the JIT threads'
  // CPU and, above all, touches megabytes of the runtime's compiler code that then stay resident. Making
  // tier-up far more reluctant keeps the agent in the interpreter and baseline tiers (measured: docs/
  // benchmarks.md, Agent). Only here, in `novacula agent run`'s own process: startAgent() also runs inside
  // the control plane (the local demo), which wants the normal JIT.
  Bun.unsafe.setJITPolicy(AGENT_JIT_POLICY);
  // Likewise only here: once the agent goes quiet after start-up or after work that changed the host, the
  // pages of the executable that work touched go back to the kernel; what an idle agent runs comes straight
  // back (src/lib/working-set.ts).
  const trimmer = startWorkingSetTrimmer(
    createLogger({ level: config.logging.level, format: config.logging.format }).child({
      component: "agent",
    }),
  );
  const agent = startAgent(config, trimmer ? { onHostChanged: trimmer.noteWork } : {});
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGTERM", done);
    process.once("SIGINT", done);
  });
  trimmer?.stop();
  await agent.stop();
  return 0;
}
