// The agent's artifact installer against real HTTP and real files: content-addressed installs, a download
// killed half way resumed by a restarted agent, bytes with another sha256 refused with nothing installed,
// tar.gz and zip unpacked with their members in place, and archives that try to write outside refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ControlPlaneClient } from "../../src/executor/control-plane-client.ts";
import { eventually } from "../../src/lib/eventually.ts";
import { silentLogger } from "../../src/lib/log.ts";
import {
  ArtifactInstallError,
  ArtifactInstaller,
  type ArtifactState,
} from "../../src/modes/agent/artifact-installer.ts";
import { ChecksumMismatchError } from "../../src/modes/agent/checksum.ts";
import type { ResolvedArtifact } from "../../src/protocol/artifacts.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { type ArchiveEntry, makeTarGz, makeZip } from "./archives.ts";
import { fileBytes, sha256Of, startUpstream, type Upstream } from "./upstream.ts";

const T = 60_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 50 };
const scratch = makeTestDir("artifact-install");
let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => {
  upstream.stop();
  scratch.cleanup();
});

// A control-plane client whose control plane is elsewhere: absolute upstream URLs get no key.
const client = new ControlPlaneClient({ url: "http://127.0.0.1:9", accessToken: "exc_never_sent_upstream" });

function installer(name: string) {
  const dataDir = join(scratch.dir, name);
  const settled = { count: 0 };
  return {
    dataDir,
    settled,
    make: () =>
      new ArtifactInstaller({
        dataDir,
        open: (url, from, signal) => client.fetchArtifact(url, from, signal),
        logger: silentLogger,
        onSettled: () => settled.count++,
      }),
  };
}

/** Ask until installed (the download runs in the background); rethrows a failure. */
function installed(i: ArtifactInstaller, artifact: ResolvedArtifact): Promise<string> {
  return eventually(
    () => {
      const state: ArtifactState = i.request(artifact);
      return state.state === "installed" ? state.path : null;
    },
    { ...WAIT, message: "installed" },
  );
}

function failure(i: ArtifactInstaller, artifact: ResolvedArtifact): Promise<Error> {
  return eventually(
    () => {
      try {
        i.request(artifact);
        return null;
      } catch (error) {
        return error as Error;
      }
    },
    { ...WAIT, message: "failed" },
  );
}

async function archive(name: string, format: "tar.gz" | "zip", entries: ArchiveEntry[]) {
  const file = join(scratch.dir, `${name}.${format}`);
  if (format === "tar.gz") await makeTarGz(join(scratch.dir, `${name}-work`), file, entries);
  else makeZip(file, entries);
  const bytes = new Uint8Array(readFileSync(file));
  upstream.files.set(`/${name}.${format}`, bytes);
  return { url: `${upstream.url}/${name}.${format}`, sha256: sha256Of(bytes) };
}

describe("agent artifact installer", () => {
  test(
    "a binary is installed executable under artifacts/<sha256>, and upstream never sees the executor key",
    async () => {
      const bytes = fileBytes(300_000, 2);
      upstream.files.set("/bin/geth", bytes);
      const { dataDir, make, settled } = installer("binary");
      const artifact: ResolvedArtifact = {
        url: `${upstream.url}/bin/geth`,
        sha256: sha256Of(bytes),
        format: "binary",
      };
      const i = make();
      const path = await installed(i, artifact);
      expect(path).toBe(join(dataDir, "artifacts", artifact.sha256));
      expect(sha256Of(readFileSync(path))).toBe(artifact.sha256);
      expect(statSync(path).mode & 0o111).not.toBe(0);
      // The end of the background download is announced (the agent reconciles at once).
      expect(settled.count).toBe(1);
      expect(
        upstream.requests.filter((r) => r.path === "/bin/geth").every((r) => r.authorization === null),
      ).toBe(true);
      // A restarted agent checks what is there instead of downloading it again.
      const before = upstream.requests.length;
      expect(await installed(make(), artifact)).toBe(path);
      expect(upstream.requests.length).toBe(before);
    },
    T,
  );

  test(
    "a download killed half way is resumed from the partial file by a restarted agent",
    async () => {
      const bytes = fileBytes(800_000, 4);
      upstream.files.set("/bin/reth", bytes);
      const { dataDir, make } = installer("resume");
      const artifact: ResolvedArtifact = {
        url: `${upstream.url}/bin/reth`,
        sha256: sha256Of(bytes),
        format: "binary",
      };
      upstream.holdAfter(300_000);
      const first = make();
      await eventually(
        () => {
          const state = first.request(artifact);
          return state.state === "pending" && (state.progress?.receivedBytes ?? 0) >= 300_000 ? state : null;
        },
        { ...WAIT, message: "half way" },
      );
      upstream.cut();
      const partial = join(dataDir, "artifacts", `${artifact.sha256}.partial`);
      await eventually(() => (existsSync(partial) && statSync(partial).size === 300_000 ? true : null), WAIT);
      const restarted = make();
      await installed(restarted, artifact);
      const asked = upstream.requests.filter((r) => r.path === "/bin/reth").map((r) => r.range);
      expect(asked).toEqual([null, "bytes=300000-"]);
      expect(existsSync(partial)).toBe(false);
    },
    T,
  );

  test(
    "bytes with another sha256 are refused: an error naming both hashes and the fix, nothing installed",
    async () => {
      upstream.files.set("/bin/tampered", fileBytes(40_000, 8));
      const { dataDir, make } = installer("mismatch");
      const pinned = "ef".repeat(32);
      const artifact: ResolvedArtifact = {
        url: `${upstream.url}/bin/tampered`,
        sha256: pinned,
        format: "binary",
      };
      const error = await failure(make(), artifact);
      expect(error).toBeInstanceOf(ChecksumMismatchError);
      expect(error.message).toContain(`expected ${pinned}`);
      expect(error.message).toContain(sha256Of(fileBytes(40_000, 8)));
      expect(error.message).toContain("correct the catalog entry");
      expect(readdirSync(join(dataDir, "artifacts"))).toEqual([]);
    },
    T,
  );

  test(
    "a download of another size than the spec says is stopped at once and nothing is installed",
    async () => {
      const bytes = fileBytes(400_000, 12);
      upstream.files.set("/bin/bigger", bytes);
      const { dataDir, make } = installer("size");
      const artifact: ResolvedArtifact = {
        url: `${upstream.url}/bin/bigger`,
        sha256: sha256Of(bytes),
        format: "binary",
        size: 1000,
      };
      const error = await failure(make(), artifact);
      expect(error).toBeInstanceOf(ArtifactInstallError);
      expect(error.message).toContain("serves 400000 bytes, not the expected 1000");
      expect(error.message).toContain("correct the client catalog entry's size");
      expect(readdirSync(join(dataDir, "artifacts"))).toEqual([]);
    },
    T,
  );

  for (const format of ["tar.gz", "zip"] as const) {
    test(
      `a ${format} is unpacked under artifacts/<sha256>.d with its member executable in place`,
      async () => {
        const remote = await archive(`geth-${format}`, format, [
          { path: "geth-linux-amd64/geth", content: "#!/bin/sh\necho geth\n", mode: 0o755 },
          { path: "geth-linux-amd64/COPYING", content: "license" },
          { path: "geth-linux-amd64/lib/libx.so", content: "lib" },
        ]);
        const { dataDir, make } = installer(`unpack-${format}`);
        const i = make();
        const client = await installed(i, { ...remote, format, member: "geth-linux-amd64/geth" });
        expect(client).toBe(join(dataDir, "artifacts", `${remote.sha256}.d`, "geth-linux-amd64/geth"));
        expect(statSync(client).mode & 0o111).not.toBe(0);
        const dir = await installed(i, { ...remote, format, member: "geth-linux-amd64/lib/" });
        expect(readFileSync(join(dir, "libx.so"), "utf8")).toBe("lib");
        // The archive itself is not kept once unpacked.
        expect(readdirSync(join(dataDir, "artifacts"))).toEqual([`${remote.sha256}.d`]);
        const missing = await failure(i, { ...remote, format, member: "geth-linux-amd64/nope" });
        expect(missing).toBeInstanceOf(ArtifactInstallError);
        expect(missing.message).toContain('no "geth-linux-amd64/nope"');
      },
      T,
    );
  }

  const hostile: [string, "tar.gz" | "zip", ArchiveEntry[], string][] = [
    ["tar-traversal", "tar.gz", [{ path: "../escaped", content: "x" }], "leaves the unpack directory"],
    ["tar-symlink", "tar.gz", [{ path: "bin/link", symlink: "/etc/passwd" }], "absolute path /etc/passwd"],
    ["tar-symlink-up", "tar.gz", [{ path: "bin/link", symlink: "../../../x" }], "points outside"],
    ["zip-traversal", "zip", [{ path: "../escaped", content: "x" }], "../escaped"],
    ["zip-symlink", "zip", [{ path: "bin/link", symlink: "../../outside" }], "points outside"],
  ];
  for (const [name, format, entries, says] of hostile) {
    test(
      `an archive that reaches outside its directory is refused whole (${name})`,
      async () => {
        const remote = await archive(name, format, [{ path: "ok/file", content: "fine" }, ...entries]);
        const { dataDir, make } = installer(name);
        const error = await failure(make(), { ...remote, format, member: "ok/file" });
        expect(error).toBeInstanceOf(ArtifactInstallError);
        expect(error.message).toContain("refusing to unpack");
        expect(error.message).toContain(says);
        expect(readdirSync(join(dataDir, "artifacts")).filter((f) => !f.endsWith(".partial"))).toEqual([]);
        expect(existsSync(join(dataDir, "escaped"))).toBe(false);
        expect(existsSync(join(scratch.dir, "escaped"))).toBe(false);
      },
      T,
    );
  }
});
