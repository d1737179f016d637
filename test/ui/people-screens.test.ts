// The organization screens in a real browser against a real control plane (the compiled binary under
// `npm test`), part one: API keys (the secret shown once, rotation with grace, disable, revoke, delete) and
// members and invitations with the /invite/<token> accept page in a second browser, where the new member
// sees no mutating action. Any console error or failed request fails a test; every screen passes axe-core,
// fits a phone's width and is saved at 1280 × 800 (screens-kit.ts). Part two: account-screens.test.ts.
import { expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { eventually } from "../../src/lib/eventually.ts";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import * as tenancyDocuments from "../../src/modes/control-plane/ui/app/api/tenancy.ts";
import { Api, startTenancyPlane } from "../tenancy/world.ts";
import { checkScreen, LIVE, row, screensWorld, sidebar, T } from "./screens-kit.ts";

const world = screensWorld("ui-people-screens");

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
      const w = await world.browser.page();
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
    const owner = await world.api.user("Keyholder");
    const w = await world.signedIn(owner, "/keys");
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
    expect((await world.api.sync(secret, "ui-keys-agent")).status).toBe(200);
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
    expect((await world.api.sync(secret, "ui-keys-agent")).status).toBe(200);
    expect((await world.api.sync(rotated, "ui-keys-agent")).status).toBe(200);

    // Disable refuses the key; Enable restores it.
    const newName = (await page.getByRole("cell", { name: rotatedName }).textContent())!.replace(
      /exc_.*$/,
      "",
    );
    await page.getByRole("button", { name: `Disable ${newName}` }).click();
    await row(w, newName).filter({ hasText: "disabled" }).waitFor();
    expect((await world.api.sync(rotated, "ui-keys-agent")).status).toBe(401);
    await page.getByRole("button", { name: `Enable ${newName}` }).click();
    await row(w, newName).filter({ hasText: "active" }).waitFor();
    expect((await world.api.sync(rotated, "ui-keys-agent")).status).toBe(200);

    // Revoke the old key (confirmed), then delete it.
    await page.getByRole("button", { name: "Revoke ci-runner", exact: true }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("button", { name: "Delete ci-runner", exact: true }).waitFor();
    expect((await world.api.sync(secret, "ui-keys-agent")).status).toBe(401);
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
    const owner = await world.api.user("Inviter");
    await world.api.executorKey({ cookie: owner.cookie }, "fleet-key");
    const w = await world.signedIn(owner, "/members");
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
    expect(link).toMatch(new RegExp(`^http://localhost:${world.cp.port}/invite/[A-Za-z0-9_-]{43}$`));
    await checkScreen(w, "members-invite");
    await page.getByRole("button", { name: "Done" }).click();
    await row(w, invitee).filter({ hasText: "pending" }).waitFor();

    // A second browser, signed out, opens the link: the organization and inviter are named.
    const guest = await world.browser.page();
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
    const password = world.api.watch.secret(`pw-${crypto.randomUUID()}`);
    await guest.page.getByLabel("Password", { exact: true }).fill(password);
    await guest.page.getByLabel("Repeat password").fill(password);
    await guest.page.getByRole("button", { name: "Create account and accept" }).click();
    await guest.page.waitForURL(/\/nodes$/);
    // The new member works in the organization that invited them (and may switch to their own).
    await expect(guest.page.getByRole("combobox", { name: "Organization" }).inputValue()).resolves.toBe(
      owner.personalOrgId,
    );

    // The member sees keys, members, organization and audit, and no action that changes them (their own
    // personal access tokens aside: account-screens.test.ts).
    const g = guest.page;
    await sidebar(guest, "API keys").click();
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

    // The accepted link works once; Resend replaces a link; Cancel ends the newest; an unknown one never worked.
    const second = `late-${crypto.randomUUID().slice(0, 8)}@screens.test`;
    await page.getByRole("button", { name: "Invite member" }).click();
    await page.getByLabel("Email").fill(second);
    await page.getByRole("button", { name: "Send invitation" }).click();
    const replacedLink = await linkField.inputValue();
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: `Resend the invitation to ${second}` }).click();
    await page.getByRole("heading", { name: "Invitation sent again" }).waitFor();
    const cancelledLink = await linkField.inputValue();
    expect(cancelledLink).not.toBe(replacedLink);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: `Cancel the invitation to ${second}` }).click();
    await row(w, second).filter({ hasText: "cancelled" }).waitFor();
    const stranger = await world.browser.page();
    for (const target of [link, replacedLink, cancelledLink, world.at("/invite/not-a-real-token")]) {
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
  "people with accounts accept on the invitation page: signed in as someone else they switch, signed out they sign in, signed in they accept; the owner then changes a role",
  async () => {
    const owner = await world.api.user("Host");
    const guest = await world.api.user("Guest");
    const direct = await world.api.user("Direct");
    const stray = await world.api.user("Stray");
    const invite = async (email: string) =>
      new URL(
        (
          await world.api.ok(
            "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { inviteLink } }",
            { e: email },
            { cookie: owner.cookie },
          )
        ).inviteMember.inviteLink,
      ).pathname;
    const guestPath = await invite(guest.email);
    const directPath = await invite(direct.email);

    // Signed in as someone else: the page says so and offers to sign out, then to sign in as the invitee.
    const g = await world.signedIn(stray, guestPath);
    await g.page.getByRole("heading", { name: "Join Host's organization" }).waitFor();
    await g.page
      .getByText(`You are signed in as ${stray.email}, but this invitation is for ${guest.email}`)
      .waitFor();
    await g.page.getByRole("button", { name: `Sign out of ${stray.email}` }).click();
    await g.page.getByLabel("Yes, sign in").check();
    expect(await g.page.getByLabel("Your name").count()).toBe(0);
    await g.page.getByLabel("Password", { exact: true }).fill(guest.password);
    await g.page.getByRole("button", { name: "Sign in and accept" }).click();
    await g.page.waitForURL(/\/nodes$/);
    await expect(g.page.getByRole("combobox", { name: "Organization" }).inputValue()).resolves.toBe(
      owner.personalOrgId,
    );
    expect(g.problems).toEqual([]);
    await g.context.close();

    // Signed in as the invitee: one button.
    const d = await world.signedIn(direct, directPath);
    await d.page.getByRole("button", { name: "Accept invitation" }).click();
    await d.page.waitForURL(/\/nodes$/);
    await expect(d.page.getByRole("combobox", { name: "Organization" }).inputValue()).resolves.toBe(
      owner.personalOrgId,
    );
    expect(d.problems).toEqual([]);
    await d.context.close();

    const w = await world.signedIn(owner, "/members");
    await w.page.getByLabel("Role of Guest").selectOption("admin");
    await eventually(
      async () => {
        const { members } = await world.api.ok("{ members { userId role } }", {}, { cookie: owner.cookie });
        return members.find((m: { userId: string }) => m.userId === guest.id)?.role === "admin";
      },
      { ...LIVE, message: "Guest an admin" },
    );
    expect(w.problems).toEqual([]);
    await w.context.close();
  },
  T,
);
