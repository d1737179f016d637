// The organization screens in a real browser against a real control plane (the compiled binary under
// `npm test`): API keys (the secret shown once, rotation with grace, disable, revoke, delete), members and
// invitations with the /invite/<token> accept page in a second browser, where the new member sees no
// mutating action; the account (password change, sessions), organization settings and deactivation; the
// audit log with URL filters, cursor pages and the CSV export's exact header and file name. Any console
// error or failed request fails a test; every screen passes axe-core (no serious or critical issue), fits
// a phone's width, and is saved at 1280 × 800 in .cache/ui-screenshots.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { eventually } from "../../src/lib/eventually.ts";
import { filterFromQuery } from "../../src/modes/control-plane/audit/routes.ts";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import * as tenancyDocuments from "../../src/modes/control-plane/ui/app/api/tenancy.ts";
import {
  auditFilter,
  exportHref,
  parseAuditSearch,
} from "../../src/modes/control-plane/ui/app/screens/audit-filters.ts";
import { makeTestDir } from "../agent/helpers.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane, type User } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "./browser.ts";

const T = 240_000;
const LIVE = { timeoutMs: 30_000, intervalMs: 250 };

let cp: ControlPlaneHandle;
let api: Api;
let browser: BrowserHandle;
const scratch = makeTestDir("ui-screens-b");

const at = (path: string) => `http://localhost:${cp.port}${path}`;

beforeAll(async () => {
  cp = await startTenancyPlane();
  api = new Api(cp);
  browser = await launchBrowser(scratch.dir);
}, T);

afterAll(async () => {
  await browser?.close();
  await cp?.stop();
  scratch.cleanup();
}, T);

async function signedIn(user: Pick<User, "email" | "password">, path: string): Promise<WatchedPage> {
  const w = await browser.page();
  await w.page.goto(at(`/sign-in?next=${encodeURIComponent(path)}`));
  await w.page.getByLabel("Email").fill(user.email);
  await w.page.getByLabel("Password").fill(user.password);
  await w.page.getByRole("button", { name: "Sign in" }).click();
  await w.page.waitForURL((url) => url.pathname === path.split("?")[0]);
  return w;
}

/** axe-core finds nothing serious, the page fits a phone's width, and a 1280 × 800 screenshot is kept. */
async function checkScreen(w: WatchedPage, screen: string) {
  expect({ screen, violations: await w.accessibilityViolations() }).toEqual({ screen, violations: [] });
  await w.screenshot(screen);
  await w.page.setViewportSize({ width: 390, height: 844 });
  // What sticks out past the page's width (a wide table scrolls inside its own box instead).
  const overflowing = await w.page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter(
        (e) => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll, dialog:not([open])"),
      )
      .slice(0, 3)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`,
      );
  });
  expect({ screen, overflowing }).toEqual({ screen, overflowing: [] });
  await w.page.setViewportSize({ width: 1280, height: 800 });
}

const sidebar = (w: WatchedPage, name: string) =>
  w.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

/** The row of a table that holds `text` in its first cell. */
const row = (w: WatchedPage, text: string | RegExp) => w.page.getByRole("row").filter({ hasText: text });

test("every GraphQL document of the organization screens validates against the control plane's schema", () => {
  const schema = createSchema({ typeDefs: GRAPHQL_MODULES.map((m) => m.typeDefs) });
  const sources: [string, string][] = [];
  for (const [name, value] of Object.entries(tenancyDocuments)) {
    if (typeof value === "string") sources.push([name, value]);
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) sources.push([`${name}.${k}`, String(v)]);
  }
  expect(sources.length).toBeGreaterThanOrEqual(25);
  for (const [name, source] of sources) {
    const errors = validate(schema, parse(source)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
  }
});

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
  "an expired invitation's link says so and who to ask, before anyone signs in",
  async () => {
    const short = await startTenancyPlane({ INVITATION_TTL_MS: "1000" });
    try {
      const shortApi = new Api(short);
      const owner = await shortApi.user("Lapsed");
      const sent = await shortApi.ok(
        "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { inviteLink } }",
        { e: `late-${crypto.randomUUID().slice(0, 8)}@screens.test` },
        { cookie: owner.cookie },
      );
      const link: string = sent.inviteMember.inviteLink;
      const preview = async () =>
        (
          await fetch(`${short.url}/api/v1/invitations/preview`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ token: link.split("/").pop() }),
          })
        ).json();
      await eventually(async () => (await preview()).status === "expired", {
        ...LIVE,
        message: "the invitation expired",
      });
      const w = await browser.page();
      await w.page.goto(link);
      await w.page.getByRole("heading", { name: "This invitation has expired" }).waitFor();
      expect(await w.page.getByRole("alert").textContent()).toMatch(/Lapsed.*resend/);
      await checkScreen(w, "invite-expired");
      expect(w.problems).toEqual([]);
      await w.context.close();
    } finally {
      await short.stop();
    }
  },
  T,
);

test(
  "an owner creates a key and sees its secret once, rotates it with the old key working through the grace, disables, revokes and deletes",
  async () => {
    const owner = await api.user("Keyholder");
    const w = await signedIn(owner, "/keys");
    const { page } = w;
    await page.getByText("No executor keys yet — New key").waitFor();
    await checkScreen(w, "keys-empty");

    // The form names the field at fault before anything is sent.
    await page.getByRole("button", { name: "New key" }).click();
    await page.getByLabel("Expires in (days)").fill("0");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Name: /);
    await page.getByLabel("Name", { exact: true }).fill("ci-runner");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Expires in \(days\): /);
    await page.getByLabel("Expires in (days)").fill("30");
    await checkScreen(w, "keys-new");
    await page.getByRole("button", { name: "Create key" }).click();

    // Shown once, in a dialog Escape does not close.
    const secretField = page.getByLabel("Key", { exact: true });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^exc_/);
    await checkScreen(w, "keys-secret");
    await page.keyboard.press("Escape");
    expect(await secretField.isVisible()).toBe(true);
    await page.getByRole("button", { name: "I've stored this key" }).click();
    await secretField.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);

    // The key works; the list shows who used it, live.
    expect((await api.sync(secret, "ui-keys-agent")).status).toBe(200);
    await row(w, "ci-runner").filter({ hasText: "ui-keys-agent" }).waitFor({ timeout: LIVE.timeoutMs });
    expect(await row(w, "ci-runner").textContent()).toMatch(/active/);

    // Rotate: a new key shown once; the old one keeps working through the grace period.
    await page.getByRole("button", { name: "Rotate ci-runner" }).click();
    await page.getByRole("button", { name: "Rotate key" }).click();
    await secretField.waitFor();
    const rotated = await secretField.inputValue();
    expect(rotated).toMatch(/^exc_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole("button", { name: "I've stored this key" }).click();
    const rotatedName = /^ci-runner \d{6}/;
    await page.getByRole("cell", { name: rotatedName }).waitFor();
    await row(w, /^ci-runner\s*exc_/)
      .filter({ hasText: "rotated: works until" })
      .waitFor();
    expect((await api.sync(secret, "ui-keys-agent")).status).toBe(200);
    expect((await api.sync(rotated, "ui-keys-agent")).status).toBe(200);

    // Disable refuses the key; Enable restores it.
    const newName = (await page.getByRole("cell", { name: rotatedName }).textContent())!.replace(
      /exc_.*$/,
      "",
    );
    await page.getByRole("button", { name: `Disable ${newName}` }).click();
    await row(w, newName).filter({ hasText: "disabled" }).waitFor();
    expect((await api.sync(rotated, "ui-keys-agent")).status).toBe(401);
    await page.getByRole("button", { name: `Enable ${newName}` }).click();
    await row(w, newName).filter({ hasText: "active" }).waitFor();
    expect((await api.sync(rotated, "ui-keys-agent")).status).toBe(200);

    // Revoke the old key (confirmed), then delete it.
    await page.getByRole("button", { name: "Revoke ci-runner", exact: true }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("button", { name: "Delete ci-runner", exact: true }).waitFor();
    expect((await api.sync(secret, "ui-keys-agent")).status).toBe(401);
    await page.getByRole("button", { name: "Delete ci-runner", exact: true }).click();
    await page.getByRole("button", { name: "Delete key" }).click();
    await eventually(
      async () => (await page.getByRole("cell", { name: /^ci-runner\s*exc_/ }).count()) === 0,
      {
        ...LIVE,
        message: "the deleted key gone from the list",
      },
    );
    await checkScreen(w, "keys");
    expect(await page.content()).not.toContain(rotated);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "an owner invites a member who accepts at /invite/<token> in another browser and then sees no action that changes anything",
  async () => {
    const owner = await api.user("Inviter");
    await api.executorKey({ cookie: owner.cookie }, "fleet-key");
    const w = await signedIn(owner, "/members");
    const { page } = w;
    await page.getByText("No invitations yet — Invite member").waitFor();
    await checkScreen(w, "members-empty");

    const invitee = `nova-${crypto.randomUUID().slice(0, 8)}@screens.test`;
    await page.getByRole("button", { name: "Invite member" }).click();
    await page.getByLabel("Email").fill(invitee);
    await page.getByLabel("Role").selectOption("member");
    await page.getByRole("button", { name: "Send invitation" }).click();
    const linkField = page.getByLabel("Invitation link", { exact: true });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    // The link the server returns (and would email) opens this control plane's accept page.
    expect(link).toMatch(new RegExp(`^http://localhost:${cp.port}/invite/[A-Za-z0-9_-]{43}$`));
    await checkScreen(w, "members-invite");
    await page.getByRole("button", { name: "Done" }).click();
    await row(w, invitee).filter({ hasText: "pending" }).waitFor();

    // A second browser, signed out, opens the link: the organization and inviter are named.
    const guest = await browser.page();
    await guest.page.goto(link);
    await guest.page.getByRole("heading", { name: "Join Inviter's organization" }).waitFor();
    expect(
      await guest.page
        .getByText(/invited/)
        .first()
        .textContent(),
    ).toContain("Inviter");
    await checkScreen(guest, "invite");
    await guest.page.getByLabel("Your name").fill("Nova Member");
    await guest.page.getByLabel("Password", { exact: true }).fill("short");
    await guest.page.getByLabel("Repeat password").fill("short");
    await guest.page.getByRole("button", { name: "Create account and accept" }).click();
    await expect(guest.page.getByRole("alert").textContent()).resolves.toMatch(/^Password: use at least 8/);
    const password = api.watch.secret(`pw-${crypto.randomUUID()}`);
    await guest.page.getByLabel("Password", { exact: true }).fill(password);
    await guest.page.getByLabel("Repeat password").fill(password);
    await guest.page.getByRole("button", { name: "Create account and accept" }).click();
    await guest.page.waitForURL(/\/nodes$/);
    // The new member works in the organization that invited them (and may switch to their own).
    await expect(guest.page.getByRole("combobox", { name: "Organization" }).inputValue()).resolves.toBe(
      owner.personalOrgId,
    );

    // The link works once.
    await guest.page.goto(link);
    await guest.page.getByRole("heading", { name: "This invitation link does not work" }).waitFor();

    // The member sees keys, members, organization and audit, and no action that changes them.
    const g = guest.page;
    await guest.page.goto(at("/keys"));
    await row(guest, "fleet-key").waitFor();
    for (const name of ["New key", "Rotate fleet-key", "Disable fleet-key", "Revoke fleet-key"])
      expect({ name, count: await g.getByRole("button", { name }).count() }).toEqual({ name, count: 0 });
    await checkScreen(guest, "keys-member");
    await sidebar(guest, "Members").click();
    await row(guest, owner.email).waitFor();
    await row(guest, "Nova Member").waitFor();
    expect(await g.getByRole("button", { name: "Invite member" }).count()).toBe(0);
    expect(await g.getByRole("main").getByRole("combobox").count()).toBe(0);
    expect(await g.getByRole("button", { name: /^(Remove|Make|Resend|Cancel)/ }).count()).toBe(0);
    await checkScreen(guest, "members-member");
    await sidebar(guest, "Organization").click();
    expect(await g.getByLabel("Name").isDisabled()).toBe(true);
    for (const name of ["Save", "Deactivate"])
      expect({ name, count: await g.getByRole("button", { name }).count() }).toEqual({ name, count: 0 });
    await sidebar(guest, "Audit log").click();
    // A member sees their own rows only: their acceptance, not the owner's invitation.
    await row(guest, "invitation.accepted").waitFor();
    expect(await row(guest, "invitation.sent").count()).toBe(0);
    expect(guest.problems).toEqual([]);
    await guest.context.close();

    // The owner sees the new member and the accepted invitation.
    await row(w, "Nova Member").waitFor({ timeout: LIVE.timeoutMs });
    await row(w, invitee).filter({ hasText: "accepted" }).waitFor({ timeout: LIVE.timeoutMs });
    await checkScreen(w, "members");

    // A cancelled invitation's link says it no longer works; an unknown one too.
    const second = `late-${crypto.randomUUID().slice(0, 8)}@screens.test`;
    await page.getByRole("button", { name: "Invite member" }).click();
    await page.getByLabel("Email").fill(second);
    await page.getByRole("button", { name: "Send invitation" }).click();
    const cancelledLink = await linkField.inputValue();
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: `Cancel the invitation to ${second}` }).click();
    await row(w, second).filter({ hasText: "cancelled" }).waitFor();
    const stranger = await browser.page();
    for (const target of [cancelledLink, at("/invite/not-a-real-token")]) {
      await stranger.page.goto(target);
      await stranger.page.getByRole("heading", { name: "This invitation link does not work" }).waitFor();
    }
    await checkScreen(stranger, "invite-invalid");
    expect(stranger.problems).toEqual([]);
    await stranger.context.close();
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);

test(
  "a person ends another of their sessions, changes their password (the current one required) and signs in with the new one",
  async () => {
    const person = await api.user("Pat");
    // person.cookie is a session opened elsewhere (by the API client); the browser opens a second one.
    const w = await signedIn(person, "/account");
    const { page } = w;
    const sessions = page.getByRole("region", { name: "Active sessions" }).getByRole("row");
    await eventually(async () => (await sessions.count()) === 3, { ...LIVE, message: "two sessions listed" });
    await checkScreen(w, "account");
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await eventually(async () => (await sessions.count()) === 2, { ...LIVE, message: "one session left" });
    expect((await api.gql("{ me { id } }", {}, { cookie: person.cookie })).data.me).toBeNull();

    // The wrong current password is named as the problem; a short new one is refused before sending.
    const next = api.watch.secret(`new-pw-${crypto.randomUUID()}`);
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

    // My recent activity lists what just happened.
    await page.waitForLoadState("networkidle");
    await page.reload();
    const activity = page.getByRole("region", { name: "My recent activity" });
    await activity.getByText("user.password.changed").waitFor();
    await activity.getByText("user.session.terminated").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    expect(
      (await api.auth("/sign-in/email", { email: person.email, password: person.password })).status,
    ).toBe(401);
    const again = await signedIn({ email: person.email, password: next }, "/account");
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
    const owner = await api.user("Auditor");
    const auth = { cookie: owner.cookie };
    // 55 keys: more than one page of 50. One name a spreadsheet would run as a formula.
    await api.executorKey(auth, '=HYPERLINK("http://x")');
    for (let i = 0; i < 54; i++) await api.executorKey(auth, `bulk-${i}`);
    const w = await signedIn(owner, "/audit");
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
    // A reload cancels requests still in flight, which the harness would count as failed.
    await page.waitForLoadState("networkidle");
    await page.reload();
    await eventually(async () => (await dataRows.count()) === 50, {
      ...LIVE,
      message: "the filtered first page",
    });
    expect(await page.locator("table.audit tbody tr", { hasText: "api_key.created" }).count()).toBe(50);
    await page.getByLabel("Actor").fill("no-such-person");
    await page.getByText("No audit rows match these filters").waitFor();
    await page.getByLabel("Actor").fill("");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    expect(download.suggestedFilename()).toBe(`audit-activity-log-${today}.csv`);
    const file = join(scratch.dir, "export.csv");
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
    const owner = await api.user("Founder");
    const admin = await api.user("Deputy");
    await api.join({ cookie: owner.cookie }, admin, "admin");
    const a = await signedIn(admin, "/organization");
    // Signed in, the admin starts in their own organization; the sidebar switches to the one they joined.
    await a.page.getByRole("combobox", { name: "Organization" }).selectOption(owner.personalOrgId);
    await a.page.getByLabel("Name").and(a.page.locator('[value="Founder\'s organization"]')).waitFor();
    expect(await a.page.getByLabel("Name").isDisabled()).toBe(false);
    expect(await a.page.getByRole("button", { name: "Deactivate" }).count()).toBe(0);
    expect(a.problems).toEqual([]);
    await a.context.close();

    const w = await signedIn(owner, "/organization");
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
    const { organizations } = await api.ok("{ organizations { id active } }", {}, { cookie: admin.cookie });
    expect(organizations.find((o: { id: string }) => o.id === owner.personalOrgId)?.active).toBe(false);
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);
