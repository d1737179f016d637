// The release screens in a real browser against a real control plane: an owner upgrades an executor from
// its detail page (candidates with the hop label, the pending upgrade with Cancel), and the system admin's
// console lists the catalog and yanks a release. axe-core finds nothing serious; no console error or
// failed request.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { makeTestDir } from "../agent/helpers.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "../ui/browser.ts";
import { agent, publish, type ReleaseWorld, startReleaseWorld } from "./world.ts";

const T = 240_000;
let w: ReleaseWorld;
let browser: BrowserHandle;
let execKey: string;
let executorId: string;
const scratch = makeTestDir("ui-releases");

beforeAll(async () => {
  // The executor syncs once: a long heartbeat timeout keeps it online throughout.
  w = await startReleaseWorld({ HEARTBEAT_TIMEOUT_MS: "3600000" });
  execKey = await w.cp.createExecutorKey("ui-hosts");
  await publish(w, "3.0.0");
  await publish(w, "3.1.0");
  await publish(w, "5.0.0");
  ({ executorId } = await agent(w, execKey, "ui-host", "3.0.0"));
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await w?.cp.stop();
  scratch.cleanup();
}, T);

async function adminPage(): Promise<WatchedPage> {
  const page = await browser.page();
  await page.context.addCookies(
    w.cookie.split("; ").map((pair) => {
      const i = pair.indexOf("=");
      return { name: pair.slice(0, i), value: pair.slice(i + 1), url: `http://localhost:${w.cp.port}/` };
    }),
  );
  return page;
}

test(
  "an executor's Upgrade panel offers its candidates, requests one and cancels it",
  async () => {
    const p = await adminPage();
    const { page } = p;
    await page.goto(`http://localhost:${w.cp.port}/executors/${executorId}`);
    const panel = page.getByRole("table", { name: "Upgrade" });
    await panel.getByRole("row", { name: /5\.0\.0.*requires upgrade to 4\.x first/ }).waitFor();
    expect({ violations: await p.accessibilityViolations() }).toEqual({ violations: [] });
    await p.screenshot("executor-upgrade");
    await panel.getByRole("button", { name: "Upgrade to 3.1.0" }).click();
    await page.getByText(/Upgrade to 3\.1\.0 pending since/).waitFor();
    expect((await agent(w, execKey, "ui-host", "3.0.0")).pendingUpgrade?.targetVersion).toBe("3.1.0");
    await page.getByRole("button", { name: "Cancel upgrade" }).click();
    await page.getByRole("button", { name: "Upgrade to 3.1.0" }).and(page.locator(":enabled")).waitFor();
    expect((await agent(w, execKey, "ui-host", "3.0.0")).pendingUpgrade).toBeNull();
    expect(p.problems).toEqual([]);
    await p.context.close();
  },
  T,
);

test(
  "the admin console lists the release catalog and yanks a release",
  async () => {
    const p = await adminPage();
    const { page } = p;
    await page.goto(`http://localhost:${w.cp.port}/admin`);
    const catalog = page.getByRole("table", { name: "Release catalog" });
    const row = catalog.getByRole("row", { name: /agent 5\.0\.0.*stable.*published/ });
    await row.waitFor();
    await row.getByRole("button", { name: "Yank 5.0.0" }).click();
    await page.getByRole("button", { name: "Yank release" }).click();
    await catalog.getByRole("row", { name: /agent 5\.0\.0.*stable.*yanked/ }).waitFor();
    const listed = await w.cp.gql("{ executorReleases { version status } }", {}, { cookie: w.cookie });
    expect(listed.data.executorReleases.find((r: { version: string }) => r.version === "5.0.0").status).toBe(
      "yanked",
    );
    expect(p.problems).toEqual([]);
    await p.context.close();
  },
  T,
);
