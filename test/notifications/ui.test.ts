// The notification screens in a real browser (test/ui/browser.ts) against a real control plane, with a real
// webhook receiver and observations sent as an executor sends them: the bell counts the open incident and
// lists it, the incidents screen filters open/resolved in the URL, Settings → Notifications saves the
// webhook (the signing secret shown once), Test reaches the receiver, a per-node policy raising the disk
// threshold resolves the incident, and deliveries can be redelivered. Every UI document validates against
// the schema; no console error or failed request; no serious accessibility issue.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { eventually } from "../../src/lib/eventually.ts";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import * as documents from "../../src/modes/control-plane/ui/app/api/notifications.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { call, createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { startTenancyPlane } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "../ui/browser.ts";
import { Receiver, verifySignature } from "./receiver.ts";

const T = 180_000;
const LIVE = { timeoutMs: 30_000, intervalMs: 200 };

let cp: ControlPlaneHandle;
let browser: BrowserHandle;
let receiver: Receiver;
let nodeId: string;
const scratch = makeTestDir("notifications-ui");
const at = (path: string) => `http://localhost:${cp.port}${path}`;

beforeAll(async () => {
  cp = await startTenancyPlane();
  receiver = new Receiver();
  const cookie = await cp.adminSession();
  const key = await cp.createExecutorKey("ui-host");
  const { executorId } = await syncExecutor(cp, key, "ui-host");
  nodeId = (await createNode(cp, cookie, executorId, "full-disk")).id;
  const reported = await call(cp, "/api/v1/executor/observed", {
    key,
    executorId,
    body: {
      observations: [
        {
          nodeId,
          revision: 1,
          processes: [{ role: "node", status: "running" }],
          metrics: { diskTotalBytes: 1000, diskAvailableBytes: 50 },
        },
      ],
    },
  });
  expect(reported.status).toBe(200);
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await cp?.stop();
  receiver?.stop();
  scratch.cleanup();
}, T);

async function assertAccessible(w: WatchedPage, screen: string) {
  expect({ screen, violations: await w.accessibilityViolations() }).toEqual({ screen, violations: [] });
}

test("every notification document of the UI validates against the control plane's schema", () => {
  const schema = createSchema({ typeDefs: GRAPHQL_MODULES.map((m) => m.typeDefs) });
  const sources = Object.entries(documents).filter(([, v]) => typeof v === "string");
  expect(sources.length).toBe(8);
  for (const [name, source] of sources) {
    const errors = validate(schema, parse(source as string)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
  }
});

test(
  "bell, incidents and Settings → Notifications: save the webhook, test it, resolve by a node policy, redeliver",
  async () => {
    const w = await browser.page();
    const { page } = w;
    await page.goto(at("/sign-in"));
    await page.getByLabel("Email").fill(cp.adminEmail);
    await page.getByLabel("Password").fill(cp.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/nodes$/);

    // The bell: one open, and the incident in the latest list.
    const bell = page.getByRole("button", { name: /^Alerts: \d+ open$/ });
    await eventually(async () => (await bell.getAttribute("aria-label")) === "Alerts: 1 open", LIVE);
    await bell.click();
    const panel = page.getByRole("region", { name: "Latest alerts" });
    await panel.getByText("Node full-disk disk usage is 95% (threshold 85%)").waitFor();
    await panel.getByRole("link", { name: "All incidents" }).click();
    await page.waitForURL(/\/incidents/);
    await page.getByRole("cell", { name: "Node full-disk disk usage is 95% (threshold 85%)" }).waitFor();
    await page.getByRole("radio", { name: "resolved" }).check();
    await page.waitForURL(/status=resolved/);
    await page.getByText("No incidents here.").waitFor();
    await assertAccessible(w, "incidents");

    // Settings → Notifications: the webhook, its secret shown once, and Test.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings\/notifications$/);
    await page.getByLabel("Webhook URL (HTTPS POST)").fill(receiver.url);
    await page.getByLabel("Webhook enabled (off keeps the URL)").check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const secretField = page.getByLabel("Secret", { exact: true });
    await secretField.waitFor();
    const secret = cp.leakWatch.secret(await secretField.inputValue());
    expect(secret).toStartWith("whsec_");
    await page.getByRole("button", { name: "I've stored this secret" }).click();
    await page.getByRole("button", { name: "Test" }).click();
    await page.getByText("Test delivery: delivered (HTTP 200)").waitFor();
    const testSend = receiver.received.at(-1)!;
    expect(testSend.json.rule).toBe("test");
    expect(verifySignature(secret, testSend.headers["x-novacula-signature"], testSend.body)).toBe(true);
    await assertAccessible(w, "settings notifications");
    await w.screenshot("settings-notifications");

    // A per-node policy: a 99 % threshold for this node resolves its incident at once.
    await page.getByLabel("Disk threshold for full-disk").fill("99");
    await page.getByRole("button", { name: "Save policies" }).click();
    await page.getByText("Policies saved.").waitFor();
    await eventually(async () => (await bell.getAttribute("aria-label")) === "Alerts: 0 open", LIVE);
    const resolved = await eventually(
      () => receiver.matching({ status: "resolved", subjectKey: nodeId })[0],
      LIVE,
    );
    expect(verifySignature(secret, resolved.headers["x-novacula-signature"], resolved.body)).toBe(true);

    // Deliveries: the resolution is listed; Redeliver sends its body again.
    await page.reload();
    await page.getByRole("cell", { name: "disk_usage resolved" }).waitFor();
    const before = receiver.received.length;
    await page
      .getByRole("row", { name: /disk_usage resolved/ })
      .getByRole("button", { name: "Redeliver" })
      .click();
    await eventually(() => receiver.received.length > before, LIVE);
    expect(receiver.received.at(-1)!.body).toBe(resolved.body);
    expect(w.problems).toEqual([]);
  },
  T,
);
