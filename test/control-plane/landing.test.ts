// GET / is the web UI: one HTML page at every client route, linking only its own content-hashed assets
// (embedded in the binary: nothing from a CDN, nothing read from the working directory), cached so that a
// new build shows at once (index no-cache, assets immutable). No GraphiQL: its assets come from a CDN.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane, testDir } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  // An empty working directory: the binary must carry the UI itself.
  cp = await startControlPlane({ cwd: testDir("ui-cwd") });
});
afterAll(() => cp.stop());

/** The same-origin asset paths the page links (script src, stylesheet href). */
function linkedAssets(html: string): string[] {
  return [...html.matchAll(/<(?:script[^>]+src|link[^>]+href)="([^"]+)"/g)]
    .map((m) => m[1]!)
    .filter((href) => !href.startsWith("data:"));
}

test("the root URL serves the web UI, whose scripts and styles come from the control plane itself", async () => {
  const page = await fetch(`${cp.url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toContain("text/html");
  expect(page.headers.get("cache-control")).toBe("no-cache");
  const html = await page.text();
  expect(html).toContain('<div id="root">');
  const assets = linkedAssets(html);
  expect(assets.filter((a) => a.endsWith(".js")).length).toBeGreaterThan(0);
  expect(assets.filter((a) => !/^\/assets\/[\w.-]+-[a-z0-9]+\.(js|css)$/.test(a))).toEqual([]);
  let script = "";
  for (const path of assets) {
    const asset = await fetch(`${cp.url}${path}`);
    expect({ path, status: asset.status }).toEqual({ path, status: 200 });
    expect(asset.headers.get("cache-control")).toContain("immutable");
    if (path.endsWith(".js")) script += await asset.text();
  }
  // The sign-in screen tells a wrong password from a refused address (sign-in-message.ts).
  expect(script).toContain("wrong email or password");
  expect(script).toContain("BETTER_AUTH_URL");
  expect(script).not.toMatch(/https:\/\/(unpkg\.com|cdn\.jsdelivr\.net|esm\.sh)/);
});

test("every client route answers with the page, so a bookmarked or reloaded screen opens", async () => {
  const index = await (await fetch(`${cp.url}/`)).text();
  for (const path of ["/sign-in", "/nodes", "/nodes/deploy", `/nodes/${crypto.randomUUID()}`, "/executors"]) {
    const response = await fetch(`${cp.url}${path}?q=x`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    expect(await response.text()).toBe(index);
  }
  const missing = await fetch(`${cp.url}/assets/no-such-file-0000.js`);
  expect(missing.status).toBe(404);
});

test("a browser opening an unknown address gets the app with 404 (its not-found screen); API paths and API clients keep the envelope", async () => {
  const index = await (await fetch(`${cp.url}/`)).text();
  const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
  const typo = await fetch(`${cp.url}/node/oops`, { headers: html });
  expect(typo.status).toBe(404);
  expect(typo.headers.get("content-type")).toContain("text/html");
  expect(await typo.text()).toBe(index);
  const settings = await fetch(`${cp.url}/settings`, { headers: html });
  expect(settings.status).toBe(200);
  for (const [path, headers, method] of [
    ["/node/oops", { accept: "application/json" }, "GET"],
    ["/node/oops", html, "POST"],
    ["/api/v1/no-such-route", html, "GET"],
    ["/graphql/nope", html, "GET"],
  ] as const) {
    const response = await fetch(`${cp.url}${path}`, { headers, method });
    expect({ path, method, status: response.status }).toEqual({ path, method, status: 404 });
    expect(await response.json()).toMatchObject({ code: "not_found" });
  }
});

test("assets are sent gzip-compressed to a browser that accepts it", async () => {
  const html = await (await fetch(`${cp.url}/`)).text();
  const script = linkedAssets(html).find((a) => a.endsWith(".js"))!;
  const plain = await fetch(`${cp.url}${script}`, { headers: { "accept-encoding": "identity" } });
  const plainBytes = (await plain.arrayBuffer()).byteLength;
  const zipped = await fetch(`${cp.url}${script}`, {
    headers: { "accept-encoding": "gzip" },
    decompress: false,
  } as RequestInit);
  expect(zipped.headers.get("content-encoding")).toBe("gzip");
  const body = new Uint8Array(await zipped.arrayBuffer());
  expect(body.byteLength).toBeLessThan(plainBytes / 2);
  expect(Bun.gunzipSync(body).byteLength).toBe(plainBytes);
});

test("the session works for the GraphQL API the UI uses, and /graphql offers no GraphiQL page", async () => {
  const cookie = await cp.adminSession();
  const me = await cp.gql<{ me: { email: string } }>("{ me { email } }", {}, { cookie });
  expect(me.data?.me.email).toBe(cp.adminEmail);
  const graphiql = await fetch(`${cp.url}/graphql`, { headers: { accept: "text/html", cookie } });
  const body = await graphiql.text();
  expect(body).not.toContain("GraphiQL");
  expect(body).not.toMatch(/https:\/\/(unpkg\.com|cdn\.jsdelivr\.net)/);
});
