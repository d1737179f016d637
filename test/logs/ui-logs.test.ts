// The Logs panel of node detail in a real browser (Chromium, test/ui/browser.ts) against a real control plane
// and a real agent running anvil: the panel streams anvil's lines over EventSource; Pause holds new lines
// back, Resume shows them, Clear empties the view while the stream goes on; a higher minimum level opens a
// new stream that leaves anvil's info lines out. No console error, failed request or accessibility issue.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { freePort, jsonRpc, makeTestDir } from "../agent/helpers.ts";
import { createNode, DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { startTenancyPlane } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser } from "../ui/browser.ts";
import { openFiles, pidsWithArg } from "./proc.ts";

const T = 180_000;
const LIVE = { timeoutMs: 45_000, intervalMs: 200 };

let cp: ControlPlaneHandle;
let browser: BrowserHandle;
let agent: AgentProcess;
let nodeId: string;
let port: number;
const scratch = makeTestDir("ui-logs");
const at = (path: string) => `http://localhost:${cp.port}${path}`;

beforeAll(async () => {
  cp = await startTenancyPlane();
  const cookie = await cp.adminSession();
  agent = agentProcess(scratch.dir, {
    url: cp.url,
    token: await cp.createExecutorKey("ui-logs"),
    name: "ui-logs",
  });
  await agent.start();
  const executorId = String((await agent.waitForLog("executor registered")).executorId);
  port = await freePort();
  nodeId = (
    await createNode(cp, cookie, executorId, "ui-logs-anvil", { ...DEVNET_SPEC, ports: { rpc: port } })
  ).id;
  await eventually(async () => (await jsonRpc(port, "web3_clientVersion")) !== undefined, {
    ...LIVE,
    message: "anvil answering",
  });
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await cp?.stop();
  scratch.cleanup();
}, T);

test(
  "the Logs panel streams anvil's lines; Pause, Resume and Clear change only the view; the level filters",
  async () => {
    const w = await browser.page();
    const { page } = w;
    // A stream the panel closes on purpose (new level, page left) shows as an aborted request.
    w.expect(/request failed: GET .*\/logs\/stream.*ERR_ABORTED/);
    await page.goto(at("/sign-in"));
    await page.getByLabel("Email").fill(cp.adminEmail);
    await page.getByLabel("Password").fill(cp.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/nodes$/);
    await page.getByRole("link", { name: "ui-logs-anvil" }).click();
    await page.waitForURL(new RegExp(`/nodes/${nodeId}$`));

    const panel = page.getByRole("region", { name: "Logs" });
    // Nothing streams until the person asks.
    await panel.getByRole("button", { name: "Watch logs" }).click();
    const lines = panel.getByRole("list", { name: "node log" }).getByRole("listitem");
    await panel.locator('[data-log-state="streaming"]').waitFor({ timeout: LIVE.timeoutMs });
    const shown = () => lines.count();
    // anvil logs each method it serves. The agent's probe asks web3_clientVersion and the EVM methods on
    // its own schedule; net_listening is asked by this test alone, so its lines can be counted.
    const MARK = "net_listening";
    const calls = () => lines.filter({ hasText: new RegExp(`^${MARK}$`) }).count();
    await jsonRpc(port, MARK);
    await eventually(async () => (await calls()) >= 1, { ...LIVE, message: "anvil's line in the panel" });
    await w.screenshot("node-logs");
    expect(await w.accessibilityViolations()).toEqual([]);

    // Pause: new lines wait in the queue (the button counts them), the view stays as it was.
    await panel.getByRole("button", { name: "Pause" }).click();
    const before = await calls();
    await jsonRpc(port, MARK);
    await panel.getByRole("button", { name: /Resume \(\d+ new\)/ }).waitFor({ timeout: LIVE.timeoutMs });
    expect(await calls()).toBe(before);
    // Resume flushes the queue into the view.
    await panel.getByRole("button", { name: /Resume/ }).click();
    await eventually(async () => (await calls()) > before, { ...LIVE, message: "the queue flushed" });

    // Clear empties the view; the stream goes on.
    await panel.getByRole("button", { name: "Clear" }).click();
    await jsonRpc(port, MARK);
    await eventually(async () => (await calls()) === 1, { ...LIVE, message: "a new line after Clear" });
    expect(await shown()).toBeGreaterThan(0);

    // A higher minimum level: a new stream without anvil's info lines. A warning written after anvil's
    // line proves the stream has caught up when it shows.
    await panel.getByLabel("Minimum level").selectOption("warn");
    await panel.locator('[data-log-state="streaming"]').waitFor({ timeout: LIVE.timeoutMs });
    await jsonRpc(port, MARK);
    appendFileSync(
      join(agent.dataDir, "supervisor", "devnet-node@ui-logs-anvil.log"),
      "WARN [12-06|07:00:01.000] disk nearly full\n",
    );
    await lines.filter({ hasText: "disk nearly full" }).waitFor({ timeout: LIVE.timeoutMs });
    expect(await panel.locator('li[data-level="info"]').count()).toBe(0);
    expect(await panel.locator('li[data-level="warn"]').count()).toBeGreaterThan(0);
    // Stop watching ends the stream: the executor no longer tails (the file is closed again).
    await panel.getByRole("button", { name: "Stop watching" }).click();
    await panel.getByRole("button", { name: "Watch logs" }).waitFor();
    const logFile = join(agent.dataDir, "supervisor", "devnet-node@ui-logs-anvil.log");
    await eventually(() => !openFiles(pidsWithArg(agent.configPath)[0] ?? 0).includes(logFile), {
      ...LIVE,
      message: "the agent's tail closed",
    });
    expect(w.problems).toEqual([]);
  },
  T,
);
