// The command line: version, help, and clear exits for unknown commands and bad configuration.
import { describe, expect, test } from "bun:test";
import { novacula } from "../harness/cli.ts";
import { testDir } from "../harness/control-plane.ts";

describe("novacula", () => {
  test("--version prints the semver", async () => {
    const { stdout, code } = await novacula(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("--help lists the three modes", async () => {
    const { stdout, code } = await novacula(["--help"]);
    expect(code).toBe(0);
    for (const mode of ["control-plane", "agent", "operator"]) expect(stdout).toContain(mode);
  });

  test("an unknown command or flag exits 2 with a hint", async () => {
    for (const arg of ["frobnicate", "--frobnicate"]) {
      const { stderr, code } = await novacula([arg]);
      expect(code).toBe(2);
      expect(stderr).toContain(arg);
      expect(stderr).toContain("hint: run `novacula --help`");
    }
  });
});

describe("control-plane configuration errors stop startup with the variable and the fix", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["PORT", { PORT: "99999" }, "PORT"],
    ["HEARTBEAT_TIMEOUT_MS below the poll", { HEARTBEAT_TIMEOUT_MS: "1000" }, "HEARTBEAT_TIMEOUT_MS"],
    ["short BETTER_AUTH_SECRET", { BETTER_AUTH_SECRET: "short" }, "at least 32 characters"],
    ["short INITIAL_ADMIN_PASSWORD", { INITIAL_ADMIN_PASSWORD: "short" }, "at least 12 characters"],
    ["BETTER_AUTH_URL with a trailing slash", { BETTER_AUTH_URL: "https://x.example/" }, "trailing"],
    ["DATABASE_URL that is not a file URL", { DATABASE_URL: "postgres://x" }, "file:"],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }, "debug, info, warn, error"],
  ];
  for (const [name, env, expected] of cases) {
    test(name, async () => {
      const { stderr, code } = await novacula(["control-plane"], {
        NOVACULA_DATA_DIR: testDir("cfg"),
        ...env,
      });
      expect(code).toBe(2);
      expect(stderr).toContain(expected);
    });
  }

  test("a fresh database without an initial admin says which variables to set", async () => {
    const { stderr, code } = await novacula(["control-plane"], {
      NOVACULA_DATA_DIR: testDir("cfg"),
      PORT: "0",
    });
    expect(code).toBe(2);
    expect(stderr).toContain("INITIAL_ADMIN_EMAIL");
  });
});
