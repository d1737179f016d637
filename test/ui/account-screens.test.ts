// The organization screens in a real browser, part two: the account (sessions, password change), personal
// access tokens on the API keys screen (created in the UI, shown once, working against /graphql), the
// audit log (URL filters, cursor pages, the CSV export's exact header, file name and formula
// neutralizing), and organization settings with deactivation confirmed by typing. Same checks per screen
// as part one (people-screens.test.ts, screens-kit.ts).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { filterFromQuery } from "../../src/modes/control-plane/audit/routes.ts";
import {
  auditFilter,
  exportHref,
  parseAuditSearch,
} from "../../src/modes/control-plane/ui/app/screens/audit-filters.ts";
import { Api } from "../tenancy/world.ts";
import { checkScreen, LIVE, row, screensWorld, T } from "./screens-kit.ts";

const world = screensWorld("ui-account-screens");

test("the CSV export asks the server for exactly the filter the audit screen shows", () => {
  const search = parseAuditSearch({
    actions: "api_key.created,node.deleted",
    actor: "ann@example.com",
    targetKind: "node",
    targetId: "n-1",
    from: "2026-01-02",
    to: "2026-01-31",
    bogus: "ignored",
  });
  const shown = auditFilter(search);
  const exported = filterFromQuery(new URL(exportHref(search), "http://x").searchParams);
  expect({
    actions: exported.actions,
    actor: exported.actor,
    targetKind: exported.targetKind,
    targetId: exported.targetId,
    from: exported.from?.toISOString(),
    to: exported.to?.toISOString(),
  }).toEqual(shown as Required<typeof shown>);
  expect(exportHref({})).toBe("/api/v1/audit/export.csv");
});

test(
  "a person ends another of their sessions, changes their password (the current one required) and signs in with the new one",
  async () => {
    const person = await world.api.user("Pat");
    // person.cookie is a session opened elsewhere (by the API client); the browser opens a second one.
    const w = await world.signedIn(person, "/account");
    const { page } = w;
    const sessions = page.getByRole("region", { name: "Active sessions" }).getByRole("row");
    await eventually(async () => (await sessions.count()) === 3, { ...LIVE, message: "two sessions listed" });
    await checkScreen(w, "account");
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await eventually(async () => (await sessions.count()) === 2, { ...LIVE, message: "one session left" });
    expect((await world.api.gql("{ me { id } }", {}, { cookie: person.cookie })).data.me).toBeNull();

    // The wrong current password is named as the problem; a short new one is refused before sending.
    const next = world.api.watch.secret(`new-pw-${crypto.randomUUID()}`);
    const form = page.getByRole("form", { name: "Change password" });
    await form.getByLabel("Current password").fill("not-my-password");
    await form.getByLabel("New password", { exact: true }).fill("short");
    await form.getByLabel("Repeat new password").fill("short");
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(form.getByRole("alert").textContent()).resolves.toMatch(/^New password: use at least 8/);
    await form.getByLabel("New password", { exact: true }).fill(next);
    await form.getByLabel("Repeat new password").fill(next);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(form.getByRole("alert").textContent()).resolves.toMatch(/current password is not correct/);
    await form.getByLabel("Current password").fill(person.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Password changed.").waitFor();

    // My recent activity lists what just happened, without a reload.
    const activity = page.getByRole("region", { name: "My recent activity" });
    await activity.getByText("user.password.changed").waitFor();
    await activity.getByText("user.session.terminated").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    expect(
      (await world.api.auth("/sign-in/email", { email: person.email, password: person.password })).status,
    ).toBe(401);
    const again = await world.signedIn({ email: person.email, password: next }, "/account");
    await again.page.getByRole("heading", { name: "Account" }).waitFor();
    expect(again.problems).toEqual([]);
    await again.context.close();
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "the audit log filters by action in the URL, pages with a cursor, and exports exactly the filtered rows as the reference's CSV",
  async () => {
    const owner = await world.api.user("Auditor");
    const auth = { cookie: owner.cookie };
    // 55 keys: more than one page of 50. One name a spreadsheet would run as a formula.
    await world.api.executorKey(auth, '=HYPERLINK("http://x")');
    for (let i = 0; i < 54; i++) await world.api.executorKey(auth, `bulk-${i}`);
    const w = await world.signedIn(owner, "/audit");
    const { page } = w;
    const dataRows = page.locator("table.audit tbody tr");
    await eventually(async () => (await dataRows.count()) === 50, { ...LIVE, message: "a first page of 50" });
    await checkScreen(w, "audit");
    await page.getByRole("button", { name: "Load older" }).click();
    await eventually(async () => (await dataRows.count()) > 50, {
      ...LIVE,
      message: "the next page appended",
    });

    await page.getByLabel("Actions").selectOption(["api_key.created"]);
    await page.waitForURL(/[?&]actions=api_key\.created/);
    const onlyCreated = async () =>
      (await dataRows.count()) === 50 &&
      (await page.locator("table.audit tbody tr", { hasText: "api_key.created" }).count()) === 50;
    // Reload once the filtered page is in (a reload cancels a request in flight: a failed request).
    await eventually(onlyCreated, { ...LIVE, message: "only api_key.created rows" });
    await page.reload();
    await eventually(onlyCreated, { ...LIVE, message: "the filter kept across a reload" });
    await page.getByLabel("Actor").fill("no-such-person");
    await page.getByText("No audit rows match these filters").waitFor();
    await page.getByLabel("Actor").fill("");
    await eventually(onlyCreated, { ...LIVE, message: "the filter without actor" });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    expect(download.suggestedFilename()).toBe(`audit-activity-log-${today}.csv`);
    const file = join(world.dir, "export.csv");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("timestamp,actor,actor_email,action,target_type,target_id,target_name,details");
    expect(lines.length - 1).toBe(55);
    expect(lines.slice(1).every((l) => l.split(",")[3] === "api_key.created")).toBe(true);
    // The formula-like key name is quoted and neutralized with a leading apostrophe.
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"")"`))).toBe(true);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "an owner renames the organization and deactivates it only after typing its slug; an admin sees no Deactivate",
  async () => {
    const owner = await world.api.user("Founder");
    const admin = await world.api.user("Deputy");
    await world.api.join({ cookie: owner.cookie }, admin, "admin");
    const a = await world.signedIn(admin, "/organization");
    // Signed in, the admin starts in their own organization; the sidebar switches to the one they joined.
    await a.page.getByRole("combobox", { name: "Organization" }).selectOption(owner.personalOrgId);
    await a.page.getByLabel("Name").and(a.page.locator('[value="Founder\'s organization"]')).waitFor();
    expect(await a.page.getByLabel("Name").isDisabled()).toBe(false);
    expect(await a.page.getByRole("button", { name: "Deactivate" }).count()).toBe(0);
    expect(a.problems).toEqual([]);
    await a.context.close();

    const w = await world.signedIn(owner, "/organization");
    const { page } = w;
    await page.getByLabel("Slug").fill("Not A Slug");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Slug: /);
    const slug = `acme-${crypto.randomUUID().slice(0, 6)}`;
    await page.getByLabel("Name").fill("Acme Nodes");
    await page.getByLabel("Slug").fill(slug);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    await page.getByRole("complementary").getByText("Acme Nodes").waitFor();
    await checkScreen(w, "organization");

    await page.getByRole("button", { name: "Deactivate" }).click();
    const confirm = page.getByRole("button", { name: "Deactivate organization" });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Organization slug").fill("acme");
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Organization slug").fill(slug);
    await confirm.click();
    await page.waitForURL(/\/sign-in/);
    const { organizations } = await world.api.ok(
      "{ organizations { id active } }",
      {},
      { cookie: admin.cookie },
    );
    expect(organizations.find((o: { id: string }) => o.id === owner.personalOrgId)?.active).toBe(false);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "an address the app does not know shows Page not found with a way back, and Settings opens Notifications",
  async () => {
    const person = await world.api.user("Lou");
    // A stranger's first visit: a mistyped address, before signing in. It is answered 404 on purpose.
    const w = await world.browser.page();
    const { page } = w;
    w.expect(/^HTTP 404: GET .*\/node\/oops$/);
    w.expect(/^console error: Failed to load resource: the server responded with a status of 404/);
    await page.goto(world.at("/node/oops"));
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await page.getByRole("main").textContent()).toContain("/node/oops");
    expect(await page.getByRole("link", { name: "Go to Nodes" }).getAttribute("href")).toBe("/nodes");
    await checkScreen(w, "not-found");
    // Settings, typed: sign in first, then Notifications, its one page.
    await page.goto(world.at("/settings"));
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(person.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/notifications");
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "a member creates a personal access token in the UI, sees it once, and it authenticates GraphQL as them; the owner can cut it off but not rotate it",
  async () => {
    const owner = await world.api.user("Tokenhost");
    const member = await world.api.user("Scripter");
    await world.api.join({ cookie: owner.cookie }, member, "member", false);
    const w = await world.signedIn(member, "/keys");
    const { page } = w;
    await page.getByRole("combobox", { name: "Organization" }).selectOption(owner.personalOrgId);
    await page.getByText("No executor keys yet — an owner or admin").waitFor();
    await page.getByText("No personal access tokens yet — Create token").waitFor();
    expect(await page.getByRole("button", { name: "New key" }).count()).toBe(0);

    // The same form as an executor key's, named for a token.
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Name: /);
    await page.getByLabel("Name", { exact: true }).fill("deploy-script");
    await page.getByLabel("Expires in (days)").fill("90");
    await checkScreen(w, "tokens-new");
    await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();

    // Shown once, with how to use it; the example request works as printed and acts as the member.
    const tokenField = page.getByLabel("Token", { exact: true });
    await tokenField.waitFor();
    const token = world.api.watch.secret(await tokenField.inputValue());
    expect(token).toMatch(/^nvp_/);
    expect(await page.getByRole("dialog").textContent()).toContain(`${world.at("/graphql")}`);
    const example = await page.getByLabel("Example request").inputValue();
    const url = example.match(/^curl -sS (\S+)/)?.[1];
    expect(url).toBe(world.at("/graphql"));
    expect(example).toContain(`Authorization: Bearer ${token}`);
    await checkScreen(w, "tokens-secret");
    const asToken = await fetch(url!, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ me { id email role } organization { id } }" }),
    });
    expect(asToken.status).toBe(200);
    expect((await asToken.json()).data).toEqual({
      me: { id: member.id, email: member.email, role: "member" },
      organization: { id: owner.personalOrgId },
    });
    await page.getByRole("button", { name: "I've stored this token" }).click();
    await tokenField.waitFor({ state: "detached" });
    await row(w, "deploy-script").filter({ hasText: "active" }).waitFor();

    // After a reload: the listing, never the plaintext again.
    await page.reload();
    await row(w, "deploy-script").filter({ hasText: "active" }).waitFor();
    expect(await page.content()).not.toContain(token);
    expect(await page.getByLabel("Token", { exact: true }).count()).toBe(0);
    await page.getByRole("button", { name: "Rotate deploy-script" }).waitFor();
    await checkScreen(w, "tokens");

    // The owner sees the member's token and may disable or revoke it, not mint a new one in their name.
    const o = await world.signedIn(owner, "/keys");
    await row(o, "deploy-script").waitFor();
    expect(await o.page.getByRole("button", { name: "Rotate deploy-script" }).count()).toBe(0);
    await o.page.getByRole("button", { name: "Revoke deploy-script" }).click();
    await o.page.getByRole("button", { name: "Revoke token" }).click();
    await o.page.getByRole("button", { name: "Delete deploy-script" }).waitFor();
    expect(Api.code(await world.api.gql("{ me { id } }", {}, { token }))).toBe("unauthenticated");
    expect(o.problems).toEqual([]);
    await o.context.close();

    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);
