// Sign-in limits behind a reverse proxy: failed sign-ins are limited per account and per address, and
// one person's guessing never locks another account out. TRUSTED_PROXIES decides whose X-Forwarded-For is
// believed; anyone else's is ignored, so a client can't pick its own address.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Api, startTenancyPlane, type User } from "../tenancy/world.ts";

let api: Api;
let victim: User;
let bystander: User;
const PROXY_PEER = "127.0.0.1";

beforeAll(async () => {
  // The test's own connections come from 127.0.0.1: that is the proxy in front of the control plane.
  api = new Api(await startTenancyPlane({ TRUSTED_PROXIES: `${PROXY_PEER}/32,::1,10.0.0.0/8` }));
  victim = await api.user("Victim");
  bystander = await api.user("Bystander");
});
afterAll(async () => {
  await api?.cp.stop();
});

function signIn(email: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = { "content-type": "application/json", origin: api.origin };
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  return fetch(`${api.cp.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email, password }),
  });
}

test("200 wrong passwords for one account from one address do not stop another account's right password there", async () => {
  const guess = api.watch.secret("wrong-guess-123");
  const statuses = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const { status } = await signIn(victim.email, guess, "203.0.113.7");
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  expect([...statuses.keys()].sort()).toEqual([401, 429]);
  expect((await signIn(victim.email, victim.password, "203.0.113.7")).status).toBe(429);
  expect((await signIn(bystander.email, bystander.password, "203.0.113.7")).status).toBe(200);
  // The same guessing seen without a proxy (every user sharing the proxy's own address) is no different.
  for (let i = 0; i < 30; i++) await signIn(victim.email, guess);
  expect((await signIn(bystander.email, bystander.password)).status).toBe(200);
});

test("an account guessed from many addresses is slowed for everyone, and only that account", async () => {
  const target = await api.user("Target");
  const guess = api.watch.secret("wrong-guess-456");
  let throttled = 0;
  for (let i = 0; i < 40; i++) {
    const { status } = await signIn(target.email, guess, `198.51.100.${i + 1}`);
    if (status === 429) throttled++;
  }
  expect(throttled).toBeGreaterThan(0);
  // A fresh address gets the wait too: the limit is on the account.
  expect((await signIn(target.email, target.password, "198.51.100.250")).status).toBe(429);
  expect((await signIn(bystander.email, bystander.password, "198.51.100.250")).status).toBe(200);
});

test("one address trying many accounts is slowed, and other addresses are not", async () => {
  const guess = api.watch.secret("wrong-guess-789");
  let throttled = 0;
  for (let i = 0; i < 60; i++) {
    const { status } = await signIn(`nobody-${i}@spray.test`, guess, "192.0.2.66");
    if (status === 429) throttled++;
  }
  expect(throttled).toBeGreaterThan(0);
  expect((await signIn(bystander.email, bystander.password, "192.0.2.67")).status).toBe(200);
});

test("through a chain of trusted proxies the client is the last untrusted hop, whatever it claims before", async () => {
  const user = await api.user("Chained");
  const guess = api.watch.secret("wrong-guess-321");
  // The client forges a different first hop each time; the proxies (10.0.0.5, then us) append its address.
  for (let i = 0; i < 6; i++) await signIn(user.email, guess, `192.0.2.${i + 100}, 203.0.113.50, 10.0.0.5`);
  expect((await signIn(user.email, user.password, "192.0.2.200, 203.0.113.50, 10.0.0.5")).status).toBe(429);
  // The same account from another client address behind the same proxies is not that client's wait.
  expect((await signIn(user.email, user.password, "203.0.113.51, 10.0.0.5")).status).toBe(200);
});

test("X-Forwarded-For from a peer that is not a trusted proxy is ignored", async () => {
  const direct = await startTenancyPlane();
  try {
    const other = new Api(direct);
    const user = await other.user("Direct");
    const guess = other.watch.secret("wrong-guess-000");
    for (let i = 0; i < 8; i++) {
      const headers = {
        "content-type": "application/json",
        origin: other.origin,
        "x-forwarded-for": `203.0.113.${i + 1}`,
      };
      await fetch(`${direct.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers,
        body: JSON.stringify({ email: user.email, password: guess }),
      });
    }
    // Had the spoofed addresses been believed, each would have had its own free failures.
    const r = await fetch(`${direct.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: other.origin,
        "x-forwarded-for": "203.0.113.99",
      },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(r.status).toBe(429);
  } finally {
    await direct.stop();
  }
});
