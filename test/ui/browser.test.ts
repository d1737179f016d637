// The web UI in a real browser against a real control plane (the compiled binary under `npm test`) and a
// real agent running anvil: a person signs in, connects an executor, deploys a devnet node through the
// wizard, watches its block height rise without reloading, stops, starts, edits its configuration, rolls
// it back and deletes it; a member sees everything and can change nothing. Any console error, uncaught
// exception or failed request fails the run. Each main screen is saved at 1280 × 800
// (.cache/ui-screenshots) and checked with axe-core: no serious or critical issue.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { freePort, makeTestDir } from "../agent/helpers.ts";
import { createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { Api, startTenancyPlane } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser } from "./browser.ts";
import {
  anvilArgs,
  anvilPid,
  applied,
  assertAccessible,
  blockHeight,
  blockTimeOf,
  fitsPhone,
  LIVE,
  phase,
  sidebar,
} from "./node-page.ts";

const T = 240_000;

let cp: ControlPlaneHandle;
let api: Api;
let browser: BrowserHandle;
let agent: AgentProcess | null = null;
const scratch = makeTestDir("ui-browser");

/** The UI is opened at the public URL the control plane was given (sign-in checks the origin). */
const at = (path: string) => `http://localhost:${cp.port}${path}`;

beforeAll(async () => {
  cp = await startTenancyPlane();
  api = new Api(cp);
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await cp?.stop();
  scratch.cleanup();
}, T);

test(
  "an admin signs in, connects an executor, deploys a devnet node through the wizard, watches it produce blocks live, stops, starts, edits its configuration, rolls it back, restarts and deletes it",
  async () => {
    const w = await browser.page();
    const { page } = w;
    const rpcPort = await freePort();

    // Sign in: a wrong password says so (its 401 is the one failed request this test expects).
    await page.goto(at("/"));
    await page.waitForURL(/\/sign-in/);
    await w.screenshot("sign-in");
    await assertAccessible(w, "sign-in");
    w.expect(/HTTP 401: POST .*\/api\/auth\/sign-in\/email|status of 401/);
    await page.getByLabel("Email").fill(cp.adminEmail);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/wrong email or password/i);
    await page.getByLabel("Password").fill(cp.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/nodes$/);
    await page.getByText("No nodes yet").waitFor();

    // Connect an executor: the key is shown once, with an install command that carries it.
    await sidebar(w, "Executors").click();
    await page.getByText("No executors yet — Connect executor").waitFor();
    await assertAccessible(w, "executors (empty)");
    await page.getByRole("button", { name: "Connect executor" }).click();
    await page.getByLabel("Name", { exact: true }).fill("ui-agent");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const keyField = page.getByLabel("Key", { exact: true });
    await keyField.waitFor();
    const key = await keyField.inputValue();
    expect(key.length).toBeGreaterThan(20);
    expect(await page.getByLabel("Install command", { exact: true }).inputValue()).toContain(key);
    await w.screenshot("connect-executor");
    await assertAccessible(w, "connect executor");
    await page.getByRole("button", { name: "I've stored this key" }).click();

    agent = agentProcess(scratch.dir, { url: cp.url, token: key, name: "ui-agent" });
    await agent.start();
    // The executors list is live: the new executor turns online without a reload.
    await page.getByRole("row", { name: /ui-agent.*online/ }).waitFor({ timeout: LIVE.timeoutMs });
    await w.screenshot("executors");

    // Deploy a devnet node through the wizard: Target, Resources, Configuration, Review.
    await sidebar(w, "Nodes").click();
    await page.getByRole("link", { name: "Deploy node" }).first().click();
    await page.getByRole("heading", { name: "Target" }).waitFor();
    await page.getByLabel("Executor", { exact: true }).selectOption({ label: "ui-agent (agent)" });
    await page.getByLabel("Chain").selectOption("devnet");
    expect(await page.getByLabel("Network").inputValue()).toBe("local");
    expect(await page.getByLabel("Client and version (node)").inputValue()).toMatch(/^anvil@/);
    await w.screenshot("deploy-target");
    await assertAccessible(w, "deploy node: target");
    await page.getByRole("button", { name: "Next" }).click();

    // Resources come pre-filled with the network's defaults; going below one warns and does not block.
    await page.getByRole("heading", { name: "Resources" }).waitFor();
    // Keyboard users start each step at its heading.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Resources");
    const cpu = page.getByLabel("CPU request");
    expect(await cpu.inputValue()).toBe("1");
    await cpu.fill("500m");
    await page.getByText(/Below the default for devnet local \(1\)/).waitFor();
    await w.screenshot("deploy-resources");
    await assertAccessible(w, "deploy node: resources");
    await page.getByRole("button", { name: "Next" }).click();

    // Configuration: a managed flag is refused by the server, next to the field that holds it.
    await page.getByRole("heading", { name: "Configuration" }).waitFor();
    await page.getByLabel("Node ID (name)").fill("ui-devnet");
    const args = page.getByLabel("Arguments for anvil");
    await args.fill("--accounts=3\n--port=9");
    await page.getByRole("button", { name: "Next" }).click();
    const argsError = page.locator("#field-spec-overrides-args-anvil-error");
    await expect(argsError.textContent()).resolves.toMatch(/^1: --port is managed by Novacula/);
    expect(await args.getAttribute("aria-invalid")).toBe("true");
    // Focus lands on the refused field, so a keyboard user is where the fix goes.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("field-spec-overrides-args-anvil");
    expect(await args.getAttribute("aria-describedby")).toContain("field-spec-overrides-args-anvil-error");
    await page.getByRole("heading", { name: "Configuration" }).waitFor();
    await w.screenshot("deploy-configuration-refused");
    await assertAccessible(w, "deploy node: configuration with an error");
    await args.fill("--accounts=3");
    // The refusal goes with the change that answers it (the server is asked again on Next).
    expect(await argsError.count()).toBe(0);
    await page.getByText("Advanced").click();
    await page.getByLabel("rpc port").fill(String(rpcPort));
    await page.getByLabel("rpc port").press("Enter");

    // Review: the spec exactly as it will be sent.
    await page.getByRole("heading", { name: "Review" }).waitFor();
    const reviewed = JSON.parse((await page.locator("pre.config").textContent()) ?? "null");
    expect(reviewed).toEqual({
      chain: "devnet",
      network: "local",
      nodeType: "full",
      clients: { node: { name: "anvil", version: expect.any(String) } },
      resources: { cpu: "500m", memory: "1Gi", disk: "1Gi" },
      overrides: { args: { anvil: ["--accounts=3"] } },
      ports: { rpc: rpcPort },
    });
    await w.screenshot("deploy-review");
    await assertAccessible(w, "deploy node: review");
    await fitsPhone(w, "deploy node: review");
    await page.getByRole("button", { name: "Deploy" }).click();
    await page.waitForURL(/\/nodes\/[0-9a-f-]{36}$/);
    const detailUrl = page.url();

    // Running, and the block height rises while the page stays open (no reload).
    await phase(w).filter({ hasText: "running" }).waitFor({ timeout: LIVE.timeoutMs });
    const first = await eventually(() => blockHeight(w), { ...LIVE, message: "a block height shown" });
    await eventually(async () => ((await blockHeight(w)) ?? 0) > first, {
      ...LIVE,
      message: `the block height rising past ${first} without a reload`,
    });
    expect(page.url()).toBe(detailUrl);
    await expect(page.getByText(/RPC URL/).textContent()).resolves.toBe(
      `RPC URL http://127.0.0.1:${rpcPort} (on ui-agent's host)`,
    );
    expect(anvilArgs(rpcPort)).toContain("--accounts=3");
    await w.screenshot("node-detail");
    await assertAccessible(w, "node detail");

    // The list shows it, live too.
    await sidebar(w, "Nodes").click();
    await page.getByRole("row", { name: /ui-devnet.*devnet.*running/ }).waitFor();
    await w.screenshot("nodes");
    await assertAccessible(w, "nodes");
    await page.getByRole("link", { name: "ui-devnet" }).click();

    await page.getByRole("button", { name: "Stop" }).click();
    await phase(w).filter({ hasText: "stopped" }).waitFor({ timeout: LIVE.timeoutMs });
    await page.getByRole("button", { name: "Start" }).click();
    await phase(w).filter({ hasText: "running" }).waitFor({ timeout: LIVE.timeoutMs });
    await applied(w, 3);

    // Edit configuration: a managed flag is refused at its field; a new block time is saved as revision 4,
    // and the executor restarts anvil with it.
    await page.getByRole("button", { name: "Edit configuration" }).click();
    const changed = page.locator(".changed-badge");
    await expect(changed.textContent()).resolves.toBe("0 changed");
    await page.getByLabel("Arguments for anvil").fill("--accounts=3\n--block-time=5");
    await expect(changed.textContent()).resolves.toBe("1 changed");
    await page.getByRole("button", { name: "Save as a new revision" }).click();
    await expect(page.locator("#field-spec-overrides-args-anvil-error").textContent()).resolves.toMatch(
      /^1: --block-time is managed by Novacula/,
    );
    await page.getByLabel("Arguments for anvil").fill("--accounts=3");
    await page.getByLabel("blockTimeSecs").fill("2");
    await expect(changed.textContent()).resolves.toBe("1 changed");
    await w.screenshot("node-edit-configuration");
    await assertAccessible(w, "edit configuration");
    await page.getByRole("button", { name: "Save as a new revision" }).click();
    await applied(w, 4);
    await page.getByRole("row", { name: /^4 .*edited settings/ }).waitFor();
    expect(JSON.parse((await page.locator("pre.config").textContent()) ?? "null").settings).toEqual({
      blockTimeSecs: 2,
    });
    await eventually(() => blockTimeOf(rpcPort) === "2", {
      ...LIVE,
      message: "anvil restarted with --block-time 2",
    });

    // Revisions: the changes a revision made, against its predecessor.
    await page.getByRole("button", { name: "Show changes of revision 4", exact: true }).click();
    await page.getByRole("table", { name: "Changes in revision 4 since revision 3" }).waitFor();
    await page.getByRole("row", { name: "/settings/blockTimeSecs — 2" }).waitFor();

    // Roll back to revision 3: confirmed after seeing what it changes; written as revision 5.
    await page.getByRole("button", { name: "Roll back to revision 3" }).click();
    const dialog = page.getByRole("dialog", { name: "Roll back ui-devnet to revision 3?" });
    await dialog.getByRole("row", { name: "/settings/blockTimeSecs 2 —" }).waitFor();
    await w.screenshot("node-rollback");
    await assertAccessible(w, "roll back");
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await applied(w, 5);
    await page.getByRole("row", { name: /^5 .*rolled back to revision 3/ }).waitFor();
    const restored = JSON.parse((await page.locator("pre.config").textContent()) ?? "null");
    expect(restored.settings).toBeUndefined();
    expect(restored.overrides).toEqual({ args: { anvil: ["--accounts=3"] } });
    await eventually(() => blockTimeOf(rpcPort) === "1", {
      ...LIVE,
      message: "anvil restarted with --block-time 1",
    });
    await w.screenshot("node-revisions");
    await assertAccessible(w, "node detail with revisions");
    await fitsPhone(w, "node detail with revisions");

    // Restart: a new revision with the next restart generation; the executor starts a new anvil process.
    const before = anvilPid(rpcPort);
    expect(before).not.toBeNull();
    await page.getByRole("button", { name: "Restart" }).click();
    await applied(w, 6);
    await page.getByRole("row", { name: /^6 .*restart requested/ }).waitFor();
    await eventually(() => anvilPid(rpcPort) !== null && anvilPid(rpcPort) !== before, {
      ...LIVE,
      message: "a new anvil process after Restart",
    });

    // Delete is confirmed by typing the name.
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("button", { name: "Delete node" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Node name").fill("ui-devnet");
    await confirm.click();
    await page.waitForURL(/\/nodes$/);
    await page.getByText("No nodes yet").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "a member sees the organization's executors and nodes and no action that changes them",
  async () => {
    const admin = await api.admin();
    const member = await api.user("Member");
    await api.join({ cookie: admin }, member, "member");
    const { key } = await api.executorKey({ cookie: admin }, "member-view-key");
    const { executorId } = await syncExecutor(cp, key, "member-view-agent");
    const seen = await createNode(cp, admin, executorId, "seen-by-member");
    // A history longer than one page (23 revisions), so an admin would be offered Roll back.
    for (let i = 0; i < 22; i++) {
      const restart = await cp.gql(
        "mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: restart) { revision } }",
        { id: seen.id },
        { cookie: admin },
      );
      expect(restart.data?.requestNodeLifecycleAction.revision).toBe(i + 2);
    }

    const w = await browser.page();
    const { page } = w;
    // The member's own session (its active organization is the admin's), as the browser's cookie.
    await w.context.addCookies(
      member.cookie.split("; ").map((pair) => {
        const at_ = pair.indexOf("=");
        return { name: pair.slice(0, at_), value: pair.slice(at_ + 1), url: at("/") };
      }),
    );
    await page.goto(at("/nodes"));
    await page.getByRole("row", { name: /seen-by-member/ }).waitFor();
    expect(await page.getByRole("link", { name: "Deploy node" }).count()).toBe(0);
    // The filters live in the URL: a search that matches nothing says so and offers Clear all.
    await page.getByLabel("Name").fill("no-such-node");
    await page.waitForURL(/[?&]q=no-such-node/);
    await page.getByText("No node matches these filters").waitFor();
    await page.reload();
    await page.getByText("No node matches these filters").waitFor();
    await page.getByRole("link", { name: "Clear all" }).click();
    await page.getByLabel("Chain").selectOption("devnet");
    await page.waitForURL(/[?&]chain=devnet/);
    await page.getByRole("row", { name: /seen-by-member/ }).waitFor();
    await page.getByRole("link", { name: "seen-by-member" }).click();
    await page.getByRole("heading", { name: "seen-by-member" }).waitFor();
    await page.getByRole("heading", { name: "Configuration" }).waitFor();
    for (const name of ["Start", "Stop", "Restart", "Delete"]) {
      expect({ name, count: await page.getByRole("button", { name, exact: true }).count() }).toEqual({
        name,
        count: 0,
      });
    }
    // Revisions and their changes are there to read; Edit configuration and Roll back are not.
    await page.getByRole("heading", { name: "Revisions" }).waitFor();
    // The newest page of the history first; older revisions on request.
    await page.getByText("The newest 20 of 23 revisions.").waitFor();
    expect(await page.getByRole("button", { name: "Show changes of revision 3", exact: true }).count()).toBe(
      0,
    );
    await page.getByRole("button", { name: "Show older revisions" }).click();
    await page.getByRole("button", { name: "Show changes of revision 1", exact: true }).click();
    await page.getByRole("table", { name: "Changes in revision 1" }).waitFor();
    await page.getByRole("button", { name: "Show changes of revision 4", exact: true }).click();
    await page.getByRole("row", { name: "/restartGeneration 2 3" }).waitFor();
    expect(await page.getByRole("button", { name: "Edit configuration" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Roll back/ }).count()).toBe(0);
    await w.screenshot("node-detail-member");
    await assertAccessible(w, "node detail (member)");
    // The deploy page, opened by its address, says what role it needs and offers no form.
    await page.goto(at("/nodes/deploy"));
    await page.getByText("Deploying a node needs the owner or admin role in this organization.").waitFor();
    expect(await page.getByRole("button", { name: /Next|Deploy/ }).count()).toBe(0);
    await sidebar(w, "Executors").click();
    await page.getByRole("row", { name: /member-view-agent/ }).waitFor();
    expect(await page.getByRole("button", { name: "Connect executor" }).count()).toBe(0);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "opened at an address the control plane was not told, sign-in says the address is refused, not the password",
  async () => {
    const port = await freePort();
    // Its public URL is a name this browser does not use: the page is opened at 127.0.0.1 instead.
    const elsewhere = await startControlPlane({
      env: { PORT: String(port), BETTER_AUTH_URL: `http://novacula.invalid:${port}` },
    });
    try {
      const w = await browser.page();
      const { page } = w;
      w.expect(/HTTP 403: POST .*\/api\/auth\/sign-in\/email|status of 403/);
      await page.goto(`http://127.0.0.1:${port}/sign-in`);
      // Keyboard only: type, Tab to the next field, Enter submits.
      await page.getByLabel("Email").focus();
      await page.keyboard.type(elsewhere.adminEmail);
      await page.keyboard.press("Tab");
      await page.keyboard.type(elsewhere.adminPassword);
      await page.keyboard.press("Enter");
      const shown = (await page.getByRole("alert").textContent()) ?? "";
      expect(shown).toContain("BETTER_AUTH_URL");
      expect(shown).not.toMatch(/password/i);
      expect(w.problems).toEqual([]);
      await w.context.close();
    } finally {
      await elsewhere.stop();
    }
  },
  T,
);
