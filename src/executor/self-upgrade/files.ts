// The files of a self-upgrade, all beside the binary (same directory, so every rename is rename(2) within one
// file system), and the swap itself. For /usr/local/bin/novacula:
//   novacula.download          the release being downloaded (resumed with Range after an interruption)
//   novacula.prev              the previous binary, a hard link made before the swap (the rollback target)
//   novacula.upgrade-pending   the marker: written before the swap, removed once the new version has synced
//   novacula.rollback-reason   written by the rollback unit when it brought the previous binary back
//   novacula.broken            the binary that failed, kept for a person to look at
//   novacula.upgrade-failed    the last rolled-back release, so the same one is not retried in a loop
// Every step leaves a runnable `novacula`: the binary is only ever replaced by rename(2), and .prev is a
// complete copy before that rename happens.
import { closeSync, fsyncSync, openSync } from "node:fs";
import { chmod, link, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../../lib/atomic-write.ts";

export interface UpgradePaths {
  binary: string;
  download: string;
  prev: string;
  marker: string;
  rollbackReason: string;
  broken: string;
  failed: string;
}

export function upgradePaths(binary: string): UpgradePaths {
  return {
    binary,
    download: `${binary}.download`,
    prev: `${binary}.prev`,
    marker: `${binary}.upgrade-pending`,
    rollbackReason: `${binary}.rollback-reason`,
    broken: `${binary}.broken`,
    failed: `${binary}.upgrade-failed`,
  };
}

/** Written before the swap; its presence is what makes the rollback unit act. */
export interface PendingMarker {
  targetVersion: string;
  previousVersion: string;
  sha256: string;
  /** When the swap began (ISO 8601). */
  startedAt: string;
}

/** The last release that was rolled back (not retried automatically for a while). */
export interface FailedRecord {
  targetVersion: string;
  sha256: string;
  code: string;
  at: string;
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    // A torn or foreign file is treated as absent rather than blocking every start of the agent.
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

export const readMarker = (paths: UpgradePaths) => readJson<PendingMarker>(paths.marker);
export const readFailed = (paths: UpgradePaths) => readJson<FailedRecord>(paths.failed);

export async function writeMarker(paths: UpgradePaths, marker: PendingMarker): Promise<void> {
  await writeFileAtomic(paths.marker, `${JSON.stringify(marker)}\n`, { mode: 0o600 });
}

export async function writeFailed(paths: UpgradePaths, record: FailedRecord): Promise<void> {
  await writeFileAtomic(paths.failed, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export async function readRollbackReason(paths: UpgradePaths): Promise<string | null> {
  try {
    return (await readFile(paths.rollbackReason, "utf8")).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export async function removeFiles(...files: string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Keep the current binary as .prev: a hard link made under a temp name and renamed over .prev (so an older
 * .prev is replaced atomically too), the directory fsynced. The download is made executable and fsynced
 * first, so its bytes are on disk before any name points at them.
 */
export async function keepPrevious(paths: UpgradePaths): Promise<void> {
  await chmod(paths.download, 0o755);
  fsyncPath(paths.download);
  const prevTemp = `${paths.prev}.${process.pid}.tmp`;
  await rm(prevTemp, { force: true });
  await link(paths.binary, prevTemp);
  await rename(prevTemp, paths.prev);
  fsyncPath(dirname(paths.binary));
}

/** rename(2) the download over the binary (any reader sees the old or the new file), fsync the directory. */
export async function renameIntoPlace(paths: UpgradePaths): Promise<void> {
  await rename(paths.download, paths.binary);
  fsyncPath(dirname(paths.binary));
}
