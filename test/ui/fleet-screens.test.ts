// Executors, executor detail, events, the nodes list's bulk actions and server-side filters, and the
// system admin's console, in a real browser against a real control plane (the compiled binary under
// `npm test`). Executors exist through the executor protocol (these screens need no running node).
// Each screen loads and does its job; filters change the URL and the list; a member sees no action that
// changes anything and no admin console. Any console error or failed request fails the run; each screen
// is saved at 1280 × 800 and checked with axe-core (no serious or critical violation).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { call, createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { Api, freePort, startTenancyPlane, type User } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "./browser.ts";

const T = 240_000;
const GiB = 1024 ** 3;

let cp: ControlPlaneHandle;
let api: Api;
let admin: string;
let member: User;
let key: string;
let executorId: string;
let spareId: string;
const nodeIds = new Map<string, string>();
let browser: BrowserHandle;
const scratch = makeTestDir("ui-fleet-screens");

const at = (path: string) => `http://localhost:${cp.port}${path}`;

beforeAll(async () => {
  // Executors here sync once: a long heartbeat timeout keeps them online (and the timeline still) throughout.
  cp = await startTenancyPlane({ HEARTBEAT_TIMEOUT_MS: "3600000" });
  api = new Api(cp);
  admin = await api.admin();
  member = await api.user("Member");
  await api.join({ cookie: admin }, member, "member");
  ({ key } = await api.executorKey({ cookie: admin }, "detail-key"));
  ({ executorId } = await syncExecutor(cp, key, "detail-host", {
    resources: { cpuCores: 4, memoryBytes: 8 * GiB, diskTotalBytes: 100 * GiB, diskAvailableBytes: 60 * GiB },
  }));
  const spare = await api.executorKey({ cookie: admin }, "spare-key");
  ({ executorId: spareId } = await syncExecutor(cp, spare.key, "spare-host"));
  for (const name of ["hosted-one", "bulk-a", "bulk-b"])
    nodeIds.set(name, (await createNode(cp, admin, executorId, name)).id);
  await observe([...nodeIds.keys()], 1, "running");
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await cp?.stop();
  scratch.cleanup();
}, T);

/** Reports the nodes' processes in `status` at `revision`, as their executor would. */
async function observe(names: string[], revision: number, status: string) {
  const r = await call(cp, "/api/v1/executor/observed", {
    key,
    executorId,
    body: {
      observations: names.map((n) => ({
        nodeId: nodeIds.get(n),
        revision,
        processes: [{ role: "node", status }],
      })),
    },
  });
  expect(r.status).toBeLessThan(300);
}

/**
 * The list shows `count` rows, the first being `first`. Read in one call: a locator's own wait on a row the
 * live list just re-rendered would outlast the poll.
 */
function rowsAre(texts: string[], count: number, first: string): boolean {
  return texts.length === count && (texts[0] ?? "").includes(first);
}

/** A 1280 × 800 page signed in with `cookie` (a session made through the API). */
async function pageAs(cookie: string, origin = at("")): Promise<WatchedPage> {
  const w = await browser.page();
  await w.context.addCookies(
    cookie.split("; ").map((pair) => {
      const i = pair.indexOf("=");
      return { name: pair.slice(0, i), value: pair.slice(i + 1), url: `${origin}/` };
    }),
  );
  trackRequests(w);
  return w;
}

async function assertAccessible(w: WatchedPage, screen: string) {
  expect({ screen, violations: await w.accessibilityViolations() }).toEqual({ screen, violations: [] });
}

/**
 * Requests in flight per page: a full navigation waits for none, so no query is cut short. The live stream
 * (text/event-stream) is always open and never counted: the harness forgives its abort.
 */
const inFlight = new WeakMap<WatchedPage["page"], Set<unknown>>();

function trackRequests(w: WatchedPage) {
  const pending = new Set<unknown>();
  inFlight.set(w.page, pending);
  w.page.on("request", (r) => {
    if (r.headers().accept !== "text/event-stream") pending.add(r);
  });
  w.page.on("requestfinished", (r) => pending.delete(r));
  w.page.on("requestfailed", (r) => pending.delete(r));
}

/** Navigates (or reloads) once nothing is in flight: an aborted query would read as a failed request. */
async function whenQuiet(w: WatchedPage, navigate: () => Promise<unknown>) {
  const pending = inFlight.get(w.page)!;
  await eventually(() => pending.size === 0, { intervalMs: 5, message: "no request in flight" });
  await navigate();
}

const goto = (w: WatchedPage, path: string) => whenQuiet(w, () => w.page.goto(at(path)));
const reload = (w: WatchedPage) => whenQuiet(w, () => w.page.reload());

async function finish(w: WatchedPage) {
  expect(w.problems).toEqual([]);
  await w.context.close();
}

const sidebar = (w: WatchedPage, name: string) =>
  w.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

test(
  "the executors list and an executor's detail show status, support, capabilities, resources, hosted nodes, events and the last key; delete is typed",
  async () => {
    const w = await pageAs(admin);
    const { page } = w;
    await page.goto(at("/executors"));
    await page.getByRole("row", { name: /detail-host.*agent.*online.*0\.1\.0.*supported/ }).waitFor();
    await w.screenshot("executors-list");
    await assertAccessible(w, "executors list");

    await page.getByRole("link", { name: "detail-host" }).click();
    await page.waitForURL(new RegExp(`/executors/${executorId}$`));
    await page.getByRole("heading", { name: "detail-host" }).waitFor();
    // Capabilities in words: the devnet chain with its client.
    await page.getByRole("row", { name: /devnet.*local.*full.*node: anvil/ }).waitFor();
    await page.getByText("detail-key (exc_").waitFor();
    await page.getByText("8.0 GiB").waitFor();
    await page.getByText("60.0 GiB free of 100.0 GiB").waitFor();
    const events = page.getByRole("list", { name: "Recent events of detail-host" });
    await events.getByText("executor.connected").waitFor();
    expect(await page.locator(".banner").count()).toBe(0);
    await w.screenshot("executor-detail");
    await assertAccessible(w, "executor detail");

    // Deleting an executor that still hosts nodes is refused, and the dialog says why.
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("button", { name: "Delete executor" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Executor name").fill("detail-host");
    await confirm.click();
    await page.getByRole("alert").filter({ hasText: "still has 3 node(s)" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();

    // The hosted nodes link to their pages.
    await page.getByRole("table").getByRole("link", { name: "hosted-one" }).click();
    await page.waitForURL(new RegExp(`/nodes/${nodeIds.get("hosted-one")}$`));
    await page.getByRole("heading", { name: "hosted-one" }).waitFor();

    // An executor without nodes is deleted once its name is typed.
    await goto(w, `/executors/${spareId}`);
    await page.getByRole("heading", { name: "spare-host" }).waitFor();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByLabel("Executor name").fill("spare-host");
    await page.getByRole("button", { name: "Delete executor" }).click();
    await page.waitForURL(/\/executors$/);
    await page.getByRole("row", { name: /detail-host/ }).waitFor();
    expect(await page.getByRole("row", { name: /spare-host/ }).count()).toBe(0);
    const left = await api.ok("{ executors { name } }", {}, { cookie: admin });
    expect(left.executors.map((e: { name: string }) => e.name)).toEqual(["detail-host"]);
    await finish(w);
  },
  T,
);

test(
  "events: filters change the URL and the timeline, and cursor paging goes older and back newer",
  async () => {
    // 150 runtime events on top of what the setup recorded: more than one page of 100.
    const hosted = nodeIds.get("hosted-one")!;
    const sent = Array.from({ length: 150 }, (_, i) => ({
      level: i % 10 === 0 ? "warn" : "info",
      message: `tick ${String(i).padStart(3, "0")}`,
      ...(i % 5 === 0 ? { nodeId: hosted } : {}),
    }));
    const r = await call(cp, "/api/v1/executor/events", { key, executorId, body: { events: sent } });
    expect(r.status).toBeLessThan(300);

    // The API is the oracle for which event sits where: pages of 100, newest first.
    const messages = async (filter: Record<string, unknown>) =>
      (
        await api.ok(
          "query($f: EventFilterInput) { events(filter: $f) { message } }",
          { f: filter },
          { cookie: admin },
        )
      ).events.map((e: { message: string }) => e.message) as string[];
    const all = await messages({ take: 500 });
    expect(all.length).toBeGreaterThan(150);
    const [newest, firstOlder] = [all[0]!, all[100]!];

    const w = await pageAs(admin);
    const { page } = w;
    await page.goto(at("/"));
    await sidebar(w, "Events").click();
    await page.waitForURL(/\/events$/);
    const timeline = page.getByRole("list", { name: "Events, newest first" });
    const items = timeline.getByRole("listitem");
    await timeline.getByText(newest, { exact: false }).first().waitFor();
    expect(await items.count()).toBe(100);
    expect(await items.first().textContent()).toContain(newest);
    expect(await page.getByRole("button", { name: "Newer events" }).isDisabled()).toBe(true);
    await w.screenshot("events");
    await assertAccessible(w, "events");

    // Older: the next page down the timeline, starting right after the last event shown.
    await page.getByRole("button", { name: "Older events" }).click();
    await page.waitForURL(/[?&]dir=older/);
    await eventually(async () => (await items.first().textContent())?.includes(firstOlder));
    expect(await items.count()).toBe(all.length - 100);
    await timeline.getByText("executor.connected").first().waitFor();
    // Newer: back up to exactly the page we came from.
    await page.getByRole("button", { name: "Newer events" }).click();
    await page.waitForURL(/[?&]dir=newer/);
    await eventually(async () => (await items.first().textContent())?.includes(newest));
    expect(await items.count()).toBe(100);

    // Filters go to the URL and narrow the timeline to what the API answers for them; the cursor resets.
    await page.getByLabel("Level").selectOption("warn");
    await page.waitForURL(
      (url) => url.searchParams.get("level") === "warn" && !url.searchParams.has("cursor"),
    );
    await eventually(async () => (await items.count()) === 15);
    for (const text of await items.allTextContents()) expect(text).toContain("warn");
    await page.getByLabel("Level").selectOption("");
    await page.getByLabel("Node name").fill("hosted-one");
    await page.waitForURL(/[?&]node=hosted-one/);
    const ofNode = await messages({ nodeName: "hosted-one", take: 500 });
    expect(ofNode.length).toBeGreaterThan(30);
    await eventually(async () => (await items.count()) === ofNode.length);
    for (const text of await items.allTextContents()) expect(text).toContain("hosted-one");
    await page.getByLabel("Type").selectOption("node.created");
    await page.waitForURL(/[?&]type=node\.created/);
    await eventually(async () => (await items.count()) === 1);
    // The URL alone restores the filtered view.
    await reload(w);
    await timeline.getByText("node.created").waitFor();
    expect(await items.count()).toBe(1);
    await page.getByLabel("Executor").selectOption("detail-host");
    await page.waitForURL(/[?&]executor=detail-host/);
    await page.getByLabel("Node name").fill("no-such-node");
    await page.getByText("No event matches these filters").waitFor();
    await finish(w);
  },
  T,
);

test(
  "nodes list: bulk Stop changes the selected nodes' desired state; phase, search and sort go to the URL and filter on the server",
  async () => {
    const w = await pageAs(admin);
    const { page } = w;
    await page.goto(at("/nodes"));
    await page.getByRole("row", { name: /bulk-a.*running/ }).waitFor();
    await page.getByLabel("Select bulk-a").check();
    await page.getByLabel("Select bulk-b").check();
    await page.getByText("2 selected").waitFor();
    await w.screenshot("nodes-bulk");
    await assertAccessible(w, "nodes list with a selection");
    await page.getByRole("button", { name: "Stop selected nodes" }).click();
    await page.getByText("Stop requested for 2 node(s).").waitFor();
    const states = await api.ok("{ nodes { name desiredState } }", {}, { cookie: admin });
    expect(
      Object.fromEntries(
        states.nodes.map((n: { name: string; desiredState: string }) => [n.name, n.desiredState]),
      ),
    ).toEqual({ "bulk-a": "stopped", "bulk-b": "stopped", "hosted-one": "running" });

    // The executor applies it; the phase filter (server-side) then shows exactly those two.
    await observe(["bulk-a", "bulk-b"], 2, "stopped");
    // The server's phase filter reads the stored observation, which the write batcher commits a moment after
    // the report is acknowledged: filter once the server itself answers with both.
    await eventually(
      async () =>
        (await api.ok("{ nodes(where: { phase: stopped }) { name } }", {}, { cookie: admin })).nodes
          .length === 2,
      { message: "the server to see both nodes stopped" },
    );
    await page.getByLabel("Phase").selectOption("stopped");
    await page.waitForURL(/[?&]phase=stopped/);
    const rows = page.locator("tbody tr");
    await eventually(async () => rowsAre(await rows.allTextContents(), 2, "bulk-a"));
    await page.getByLabel("Sort").selectOption("-name");
    await page.waitForURL(/[?&]sort=-name/);
    await eventually(async () => rowsAre(await rows.allTextContents(), 2, "bulk-b"));
    await page.getByLabel("Name").fill("-a");
    await page.waitForURL(/[?&]q=-a/);
    await eventually(async () => (await rows.count()) === 1);
    await reload(w);
    await eventually(async () => rowsAre(await rows.allTextContents(), 1, "bulk-a"));
    await page.getByRole("button", { name: "Clear all" }).click();
    await eventually(async () => (await rows.count()) === 3);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("-name");
    await finish(w);
  },
  T,
);

test(
  "a member sees executors, events and nodes but no selection, bulk action, delete or admin console",
  async () => {
    const w = await pageAs(member.cookie);
    const { page } = w;
    await page.goto(at("/nodes"));
    await page.getByRole("row", { name: /hosted-one/ }).waitFor();
    expect(await page.getByRole("checkbox").count()).toBe(0);
    expect(await page.getByRole("toolbar", { name: "Bulk actions" }).count()).toBe(0);
    expect(await sidebar(w, "Admin console").count()).toBe(0);
    await goto(w, `/executors/${executorId}`);
    await page.getByRole("heading", { name: "detail-host" }).waitFor();
    expect(await page.getByRole("button", { name: "Delete", exact: true }).count()).toBe(0);
    await w.screenshot("executor-detail-member");
    await goto(w, "/events");
    await page.getByRole("list", { name: "Events, newest first" }).waitFor();
    // The console's address leads a non-admin back to Nodes.
    await goto(w, "/admin");
    await page.waitForURL(/\/nodes$/);
    expect(await page.getByRole("heading", { name: "Admin console" }).count()).toBe(0);
    await finish(w);
  },
  T,
);

test(
  "the system admin's console lists every organization, deactivates and reactivates one, changes a member's role elsewhere, and shows every organization's audit",
  async () => {
    const other = await api.user("Elsewhere");
    // The member of the admin's organization also joins Elsewhere's (staying active in the admin's).
    await api.join({ cookie: other.cookie }, member, "member", false);
    const orgName = (await api.ok("{ organization { name } }", {}, { cookie: other.cookie })).organization
      .name;
    const w = await pageAs(admin);
    const { page } = w;
    await page.goto(at("/"));
    await sidebar(w, "Admin console").click();
    await page.waitForURL(/\/admin$/);
    const row = page.getByRole("row", { name: new RegExp(orgName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) });
    await row.getByText("active", { exact: true }).waitFor();
    await page
      .getByRole("table", { name: "Audit, every organization" })
      .getByText("node.created")
      .first()
      .waitFor();
    await w.screenshot("admin");
    await assertAccessible(w, "admin console");

    await row.getByRole("button", { name: `Deactivate ${orgName}` }).click();
    await page.getByRole("button", { name: "Deactivate organization" }).click();
    await row.getByText("inactive", { exact: true }).waitFor();
    const overview = async () =>
      (await api.ok("{ adminOrganizationsOverview { organization { id active } } }", {}, { cookie: admin }))
        .adminOrganizationsOverview as { organization: { id: string; active: boolean } }[];
    expect(
      (await overview()).find((o) => o.organization.id === other.personalOrgId)?.organization.active,
    ).toBe(false);
    await row.getByRole("button", { name: `Reactivate ${orgName}` }).click();
    await page.getByRole("button", { name: "Reactivate organization" }).click();
    await row.getByRole("button", { name: `Deactivate ${orgName}` }).waitFor();
    expect(
      (await overview()).find((o) => o.organization.id === other.personalOrgId)?.organization.active,
    ).toBe(true);

    // Roles in an organization the system admin does not belong to: the member becomes an admin there.
    await page.getByRole("button", { name: `Members of ${orgName}` }).click();
    await page.getByLabel(`Role of ${member.email}`).selectOption("admin");
    await page.getByRole("button", { name: `Change role of ${member.email}` }).click();
    const roleThere = async () =>
      (
        await api.ok(
          "query($o: ID!) { adminOrganizationMembers(organizationId: $o) { email role } }",
          { o: other.personalOrgId },
          { cookie: admin },
        )
      ).adminOrganizationMembers.find((m: { email: string }) => m.email === member.email)?.role;
    await eventually(async () => (await roleThere()) === "admin");
    // Nothing changed in the admin's own organization, where the same person stays a member.
    const own = await api.ok("{ members { email role } }", {}, { cookie: admin });
    expect(own.members.find((m: { email: string }) => m.email === member.email)?.role).toBe("member");
    await w.screenshot("admin-members");
    await assertAccessible(w, "admin console, members");
    await finish(w);
  },
  T,
);

test(
  "an executor one major version behind the control plane shows a deprecation banner; two behind, out of support",
  async () => {
    // A control plane stamped 2.0.0 (run from source: the compiled binary carries its own version).
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const newer = await startControlPlane({
      version: "2.0.0",
      env: { PORT: String(port), BETTER_AUTH_URL: origin, HEARTBEAT_TIMEOUT_MS: "3600000" },
    });
    try {
      const newerApi = new Api(newer);
      const cookie = await newerApi.admin();
      const { key: oldKey } = await newerApi.executorKey({ cookie }, "old-key");
      const behindOne = await syncExecutor(newer, oldKey, "behind-one", { version: "1.4.0" });
      const behindTwo = await syncExecutor(newer, oldKey, "behind-two", { version: "0.9.0" });
      const w = await pageAs(cookie, origin);
      const { page } = w;
      await page.goto(`${origin}/executors`);
      await page.getByRole("row", { name: /behind-one.*1\.4\.0.*deprecated/ }).waitFor();
      await page.getByRole("row", { name: /behind-two.*0\.9\.0.*out of support/ }).waitFor();
      await page.getByRole("link", { name: "behind-one" }).click();
      await page.waitForURL(new RegExp(`/executors/${behindOne.executorId}$`));
      await page.getByRole("status").filter({ hasText: "Deprecated." }).waitFor();
      await w.screenshot("executor-detail-deprecated");
      await assertAccessible(w, "executor detail, deprecated");
      await page.getByRole("link", { name: "Executors", exact: true }).first().click();
      await page.getByRole("link", { name: "behind-two" }).click();
      await page.waitForURL(new RegExp(`/executors/${behindTwo.executorId}$`));
      await page.getByRole("status").filter({ hasText: "Out of support." }).waitFor();
      await finish(w);
    } finally {
      await newer.stop();
    }
  },
  T,
);
