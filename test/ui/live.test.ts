// The web UI stays live in a real browser against a real control plane (the compiled binary under
// `npm test`), fed by an executor speaking the real protocol over HTTP: an open node page shows what the
// executor reports (metrics, the ports it gave the node, a spec change applied, the executor going offline)
// without a reload, its charts draw the readings seen since it opened, the shell says "Disconnected —
// reconnecting…" while the control plane is down and clears once it is back, and the page passes axe-core
// (saved at 1280 × 800).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { call, createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { startTenancyPlane } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "./browser.ts";

const T = 180_000;
const LIVE = { timeoutMs: 30_000, intervalMs: 100 };
const GB = 1_000_000_000;

let cp: ControlPlaneHandle;
let browser: BrowserHandle;
let cookie: string;
let key: string;
let executorId: string;
let nodeId: string;
const scratch = makeTestDir("ui-live");

const at = (path: string) => `http://localhost:${cp.port}${path}`;

/** The executor's heartbeat and one observation of the node, as an agent sends them. */
async function report(
  revision: number,
  blockHeight: number,
  status = "running",
  diskUsedGb = 40,
  ports?: Record<string, number>,
) {
  await syncExecutor(cp, key, "live-agent");
  const result = await call(cp, "/api/v1/executor/observed", {
    key,
    executorId,
    body: {
      observations: [
        {
          nodeId,
          revision,
          processes: [{ role: "node", status, peers: 3, cpuMillicores: 250, memoryBytes: 300_000_000 }],
          metrics: {
            blockHeight,
            networkHeight: blockHeight + 2,
            syncPercent: 99.5,
            lastBlockAt: new Date().toISOString(),
            diskTotalBytes: 100 * GB,
            diskUsedBytes: diskUsedGb * GB,
          },
          ...(ports ? { ports } : {}),
        },
      ],
    },
  });
  expect(result.json).toEqual({ accepted: 1, ignored: [] });
}

const metric = (w: WatchedPage, label: string) =>
  w.page.locator(`[data-metric="${label}"]`).textContent({ timeout: 1_000 });
const badge = (w: WatchedPage) => w.page.locator("article header .badge").first();

beforeAll(async () => {
  cp = await startTenancyPlane({ HEARTBEAT_TIMEOUT_MS: "15000" });
  cookie = await cp.adminSession();
  key = await cp.createExecutorKey("live-key");
  executorId = (await syncExecutor(cp, key, "live-agent")).executorId;
  nodeId = (await createNode(cp, cookie, executorId, "live-devnet")).id;
  await report(1, 100);
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await cp?.stop();
  scratch.cleanup();
}, T);

test(
  "an open node page follows what the executor reports, draws its charts, greys stale readings, and says when it is disconnected",
  async () => {
    const w = await browser.page();
    const { page } = w;
    await page.goto(at("/sign-in"));
    await page.getByLabel("Email").fill(cp.adminEmail);
    await page.getByLabel("Password").fill(cp.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/nodes$/);
    await page.getByRole("link", { name: "live-devnet" }).click();
    await page.getByRole("heading", { name: "live-devnet" }).waitFor();
    expect(await metric(w, "Block height")).toBe("100");
    expect(await page.locator('[data-endpoint="rpc-url"]').textContent()).toBe("http://127.0.0.1:8545");
    const rpcPort = page.locator('[data-endpoint="port-rpc"]').locator("..");
    expect(await rpcPort.textContent()).toContain("default, until the host reports");

    // New readings appear without a reload, and each tile's chart draws every one of them. The executor
    // reports the port its port plan gave the node (8545 was held on its host): the endpoints follow.
    await report(1, 101, "running", 60, { rpc: 18545 });
    await eventually(
      async () =>
        (await page.locator('[data-endpoint="rpc-url"]').textContent()) === "http://127.0.0.1:18545",
      LIVE,
    );
    expect(await rpcPort.textContent()).toContain("18545 allocated on the host");
    await eventually(async () => (await metric(w, "Block height")) === "101", LIVE);
    await report(1, 102, "running", 90);
    await eventually(async () => (await metric(w, "Block height")) === "102", LIVE);
    expect(await metric(w, "Disk")).toBe("90.0 %");
    expect(await metric(w, "Peers")).toBe("3");
    for (const chart of ["Block height", "Disk", "Peers", "CPU", "Memory"]) {
      const box = page.locator(`[data-chart="${chart}"]`);
      expect({ chart, points: await box.getAttribute("data-points") }).toEqual({ chart, points: "3" });
      expect(await box.locator("canvas").count()).toBe(1);
    }
    expect(await page.locator('[data-chart="Disk"]').getAttribute("aria-label")).toContain("highest 90.0 %");
    await w.screenshot("node-detail-live");
    expect(await w.accessibilityViolations()).toEqual([]);

    // A spec change (stop, by someone else): pending until the executor reports it applied, then stopped.
    const stop = await cp.gql(
      "mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: stop) { revision } }",
      { id: nodeId },
      { cookie },
    );
    expect(stop.data.requestNodeLifecycleAction.revision).toBe(2);
    await page.getByText("pending change (revision 1 of 2)").waitFor({ timeout: LIVE.timeoutMs });
    await report(2, 102, "stopped");
    await badge(w).filter({ hasText: "stopped" }).waitFor({ timeout: LIVE.timeoutMs });
    await page.getByText("pending change").waitFor({ state: "detached", timeout: LIVE.timeoutMs });

    // The executor falls silent: past the heartbeat timeout the readings are greyed with a warning.
    await page.getByText(/Stale: executor live-agent is offline/).waitFor({ timeout: 40_000 });
    expect(await page.locator("dl.tiles.greyed").count()).toBe(1);
    await w.screenshot("node-detail-stale");
    expect(await w.accessibilityViolations()).toEqual([]);

    // The control plane stops: the shell says so; it comes back: the notice goes and the page is live again.
    w.expect(/request failed: (POST|GET) .*\/graphql|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE/);
    await cp.stop();
    const banner = page.getByText("Disconnected — reconnecting…");
    await banner.waitFor({ timeout: LIVE.timeoutMs });
    await w.screenshot("node-detail-disconnected");
    await cp.restart();
    await banner.waitFor({ state: "detached", timeout: LIVE.timeoutMs });
    await report(2, 150, "stopped");
    await eventually(async () => (await metric(w, "Block height")) === "150", LIVE);
    await page.getByText(/Stale:/).waitFor({ state: "detached", timeout: LIVE.timeoutMs });
    expect(w.problems).toEqual([]);
  },
  T,
);
