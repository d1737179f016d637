// What a new user meets on the first start of the compiled binary: one control plane per port, a bind
// address setting, configuration mistakes that exit 2 naming the variable, and help that carries the
// list of variables itself (the binary ships without the docs).
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { CONTROL_PLANE_ENV } from "../../src/modes/control-plane/config.ts";
import { novacula } from "../harness/cli.ts";
import { type ControlPlaneHandle, startControlPlane, testDir } from "../harness/control-plane.ts";
import { freePort } from "../tenancy/world.ts";

const fresh = (env: Record<string, string> = {}) => ({
  NOVACULA_DATA_DIR: testDir("first-run"),
  PORT: "0",
  INITIAL_ADMIN_EMAIL: "admin@novacula.test",
  INITIAL_ADMIN_PASSWORD: "test-password-0123",
  ...env,
});

const running: ControlPlaneHandle[] = [];
afterAll(async () => {
  for (const cp of running) await cp.stop();
});

describe("one control plane per port", () => {
  test("a second control plane on a taken port exits 2 naming PORT, changes nothing on disk, and the first keeps serving", async () => {
    const port = await freePort();
    const first = await startControlPlane({ env: { PORT: String(port) } });
    running.push(first);
    const cookie = await first.adminSession();

    const env = fresh({ PORT: String(port) });
    const second = await novacula(["control-plane"], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`PORT=${port}`);
    expect(second.stderr).toContain("hint:");
    // Refused before the database is created or the initial admin's password used: a retry on a free port
    // is a true first run.
    expect(readdirSync(env.NOVACULA_DATA_DIR)).toEqual([]);
    expect(second.stdout + second.stderr).not.toContain("created the initial system admin");

    // Every request still lands on the first one's database: its session keeps working, many times over.
    for (let i = 0; i < 20; i++) {
      const me = await first.gql<{ me: { email: string } }>("{ me { email } }", {}, { cookie });
      expect(me.data?.me.email).toBe(first.adminEmail);
    }
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });

  test("HOST sets the bind address: with HOST=127.0.0.1 another address of the machine gets no answer", async () => {
    const cp = await startControlPlane({ env: { HOST: "127.0.0.1" } });
    running.push(cp);
    expect((await fetch(`http://127.0.0.1:${cp.port}/healthz`)).status).toBe(200);
    expect(cp.logs.some((l) => l.includes('"host":"127.0.0.1"'))).toBe(true);
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    // Every 127/8 address reaches loopback on Linux: a server bound to all addresses would answer here.
    await expect(fetch(`http://127.0.0.2:${cp.port}/healthz`)).rejects.toThrow();
    if (other) await expect(fetch(`http://${other}:${cp.port}/healthz`)).rejects.toThrow();
  });
});

describe("configuration mistakes exit 2 naming the variable and the fix", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["an email address better-auth would refuse", { INITIAL_ADMIN_EMAIL: "a@b.c" }, "INITIAL_ADMIN_EMAIL"],
    ["a HOST that is not an address", { HOST: "not an address!" }, "HOST"],
    ["a HOST this machine does not have", { HOST: "203.0.113.254", PORT: "0" }, "HOST"],
    [
      "a TRUSTED_PROXIES entry that is not an address",
      { TRUSTED_PROXIES: "10.0.0.0/8,proxy" },
      "TRUSTED_PROXIES",
    ],
    ["a TRUSTED_PROXIES prefix out of range", { TRUSTED_PROXIES: "10.0.0.0/33" }, "TRUSTED_PROXIES"],
    ["a production start without a public URL", { NODE_ENV: "production" }, "BETTER_AUTH_URL"],
  ];
  for (const [name, env, variable] of cases) {
    test(name, async () => {
      const { stderr, code } = await novacula(["control-plane"], fresh(env));
      expect(code).toBe(2);
      expect(stderr).toContain(variable);
      expect(stderr).toContain("hint:");
    });
  }

  test("a start without BETTER_AUTH_URL warns that the public URL is the local one", async () => {
    const cp = await startControlPlane();
    running.push(cp);
    const warning = cp.logs.find((l) => l.includes('"level":"warn"') && l.includes("BETTER_AUTH_URL"));
    expect(warning).toBeDefined();
  });
});

describe("help", () => {
  test("control-plane --help lists every variable the control plane reads, and no missing doc file", async () => {
    const { stdout, code } = await novacula(["control-plane", "--help"]);
    expect(code).toBe(0);
    for (const name of CONTROL_PLANE_ENV) expect(stdout).toContain(name);
    expect(stdout).not.toContain("docs/control-plane-env.md");
  });

  test("--help says the operator is not in this build", async () => {
    const { stdout } = await novacula(["--help"]);
    const line = stdout.split("\n").find((l) => l.trim().startsWith("operator"));
    expect(line).toContain("not in this build");
  });
});
