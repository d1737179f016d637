// The `process` supervisor: runs each definition as a direct child of the agent, for hosts without systemd
// (the local demo). Its state lives on disk (process-store.ts) as systemd's would, so a restarted agent finds
// its children again. Children run in their own session, so a terminal's Ctrl-C reaches the agent, which
// decides what stops. A child that exits is restarted per its restartPolicy, at most START_LIMIT_BURST times
// per START_LIMIT_INTERVAL_MS (then `failed`, like systemd's start limit). Children left by a previous agent
// are adopted and watched through /proc (their exit status is unknown, so their exit counts as a failure).
import { closeSync } from "node:fs";
import { constants } from "node:os";
import type { Subprocess } from "bun";
import { errorMessage } from "../../../lib/errors.ts";
import type { Logger } from "../../../lib/log.ts";
import { silentLogger } from "../../../lib/log.ts";
import { isSameProcessAlive, readProcStat } from "../host/proc.ts";
import { ProcessStateStore, type RuntimeRecord } from "./process-store.ts";
import type { ProcessDefinition, Supervisor, UnitActiveState, UnitState } from "./types.ts";

const START_LIMIT_BURST = 5;
const START_LIMIT_INTERVAL_MS = 60_000;
const RESTART_DELAY_MS = 1000;
const WATCH_INTERVAL_MS = 500;

interface Live {
  /** Our own child (we get its exit status) or null for an adopted one (watched through /proc). */
  child: Subprocess | null;
  pid: number;
  restartTimer?: ReturnType<typeof setTimeout>;
  /** The exit is expected (stop/restart/remove): do not apply the restart policy. */
  stopping: boolean;
}

export interface ProcessSupervisorOptions {
  /** Where definitions, runtime records and logs live, e.g. <data_dir>/supervisor. */
  stateDir: string;
  logger?: Logger;
  /** Called after a unit's process exits or is restarted on its own, so the agent can report at once. */
  onChange?: (unitName: string) => void;
}

export class ProcessSupervisor implements Supervisor {
  readonly kind = "process" as const;
  private readonly store: ProcessStateStore;
  private readonly log: Logger;
  private readonly live = new Map<string, Live>();
  private readonly watcher: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly options: ProcessSupervisorOptions) {
    this.store = new ProcessStateStore(options.stateDir);
    this.log = options.logger ?? silentLogger;
    this.adoptAll();
    this.watcher = setInterval(() => this.watchAdopted(), WATCH_INTERVAL_MS);
    this.watcher.unref?.();
  }

  async list(): Promise<UnitState[]> {
    return this.store.unitNames().map((name) => this.stateOf(name));
  }

  async install(definition: ProcessDefinition): Promise<boolean> {
    this.store.checkName(definition.unitName);
    const current = this.store.readDefinition(definition.unitName);
    if (current?.definitionHash === definition.definitionHash) return false;
    this.store.writeDefinition(definition);
    return true;
  }

  async start(unitName: string): Promise<void> {
    const definition = this.requireDefinition(unitName);
    const record = this.store.readRecord(unitName);
    if (record && record.wanted === "active" && this.isRunning(unitName, record)) return;
    const live = this.live.get(unitName);
    if (live?.restartTimer) clearTimeout(live.restartTimer);
    // A manual start clears the failed state and the start-limit history, as `systemctl start` does.
    this.spawn(definition, { restarts: 0, starts: [] });
  }

  async stop(unitName: string): Promise<void> {
    const definition = this.store.readDefinition(unitName);
    const record = this.store.readRecord(unitName);
    if (!record) return;
    // Persist the intent first: if the agent dies mid-stop, the next one must not restart the process.
    this.store.writeRecord(unitName, { ...record, wanted: "inactive", failed: false });
    await this.terminate(unitName, record, (definition?.stopTimeoutSecs ?? 30) * 1000);
  }

  async restart(unitName: string): Promise<void> {
    await this.stop(unitName);
    await this.start(unitName);
  }

  async remove(unitName: string): Promise<void> {
    await this.stop(unitName);
    this.live.delete(unitName);
    this.store.removeAll(unitName);
  }

  /** Stop every running unit (graceful agent shutdown): children live as long as their agent. */
  async stopAll(): Promise<void> {
    const units = await this.list();
    await Promise.all(
      units.filter((u) => u.activeState !== "inactive").map((u) => this.stop(u.unitName).catch(() => {})),
    );
  }

  /** Stop watching; children keep running (a later supervisor on the same state dir adopts them). */
  close(): void {
    this.closed = true;
    clearInterval(this.watcher);
    for (const live of this.live.values()) if (live.restartTimer) clearTimeout(live.restartTimer);
  }

  /** The log file of a unit, for people and error messages. */
  logPath(unitName: string): string {
    return this.store.path(unitName, "log");
  }

  // --- state -------------------------------------------------------------------------------------------

  private stateOf(unitName: string): UnitState {
    const definition = this.store.readDefinition(unitName);
    const record = this.store.readRecord(unitName);
    const base = { unitName, definitionHash: definition?.definitionHash ?? null };
    if (!record) return { ...base, activeState: "inactive", subState: "dead", mainPid: 0, restarts: 0 };
    const running = this.isRunning(unitName, record);
    const live = this.live.get(unitName);
    let activeState: UnitActiveState;
    let subState: string;
    if (record.wanted === "active") {
      if (running) [activeState, subState] = ["active", "running"];
      else if (live?.restartTimer) [activeState, subState] = ["activating", "auto-restart"];
      // Like systemd: a clean exit the policy does not restart is `inactive`; anything else is `failed`.
      else if (record.failed) [activeState, subState] = ["failed", "failed"];
      else [activeState, subState] = ["inactive", "dead"];
    } else if (running) [activeState, subState] = ["deactivating", "stop-sigterm"];
    else [activeState, subState] = ["inactive", "dead"];
    const state: UnitState = {
      ...base,
      // Like the systemd supervisor: null while the running process predates the installed definition, so
      // an agent killed between install() and restart() sees the mismatch and finishes the job.
      ...(running && record.runningHash !== base.definitionHash ? { definitionHash: null } : {}),
      activeState,
      subState,
      mainPid: running ? record.pid : 0,
      restarts: record.restarts,
      ...(record.exitStatus !== undefined ? { exitStatus: record.exitStatus } : {}),
      ...(running ? { activeSinceMs: record.startedAtMs } : {}),
    };
    if (activeState !== "active") {
      const output = this.store.tailOutput(unitName);
      if (output) state.recentOutput = output;
    }
    return state;
  }

  private isRunning(unitName: string, record: RuntimeRecord): boolean {
    const live = this.live.get(unitName);
    if (live?.child && live.pid === record.pid)
      return live.child.exitCode === null && live.child.signalCode === null;
    return record.pid > 0 && isSameProcessAlive(record.pid, record.pidStartTicks);
  }

  private requireDefinition(unitName: string): ProcessDefinition {
    const definition = this.store.readDefinition(unitName);
    if (!definition) throw new Error(`unit ${unitName} is not installed`);
    return definition;
  }

  // --- running processes -------------------------------------------------------------------------------

  private spawn(definition: ProcessDefinition, history: { restarts: number; starts: number[] }): void {
    const { unitName } = definition;
    const now = Date.now();
    const starts = [...history.starts.filter((t) => now - t < START_LIMIT_INTERVAL_MS), now];
    const logFd = this.store.openLog(unitName);
    let child: Subprocess;
    try {
      child = Bun.spawn([definition.executable, ...definition.args], {
        cwd: definition.workingDirectory,
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...definition.env },
        stdio: ["ignore", logFd, logFd],
        detached: true,
      });
    } catch (error) {
      closeSync(logFd);
      // An executable that cannot even be started (missing, not executable) is a failed unit, not a crash.
      this.store.writeRecord(unitName, {
        wanted: "active",
        pid: 0,
        pidStartTicks: 0,
        startedAtMs: now,
        restarts: history.restarts,
        exitStatus: 203,
        failed: true,
        starts,
      });
      this.store.appendLog(
        unitName,
        `novacula: cannot start ${definition.executable}: ${errorMessage(error)}`,
      );
      return;
    }
    closeSync(logFd);
    const stat = readProcStat(child.pid);
    this.live.set(unitName, { child, pid: child.pid, stopping: false });
    this.store.writeRecord(unitName, {
      wanted: "active",
      pid: child.pid,
      pidStartTicks: stat?.startTicks ?? 0,
      startedAtMs: now,
      runningHash: definition.definitionHash,
      restarts: history.restarts,
      starts,
    });
    this.log.debug("process started", { unit: unitName, pid: child.pid });
    child.exited.then(() => {
      // As systemd's ExecMainStatus: the exit code, or the signal number when a signal killed it.
      const status = child.exitCode ?? signalNumber(child.signalCode);
      this.onExit(unitName, child.pid, status, child.exitCode === 0);
    });
  }

  private onExit(unitName: string, pid: number, exitStatus: number, clean: boolean): void {
    const live = this.live.get(unitName);
    const record = this.store.readRecord(unitName);
    if (!record || record.pid !== pid) return;
    if (live?.pid === pid && live.stopping) return;
    const definition = this.store.readDefinition(unitName);
    const policy = definition?.restartPolicy ?? "no";
    const restart =
      record.wanted === "active" && (policy === "always" || (policy === "on-failure" && !clean));
    const now = Date.now();
    const recent = record.starts.filter((t) => now - t < START_LIMIT_INTERVAL_MS);
    const limited = restart && recent.length >= START_LIMIT_BURST;
    this.store.writeRecord(unitName, { ...record, exitStatus, failed: !clean || limited });
    this.log.warn("process exited", { unit: unitName, pid, exitStatus, restart: restart && !limited });
    if (restart && !limited && definition && !this.closed) {
      const timer = setTimeout(() => {
        const current = this.store.readRecord(unitName);
        const entry = this.live.get(unitName);
        if (entry) entry.restartTimer = undefined;
        if (this.closed || !current || current.wanted !== "active" || current.pid !== pid) return;
        const latest = this.store.readDefinition(unitName);
        if (latest) this.spawn(latest, { restarts: current.restarts + 1, starts: current.starts });
        this.options.onChange?.(unitName);
      }, RESTART_DELAY_MS);
      this.live.set(unitName, { child: null, pid: 0, stopping: false, restartTimer: timer });
    }
    this.options.onChange?.(unitName);
  }

  private async terminate(unitName: string, record: RuntimeRecord, timeoutMs: number): Promise<void> {
    const live = this.live.get(unitName);
    if (live?.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = undefined;
    }
    if (!this.isRunning(unitName, record)) return;
    if (live && live.pid === record.pid) live.stopping = true;
    else this.live.set(unitName, { child: null, pid: record.pid, stopping: true });
    // The whole process group: a client's own helpers must not outlive it.
    signalGroup(record.pid, "SIGTERM");
    const deadline = Date.now() + timeoutMs;
    while (this.isRunning(unitName, record) && Date.now() < deadline) await Bun.sleep(50);
    if (this.isRunning(unitName, record)) {
      this.log.warn("process did not stop in time; killing it", {
        unit: unitName,
        pid: record.pid,
        timeoutMs,
      });
      signalGroup(record.pid, "SIGKILL");
      while (this.isRunning(unitName, record)) await Bun.sleep(20);
    }
  }

  /** On start-up: children of a previous agent still running are ours to watch; dead ones show as failed. */
  private adoptAll(): void {
    for (const unitName of this.store.recordedUnits()) {
      const record = this.store.readRecord(unitName);
      if (record && record.pid > 0 && isSameProcessAlive(record.pid, record.pidStartTicks)) {
        this.live.set(unitName, { child: null, pid: record.pid, stopping: false });
        this.log.info("adopted running process", { unit: unitName, pid: record.pid });
      }
    }
  }

  private watchAdopted(): void {
    for (const [unitName, live] of this.live) {
      if (live.child || live.stopping || live.pid === 0) continue;
      const record = this.store.readRecord(unitName);
      if (!record || record.pid !== live.pid) continue;
      if (!isSameProcessAlive(record.pid, record.pidStartTicks))
        this.onExit(unitName, record.pid, 255, false);
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function signalNumber(signal: string | number | null): number {
  if (typeof signal === "number") return signal;
  return signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
}
