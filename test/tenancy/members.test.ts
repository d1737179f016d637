// Organizations and people on a real control plane: sign-up gives a personal organization (and is by
// invitation only by default); invitations (create, resend, cancel, accept, expiry) with their refused
// cases; role changes, ownership transfer and removal exactly per reference §2; deactivation blocks
// work and executor syncs until a system admin reactivates; sessions (switch, revoke, password change).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, buildWorld, startTenancyPlane, type User, type World } from "./world.ts";

let cp: ControlPlaneHandle;
let w: World;
let api: Api;

beforeAll(async () => {
  // Invitations expire after 1.5 s here, so the expiry case needs no long wait.
  cp = await startTenancyPlane({ INVITATION_TTL_MS: "1500" });
  w = await buildWorld(cp);
  api = w.api;
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

const owner = () => ({ cookie: w.owner.cookie });
const adminA = () => ({ cookie: w.admin.cookie });
const memberA = () => ({ cookie: w.member.cookie });
const INVITE =
  "mutation($e: String!, $r: MemberRole!) { inviteMember(input: { email: $e, role: $r }) { delivery inviteLink invitation { id status role } } }";
const ACCEPT = "mutation($t: String!) { acceptInvitation(token: $t) { id } }";
const email = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}@tenancy.test`;
const tokenOf = (link: string) => link.split("/").pop()!;

async function memberId(userId: string): Promise<string> {
  const { members } = await api.ok("{ members { id userId } }", {}, owner());
  return members.find((m: { userId: string }) => m.userId === userId).id;
}

async function roleOf(userId: string): Promise<string | undefined> {
  const { members } = await api.ok("{ members { userId role } }", {}, owner());
  return members.find((m: { userId: string }) => m.userId === userId)?.role;
}

async function signUp(address: string, password: string) {
  api.watch.secret(password);
  return api.auth("/sign-up/email", { email: address, password, name: address.split("@")[0] });
}

describe("sign-up and personal organizations", () => {
  test("open sign-up is off: an uninvited email is refused, an invited one signs up with a personal organization", async () => {
    const refused = await signUp(email("stranger"), "a-long-password-1");
    expect(refused.status).toBe(403);
    const invitee = email("invitee");
    const sent = await api.ok(INVITE, { e: invitee, r: "member" }, owner());
    expect(sent.inviteMember.delivery).toBe("link");
    const r = await signUp(invitee, "a-long-password-2");
    expect(r.status).toBe(200);
    const cookie = api.cookieOf(r);
    const { organizations } = await api.ok("{ organizations { id personal role } }", {}, { cookie });
    expect(organizations).toEqual([expect.objectContaining({ personal: true, role: "owner" })]);
    await api.ok(ACCEPT, { t: tokenOf(sent.inviteMember.inviteLink) }, { cookie });
    const after = await api.ok("{ organizations { id role } }", {}, { cookie });
    expect(after.organizations.map((o: { id: string }) => o.id)).toContain(w.orgA);
    // The invite link was logged because no SMTP is configured.
    expect(cp.logs.some((l) => l.includes(sent.inviteMember.inviteLink))).toBe(true);
  });
});

describe("invitations", () => {
  test("an admin invites a member; only the owner invites an admin; nobody invites an owner", async () => {
    expect(Api.code(await api.gql(INVITE, { e: email("m"), r: "member" }, adminA()))).toBe("ok");
    expect(Api.code(await api.gql(INVITE, { e: email("a"), r: "admin" }, adminA()))).toBe("forbidden");
    expect(Api.code(await api.gql(INVITE, { e: email("a"), r: "admin" }, owner()))).toBe("ok");
    expect(Api.code(await api.gql(INVITE, { e: email("o"), r: "owner" }, owner()))).toBe("forbidden");
    expect(Api.code(await api.gql(INVITE, { e: email("m"), r: "member" }, memberA()))).toBe("forbidden");
  });

  test("an existing member or a second pending invitation is refused; a bad address names the field", async () => {
    expect(Api.code(await api.gql(INVITE, { e: w.member.email, r: "member" }, owner()))).toBe("conflict");
    const address = email("twice");
    await api.ok(INVITE, { e: address, r: "member" }, owner());
    expect(Api.code(await api.gql(INVITE, { e: address, r: "member" }, owner()))).toBe("conflict");
    const bad = await api.gql(INVITE, { e: "not-an-email", r: "member" }, owner());
    expect(Api.code(bad)).toBe("bad_request");
  });

  test("resend gives a new link (the old one stops working); cancel makes the link useless", async () => {
    const u = await api.user("Resent");
    const first = await api.ok(INVITE, { e: u.email, r: "member" }, owner());
    const id = first.inviteMember.invitation.id;
    const again = await api.ok(
      "mutation($id: ID!) { resendInvitation(id: $id) { inviteLink } }",
      { id },
      owner(),
    );
    expect(again.resendInvitation.inviteLink).not.toBe(first.inviteMember.inviteLink);
    expect(
      Api.code(await api.gql(ACCEPT, { t: tokenOf(first.inviteMember.inviteLink) }, { cookie: u.cookie })),
    ).toBe("not_found");
    const cancelled = await api.ok(
      "mutation($id: ID!) { cancelInvitation(id: $id) { status } }",
      { id },
      owner(),
    );
    expect(cancelled.cancelInvitation.status).toBe("cancelled");
    expect(
      Api.code(
        await api.gql(ACCEPT, { t: tokenOf(again.resendInvitation.inviteLink) }, { cookie: u.cookie }),
      ),
    ).toBe("not_found");
    expect(
      Api.code(
        await api.gql("mutation($id: ID!) { resendInvitation(id: $id) { delivery } }", { id }, owner()),
      ),
    ).toBe("conflict");
  });

  test("an admin may not resend or cancel an admin invitation", async () => {
    const sent = await api.ok(INVITE, { e: email("adm"), r: "admin" }, owner());
    const id = sent.inviteMember.invitation.id;
    expect(
      Api.code(await api.gql("mutation($id: ID!) { cancelInvitation(id: $id) { id } }", { id }, adminA())),
    ).toBe("forbidden");
    expect(
      Api.code(
        await api.gql("mutation($id: ID!) { resendInvitation(id: $id) { delivery } }", { id }, adminA()),
      ),
    ).toBe("forbidden");
  });

  test("only the invited email can accept, once; an expired invitation is refused", async () => {
    const invited = await api.user("Invited");
    const sent = await api.ok(INVITE, { e: invited.email, r: "admin" }, owner());
    const t = tokenOf(sent.inviteMember.inviteLink);
    expect(Api.code(await api.gql(ACCEPT, { t }, { cookie: w.other.cookie }))).toBe("forbidden");
    expect(Api.code(await api.gql(ACCEPT, { t }, { cookie: invited.cookie }))).toBe("ok");
    expect(await roleOf(invited.id)).toBe("admin");
    expect(Api.code(await api.gql(ACCEPT, { t }, { cookie: invited.cookie }))).toBe("not_found");
    const late = await api.user("Late");
    const expiring = await api.ok(INVITE, { e: late.email, r: "member" }, owner());
    await eventually(
      async () => {
        const { invitations } = await api.ok("{ invitations { id status } }", {}, owner());
        return (
          invitations.find((i: { id: string }) => i.id === expiring.inviteMember.invitation.id)?.status ===
          "expired"
        );
      },
      { timeoutMs: 10_000, intervalMs: 200, message: "invitation expired" },
    );
    expect(
      Api.code(
        await api.gql(ACCEPT, { t: tokenOf(expiring.inviteMember.inviteLink) }, { cookie: late.cookie }),
      ),
    ).toBe("conflict");
  });
});

describe("roles, ownership and removal", () => {
  let target: User;
  beforeAll(async () => {
    target = await api.user("Target");
    await api.join(owner(), target, "member");
  });
  const UPDATE = "mutation($m: ID!, $r: MemberRole!) { updateMemberRole(memberId: $m, role: $r) { role } }";
  const TRANSFER = "mutation($m: ID!) { transferOwnership(memberId: $m) { role } }";
  const REMOVE = "mutation($m: ID!) { removeMember(memberId: $m) { id } }";

  test("admin: member ↔ admin for others, never the owner; member: nothing; the change applies on the next call", async () => {
    const m = await memberId(target.id);
    expect(Api.code(await api.gql(UPDATE, { m, r: "admin" }, adminA()))).toBe("ok");
    // The promoted member can now manage: from the very next call.
    expect(
      Api.code(
        await api.gql(
          'mutation { createApiKey(input: { name: "by-target" }) { apiKey { id } } }',
          {},
          { cookie: target.cookie },
        ),
      ),
    ).toBe("ok");
    expect(Api.code(await api.gql(UPDATE, { m, r: "member" }, adminA()))).toBe("ok");
    expect(Api.code(await api.gql(UPDATE, { m: await memberId(w.owner.id), r: "member" }, adminA()))).toBe(
      "forbidden",
    );
    expect(Api.code(await api.gql(UPDATE, { m, r: "admin" }, memberA()))).toBe("forbidden");
    expect(
      Api.code(
        await api.gql(UPDATE, { m: await memberId(w.admin.id), r: "member" }, { cookie: w.admin.cookie }),
      ),
    ).toBe("bad_request");
    expect(Api.code(await api.gql(UPDATE, { m, r: "owner" }, owner()))).toBe("bad_request");
  });

  test("ownership transfer: owner only; the old owner becomes admin; the owner cannot be removed", async () => {
    const m = await memberId(target.id);
    expect(Api.code(await api.gql(TRANSFER, { m }, adminA()))).toBe("forbidden");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(w.owner.id) }, adminA()))).toBe("forbidden");
    expect((await api.ok(TRANSFER, { m }, owner())).transferOwnership.role).toBe("owner");
    expect(await roleOf(w.owner.id)).toBe("admin");
    expect(await roleOf(target.id)).toBe("owner");
    expect(Api.code(await api.gql(REMOVE, { m }, owner()))).toBe("forbidden");
    // Hand it back so the rest of the world is as built.
    await api.ok(TRANSFER, { m: await memberId(w.owner.id) }, { cookie: target.cookie });
    await api.ok(UPDATE, { m, r: "member" }, owner());
    expect(await roleOf(w.owner.id)).toBe("owner");
  });

  test("removal: owner removes anyone else; admin removes members but not admins; nobody removes themselves", async () => {
    const spareAdmin = await api.user("SpareAdmin");
    await api.join(owner(), spareAdmin, "admin");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(spareAdmin.id) }, adminA()))).toBe("forbidden");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(w.admin.id) }, adminA()))).toBe("bad_request");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(w.owner.id) }, owner()))).toBe("bad_request");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(target.id) }, memberA()))).toBe("forbidden");
    // The removed member's session in this organization ends; the user and their audit rows stay.
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(target.id) }, adminA()))).toBe("ok");
    expect(
      (await api.gql("{ me { id } }", {}, { cookie: target.cookie })).errors?.[0]?.extensions?.code,
    ).toBe("unauthenticated");
    expect(Api.code(await api.gql(REMOVE, { m: await memberId(spareAdmin.id) }, owner()))).toBe("ok");
    const { auditActions } = await api.ok(
      '{ auditActions(filter: { actions: ["user.organization_membership.removed"] }) { nodes { target { id } details } } }',
      {},
      owner(),
    );
    expect(auditActions.nodes.map((n: { target: { id: string } }) => n.target.id)).toEqual(
      expect.arrayContaining([target.id, spareAdmin.id]),
    );
  });
});

describe("organizations and sessions", () => {
  test("deactivation (owner only) blocks work, sign-in and executor syncs; a system admin reactivates", async () => {
    const u = await api.user("Solo");
    const key = await api.executorKey({ cookie: u.cookie });
    expect((await api.sync(key.key, "solo-exec")).status).toBe(200);
    expect(Api.code(await api.gql("mutation { deactivateOrganization { id } }", {}, adminA()))).toBe(
      "forbidden",
    );
    const org = (await api.ok("mutation { deactivateOrganization { id active } }", {}, { cookie: u.cookie }))
      .deactivateOrganization;
    expect(org.active).toBe(false);
    expect((await api.sync(key.key, "solo-exec")).status).toBe(401);
    expect((await api.ok("{ executors { id } }", {}, { cookie: u.cookie })).executors).toEqual([]);
    expect((await api.auth("/sign-in/email", { email: u.email, password: u.password })).status).toBe(403);
    expect(
      Api.code(
        await api.gql(
          "mutation($o: ID!) { adminSetOrganizationActive(organizationId: $o, active: true) { id } }",
          { o: org.id },
          { cookie: u.cookie },
        ),
      ),
    ).toBe("forbidden");
    await api.ok(
      "mutation($o: ID!) { adminSetOrganizationActive(organizationId: $o, active: true) { active } }",
      { o: org.id },
      { cookie: await api.admin() },
    );
    expect((await api.sync(key.key, "solo-exec")).status).toBe(200);
    expect((await api.ok("{ executors { name } }", {}, { cookie: u.cookie })).executors).toEqual([
      { name: "solo-exec" },
    ]);
  });

  test("a member of two organizations switches the active one per session; reads follow it", async () => {
    const cookie = w.member.cookie;
    await api.ok(
      "mutation($o: ID!) { setActiveOrganization(organizationId: $o) { id } }",
      { o: w.member.personalOrgId },
      { cookie },
    );
    expect((await api.ok("{ organization { id } }", {}, { cookie })).organization.id).toBe(
      w.member.personalOrgId,
    );
    await api.ok(
      "mutation($o: ID!) { setActiveOrganization(organizationId: $o) { id } }",
      { o: w.orgA },
      { cookie },
    );
    expect((await api.ok("{ organization { id } me { role } }", {}, { cookie })).me.role).toBe("member");
    expect(
      Api.code(
        await api.gql(
          "mutation($o: ID!) { setActiveOrganization(organizationId: $o) { id } }",
          { o: w.orgB },
          { cookie },
        ),
      ),
    ).toBe("not_found");
  });

  test("sessions: list with IP and user agent, revoke one, sign out everywhere else, password change revokes the others", async () => {
    const u = await api.user("Sessions");
    const second = await api.signIn(u.email, u.password);
    const third = await api.signIn(u.email, u.password);
    const { sessions } = await api.ok(
      "{ sessions { id current ipAddress userAgent } }",
      {},
      { cookie: u.cookie },
    );
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(sessions[0].ipAddress).toBe("127.0.0.1");
    const secondId = (await api.ok("{ sessions { id current } }", {}, { cookie: second })).sessions.find(
      (s: { current: boolean }) => s.current,
    ).id;
    expect(
      Api.code(
        await api.gql(
          "mutation($id: ID!) { revokeSession(id: $id) }",
          { id: secondId },
          { cookie: w.other.cookie },
        ),
      ),
    ).toBe("not_found");
    await api.ok("mutation($id: ID!) { revokeSession(id: $id) }", { id: secondId }, { cookie: u.cookie });
    expect(Api.code(await api.gql("{ me { id } }", {}, { cookie: second }))).toBe("unauthenticated");
    expect(
      (await api.ok("mutation { revokeOtherSessions }", {}, { cookie: u.cookie })).revokeOtherSessions,
    ).toBe(1);
    expect(Api.code(await api.gql("{ me { id } }", {}, { cookie: third }))).toBe("unauthenticated");
    const fourth = await api.signIn(u.email, u.password);
    const wrong = await api.gql(
      'mutation { changePassword(input: { currentPassword: "wrong-password", newPassword: "new-password-123" }) }',
      {},
      { cookie: u.cookie },
    );
    expect(Api.code(wrong)).toBe("bad_request");
    const next = api.watch.secret("new-password-456");
    const changed = await api.ok(
      "mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) }",
      { c: u.password, n: next },
      { cookie: u.cookie },
    );
    expect(changed.changePassword).toBe(1);
    expect(Api.code(await api.gql("{ me { id } }", {}, { cookie: fourth }))).toBe("unauthenticated");
    expect(Api.code(await api.gql("{ me { id } }", {}, { cookie: u.cookie }))).toBe("ok");
    expect((await api.auth("/sign-in/email", { email: u.email, password: next })).status).toBe(200);
  });

  test("only a system admin grants the system role, from the admin console, and it lands in the platform audit", async () => {
    const promoted = await api.user("Promoted");
    const setRole = { userId: promoted.id, role: "admin" };
    expect((await api.auth("/admin/set-role", setRole, w.owner.cookie)).status).toBe(403);
    expect((await api.auth("/admin/set-role", setRole, await api.admin())).status).toBe(200);
    expect(
      (await api.ok("{ adminOrganizations { id } }", {}, { cookie: promoted.cookie })).adminOrganizations
        .length,
    ).toBeGreaterThan(2);
    const rows = await api.ok(
      '{ auditActions(filter: { allOrganizations: true, actions: ["user.global_role.changed"] }) { nodes { scope source target { id } details } } }',
      {},
      { cookie: await api.admin() },
    );
    expect(rows.auditActions.nodes).toEqual([
      { scope: "platform", source: "ui", target: { id: promoted.id }, details: { toRole: "admin" } },
    ]);
    // An organization owner doesn't see platform rows.
    const ownerView = await api.ok(
      '{ auditActions(filter: { allOrganizations: true, actions: ["user.global_role.changed"] }) { nodes { id } } }',
      {},
      owner(),
    );
    expect(ownerView.auditActions.nodes).toEqual([]);
  });

  test("better-auth's own organization and account endpoints are off: GraphQL is the one way", async () => {
    for (const path of [
      "/organization/update-member-role",
      "/organization/invite-member",
      "/change-password",
      "/list-sessions",
    ]) {
      expect((await api.auth(path, {}, w.owner.cookie)).status).toBe(404);
    }
  });

  test("nothing secret reached a response or the log", () => {
    api.watch.assertClean(cp.logs);
  });
});
