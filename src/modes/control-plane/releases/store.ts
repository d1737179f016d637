// The release store: executor binaries kept content-addressed at <data dir>/releases/sha256/<hex>. An upload
// streams to a temp file in the same directory while it is hashed, then is published under its digest with
// one rename (publishFileAtomic): a reader sees a whole file or none, and the same bytes are kept once.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { publishFileAtomic } from "../../../lib/atomic-write.ts";
import { AppError } from "../../../lib/errors.ts";

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The largest binary the store accepts (the novacula binary is ~100 MiB). */
export const MAX_RELEASE_BYTES = 512 * 1024 * 1024;

export class ReleaseStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "releases", "sha256");
  }

  /** The stored file of a digest, or null. */
  path(sha256: string): string | null {
    if (!SHA256_HEX.test(sha256)) return null;
    const path = join(this.dir, sha256);
    return existsSync(path) ? path : null;
  }

  size(sha256: string): number | null {
    const path = this.path(sha256);
    return path ? statSync(path).size : null;
  }

  /** Stores a body (at most maxBytes); returns its digest and size. */
  async put(body: ReadableStream<Uint8Array>, maxBytes = MAX_RELEASE_BYTES) {
    mkdirSync(this.dir, { recursive: true });
    const temp = join(this.dir, `.upload.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const hash = createHash("sha256");
    let sizeBytes = 0;
    const handle = await open(temp, "wx", 0o644);
    try {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        sizeBytes += value.byteLength;
        if (sizeBytes > maxBytes) {
          await reader.cancel();
          throw new AppError("payload_too_large", `a release binary is at most ${maxBytes} bytes`, 413, [
            { path: "/", message: `upload a file of at most ${maxBytes} bytes` },
          ]);
        }
        hash.update(value);
        await handle.write(value);
      }
      await handle.close();
      if (sizeBytes === 0)
        throw new AppError("bad_request", "the upload is empty", 400, [
          { path: "/", message: "send the release binary as the request body" },
        ]);
      const sha256 = hash.digest("hex");
      const target = join(this.dir, sha256);
      if (existsSync(target)) await rm(temp, { force: true });
      else await publishFileAtomic(temp, target);
      return { sha256, sizeBytes };
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
  }
}
