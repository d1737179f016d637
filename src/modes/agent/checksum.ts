// Checking a file's bytes against the sha256 the catalog pins: the hash of a file on disk, and the error that
// refuses a file whose bytes are not the pinned ones (never installed, never retried silently).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export class ChecksumMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
    fix = "the artifact source serves a different file: replace it with the published one",
  ) {
    super(`sha256 mismatch for ${url}: expected ${expected}, got ${actual}; refusing to install it (${fix})`);
    this.name = "ChecksumMismatchError";
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
