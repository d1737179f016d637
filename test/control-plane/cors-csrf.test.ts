// A page on another origin can't use a signed-in browser's cookie: CORS answers only the control plane's
// own origins, and cookie-authenticated GraphQL is accepted only as application/json (a content type a
// foreign page can't send without a preflight), so form and multipart posts are refused before anything
// runs. Bearer tokens are not ambient credentials and work from anywhere.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
let cookie: string;
const FOREIGN = "https://evil.example";

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
});
afterAll(() => cp.stop());

const keyNames = async () =>
  ((await cp.gql(`{ apiKeys { name } }`, {}, { cookie })).data.apiKeys as { name: string }[]).map(
    (k) => k.name,
  );
const mutation = (name: string) => `mutation { createApiKey(input: { name: "${name}" }) { key } }`;

describe("CORS allows only the control plane's own origins", () => {
  const preflight = (origin: string) =>
    fetch(`${cp.url}/graphql`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });

  test("a preflight from a foreign origin is not allowed, with or without credentials", async () => {
    const response = await preflight(FOREIGN);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("a cookie-carrying POST from a foreign origin gets no CORS headers (and is refused)", async () => {
    const response = await fetch(`${cp.url}/graphql`, {
      method: "POST",
      headers: { origin: FOREIGN, cookie, "content-type": "application/json" },
      body: JSON.stringify({ query: mutation("foreign-json") }),
    });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.status).toBe(403);
    expect((await response.json()).code).toBe("forbidden");
    expect(await keyNames()).not.toContain("foreign-json");
  });

  test("the public URL and its loopback alias are allowed with credentials", async () => {
    for (const origin of [`http://localhost:${cp.port}`, `http://127.0.0.1:${cp.port}`]) {
      const response = await preflight(origin);
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
      expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    }
  });
});

describe("cookie-authenticated GraphQL is JSON only", () => {
  test("a form-encoded mutation with a cookie is refused with the envelope and nothing runs", async () => {
    const response = await fetch(`${cp.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: mutation("csrf-form") }).toString(),
    });
    expect(response.status).toBe(415);
    const body = await response.json();
    expect(body).toMatchObject({ code: "bad_request", details: [{ path: "/content-type" }] });
    expect(await keyNames()).not.toContain("csrf-form");
  });

  test("a multipart mutation with a cookie is refused with the envelope and nothing runs", async () => {
    const form = new FormData();
    form.set("operations", JSON.stringify({ query: mutation("csrf-multipart"), variables: {} }));
    form.set("map", "{}");
    const response = await fetch(`${cp.url}/graphql`, { method: "POST", headers: { cookie }, body: form });
    expect(response.status).toBe(415);
    expect((await response.json()).code).toBe("bad_request");
    expect(await keyNames()).not.toContain("csrf-multipart");
  });

  test("a text/plain mutation with a cookie is refused too", async () => {
    const response = await fetch(`${cp.url}/graphql`, {
      method: "POST",
      headers: { cookie, "content-type": "text/plain" },
      body: JSON.stringify({ query: mutation("csrf-text") }),
    });
    expect(response.status).toBe(415);
    expect(await keyNames()).not.toContain("csrf-text");
  });

  test("the same mutation as application/json with the cookie runs", async () => {
    const result = await cp.gql(mutation("csrf-json"), {}, { cookie });
    expect(result.errors).toBeUndefined();
    expect(await keyNames()).toContain("csrf-json");
  });

  test("a bearer token works cross-origin and without JSON (it is not an ambient credential)", async () => {
    const token = (
      await cp.gql(`mutation { createPersonalAccessToken(input: { name: "cors" }) { key } }`, {}, { cookie })
    ).data?.createPersonalAccessToken?.key;
    expect(typeof token).toBe("string");
    const response = await fetch(`${cp.url}/graphql`, {
      method: "POST",
      headers: {
        origin: FOREIGN,
        authorization: `Bearer ${token}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ query: "{ me { email } }" }).toString(),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data.me.email).toBe(cp.adminEmail);
  });
});
