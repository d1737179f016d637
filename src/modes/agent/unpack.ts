// Unpacking a verified client archive (tar.gz, zip) into a directory, with libraries made for it (tar,
// yauzl: ADR 0042), never a shell. An archive is checked before anything is written: an entry whose path is
// absolute or climbs out with "..", a link whose target leaves the directory, or a device, FIFO or other
// special file refuses the whole archive (UnsafeArchiveError), since a client archive never needs one.
// The caller unpacks into a fresh directory and renames it into place, so a half-unpacked tree is never used.
import { chmod, mkdir, open, rm, symlink } from "node:fs/promises";
import { dirname, isAbsolute, normalize, posix, relative, resolve } from "node:path";
import * as tar from "tar";
import yauzl from "yauzl";

export class UnsafeArchiveError extends Error {
  override name = "UnsafeArchiveError";
}

/** A path inside the archive, as it will land under `root`; throws when it would land elsewhere. */
function confined(root: string, entryPath: string, what: string): string {
  const cleaned = entryPath.replace(/\\/g, "/");
  if (cleaned.startsWith("/") || isAbsolute(cleaned) || /^[A-Za-z]:/.test(cleaned)) {
    throw new UnsafeArchiveError(`${what} ${JSON.stringify(entryPath)} is an absolute path`);
  }
  const full = resolve(root, normalize(cleaned));
  const rel = relative(root, full);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new UnsafeArchiveError(`${what} ${JSON.stringify(entryPath)} leaves the unpack directory`);
  }
  return full;
}

/** A symbolic or hard link's target must stay inside the directory too. */
function checkLink(root: string, entryPath: string, target: string, hard: boolean): void {
  if (posix.isAbsolute(target)) {
    throw new UnsafeArchiveError(`link ${JSON.stringify(entryPath)} points to the absolute path ${target}`);
  }
  const from = confined(root, entryPath, "entry");
  const to = hard ? resolve(root, target) : resolve(dirname(from), target);
  const rel = relative(root, to);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new UnsafeArchiveError(`link ${JSON.stringify(entryPath)} points outside the archive (${target})`);
  }
}

const TAR_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);
// Metadata entries tar applies to the next entry or the archive; they write nothing themselves.
const TAR_META = new Set([
  "GlobalExtendedHeader",
  "ExtendedHeader",
  "NextFileHasLongPath",
  "NextFileHasLongLinkpath",
]);

async function unpackTarGz(archive: string, dest: string): Promise<void> {
  // Pass 1: read every header and refuse the archive before writing a byte.
  let problem: Error | null = null;
  await tar.t({
    file: archive,
    onReadEntry: (entry) => {
      if (problem) return;
      try {
        if (TAR_META.has(entry.type)) return;
        if (!TAR_TYPES.has(entry.type)) {
          throw new UnsafeArchiveError(`entry ${JSON.stringify(entry.path)} is a ${entry.type}, not a file`);
        }
        confined(dest, entry.path, "entry");
        if (entry.type === "SymbolicLink" || entry.type === "Link") {
          checkLink(dest, entry.path, entry.linkpath ?? "", entry.type === "Link");
        }
      } catch (error) {
        problem = error as Error;
      }
    },
  });
  if (problem) throw problem;
  // Pass 2: extract, still with tar's own guards (no absolute paths, no "..", no writing through links).
  await tar.x({ file: archive, cwd: dest, strict: true, preservePaths: false, preserveOwner: false });
}

function openZip(path: string, autoClose: boolean): Promise<yauzl.ZipFile> {
  return new Promise((resolvePromise, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolvePromise(zip!),
    ),
  );
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) =>
    zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolvePromise(stream!))),
  );
}

/** Each zip entry with what it is (from the Unix mode in its external attributes). */
function zipKind(entry: yauzl.Entry): { kind: "dir" | "file" | "symlink" | "other"; mode: number } {
  const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
  const type = unixMode & 0o170000;
  if (entry.fileName.endsWith("/") || type === 0o040000) return { kind: "dir", mode: 0o755 };
  if (type === 0o120000) return { kind: "symlink", mode: 0o777 };
  if (type !== 0 && type !== 0o100000) return { kind: "other", mode: 0 };
  // Keep the executable bits a release zip carries (its binaries); nothing else (no setuid, no world-write).
  const mode = unixMode & 0o111 ? 0o755 : 0o644;
  return { kind: "file", mode };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function unpackZip(archive: string, dest: string): Promise<void> {
  // Pass 1: every entry's name, kind and link target, before writing anything.
  const zip = await openZip(archive, true);
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolvePromise, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on("end", () => resolvePromise());
    zip.on("error", (error: Error) =>
      reject(
        /invalid relative path|absolute path/.test(error.message)
          ? new UnsafeArchiveError(error.message)
          : error,
      ),
    );
    zip.readEntry();
  });
  for (const entry of entries) {
    confined(dest, entry.fileName, "entry");
    const { kind } = zipKind(entry);
    if (kind === "other")
      throw new UnsafeArchiveError(`entry ${JSON.stringify(entry.fileName)} is not a file`);
  }
  // Pass 2: write (a second handle: the first was read to its end and closed).
  const reader = await openZip(archive, false);
  try {
    for (const entry of entries) {
      const target = confined(dest, entry.fileName, "entry");
      const { kind, mode } = zipKind(entry);
      if (kind === "dir") {
        await mkdir(target, { recursive: true, mode: 0o755 });
        continue;
      }
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const data = await readEntry(reader, entry);
      if (kind === "symlink") {
        const linkTarget = (await collect(data)).toString("utf8");
        checkLink(dest, entry.fileName, linkTarget, false);
        await symlink(linkTarget, target);
        continue;
      }
      const handle = await open(target, "wx", mode);
      try {
        for await (const chunk of data) await handle.write(chunk as Buffer);
      } finally {
        await handle.close();
      }
      await chmod(target, mode);
    }
  } finally {
    reader.close();
  }
}

/** Unpack `archive` into `dest` (created; must not exist). On any failure `dest` is removed again. */
export async function unpackArchive(archive: string, format: "tar.gz" | "zip", dest: string): Promise<void> {
  await mkdir(dest, { recursive: false, mode: 0o755 });
  try {
    if (format === "tar.gz") await unpackTarGz(archive, dest);
    else await unpackZip(archive, dest);
  } catch (error) {
    await rm(dest, { recursive: true, force: true });
    throw error;
  }
}
