// Edit configuration changes a node's client version in place, in a real browser against a real control plane
// (the compiled binary under `npm test`) and a real agent running devnet's real geth from the client catalog
// (test/harness/geth-versions.ts). The form offers the executor's versions of the node's own client with the
// current one selected; a newer one saved is a new revision whose spec names it, the host runs the new file,
// and the revision history shows the outcome; a downgrade the client's data does not allow is refused next to
// the select; a version that cannot start is put back by itself, with the reason in the history.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { freePort } from "../agent/helpers.ts";
import { sha256Of } from "../artifacts/upstream.ts";
import { type GethVersions, publishGethVersions } from "../harness/geth-versions.ts";
import { applied, phase } from "./node-page.ts";
import { checkScreen, screensWorld, T } from "./screens-kit.ts";

const NODE = "ui-geth-versions";
/** A version change is gated on the new version's health (head advancing) before its outcome shows. */
const OUTCOME = { timeout: 150_000 };

let agent: AgentProcess;
let versions: GethVersions;
let nodeId: string;

// Registered before the world's own hooks, so it runs first: the agent and its geth stop while the control
// plane still answers and before the world removes its directory.
afterAll(async () => {
  await agent?.stop();
  versions?.stop();
}, T);
const world = screensWorld("ui-client-version");

/** The file the node's geth process runs (its executable is content-addressed: artifacts/<sha256>). */
function gethExecutable(): string | null {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (args.some((arg) => arg.endsWith(`/nodes/${NODE}/data`))) return readlinkSync(`/proc/${pid}/exe`);
    } catch {}
  }
  return null;
}

beforeAll(async () => {
  const cookie = await world.cp.adminSession();
  versions = await publishGethVersions(world.cp, cookie, {
    "1.17.10": "real",
    "1.17.11": "another",
    "1.17.12": "exits",
  });
  agent = agentProcess(world.dir, {
    url: world.cp.url,
    token: await world.cp.createExecutorKey("ui-client-version"),
    name: "ui-versions-host",
  });
  await agent.start();
  const executorId = String((await agent.waitForLog("executor registered")).executorId);
  const spec = {
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "geth", version: "1.17.10" } },
    ports: { rpc: await freePort() },
  };
  const created = await world.cp.gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    { data: { executorId, name: NODE, spec } },
    { cookie },
  );
  if (!created.data) throw new Error(`createNode: ${JSON.stringify(created.errors)}`);
  nodeId = created.data.createNode.id;
}, T);

test(
  "Edit configuration offers the node's client versions, saves a new one as a revision the host runs, refuses a downgrade at the version, and shows each change's outcome",
  async () => {
    const w = await world.signedIn(
      { email: world.cp.adminEmail, password: world.cp.adminPassword },
      `/nodes/${nodeId}`,
    );
    const { page } = w;
    await applied(w, 1);

    // The versions the executor offers for geth, the current one selected; the client itself stays fixed.
    await page.getByRole("button", { name: "Edit configuration" }).click();
    await page
      .getByText(
        "Fixed after deploy (delete and redeploy to change): devnet / local, full, the client of each role (node: geth), resources.",
      )
      .waitFor();
    await page.getByText(/restarts only that role's process.*previous one comes back by itself/).waitFor();
    const version = page.getByLabel("geth version (node)");
    expect(await version.inputValue()).toBe("geth@1.17.10");
    expect((await version.locator("option").allTextContents()).sort()).toEqual([
      "1.17.10 (current)",
      "1.17.11",
      "1.17.12",
    ]);
    const changed = page.locator(".changed-badge");
    await expect(changed.textContent()).resolves.toBe("0 changed");
    await version.selectOption("geth@1.17.11");
    await expect(changed.textContent()).resolves.toBe("1 changed");
    await checkScreen(w, "node-edit-client-version");
    await page.getByRole("button", { name: "Save as a new revision" }).click();

    // Revision 2 names the new version; the host runs its file; the history says it succeeded.
    await applied(w, 2);
    expect(JSON.parse((await page.locator("pre.config").textContent()) ?? "null").clients).toEqual({
      node: { name: "geth", version: "1.17.11" },
    });
    await page
      .getByRole("row", { name: /^2 .*client upgrade geth 1\.17\.10 → 1\.17\.11 \(succeeded\)/ })
      .waitFor(OUTCOME);
    expect(gethExecutable()).toEndWith(sha256Of(versions.files.get("1.17.11")!));

    // A downgrade geth's data is not marked readable by: refused by the server, shown at the select.
    await page.getByRole("button", { name: "Edit configuration" }).click();
    expect(await version.inputValue()).toBe("geth@1.17.11");
    await version.selectOption("geth@1.17.10");
    await page.getByRole("button", { name: "Save as a new revision" }).click();
    const refusal = page.locator("#field-spec-clients-node-version-error");
    await expect(refusal.textContent()).resolves.toMatch(/downgrade from 1\.17\.11 to 1\.17\.10 refused/);
    expect(await version.getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("field-spec-clients-node-version");
    await checkScreen(w, "node-edit-client-version-refused");

    // A version that cannot start on this host: saved, then put back by itself, with the reason.
    await version.selectOption("geth@1.17.12");
    expect(await refusal.count()).toBe(0);
    await page.getByRole("button", { name: "Save as a new revision" }).click();
    await page.getByText("The node's specification at revision 3 (read-only).").waitFor();
    await page
      .getByRole("row", {
        name: /^3 .*client upgrade geth 1\.17\.11 → 1\.17\.12 \(reverted: .*geth 1\.17\.12 exited with status 1/,
      })
      .waitFor(OUTCOME);
    await phase(w).filter({ hasText: "running" }).waitFor(OUTCOME);
    await eventually(() => gethExecutable()?.endsWith(sha256Of(versions.files.get("1.17.11")!)) ?? false, {
      timeoutMs: OUTCOME.timeout,
      message: "1.17.11 running again",
    });
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);
