// GET / gives a person something to do: a sign-in form whose failures say why, and after signing in, the
// GraphQL API with that session. No GraphiQL: its assets come from a CDN, so offline it showed a blank page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp.stop());

test("the root URL serves a sign-in page that explains failures and leads to the GraphQL API", async () => {
  const page = await fetch(`${cp.url}/`);
  expect(page.headers.get("content-type")).toContain("text/html");
  const html = await page.text();
  expect(html).toContain('fetch("/api/auth/sign-in/email"');
  expect(html).toContain("signInFailureMessage(response.status, reason)");
  expect(html).toContain("/graphql");
  const cookie = await cp.adminSession();
  const me = await cp.gql<{ me: { email: string } }>("{ me { email } }", {}, { cookie });
  expect(me.data?.me.email).toBe(cp.adminEmail);
});

test("the control plane loads nothing from a CDN: /graphql offers no GraphiQL page", async () => {
  const cookie = await cp.adminSession();
  const graphiql = await fetch(`${cp.url}/graphql`, { headers: { accept: "text/html", cookie } });
  const body = await graphiql.text();
  expect(body).not.toContain("GraphiQL");
  expect(body).not.toMatch(/https:\/\/(unpkg\.com|cdn\.jsdelivr\.net)/);
  const landing = await (await fetch(`${cp.url}/`)).text();
  expect(landing).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/);
});
