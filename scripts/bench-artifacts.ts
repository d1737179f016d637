// Artifact delivery throughput, with real parts in one process: a local upstream (node:http, loopback), a real
// control plane (in this process, its catalog lookup a map) and N agents' real installers (each with its own
// data dir and control-plane client). Measures:
//   fetch    first request → the control plane serves the file (upstream download + sha256 + store)
//   fan-out  N hosts install the stored file at once (download from the control plane + sha256 + rename)
// and the process's peak RSS (control plane and agents together: neither buffers a file in memory).
// Usage: bun scripts/bench-artifacts.ts [sizeMiB=256] [hosts=10]
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ControlPlaneClient } from "../src/executor/control-plane-client.ts";
import { eventually } from "../src/lib/eventually.ts";
import { silentLogger } from "../src/lib/log.ts";
import { ArtifactInstaller } from "../src/modes/agent/artifact-installer.ts";
import { makeTestDir } from "../test/agent/helpers.ts";
import { startArtifactControlPlane } from "../test/artifacts/control-plane.ts";
import { fileBytes, sha256Of, startUpstream } from "../test/artifacts/upstream.ts";

const sizeMiB = Number(process.argv[2] ?? 256);
const hosts = Number(process.argv[3] ?? 10);
const WAIT = { timeoutMs: 600_000, intervalMs: 20 };

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);
const scratch = makeTestDir("bench-artifacts");
const upstream = await startUpstream();
const h = await startArtifactControlPlane("bench-artifacts");
try {
  const bytes = fileBytes(sizeMiB * 1024 * 1024, 42);
  const sha256 = sha256Of(bytes);
  upstream.files.set("/client.bin", bytes);
  h.catalog.set(sha256, { url: `${upstream.url}/client.bin`, format: "binary" });
  const rssBefore = process.memoryUsage.rss();

  const t0 = performance.now();
  await eventually(async () => {
    const response = await h.get(sha256, { range: "bytes=0-0" });
    await response.arrayBuffer();
    return response.status === 206 ? true : null;
  }, WAIT);
  const fetchMs = performance.now() - t0;
  const peakFetch = peakRss;

  const installers = Array.from({ length: hosts }, (_, i) => {
    const client = new ControlPlaneClient({ url: h.cp.url, accessToken: h.key });
    return new ArtifactInstaller({
      dataDir: join(scratch.dir, `host-${i}`),
      open: (url, from, signal) => client.fetchArtifact(url, from, signal),
      logger: silentLogger,
    });
  });
  const artifact = { url: `/api/v1/executor/artifacts/${sha256}`, sha256, format: "binary" as const };
  const t1 = performance.now();
  await Promise.all(
    installers.map((installer) =>
      eventually(() => (installer.request(artifact).state === "installed" ? true : null), WAIT),
    ),
  );
  const fanOutMs = performance.now() - t1;
  const mib = (n: number) => (n / 2 ** 20).toFixed(0);
  const mibPerSec = (mib: number, ms: number) => (mib / (ms / 1000)).toFixed(0);
  console.log(`file     ${sizeMiB} MiB, ${hosts} hosts`);
  console.log(
    `fetch    ${(fetchMs / 1000).toFixed(2)} s (${mibPerSec(sizeMiB, fetchMs)} MiB/s upstream → store)`,
  );
  console.log(
    `fan-out  ${(fanOutMs / 1000).toFixed(2)} s (${mibPerSec(sizeMiB * hosts, fanOutMs)} MiB/s served in total)`,
  );
  console.log(
    `rss      ${mib(rssBefore)} MiB before (the upstream holds the file), peak ${mib(peakFetch)} MiB in fetch, ${mib(peakRss)} MiB in fan-out`,
  );
} finally {
  clearInterval(sampler);
  upstream.stop();
  await h.stop();
  scratch.cleanup();
}
