// The control plane's artifact delivery against a real upstream (a local HTTP server): one upstream fetch
// per sha256 however many executors ask, progress while it runs, byte ranges once stored, an unreachable
// upstream retried until it is back, and bytes that do not match the catalog never stored.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { ANVIL_SHA256, freePort } from "../agent/helpers.ts";
import { scrape, undocumented, value } from "../observability/prometheus.ts";
import { type ArtifactControlPlane, METRICS_TOKEN, startArtifactControlPlane } from "./control-plane.ts";
import { fileBytes, sha256Of, startUpstream, type Upstream } from "./upstream.ts";

const T = 60_000;
// Polls every 200 ms: one executor key may make 10 requests a second (the per-key limit) with a burst of 60.
const WAIT = { timeoutMs: 30_000, intervalMs: 200 };
let h: ArtifactControlPlane;
let upstream: Upstream;

beforeAll(async () => {
  h = await startArtifactControlPlane("artifact-delivery");
  upstream = await startUpstream();
});
afterAll(async () => {
  upstream.stop();
  await h.stop();
});

const storeDir = () => join(h.dataDir, "artifacts", "sha256");
const stored = () => (existsSync(storeDir()) ? readdirSync(storeDir()) : []);
const sha = async (response: Response) => sha256Of(new Uint8Array(await response.arrayBuffer()));

interface Envelope {
  code: string;
  message: string;
  progress?: { receivedBytes: number; totalBytes: number | null; percent: number | null };
}

/** The file once the control plane serves it (polling while it answers 503). */
const whenServed = (digest: string, what: string) =>
  eventually(
    async () => {
      const response = await h.get(digest);
      return response.status === 200 ? response : null;
    },
    { ...WAIT, message: what },
  );

/** The control plane's 502 answer once the fetch has failed. */
const whenRefused = (digest: string) =>
  eventually(
    async () => {
      const response = await h.get(digest);
      return response.status === 502 ? ((await response.json()) as Envelope) : null;
    },
    { ...WAIT, message: "502" },
  );

/** Publish `bytes` upstream at `path` and in the catalog; returns its sha256. */
function publish(path: string, bytes: Uint8Array, catalogSha = sha256Of(bytes)): string {
  upstream.files.set(path, bytes);
  h.catalog.set(catalogSha, { url: `${upstream.url}${path}`, format: "binary" });
  return catalogSha;
}

describe("artifact delivery from the control plane", () => {
  test(
    "a file upstream serves at once is sent in the first answer, not after a retry",
    async () => {
      const bytes = fileBytes(64 * 1024, 3);
      const digest = publish("/releases/small.bin", bytes);
      const response = await h.get(digest);
      expect(response.status).toBe(200);
      expect(await sha(response)).toBe(digest);
    },
    T,
  );

  test(
    "many executors asking at once share one upstream fetch, see its progress, then get the verified file",
    async () => {
      const bytes = fileBytes(3 * 1024 * 1024, 7);
      const digest = publish("/releases/geth-1.17.10.bin", bytes);
      upstream.holdAfter(1024 * 1024);
      const first = await Promise.all(Array.from({ length: 8 }, () => h.get(digest)));
      for (const response of first) {
        expect(response.status).toBe(503);
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(((await response.json()) as Envelope).code).toBe("artifact_fetching");
      }
      // Half way: the answer carries the fetch's progress.
      const half = await eventually(
        async () => {
          const body = (await (await h.get(digest)).json()) as Envelope;
          return body.progress && body.progress.receivedBytes >= 1024 * 1024 ? body : null;
        },
        { ...WAIT, message: "progress reported" },
      );
      expect(half.progress).toEqual({
        receivedBytes: 1024 * 1024,
        totalBytes: bytes.byteLength,
        percent: 33,
      });
      expect(half.message).toContain("33 % (1/3 MiB)");
      upstream.release();
      const served = await whenServed(digest, "served");
      expect(served.headers.get("etag")).toBe(`"${digest}"`);
      expect(await sha(served)).toBe(digest);
      expect(upstream.requests.filter((r) => r.path === "/releases/geth-1.17.10.bin")).toHaveLength(1);
      // The key is for the control plane: upstream never sees it.
      expect(upstream.requests.every((r) => r.authorization === null)).toBe(true);
      expect(stored()).toContain(digest);
    },
    T,
  );

  test(
    "a stored file is served in byte ranges, so an interrupted download resumes",
    async () => {
      const bytes = fileBytes(200_000, 3);
      const digest = publish("/releases/ranges.bin", bytes);
      await whenServed(digest, "stored");
      const tail = await h.get(digest, { range: "bytes=150000-" });
      expect(tail.status).toBe(206);
      expect(tail.headers.get("content-range")).toBe(`bytes 150000-199999/200000`);
      expect(await sha(tail)).toBe(sha256Of(bytes.subarray(150000)));
      const middle = await h.get(digest, { range: "bytes=10-19" });
      expect(await sha(middle)).toBe(sha256Of(bytes.subarray(10, 20)));
      const past = await h.get(digest, { range: "bytes=200000-" });
      expect(past.status).toBe(416);
      expect(past.headers.get("content-range")).toBe("bytes */200000");
      // A range for another version of the file (If-Range names another ETag) gets the whole file.
      const other = await h.get(digest, { range: "bytes=10-", "if-range": '"other"' });
      expect(other.status).toBe(200);
    },
    T,
  );

  test(
    "an upstream that drops the connection half way is resumed from the partial file with a Range request",
    async () => {
      const bytes = fileBytes(500_000, 11);
      const digest = publish("/releases/flaky.bin", bytes);
      upstream.holdAfter(200_000);
      expect((await h.get(digest)).status).toBe(503);
      await eventually(
        async () => {
          const body = (await (await h.get(digest)).json()) as Envelope;
          return (body.progress?.receivedBytes ?? 0) >= 200_000 ? true : null;
        },
        { ...WAIT, message: "half received" },
      );
      upstream.cut();
      const served = await whenServed(digest, "served after the retry");
      expect(await sha(served)).toBe(digest);
      const asked = upstream.requests.filter((r) => r.path === "/releases/flaky.bin");
      expect(asked.map((r) => r.range)).toEqual([null, "bytes=200000-"]);
    },
    T,
  );

  test(
    "an unreachable upstream is retried with backoff and the answer says so, until it is back and the file is served",
    async () => {
      const port = await freePort();
      const bytes = fileBytes(100_000, 5);
      const digest = sha256Of(bytes);
      h.catalog.set(digest, { url: `http://127.0.0.1:${port}/releases/late.bin`, format: "binary" });
      const waiting = await eventually(
        async () => {
          const response = await h.get(digest);
          const body = (await response.json()) as Envelope;
          return response.status === 503 && body.message.includes("unreachable") ? { response, body } : null;
        },
        { ...WAIT, message: "503 unreachable" },
      );
      expect(waiting.body.code).toBe("artifact_fetching");
      expect(waiting.body.message).toMatch(
        new RegExp(`^upstream 127\\.0\\.0\\.1:${port} unreachable: retrying in \\d+ s`),
      );
      expect(Number(waiting.response.headers.get("retry-after"))).toBeGreaterThan(0);
      const late = await startUpstream(port);
      late.files.set("/releases/late.bin", bytes);
      try {
        const served = await whenServed(digest, "served once upstream is back");
        expect(await sha(served)).toBe(digest);
      } finally {
        late.stop();
      }
    },
    T,
  );

  test(
    "an upstream serving other bytes than the catalog pins: nothing stored, 502 naming both sha256 and the fix",
    async () => {
      const pinned = "ab".repeat(32);
      publish("/releases/tampered.bin", fileBytes(50_000, 9), pinned);
      const actual = sha256Of(fileBytes(50_000, 9));
      const refused = await whenRefused(pinned);
      expect(refused.code).toBe("artifact_checksum_mismatch");
      expect(refused.message).toContain(pinned);
      expect(refused.message).toContain(actual);
      expect(refused.message).toContain("correct the catalog entry");
      expect(refused.message).toContain("artifact import");
      expect(stored()).not.toContain(pinned);
      expect(stored()).not.toContain(actual);
      expect(readdirSync(join(h.dataDir, "artifacts", "partial"))).not.toContain(pinned);
      // Held: asking again does not download again.
      const before = upstream.requests.length;
      expect((await h.get(pinned)).status).toBe(502);
      expect(upstream.requests.length).toBe(before);
    },
    T,
  );

  test(
    "an upstream sending another size than the catalog records is cut off at once: nothing stored",
    async () => {
      const bytes = fileBytes(2 * 1024 * 1024, 17);
      const digest = sha256Of(bytes);
      upstream.files.set("/releases/oversized.bin", bytes);
      h.catalog.set(digest, { url: `${upstream.url}/releases/oversized.bin`, format: "binary", size: 1000 });
      const refused = await whenRefused(digest);
      expect(refused.code).toBe("artifact_checksum_mismatch");
      expect(refused.message).toContain(
        `serves ${bytes.byteLength} bytes, not the 1000 the client catalog records`,
      );
      expect(stored()).not.toContain(digest);
      expect(readdirSync(join(h.dataDir, "artifacts", "partial"))).not.toContain(digest);
    },
    T,
  );

  test(
    "an npm: upstream is the checkout's package file, verified and served like any other",
    async () => {
      h.catalog.set(ANVIL_SHA256, {
        url: "npm:@foundry-rs/anvil-linux-amd64@1.7.1/bin/anvil",
        format: "binary",
      });
      const served = await whenServed(ANVIL_SHA256, "anvil served");
      expect(await sha(served)).toBe(ANVIL_SHA256);
    },
    T,
  );

  test(
    "a sha256 no catalog file has is a 404 saying how to import it; a malformed one is a 400; no key is a 401",
    async () => {
      const unknown = await h.get("cd".repeat(32));
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as Envelope).message).toContain(
        "novacula control-plane artifact import",
      );
      const malformed = await h.get("not-a-sha");
      expect(malformed.status).toBe(400);
      const anonymous = await fetch(`${h.cp.url}/api/v1/executor/artifacts/${"cd".repeat(32)}`);
      expect(anonymous.status).toBe(401);
    },
    T,
  );

  test(
    "computeChecksum downloads an unverified file once, stores it and returns its sha256 for an admin to pin",
    async () => {
      const bytes = fileBytes(70_000, 21);
      upstream.files.set("/releases/unverified.bin", bytes);
      const url = `${upstream.url}/releases/unverified.bin`;
      const [a, b] = await Promise.all([
        h.cp.services.artifacts.computeChecksum(url),
        h.cp.services.artifacts.computeChecksum(url),
      ]);
      expect(a).toEqual({ sha256: sha256Of(bytes), bytes: 70_000 });
      expect(b).toEqual(a);
      expect(upstream.requests.filter((r) => r.path === "/releases/unverified.bin")).toHaveLength(1);
      expect(stored()).toContain(a.sha256);
      // Once pinned, executors are served the stored file without another upstream fetch.
      expect(await sha(await h.get(a.sha256))).toBe(a.sha256);
    },
    T,
  );

  test(
    "Prometheus counts the fetches by outcome and the bytes fetched and served (after the tests above)",
    async () => {
      const metrics = await scrape(`${h.cp.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(undocumented(metrics)).toEqual([]);
      // Stored: the quick one, the shared fetch, ranges, flaky, late, anvil (computeChecksum is not a catalog
      // fetch).
      expect(value(metrics, "novacula_artifact_fetches_total", { outcome: "stored" })).toBe(6);
      expect(value(metrics, "novacula_artifact_fetches_total", { outcome: "failed" })).toBe(2);
      // Every fetch above has ended (stored or failed).
      expect(value(metrics, "novacula_artifact_fetches_active")).toBe(0);
      expect(value(metrics, "novacula_artifact_bytes_total", { direction: "fetched" })).toBeGreaterThan(
        3_000_000,
      );
      expect(value(metrics, "novacula_artifact_bytes_total", { direction: "served" })).toBeGreaterThan(
        3_000_000,
      );
    },
    T,
  );
});
