// The one way Novacula replaces a file on disk: write a hidden temp file in the same directory, fsync it,
// rename(2) it over the target, then fsync the directory. A reader (or a crash at any moment) sees the old
// bytes or the new ones, never a torn file; after the call returns, the new name survives a power loss
// (without the directory fsync the rename itself may still be lost).
//
// The temp name starts with "." and ends with ".tmp": systemd ignores dot-files and unknown suffixes in unit
// directories, so a daemon-reload never mistakes a half-written unit for a unit.
//
// Sync and async variants: the agent's hot paths use the sync one (in Bun an async fs call costs far more CPU
// than its sync twin for small local files); code that must not block the event loop uses the async one.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchownSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o644). */
  mode?: number;
  /** Owner of the new file, set before it becomes visible (default: whoever writes it). */
  owner?: { uid: number; gid: number };
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** fsync a directory, so that renames and creations inside it are durable. */
function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replace `path` with `content` atomically and durably; creates missing parent directories. */
export function writeFileAtomicSync(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, "wx", options.mode ?? 0o644);
    try {
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      let offset = 0;
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset);
      if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectorySync(dir);
}

/** The async twin of writeFileAtomicSync. */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, "wx", options.mode ?? 0o644);
    try {
      await handle.writeFile(content);
      if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dir);
}

/**
 * Publish a file that was written elsewhere in full (e.g. streamed from the network) under its final name:
 * fsync its bytes, rename it over `path` (same directory or at least the same filesystem) and fsync the
 * directory.
 */
export async function publishFileAtomic(tempPath: string, path: string): Promise<void> {
  const handle = await open(tempPath, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempPath, path);
  await fsyncDirectory(dirname(path));
}
