// Figures for scripts/bench-sync.ts: a mergeable log-bucket latency histogram (1 % resolution, so workers
// can send counts instead of every sample), and CPU/RSS readings from /proc for the processes involved.
import { readFileSync } from "node:fs";

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** 1.01^2000 µs ≈ 7 minutes: far beyond any latency a bounded bench can see. */
const BUCKETS = 2000;

export interface HistogramData {
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

/** Latencies in milliseconds, bucketed by microseconds on a 1 % log scale. */
export class Histogram {
  private counts = new Float64Array(BUCKETS);
  count = 0;
  sumMs = 0;
  maxMs = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const index = Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.counts[index]!++;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }

  toData(): HistogramData {
    return { counts: [...this.counts], count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static merge(parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const part of parts) {
      part.counts.forEach((n, i) => {
        h.counts[i]! += n;
      });
      h.count += part.count;
      h.sumMs += part.sumMs;
      h.maxMs = Math.max(h.maxMs, part.maxMs);
    }
    return h;
  }

  /** The upper bound of the bucket holding quantile q (0..1), in ms; never above the exact maximum. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, GROWTH ** i / 1000);
    }
    return this.maxMs;
  }

  summary(): string {
    if (this.count === 0) return "no samples";
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    return `p50 ${f(this.quantile(0.5))}  p99 ${f(this.quantile(0.99))}  p99.9 ${f(this.quantile(0.999))}  max ${f(this.maxMs)}  (n=${this.count})`;
  }
}

/** Exact quantile of a small sample (wake latencies). */
export function quantileOf(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, or NaN when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in MiB (VmRSS), or NaN when the process is gone. */
export function rssMib(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number; steal: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  // steal: time the hypervisor ran other guests on our virtual CPUs (counted in busy).
  return {
    busy: (total - idle) / TICKS_PER_SECOND,
    total: total / TICKS_PER_SECOND,
    steal: (values[7] ?? 0) / TICKS_PER_SECOND,
  };
}

/** The soft limit on open files of this process. */
export function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return !match || match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]);
}
