// Reading /proc: whether a pid is still the process we started (pid reuse is real on busy hosts), and its
// CPU time and resident memory. Linux only, like the agent.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), T, ... */
  state: string;
  ppid: number;
  /** Clock ticks of user + system CPU time. */
  cpuTicks: number;
  /** Start time after boot in clock ticks: with the pid, identifies one process instance. */
  startTicks: number;
  rssPages: number;
}

let clockTicks: number | null = null;
/** USER_HZ, nearly always 100. */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const value = Number.parseInt(answer.stdout ?? "", 10);
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

let pageSize: number | null = null;
export function pageSizeBytes(): number {
  if (pageSize === null) {
    const answer = spawnSync("getconf", ["PAGESIZE"], { encoding: "utf8" });
    const value = Number.parseInt(answer.stdout ?? "", 10);
    pageSize = Number.isFinite(value) && value > 0 ? value : 4096;
  }
  return pageSize;
}

export function readProcStat(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state); field N is fields[N - 3].
  const num = (field: number) => Number(fields[field - 3]);
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: num(4),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
}

/** True while `pid` runs and is the same instance that started at `startTicks` (not a zombie). */
export function isSameProcessAlive(pid: number, startTicks: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.startTicks === startTicks && stat.state !== "Z" && stat.state !== "X";
}

/** Seconds since boot, for turning startTicks into an age. */
export function uptimeSeconds(): number {
  try {
    return Number.parseFloat(readFileSync("/proc/uptime", "utf8").split(" ")[0] ?? "0");
  } catch {
    return 0;
  }
}

/** Resident memory of `pid` in bytes, or null when it is gone. */
export function rssBytes(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat ? stat.rssPages * pageSizeBytes() : null;
}
