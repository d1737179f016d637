// The control plane's content-addressed artifact store, beside the database: <data dir>/artifacts/sha256/<hex>.
// A file becomes visible under its name only once its bytes were hashed to that name: downloads and imports
// are written to <data dir>/artifacts/partial/, fsynced, checked, then renamed into place (and the directory
// fsynced), so a reader or a crash sees a complete verified file or none.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { publishFileAtomic } from "../../../lib/atomic-write.ts";

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ArtifactStore {
  /** Verified files, named by their sha256. */
  readonly dir: string;
  /** Downloads in progress and imports being copied (kept across retries, so a download can resume). */
  readonly partialDir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "artifacts", "sha256");
    this.partialDir = join(dataDir, "artifacts", "partial");
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
    return join(this.dir, sha256);
  }

  /** The stored file's path and size, or null. */
  stat(sha256: string): { path: string; size: number } | null {
    const path = this.pathOf(sha256);
    const info = statSync(path, { throwIfNoEntry: false });
    return info?.isFile() ? { path, size: info.size } : null;
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  partialPathOf(key: string): string {
    return join(this.partialDir, key);
  }

  /**
   * Move a fully written partial file into the store under `sha256`, which the caller computed over its
   * bytes. A file already stored under that name is left as it is (same name, same bytes).
   */
  async publish(partialPath: string, sha256: string): Promise<string> {
    const path = this.pathOf(sha256);
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    if (existsSync(path)) {
      await rm(partialPath, { force: true });
      return path;
    }
    await publishFileAtomic(partialPath, path);
    return path;
  }

  /** Copy a local file into the store (an air-gapped import): hashed while copied, then published. */
  async importFile(
    source: string,
  ): Promise<{ sha256: string; bytes: number; path: string; stored: boolean }> {
    await mkdir(this.partialDir, { recursive: true, mode: 0o700 });
    const partial = join(this.partialDir, `import-${process.pid}-${Date.now().toString(36)}`);
    const hash = createHash("sha256");
    let bytes = 0;
    const handle = await open(partial, "w", 0o600);
    try {
      for await (const chunk of createReadStream(source)) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        await handle.write(buffer);
        bytes += buffer.byteLength;
      }
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(partial, { force: true });
      throw error;
    }
    await handle.close();
    const sha256 = hash.digest("hex");
    const stored = !this.has(sha256);
    const path = await this.publish(partial, sha256);
    return { sha256, bytes, path, stored };
  }
}
