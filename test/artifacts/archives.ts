// Client archives for tests, made here rather than shipped: tar.gz through the tar library (as release
// tarballs are), and zip through a small writer of stored (uncompressed) entries, which can also write the
// hostile entries no well-behaved zip tool produces (a "../" path, a symlink pointing out).
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as tar from "tar";

export interface ArchiveEntry {
  path: string;
  content?: string | Uint8Array;
  /** Unix mode bits of a file (default 0o644). */
  mode?: number;
  /** Make a symlink to this target instead of a file. */
  symlink?: string;
}

/** A .tar.gz of `entries`, built in `workDir` (paths are kept as given: "../x" stays "../x"). */
export async function makeTarGz(workDir: string, file: string, entries: ArchiveEntry[]): Promise<void> {
  const root = join(workDir, "tree");
  mkdirSync(root, { recursive: true });
  for (const entry of entries) {
    const target = join(root, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    if (entry.symlink !== undefined) symlinkSync(entry.symlink, target);
    else writeFileSync(target, entry.content ?? "", { mode: entry.mode ?? 0o644 });
  }
  await tar.c(
    { gzip: true, file, cwd: root, preservePaths: true, portable: true },
    entries.map((e) => e.path),
  );
}

function u16(n: number) {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A zip with stored entries, written as given (Unix modes in the external attributes). */
export function makeZip(file: string, entries: ArchiveEntry[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.path);
    const data = Buffer.from(entry.symlink ?? entry.content ?? "");
    const crc = Bun.hash.crc32(data);
    const unixMode = entry.symlink !== undefined ? 0o120777 : 0o100000 | (entry.mode ?? 0o644);
    const common = [u16(20), u16(0), u16(0), u16(0), u16(0), u32(crc), u32(data.length), u32(data.length)];
    const local = Buffer.concat([u32(0x04034b50), ...common, u16(name.length), u16(0), name, data]);
    const central = Buffer.concat([
      u32(0x02014b50),
      u16(0x0314), // made by: Unix, spec 2.0
      ...common,
      u16(name.length),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      u32(unixMode * 0x10000),
      u32(offset),
      name,
    ]);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries.length),
    u16(entries.length),
    u32(directory.length),
    u32(offset),
    u16(0),
  ]);
  writeFileSync(file, Buffer.concat([...locals, directory, end]));
}
