// The agent's resident set (`novacula agent run`): hands clean pages of the novacula executable back to the
// kernel when it has gone quiet, so what stays resident is the code the idle agent actually keeps running, not
// everything start-up and past work touched. (Not the control plane: under load it runs most of its code
// all the time, and measured, trimming it only added page faults and latency.)
//
// Why: novacula is one 118 MiB Bun executable. Start-up, config parsing, migrations, installs and first
// passes touch tens of MiB of its machine code and embedded bytecode; those pages are clean and backed by
// the file, but they stay mapped (and counted in VmRSS and by `top`) until the kernel runs short of memory,
// which on a host running blockchain clients it may never announce in time. Dropping our own mapping
// of them is what the kernel would do under pressure, done early: `madvise(MADV_DONTNEED)` on a read-only,
// never-written file mapping only removes our page-table entries (measured: docs/benchmarks.md, Agent).
//
// A page faulted back in brings its neighbours along: the kernel's fault-around maps every page of the
// surrounding 64 KiB that is in the page cache, and readahead puts more there. So each trim also marks
// those mappings MADV_RANDOM (no readahead) and drops the executable's unmapped pages from the page cache
// (posix_fadvise DONTNEED, after an fdatasync: a just-installed binary is still dirty, and only clean
// pages that nobody maps are dropped, so no data is ever discarded). What the idle loop then
// faults back is read one page at a time, and only pages it really runs become resident again: ~6 MiB
// less than with fault-around. The cost is a small disk read per page faulted back after a trim.
//
// Only mappings of the executable that are not writable and hold no anonymous (copy-on-write) pages are
// touched: for those, "drop and map again from the file" gives back exactly the same bytes. Anything else
// (heap, stacks, relocated read-only data) is left alone. ("Private_Dirty" is no criterion: a freshly
// installed binary's page-cache pages are dirty until written back, and count there; only "Anonymous"
// says a page is our own copy.) Linux only; elsewhere, or if libc cannot be
// opened, trimming is off and nothing else changes.
import { dlopen, FFIType } from "bun:ffi";
import { closeSync, openSync, readFileSync, realpathSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Logger } from "./log.ts";

const MADV_RANDOM = 1;
const MADV_DONTNEED = 4;
const POSIX_FADV_DONTNEED = 4;
const PAGE_SIZE = 4096;

export interface Mapping {
  start: bigint;
  end: bigint;
}

/**
 * The executable's mappings that can be dropped and faulted back from the file unchanged, read from
 * /proc/self/smaps text: mapped from `exePath`, not writable, and with no anonymous (copied) pages.
 */
export function droppableMappings(smaps: string, exePath: string): Mapping[] {
  const found: Mapping[] = [];
  let current: { range: Mapping; eligible: boolean } | null = null;
  const close = () => {
    if (current?.eligible) found.push(current.range);
  };
  for (const line of smaps.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      close();
      const [, from, to, perms, path] = header;
      current = {
        range: { start: BigInt(`0x${from}`), end: BigInt(`0x${to}`) },
        eligible: path === exePath && perms![1] === "-",
      };
      continue;
    }
    if (!current?.eligible) continue;
    const field = /^(Anonymous|Swap):\s+(\d+) kB/.exec(line);
    if (field && field[2] !== "0") current.eligible = false;
  }
  close();
  return found;
}

type Madvise = (address: bigint, length: bigint, advice: number) => number;
type Fadvise = (fd: number, offset: bigint, length: bigint, advice: number) => number;

function openLibc(): { madvise: Madvise; fadvise: Fadvise } | null {
  if (process.platform !== "linux") return null;
  try {
    const libc = dlopen("libc.so.6", {
      madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
      posix_fadvise: { args: [FFIType.i32, FFIType.i64, FFIType.i64, FFIType.i32], returns: FFIType.i32 },
    });
    return {
      madvise: (address, length, advice) => libc.symbols.madvise(address, length, advice),
      fadvise: (fd, offset, length, advice) => libc.symbols.posix_fadvise(fd, offset, length, advice),
    };
  } catch {
    return null;
  }
}

/** VmRSS and RssFile (the file-backed part, which is what trimming can give back) in KiB, or null. */
function residentKib(): { rss: number; file: number } | null {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const file = /RssFile:\s+(\d+) kB/.exec(status);
    return rss && file ? { rss: Number(rss[1]), file: Number(file[1]) } : null;
  } catch {
    return null;
  }
}

export interface WorkingSetTrimmer {
  /** Drop the executable's clean pages now; returns how many bytes of mappings were advised. */
  trim(): number;
  /** The agent just did real work (changed the host): trim once it has been quiet for a while. */
  noteWork(): void;
  stop(): void;
}

export interface TrimmerTiming {
  /** A trim follows the last noted work (and start-up) after this long without more. */
  quietMs: number;
  /** How often the resident executable pages are checked for creep between bursts of work. */
  checkEveryMs: number;
  /** Creep that earns a trim: file-backed RSS this far above where it settled after the last trim. */
  creepKib: number;
}

const DEFAULT_TIMING: TrimmerTiming = { quietMs: 15_000, checkEveryMs: 60_000, creepKib: 2048 };

/**
 * When to trim. Each trim costs re-faulting the pages the idle loop uses (and the first one reads smaps),
 * so it runs only when there is something to give back: once the agent has been quiet for `quietMs` after
 * start-up or after work that changed the host (a deploy, an install, a restart: those run code the idle
 * loop never does), and otherwise only when the file-backed RSS crept `creepKib` above the level it settled
 * at after the previous trim (rarely run paths such as an upgrade check or an event burst).
 */
export function startWorkingSetTrimmer(
  log: Logger,
  timing: TrimmerTiming = DEFAULT_TIMING,
): WorkingSetTrimmer | null {
  const libc = openLibc();
  if (!libc) return null;
  const { madvise, fadvise } = libc;
  let exePath: string;
  try {
    exePath = realpathSync("/proc/self/exe");
  } catch {
    return null;
  }
  // Read once, at the first trim: a mapping only gains anonymous pages by being written, which for these
  // read-only mappings happens at load time (relocations) if ever. Reading smaps walks every mapping's
  // pages, which is worth doing once, not at every trim.
  let mappings: Mapping[] | null = null;
  const trim = () => {
    mappings ??= droppableMappings(readFileSync("/proc/self/smaps", "utf8"), exePath);
    let advised = 0n;
    for (const { start, end } of mappings) {
      const aligned = start - (start % BigInt(PAGE_SIZE));
      if (madvise(aligned, end - aligned, MADV_DONTNEED) === 0) advised += end - aligned;
      madvise(aligned, end - aligned, MADV_RANDOM);
    }
    // In the same synchronous step: a page faulted back before the cache is emptied would bring its
    // neighbours along. /proc/self/exe is the file we run even after an upgrade renamed another over its path.
    const fd = openSync("/proc/self/exe", "r");
    try {
      fadvise(fd, 0n, 0n, POSIX_FADV_DONTNEED);
    } finally {
      closeSync(fd);
    }
    return Number(advised);
  };
  /**
   * Dirty pages cannot be dropped, and a binary installed or upgraded moments ago stays dirty in the page
   * cache until the kernel writes it back (up to ~30 s). So a scheduled trim writes it back first, in the
   * thread pool; for a clean file that is nearly free.
   */
  const writeBackExecutable = async () => {
    const file = await open("/proc/self/exe", "r");
    try {
      await file.datasync();
    } finally {
      await file.close();
    }
  };
  let failed = false;
  let trims = 0;
  /** RssFile one check after the last trim (the idle loop's pages are back by then); null until then. */
  let settledFileKib: number | null = null;
  const trimNow = async (reason: string) => {
    if (failed) return;
    try {
      // Best effort: where the file cannot be synced, the trim still drops whatever is clean.
      await writeBackExecutable().catch(() => {});
      const before = residentKib();
      const advised = trim();
      settledFileKib = null;
      // The first trim is logged with its effect; later ones only at debug level.
      const fields = {
        reason,
        advisedMib: advised >> 20,
        rssKibBefore: before?.rss,
        rssKibAfter: residentKib()?.rss,
      };
      if (trims++ === 0) log.info("working set trimmed (first time; later trims log at debug)", fields);
      else log.debug("working set trimmed", fields);
    } catch (error) {
      failed = true;
      log.warn("working-set trimming failed; it is off until the agent restarts", { error });
    }
  };
  const afterQuiet = setTimeout(() => void trimNow("quiet after work"), timing.quietMs);
  afterQuiet.unref();
  const creepCheck = setInterval(() => {
    const now = residentKib();
    if (!now) return;
    if (settledFileKib === null) settledFileKib = now.file;
    else if (now.file > settledFileKib + timing.creepKib) void trimNow("resident code crept up");
  }, timing.checkEveryMs);
  creepCheck.unref();
  return {
    trim,
    // refresh() re-arms the same timer: a burst of passes costs no allocation per pass.
    noteWork: () => void afterQuiet.refresh(),
    stop: () => {
      clearTimeout(afterQuiet);
      clearInterval(creepCheck);
    },
  };
}
