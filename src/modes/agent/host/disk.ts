// Disk figures for reports: bytes used under a directory (walked, bounded, cached for a minute because chain
// databases hold millions of files) and the filesystem's total and available bytes.
import { existsSync, statfsSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

const CACHE_MS = 60_000;
const MAX_ENTRIES = 2_000_000;
const cache = new Map<string, { atMs: number; bytes: number }>();

async function walk(dir: string, budget: { left: number }): Promise<number> {
  let total = 0;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    if (--budget.left <= 0) break;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => null);
    if (!info) continue;
    // Allocated blocks, not apparent size: sparse files and preallocated databases count as they cost.
    total += info.blocks * 512;
    if (info.isDirectory()) total += await walk(path, budget);
  }
  return total;
}

/** Bytes used under `dir` (0 when it does not exist). */
export async function directoryBytes(dir: string): Promise<number> {
  const cached = cache.get(dir);
  if (cached && Date.now() - cached.atMs < CACHE_MS) return cached.bytes;
  // Not cached while absent: a node reported while its client downloads gets its directory moments later.
  if (!existsSync(dir)) return 0;
  const bytes = await walk(dir, { left: MAX_ENTRIES });
  cache.set(dir, { atMs: Date.now(), bytes });
  return bytes;
}

// statfs(2) is one quick syscall, made for every node on every report: the sync call, because in Bun an async
// fs call costs many times the CPU of its sync twin (the async one stays for the walk, which may be long).
export async function filesystemBytes(
  path: string,
): Promise<{ totalBytes: number; availableBytes: number } | null> {
  try {
    const fs = statfsSync(path);
    return { totalBytes: fs.blocks * fs.bsize, availableBytes: fs.bavail * fs.bsize };
  } catch {
    return null;
  }
}
