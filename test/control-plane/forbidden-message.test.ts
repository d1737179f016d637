// A refused mutation says which role it needs, so the person knows whom to ask.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Api, startTenancyPlane, type User } from "../tenancy/world.ts";

let api: Api;
let owner: User;
let member: User;
beforeAll(async () => {
  api = new Api(await startTenancyPlane());
  owner = await api.user("Owner");
  member = await api.user("Member");
  await api.join({ cookie: owner.cookie }, member, "member");
});
afterAll(async () => {
  await api?.cp.stop();
});

test("a member refused a manager's mutation is told it needs the owner or admin role", async () => {
  const r = await api.gql(
    'mutation { createApiKey(input: { name: "nope" }) { key } }',
    {},
    { cookie: member.cookie },
  );
  expect(Api.code(r)).toBe("forbidden");
  expect(r.errors?.[0]?.message).toContain("owner or admin");
});

test("a refused system-admin mutation says it needs a system administrator", async () => {
  const r = await api.gql(
    "mutation($o: ID!) { adminSetOrganizationActive(organizationId: $o, active: true) { id } }",
    { o: owner.personalOrgId },
    { cookie: owner.cookie },
  );
  expect(Api.code(r)).toBe("forbidden");
  expect(r.errors?.[0]?.message).toContain("system administrator");
});
