// Tenancy inputs are checked against their feature's model where they enter: a bad input is a 400
// answer naming every wrong field by its path, in the one error envelope, and the server keeps serving.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
let cookie: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

const paths = (result: any): string[] =>
  [
    ...new Set<string>((result.errors?.[0]?.extensions?.details ?? []).map((d: { path: string }) => d.path)),
  ].sort();

test("an organization with a blank name and a bad slug is refused naming both fields", async () => {
  const result = await cp.gql(
    'mutation { createOrganization(input: { name: "   ", slug: "Not A Slug" }) { id } }',
    {},
    { cookie },
  );
  expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
  expect(paths(result)).toEqual(["/name", "/slug"]);
  const ok = await cp.gql(
    'mutation { createOrganization(input: { name: "Fine" }) { slug } }',
    {},
    { cookie },
  );
  expect(ok.data.createOrganization.slug).toBe("fine");
});

test("a key with an empty name and a zero-day expiry is refused naming both fields", async () => {
  const result = await cp.gql(
    'mutation { createApiKey(input: { name: "", expiresInDays: 0 }) { key } }',
    {},
    { cookie },
  );
  expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
  expect(paths(result)).toEqual(["/expiresInDays", "/name"]);
});

test("connecting an executor with a bad name and the dev channel is refused naming both fields", async () => {
  const result = await cp.gql(
    'mutation { connectExecutor(input: { kind: agent, name: "-bad-", channel: "dev" }) { key } }',
    {},
    { cookie },
  );
  expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
  expect(paths(result)).toEqual(["/channel", "/name"]);
  const ok = await cp.gql(
    'mutation { connectExecutor(input: { kind: operator, name: " edge-2 " }) { name channel } }',
    {},
    { cookie },
  );
  expect(ok.data.connectExecutor).toEqual({ name: "edge-2", channel: "stable" });
});
