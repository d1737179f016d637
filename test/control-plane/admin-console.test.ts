// The system admin's console over GraphQL: every organization with its size, the members of any of
// them, deactivation and reactivation, and the audit of every organization. Nobody else reads any of it
// (empty lists, reference §2) or changes it (Forbidden), whatever their role in their own organization.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane, type User } from "../tenancy/world.ts";
import { createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let api: Api;
let admin: string;
let owner: User;
let member: User;

const OVERVIEW = `{ adminOrganizationsOverview {
  organization { id name active } memberCount executorCount nodeCount } }`;
const MEMBERS = "query($o: ID!) { adminOrganizationMembers(organizationId: $o) { email role } }";
const SET_ACTIVE = `mutation($o: ID!, $a: Boolean!) {
  adminSetOrganizationActive(organizationId: $o, active: $a) { id active } }`;
const AUDIT = `query($f: AuditActionFilterInput) {
  auditActions(filter: $f) { nodes { organizationId action } } }`;

beforeAll(async () => {
  cp = await startTenancyPlane();
  api = new Api(cp);
  admin = await api.admin();
  owner = await api.user("Owner");
  member = await api.user("Member");
  await api.join({ cookie: owner.cookie }, member, "member");
  const { key } = await api.executorKey({ cookie: owner.cookie }, "owner-key");
  const { executorId } = await syncExecutor(cp, key, "owner-host");
  await createNode(cp, owner.cookie, executorId, "owner-node");
}, 120_000);

afterAll(() => cp.stop());

test("a system admin sees every organization with its members, executors and nodes counted", async () => {
  const rows = (await api.ok(OVERVIEW, {}, { cookie: admin })).adminOrganizationsOverview;
  const ownerOrg = rows.find(
    (r: { organization: { id: string } }) => r.organization.id === owner.personalOrgId,
  );
  expect(ownerOrg).toMatchObject({ memberCount: 2, executorCount: 1, nodeCount: 1 });
  expect(ownerOrg.organization.active).toBe(true);
  // The admin is a member of none of these, yet sees them all: the admin's, the owner's, the member's.
  expect(rows.length).toBeGreaterThanOrEqual(3);
  const members = (await api.ok(MEMBERS, { o: owner.personalOrgId }, { cookie: admin }))
    .adminOrganizationMembers;
  expect(members.map((m: { email: string; role: string }) => [m.email, m.role]).sort()).toEqual(
    [
      [owner.email, "owner"],
      [member.email, "member"],
    ].sort(),
  );
});

test("an owner or member reads nothing of the console and cannot (de)activate any organization", async () => {
  for (const who of [owner, member]) {
    const auth = { cookie: who.cookie };
    expect((await api.ok(OVERVIEW, {}, auth)).adminOrganizationsOverview).toEqual([]);
    expect((await api.ok(MEMBERS, { o: owner.personalOrgId }, auth)).adminOrganizationMembers).toEqual([]);
    const r = await api.gql(SET_ACTIVE, { o: owner.personalOrgId, a: false }, auth);
    expect(Api.code(r)).toBe("forbidden");
    // allOrganizations is ignored for them: only their own organization's rows.
    const audit = (await api.ok(AUDIT, { f: { allOrganizations: true, take: 500 } }, auth)).auditActions;
    const orgs = new Set(audit.nodes.map((n: { organizationId: string }) => n.organizationId));
    expect([...orgs].every((o) => o === owner.personalOrgId)).toBe(true);
  }
});

test("a system admin deactivates and reactivates an organization and reads its audit from outside it", async () => {
  const off = await api.ok(SET_ACTIVE, { o: owner.personalOrgId, a: false }, { cookie: admin });
  expect(off.adminSetOrganizationActive).toEqual({ id: owner.personalOrgId, active: false });
  const rows = (await api.ok(OVERVIEW, {}, { cookie: admin })).adminOrganizationsOverview;
  const row = rows.find((r: { organization: { id: string } }) => r.organization.id === owner.personalOrgId);
  expect(row.organization.active).toBe(false);
  const on = await api.ok(SET_ACTIVE, { o: owner.personalOrgId, a: true }, { cookie: admin });
  expect(on.adminSetOrganizationActive.active).toBe(true);
  const audit = (await api.ok(AUDIT, { f: { allOrganizations: true, take: 500 } }, { cookie: admin }))
    .auditActions.nodes;
  const ofOwner = audit.filter((n: { organizationId: string }) => n.organizationId === owner.personalOrgId);
  expect(ofOwner.map((n: { action: string }) => n.action)).toContain("node.created");
});
