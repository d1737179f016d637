// Signing in at the URL a person was given: with the default (loopback) public URL both 127.0.0.1 and
// localhost work, a foreign origin is refused with a reason the sign-in page shows as such (not as a wrong
// password), and the install command never points a remote host at loopback without saying so.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { signInFailureMessage } from "../../src/modes/control-plane/ui/app/sign-in-message.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { freePort } from "../tenancy/world.ts";

let cp: ControlPlaneHandle;
let port: number;
beforeAll(async () => {
  port = await freePort();
  cp = await startControlPlane({ env: { PORT: String(port) } });
});
afterAll(() => cp.stop());

async function signInFrom(origin: string, password = cp.adminPassword) {
  const response = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, "sec-fetch-site": "same-origin" },
    body: JSON.stringify({ email: cp.adminEmail, password }),
  });
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
  test(`sign-in works from the page opened at http://${host}:<PORT>`, async () => {
    const { status } = await signInFrom(`http://${host}:${port}`);
    expect(status).toBe(200);
  });
}

test("a foreign origin is refused, and the page says the origin was refused, not the password", async () => {
  const refused = await signInFrom("http://evil.example");
  expect(refused.status).toBe(403);
  const shown = signInFailureMessage(refused.status, refused.body);
  expect(shown).toMatch(/address|origin/i);
  expect(shown).toContain("BETTER_AUTH_URL");
  expect(shown).not.toMatch(/password/i);

  const wrong = await signInFrom(`http://127.0.0.1:${port}`, "not-the-password-1");
  expect(wrong.status).toBe(401);
  expect(signInFailureMessage(wrong.status, wrong.body)).toMatch(/email or password/i);
});

test("the install command handed out with a loopback public URL says it only works on this machine", async () => {
  const cookie = await cp.adminSession();
  const { data, errors } = await cp.gql<{ connectExecutor: { installCommand: string } }>(
    'mutation { connectExecutor(input: { kind: agent, name: "remote-host" }) { installCommand } }',
    {},
    { cookie },
  );
  expect(errors).toBeUndefined();
  const command = data!.connectExecutor.installCommand;
  expect(command).toContain("BETTER_AUTH_URL");
  expect(command.split("\n")[0]).toMatch(/^# /);
  expect(command).toMatch(/loopback|only on this machine/);
});
