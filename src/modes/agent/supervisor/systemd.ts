// The systemd Supervisor, and THE one module that spawns `systemctl` (the agent CLI's start/stop/restart/status
// and the installer go through `systemctl()` here). One unit file per node process, `<chain>-<role>@<node>.service`,
// in a configurable unit directory (production: /etc/systemd/system).
//
// Unit names contain "@", which makes them template *instances*; systemd loads a concrete file named
// `devnet-node@mynode.service` directly (it only falls back to a `devnet-node@.service` template when no
// instance file exists). We write concrete files because every node has its own args. A side effect worth
// knowing: drop-ins in `devnet-node@.service.d/` apply to every devnet node, which admins may use on purpose.
//
// State is always read back from the host: ownership from the unit files (the X-Novacula-Definition-Hash=
// line), live state from ONE `systemctl show` for all units. Unit files are small and local, so list() and
// install() read them with the sync calls: in Bun each async fs call costs ~15x the CPU of its sync twin, and
// these run for every unit on every reconcile and report tick (docs/benchmarks.md, Agent).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../../lib/atomic-write.ts";
import { assertUnitName, parseDefinitionHash, renderProcessUnit } from "../units.ts";
import type { ProcessDefinition, Supervisor, UnitActiveState, UnitState } from "./types.ts";

export interface SystemctlOptions {
  /** argv placed before `systemctl`, e.g. ["nsenter", "-t", pid, "-m", "-p", "--"] to reach a test namespace. */
  commandPrefix?: readonly string[];
  timeoutMs?: number;
  /** Throw SystemctlError on a non-zero exit (default true). */
  check?: boolean;
}

export interface SystemctlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A failed systemctl call; `exitCode` is what the agent CLI exits with (reference §9.1). */
export class SystemctlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`systemctl ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim() || "no output"}`);
    this.name = "SystemctlError";
  }
}

/** systemctl's exit code for "unit not loaded / no such unit" (LSB 5: program not installed). */
export const SYSTEMCTL_UNIT_NOT_LOADED = 5;
const DEFAULT_TIMEOUT_MS = 30_000;

export async function systemctl(
  args: readonly string[],
  options: SystemctlOptions = {},
): Promise<SystemctlResult> {
  const { commandPrefix = [], timeoutMs = DEFAULT_TIMEOUT_MS, check = true } = options;
  const child = Bun.spawn([...commandPrefix, "systemctl", "--no-pager", "--no-ask-password", ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "", LC_ALL: "C" },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    if (timedOut) throw new SystemctlError(args, 124, `timed out after ${timeoutMs} ms`);
    if (check && code !== 0) throw new SystemctlError(args, code, stderr);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `systemctl show -p <properties> <units...>` in one call: a map from unit id to its properties.
 * systemd prints one block per unit, in argument order, separated by a blank line.
 */
export async function systemctlShow(
  units: readonly string[],
  properties: readonly string[],
  options: SystemctlOptions = {},
): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>();
  if (units.length === 0) return result;
  const wanted = properties.includes("Id") ? properties : ["Id", ...properties];
  const { stdout } = await systemctl(
    ["show", "--timestamp=us+utc", "-p", wanted.join(","), "--", ...units],
    options,
  );
  const blocks = stdout.split(/\n\n+/).filter((b) => b.trim() !== "");
  blocks.forEach((block, index) => {
    const props: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
    }
    result.set(props.Id ?? units[index]!, props);
  });
  return result;
}

export interface SystemdSupervisorOptions {
  /** Where unit files are written and read, as this process sees it (default /etc/systemd/system). */
  unitDir?: string;
  commandPrefix?: readonly string[];
  /** Bound on quick systemctl calls (show, start, daemon-reload); stops use the unit's TimeoutStopSec. */
  timeoutMs?: number;
}

const SHOW_PROPERTIES = [
  "Id",
  "LoadState",
  "ActiveState",
  "SubState",
  "MainPID",
  "NRestarts",
  "ExecMainCode",
  "ExecMainStatus",
  "ExecMainStartTimestamp",
  "NeedDaemonReload",
];

const ACTIVE_STATES: Record<string, UnitActiveState> = {
  active: "active",
  reloading: "active",
  refreshing: "active",
  activating: "activating",
  deactivating: "deactivating",
  inactive: "inactive",
  failed: "failed",
};

/** "Mon 2026-11-23 16:45:41.225257 UTC" (from --timestamp=us+utc) → epoch microseconds; null when empty. */
export function parseUsUtcTimestamp(value: string | undefined): number | null {
  const m = value?.match(/(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))? UTC$/);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}T${m[2]}Z`) / 1000;
  return seconds * 1_000_000 + Number((m[3] ?? "0").padEnd(6, "0"));
}

export class SystemdSupervisor implements Supervisor {
  readonly kind = "systemd" as const;
  readonly unitDir: string;
  private readonly commandPrefix: readonly string[];
  private readonly timeoutMs: number;
  /**
   * What the latest list() read per unit file: its mtime and whether systemd still had to reload it. Lets
   * install() skip a `systemctl show` per unit per reconcile tick when the file is untouched since.
   */
  private readonly loaded = new Map<string, { mtimeUs: number; needsReload: boolean }>();
  /**
   * Per unit file, the definition hash it carries (null: not ours) and the inode, size and mtime it was read
   * at: list() runs every reconcile tick and every report, and rereads a file only when that stamp changes
   * (install() replaces a file by rename, so a new definition always comes with a new inode).
   */
  private readonly definitionHashes = new Map<string, { stamp: string; hash: string | null }>();
  /** Counts systemctl calls made through this supervisor (see systemctl()): a listing is reusable only
   *  while the count is what it was when the listing started. */
  private changes = 0;
  private lastListing: { atMs: number; changes: number; units: UnitState[] } | null = null;

  constructor(options: SystemdSupervisorOptions = {}) {
    this.unitDir = options.unitDir ?? "/etc/systemd/system";
    this.commandPrefix = options.commandPrefix ?? [];
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Every state-changing systemctl call goes through here, counted before and after it runs. */
  private async systemctl(args: string[], options: Omit<SystemctlOptions, "commandPrefix"> = {}) {
    this.changes++;
    try {
      return await systemctl(args, {
        commandPrefix: this.commandPrefix,
        timeoutMs: this.timeoutMs,
        ...options,
      });
    } finally {
      this.changes++;
    }
  }

  private unitPath(unitName: string): string {
    assertUnitName(unitName);
    return join(this.unitDir, `${unitName}.service`);
  }

  private definitionHashOf(file: string, path: string, stamp: string): string | null {
    const known = this.definitionHashes.get(file);
    if (known?.stamp === stamp) return known.hash;
    const hash = parseDefinitionHash(readFileSync(path, "utf8"));
    this.definitionHashes.set(file, { stamp, hash });
    return hash;
  }

  async list(options: { maxAgeMs?: number } = {}): Promise<UnitState[]> {
    const last = this.lastListing;
    if (last && last.changes === this.changes && performance.now() - last.atMs <= (options.maxAgeMs ?? 0)) {
      return [...last.units];
    }
    const startedAt = { atMs: performance.now(), changes: this.changes };
    const units = await this.listNow();
    this.lastListing = { ...startedAt, units };
    return [...units];
  }

  private async listNow(): Promise<UnitState[]> {
    let entries: string[];
    try {
      entries = readdirSync(this.unitDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const owned = new Map<string, { hash: string; mtimeUs: number }>();
    const seen = new Set<string>();
    for (const file of entries.sort()) {
      if (!file.endsWith(".service") || file.startsWith(".")) continue;
      const path = join(this.unitDir, file);
      let hash: string | null;
      let mtimeUs: number;
      try {
        const info = statSync(path, { bigint: true });
        // Masks are symlinks to /dev/null and foreign units may be anything: only regular files can be ours.
        if (!info.isFile()) continue;
        mtimeUs = Number(info.mtimeNs / 1000n);
        seen.add(file);
        hash = this.definitionHashOf(file, path, `${info.ino}:${info.size}:${info.mtimeNs}`);
      } catch {
        continue; // removed between readdir and read: it is not there any more
      }
      if (hash !== null) owned.set(file, { hash, mtimeUs });
    }
    for (const file of this.definitionHashes.keys()) if (!seen.has(file)) this.definitionHashes.delete(file);
    const shown = await systemctlShow([...owned.keys()], SHOW_PROPERTIES, {
      commandPrefix: this.commandPrefix,
      timeoutMs: this.timeoutMs,
    });
    const states: UnitState[] = [];
    this.loaded.clear();
    for (const [file, { hash, mtimeUs }] of owned) {
      const p = shown.get(file) ?? {};
      this.loaded.set(file.slice(0, -".service".length), {
        mtimeUs,
        needsReload: p.NeedDaemonReload !== "no",
      });
      const mainPid = Number(p.MainPID ?? 0);
      const startedUs = parseUsUtcTimestamp(p.ExecMainStartTimestamp);
      // The hash is the definition the process actually runs with, or null when systemd has not loaded
      // the file yet (daemon-reload pending) or the running process predates the file (restart pending).
      // Either way an agent killed between "write" and "restart" sees a mismatch and finishes the job.
      const stale =
        p.NeedDaemonReload === "yes" || (mainPid > 0 && startedUs !== null && startedUs < mtimeUs);
      const state: UnitState = {
        unitName: file.slice(0, -".service".length),
        ...activeStateOf(p),
        mainPid,
        restarts: Number(p.NRestarts ?? 0),
        definitionHash: stale ? null : hash,
        startedGeneration: null,
      };
      if (p.ExecMainCode !== undefined && p.ExecMainCode !== "0") state.exitStatus = Number(p.ExecMainStatus);
      states.push(state);
    }
    return states;
  }

  async install(definition: ProcessDefinition): Promise<boolean> {
    const path = this.unitPath(definition.unitName);
    const rendered = renderProcessUnit(definition);
    let current: string | null = null;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      // Not installed yet.
    }
    if (current === rendered) {
      // Same bytes on disk, but an agent killed after writing and before reloading leaves systemd on the
      // old definition: the effective definition then still changes, so reload and say so. When the latest
      // list() saw this very file (same mtime) already loaded, systemd has not been told anything since.
      if (this.loadedSinceList(definition.unitName, path)) return false;
      const shown = await systemctlShow([`${definition.unitName}.service`], ["NeedDaemonReload"], {
        commandPrefix: this.commandPrefix,
        timeoutMs: this.timeoutMs,
      });
      if (shown.get(`${definition.unitName}.service`)?.NeedDaemonReload !== "yes") return false;
    } else {
      writeFileAtomicSync(path, rendered);
    }
    await this.systemctl(["daemon-reload"]);
    return true;
  }

  async start(unitName: string): Promise<void> {
    this.unitPath(unitName);
    await this.systemctl(["start", `${unitName}.service`], { timeoutMs: Math.max(this.timeoutMs, 120_000) });
  }

  async stop(unitName: string): Promise<void> {
    await this.systemctl(["stop", `${unitName}.service`], { timeoutMs: await this.stopBudgetMs(unitName) });
  }

  async restart(unitName: string): Promise<void> {
    await this.systemctl(["restart", `${unitName}.service`], {
      timeoutMs: await this.stopBudgetMs(unitName),
    });
  }

  async remove(unitName: string): Promise<void> {
    const path = this.unitPath(unitName);
    const unit = `${unitName}.service`;
    // Stop before deleting the file: a running unit without a file would be invisible to list() (an orphan).
    const stopped = await this.systemctl(["stop", unit], {
      timeoutMs: await this.stopBudgetMs(unitName),
      check: false,
    });
    if (stopped.code !== 0 && stopped.code !== SYSTEMCTL_UNIT_NOT_LOADED) {
      throw new SystemctlError(["stop", unit], stopped.code, stopped.stderr);
    }
    // A failed unit stays in systemd's memory (and `systemctl --failed`) until reset.
    await this.systemctl(["reset-failed", unit], { check: false });
    const existed = await rm(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    if (existed) await this.systemctl(["daemon-reload"]);
  }

  /** True when list() saw systemd with this file loaded (NeedDaemonReload=no) and the file is unchanged since. */
  private loadedSinceList(unitName: string, path: string): boolean {
    const seen = this.loaded.get(unitName);
    if (!seen || seen.needsReload) return false;
    const info = statSync(path, { bigint: true, throwIfNoEntry: false });
    return info !== undefined && Number(info.mtimeNs / 1000n) === seen.mtimeUs;
  }

  /** How long a stop may take: the unit's TimeoutStopSec (systemd SIGKILLs after it) plus a margin. */
  private async stopBudgetMs(unitName: string): Promise<number> {
    const text = await readFile(this.unitPath(unitName), "utf8").catch(() => "");
    const secs = Number(text.match(/^TimeoutStopSec=(\d+)$/m)?.[1] ?? 90);
    return Math.max(this.timeoutMs, (secs + 30) * 1000);
  }
}

function activeStateOf(p: Record<string, string>): Pick<UnitState, "activeState" | "subState"> {
  const load = p.LoadState ?? "not-found";
  if (load === "not-found") return { activeState: "absent", subState: p.SubState ?? "dead" };
  // A unit file systemd refuses to load is an error the user must see, not an "inactive" node.
  if (load === "error" || load === "bad-setting" || load === "masked")
    return { activeState: "failed", subState: load };
  return { activeState: ACTIVE_STATES[p.ActiveState ?? ""] ?? "activating", subState: p.SubState ?? "" };
}
