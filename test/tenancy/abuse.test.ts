// Abuse limits slow an attacker without locking the legitimate user or executor out for good: the
// per email+IP sign-in throttle, the per-IP throttle on invalid keys (which never touches a valid key
// from the same address), and the per-key request bucket. Every wait ends; nothing is locked for good.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane, type User } from "./world.ts";

let cp: ControlPlaneHandle;
let api: Api;
let victim: User;
let bystander: User;

beforeAll(async () => {
  cp = await startTenancyPlane();
  api = new Api(cp);
  victim = await api.user("Victim");
  bystander = await api.user("Bystander");
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

const signIn = (email: string, password: string) => api.auth("/sign-in/email", { email, password });

test("failed sign-ins are slowed per email and IP, the owner gets back in once the wait ends, others are untouched", async () => {
  const guess = api.watch.secret("wrong-guess-123");
  for (let i = 0; i < 6; i++) expect((await signIn(victim.email, guess)).status).toBe(401);
  const blocked = await signIn(victim.email, victim.password);
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect((await signIn(bystander.email, bystander.password)).status).toBe(200);
  await eventually(async () => (await signIn(victim.email, victim.password)).status === 200, {
    timeoutMs: 10_000,
    intervalMs: 400,
    message: "the real password works again after the wait",
  });
  // A success resets the count: one more wrong guess is an ordinary 401, not a wait.
  expect((await signIn(victim.email, guess)).status).toBe(401);
  expect((await signIn(victim.email, victim.password)).status).toBe(200);
});

test("invalid keys from one IP are slowed; a valid executor key from the same IP keeps syncing", async () => {
  const good = await api.executorKey({ cookie: victim.cookie });
  let throttled = 0;
  for (let i = 0; i < 25; i++) {
    const status = (await api.sync(`exc_not-a-real-key-${i}`, "guesser")).status;
    expect([401, 429]).toContain(status);
    if (status === 429) throttled++;
  }
  expect(throttled).toBeGreaterThan(0);
  expect((await api.sync(good.key, "legit")).status).toBe(200);
  await eventually(async () => (await api.sync("exc_not-a-real-key", "guesser")).status === 401, {
    timeoutMs: 10_000,
    intervalMs: 300,
    message: "invalid keys are answered (401) again after the wait",
  });
});

test("a flood on one key gets 429 and recovers; an executor's cadence never comes close", async () => {
  const k = await api.executorKey({ cookie: victim.cookie });
  const statuses = await Promise.all(
    Array.from({ length: 90 }, () => api.sync(k.key, "flood").then((r) => r.status)),
  );
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(60);
  await eventually(async () => (await api.sync(k.key, "flood")).status === 200, {
    timeoutMs: 5_000,
    intervalMs: 200,
  });
});

test("nothing secret reached a response or the log", () => {
  api.watch.assertClean(cp.logs);
});
