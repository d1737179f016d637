// Helpers for scripts/bench-agent.ts: percentiles and medians, /proc readings of a process (RSS, own and
// children's CPU ticks), and the machine description the benchmark doc records. Linux only.
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export const median = (samples: readonly number[]) => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface ProcSample {
  /** Wall clock of the reading, ms (performance.now based). */
  atMs: number;
  /** utime + stime of the process itself, in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: CPU of waited-for children (the systemctl/nsenter processes it spawned). */
  childTicks: number;
  rssKib: number;
  /** RssAnon: the process's own memory (heap, stacks); VmRSS minus this is mapped file pages (the binary). */
  rssAnonKib: number;
  /** Field 22: start time, identifies the process instance. */
  startTicks: string;
}

/** Reads /proc/<pid>/{stat,status} under `procRoot` (e.g. /proc/<ns pid 1>/root/proc for a namespace). */
export function readProc(procRoot: string, pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, "utf8");
    const status = readFileSync(`${procRoot}/${pid}/status`, "utf8");
    // After ")": field 3 is index 0, so field N is index N - 3.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const n = (field: number) => Number(f[field - 3]);
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? 0);
    return {
      atMs: performance.now(),
      ownTicks: n(14) + n(15),
      childTicks: n(16) + n(17),
      rssKib: kib("VmRSS"),
      rssAnonKib: kib("RssAnon"),
      startTicks: f[19] ?? "",
    };
  } catch {
    return null;
  }
}

/**
 * Where a process's resident memory is, from /proc/<pid>/smaps: KiB of Rss per mapping kind ("exe r-xp"
 * for the executable's machine code, "exe r--p" for its read-only data and embedded bundle, "[heap]",
 * "anon" for unnamed mappings, a library's file name), largest first. Null if smaps cannot be read.
 */
export function rssByMapping(procRoot: string, pid: number): Record<string, number> | null {
  let smaps: string;
  try {
    smaps = readFileSync(`${procRoot}/${pid}/smaps`, "utf8");
  } catch {
    return null;
  }
  const exe = /^[0-9a-f]+-[0-9a-f]+ r-xp \S+ \S+ \d+\s+(\S+)$/m.exec(smaps)?.[1];
  const totals = new Map<string, number>();
  let kind = "";
  for (const line of smaps.split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      const [, perms, path] = header;
      kind = path === exe ? `exe ${perms}` : path ? (path.split("/").pop() ?? path) : "anon";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals.set(kind, (totals.get(kind) ?? 0) + Number(rss[1]));
  }
  return Object.fromEntries([...totals].filter(([, kib]) => kib > 0).sort((a, b) => b[1] - a[1]));
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK); read once from the kernel's answer. */
export function clockTicksPerSecond(): number {
  const answer = Bun.spawnSync(["getconf", "CLK_TCK"], { stdout: "pipe" });
  const value = Number.parseInt(answer.stdout.toString(), 10);
  return Number.isFinite(value) && value > 0 ? value : 100;
}

export interface MachineInfo {
  nproc: number;
  memoryGib: string;
  cpuModel: string;
  bunVersion: string;
  kernel: string;
  systemd: string;
}

export function machineInfo(): MachineInfo {
  const cpuInfo = readFileSync("/proc/cpuinfo", "utf8");
  const systemd = Bun.spawnSync(["/lib/systemd/systemd", "--version"], { stdout: "pipe" });
  return {
    nproc: cpus().length,
    memoryGib: (totalmem() / 2 ** 30).toFixed(1),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1]?.trim() ?? "unknown",
    bunVersion: Bun.version,
    kernel: readFileSync("/proc/sys/kernel/osrelease", "utf8").trim(),
    systemd: systemd.stdout.toString().split("\n")[0]?.trim() ?? "unknown",
  };
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
