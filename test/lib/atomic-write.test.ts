// The one atomic-write helper: a file is replaced whole (by rename, never rewritten in place), with the mode
// and owner it asked for already set when it becomes visible, and no temp file is ever left behind, even
// when the write fails.
import { afterAll, describe, expect, test } from "bun:test";
import { linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publishFileAtomic, writeFileAtomic, writeFileAtomicSync } from "../../src/lib/atomic-write.ts";
import { makeTestDir } from "../agent/helpers.ts";

const scratch = makeTestDir("atomic-write");
afterAll(() => scratch.cleanup());

let counter = 0;
const freshDir = () => {
  const dir = join(scratch.dir, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const variants = [
  ["sync", async (path: string, text: string, options = {}) => writeFileAtomicSync(path, text, options)],
  ["async", (path: string, text: string, options = {}) => writeFileAtomic(path, text, options)],
] as const;

for (const [name, write] of variants) {
  describe(`writeFileAtomic (${name})`, () => {
    test("a file is replaced by a new inode, so a reader holding the old one never sees a torn mix", async () => {
      const dir = freshDir();
      const path = join(dir, "unit.service");
      writeFileSync(path, "old bytes\n");
      // A hard link keeps the old inode reachable: an in-place rewrite would change it too.
      linkSync(path, join(dir, "old-link"));
      const before = statSync(path).ino;
      await write(path, "new bytes\n");
      expect(readFileSync(path, "utf8")).toBe("new bytes\n");
      expect(readFileSync(join(dir, "old-link"), "utf8")).toBe("old bytes\n");
      expect(statSync(path).ino).not.toBe(before);
      expect(readdirSync(dir).sort()).toEqual(["old-link", "unit.service"]);
    });

    test("missing parent directories are created and the requested mode and owner are set", async () => {
      const dir = freshDir();
      const path = join(dir, "a", "b", "secret");
      await write(path, "s3cret", { mode: 0o600, owner: { uid: 65534, gid: 65534 } });
      const info = statSync(path);
      expect(info.mode & 0o777).toBe(0o600);
      expect([info.uid, info.gid]).toEqual([65534, 65534]);
      expect(readFileSync(path, "utf8")).toBe("s3cret");
    });

    test("a write that fails leaves the old file as it was and no temp file behind", async () => {
      const dir = freshDir();
      // A directory where the file should go: rename(2) of a file over a directory fails.
      const path = join(dir, "target");
      mkdirSync(path);
      writeFileSync(join(path, "inside"), "kept");
      const error = await Promise.resolve()
        .then(() => write(path, "never"))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(readFileSync(join(path, "inside"), "utf8")).toBe("kept");
      expect(readdirSync(dir)).toEqual(["target"]);
    });
  });
}

describe("publishFileAtomic", () => {
  test("a fully written file appears under its final name in one step, replacing the old one", async () => {
    const dir = freshDir();
    const temp = join(dir, ".download.tmp");
    const path = join(dir, "anvil");
    writeFileSync(path, "old binary");
    writeFileSync(temp, "new binary");
    await publishFileAtomic(temp, path);
    expect(readFileSync(path, "utf8")).toBe("new binary");
    expect(readdirSync(dir)).toEqual(["anvil"]);
  });
});
