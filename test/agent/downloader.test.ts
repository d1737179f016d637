// The downloader: streams from the artifact source, installs only bytes with the pinned sha256, atomically,
// leaves no partial files, and does not download what is already there.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ControlPlaneClient } from "../../src/executor/control-plane-client.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { ChecksumMismatchError, DownloadError, Downloader } from "../../src/modes/agent/downloader.ts";
import { fileBytes, startUpstream } from "../artifacts/upstream.ts";
import { ANVIL_BIN, ANVIL_FILE_NAME, ANVIL_SHA256, makeTestDir, startFileServer } from "./helpers.ts";

const scratch = makeTestDir("downloader");
afterAll(() => scratch.cleanup());
const T = 60_000;

function setup(name: string) {
  const artifacts = join(scratch.dir, name, "artifacts");
  const bin = join(scratch.dir, name, "bin");
  mkdirSync(artifacts, { recursive: true });
  const server = startFileServer(artifacts);
  const downloader = new Downloader({
    binDir: bin,
    artifactsUrl: server.url,
    open: async (url, signal) => {
      const response = await fetch(url, { signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response;
    },
    logger: silentLogger,
  });
  return { artifacts, bin, server, downloader };
}

const source = { fileName: ANVIL_FILE_NAME, sha256: ANVIL_SHA256 };

describe("client binary downloader", () => {
  test(
    "installs an executable file with the pinned sha256, once, even when asked concurrently",
    async () => {
      const { artifacts, bin, server, downloader } = setup("ok");
      copyFileSync(ANVIL_BIN, join(artifacts, ANVIL_FILE_NAME));
      const paths = await Promise.all([downloader.ensure(source), downloader.ensure(source)]);
      expect(paths[0]).toBe(join(bin, ANVIL_FILE_NAME));
      expect(paths[1]).toBe(paths[0]);
      expect(statSync(paths[0]!).mode & 0o111).not.toBe(0);
      expect(server.requests).toEqual([ANVIL_FILE_NAME]);
      expect(await downloader.ensure(source)).toBe(paths[0]!);
      // A fresh downloader (a restarted agent) hashes what is there instead of downloading again.
      const again = setup("ok-again");
      const other = new Downloader({
        binDir: bin,
        artifactsUrl: again.server.url,
        open: (url) => fetch(url),
        logger: silentLogger,
      });
      expect(await other.ensure(source)).toBe(paths[0]!);
      expect(again.server.requests).toEqual([]);
      server.stop();
      again.server.stop();
    },
    T,
  );

  test(
    "refuses bytes with another sha256 and leaves neither the file nor a temp file behind",
    async () => {
      const { artifacts, bin, server, downloader } = setup("bad");
      writeFileSync(join(artifacts, ANVIL_FILE_NAME), "definitely not anvil");
      const error = await downloader.ensure(source).catch((e) => e);
      expect(error).toBeInstanceOf(ChecksumMismatchError);
      expect(String(error.message)).toContain(`expected ${ANVIL_SHA256}`);
      expect(existsSync(bin) ? readdirSync(bin) : []).toEqual([]);
      server.stop();
    },
    T,
  );

  test(
    "replaces a corrupted installed binary with the published one",
    async () => {
      const { artifacts, bin, server, downloader } = setup("corrupt");
      copyFileSync(ANVIL_BIN, join(artifacts, ANVIL_FILE_NAME));
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, ANVIL_FILE_NAME), "truncated");
      await downloader.ensure(source);
      expect(await downloader.isInstalled(source)).toBe(true);
      expect(server.requests).toEqual([ANVIL_FILE_NAME]);
      server.stop();
    },
    T,
  );

  test(
    "a missing artifact is an error naming the URL, and unsafe file names are refused",
    async () => {
      const { server, downloader } = setup("missing");
      const error = await downloader.ensure(source).catch((e) => e);
      expect(error).toBeInstanceOf(DownloadError);
      expect(String(error.message)).toContain(`${server.url}/${ANVIL_FILE_NAME}`);
      expect(() => downloader.pathOf({ fileName: "../etc/passwd", sha256: ANVIL_SHA256 })).toThrow("unsafe");
      server.stop();
    },
    T,
  );

  test(
    "a download that stalls after its headers is abandoned after the idle timeout, not waited on forever",
    async () => {
      const upstream = await startUpstream();
      upstream.files.set(`/${ANVIL_FILE_NAME}`, fileBytes(100_000));
      upstream.holdAfter(1000);
      const client = new ControlPlaneClient({ url: upstream.url, accessToken: "exc_test" });
      const downloader = new Downloader({
        binDir: join(scratch.dir, "stall", "bin"),
        artifactsUrl: upstream.url,
        open: (url, signal) => client.openArtifact(url, signal),
        logger: silentLogger,
        idleTimeoutMs: 300,
      });
      const error = await downloader.ensure(source).catch((e) => e);
      expect(error).toBeInstanceOf(DownloadError);
      expect(String(error.message)).toContain("stalled");
      upstream.release();
      upstream.stop();
    },
    T,
  );
});
