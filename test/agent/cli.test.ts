// The agent CLI as users run it (`novacula agent …` through src/main.ts): usage errors name the problem and
// the fix and exit 2; nothing is started with a config the agent would refuse.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { supportedChains } from "../../src/adapters/registry.ts";
import { ExecutorCapabilities } from "../../src/protocol/capabilities.ts";
import { compileValidator } from "../../src/protocol/validate.ts";
import { novacula as novaculaBinary } from "../harness/cli.ts";
import { makeTestDir, REPO_ROOT } from "./helpers.ts";

const scratch = makeTestDir("agent-cli");
afterAll(() => scratch.cleanup());
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");

function novacula(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync([BUN, join(REPO_ROOT, "src/main.ts"), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe("novacula agent CLI", () => {
  test("a missing config file exits 2 naming the path and how to point at another", () => {
    const path = join(scratch.dir, "absent.toml");
    const result = novacula(["agent", "run", "-c", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no agent config at ${path}`);
    expect(result.stderr).toContain("NOVACULA_CONFIG");
  });

  test("NOVACULA_CONFIG is used when --config is absent, and a bad key is named with the fix", () => {
    const path = join(scratch.dir, "bad.toml");
    writeFileSync(
      path,
      '[control_plane]\nurl = "http://127.0.0.1:1"\naccess_token = "exc_abcdefghij"\n[agent]\nchanel = "beta"\n',
    );
    const result = novacula(["agent", "run"], { NOVACULA_CONFIG: path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown key [agent] chanel: remove it");
  });

  test("unknown commands and options are usage errors", () => {
    expect(novacula(["agent", "fly"]).code).toBe(2);
    const result = novacula(["agent", "run", "--no-such-option"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no-such-option");
  });

  test("`agent capabilities` prints what the agent offers at sync as JSON: every chain, network, client and override schema", async () => {
    // The compiled binary when NOVACULA_BINARY names it: no config and no control plane needed.
    const result = await novaculaBinary(["agent", "capabilities"]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(compileValidator(ExecutorCapabilities).errors(printed)).toEqual([]);
    expect(printed.features).toEqual(["sync", "event", "lifecycle"]);
    // Every compiled-in adapter, each with its networks, roles, clients and override schema.
    expect(printed.supportedChains).toEqual(JSON.parse(JSON.stringify(supportedChains())));
    for (const chain of printed.supportedChains) {
      expect(chain.networks.length).toBeGreaterThan(0);
      expect(chain.roles.every((r: { clients: unknown[] }) => r.clients.length > 0)).toBe(true);
      expect(chain.configOverrideSchema).toBeDefined();
    }
    expect(novacula(["agent", "--help"]).stdout).toContain("capabilities");
  });
});
