// GET / gives a person something to do: a sign-in form, and after signing in, GraphiQL with the session.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp.stop());

test("the root URL serves a sign-in page that leads to GraphiQL", async () => {
  const page = await fetch(`${cp.url}/`);
  expect(page.headers.get("content-type")).toContain("text/html");
  const html = await page.text();
  expect(html).toContain('fetch("/api/auth/sign-in/email"');
  expect(html).toContain('href=\\"/graphql\\"');
  const cookie = await cp.adminSession();
  const graphiql = await fetch(`${cp.url}/graphql`, { headers: { accept: "text/html", cookie } });
  expect(graphiql.status).toBe(200);
  expect(await graphiql.text()).toContain("GraphiQL");
});
