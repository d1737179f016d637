// A personal access token acts on GraphQL as its user, and its "Last used" is recorded when it is used.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp.stop());

test("a personal token's Last used goes from never to the time it was used", async () => {
  const cookie = await cp.adminSession();
  const created = await cp.gql(
    `mutation { createPersonalAccessToken(input: { name: "script" }) { key apiKey { id lastUsedAt } } }`,
    {},
    { cookie },
  );
  const { key, apiKey } = created.data.createPersonalAccessToken;
  expect(apiKey.lastUsedAt).toBeNull();
  const me = await cp.gql(`{ me { email } }`, {}, { token: key });
  expect(me.data.me.email).toBe(cp.adminEmail);
  const lastUsed = await eventually(async () => {
    const { data } = await cp.gql(`{ apiKeys { id lastUsedAt } }`, {}, { cookie });
    return data.apiKeys.find((k: { id: string }) => k.id === apiKey.id)?.lastUsedAt;
  });
  expect(Date.parse(lastUsed)).toBeGreaterThan(Date.now() - 60_000);
});
