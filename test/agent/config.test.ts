// The agent config pipeline: precedence of paths, defaults, errors that name the key and the fix, and the
// rule that every key is documented in docs/agent-config.md.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../src/lib/errors.ts";
import {
  AGENT_CONFIG_KEYS,
  type ParseOptions,
  parseAgentConfig,
  resolveConfigPath,
} from "../../src/modes/agent/config.ts";
import { REPO_ROOT } from "./helpers.ts";

const TOKEN = "exc_abcdefghijklmnop";
const base = (patch: Partial<ParseOptions> = {}): ParseOptions => ({
  path: "/etc/novacula/agent.toml",
  env: { HOSTNAME: "host-1" },
  pid1IsSystemd: () => true,
  readCredentials: () => null,
  ...patch,
});
const minimal = `[control_plane]\nurl = "https://cp.example.com"\naccess_token = "${TOKEN}"\n`;

function problem(text: string, options = base()): string {
  try {
    parseAgentConfig(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error("expected a UsageError");
}

describe("agent config", () => {
  test("the path is --config, then NOVACULA_CONFIG, then /etc/novacula/agent.toml", () => {
    expect(resolveConfigPath("/a.toml", { NOVACULA_CONFIG: "/b.toml" })).toBe("/a.toml");
    expect(resolveConfigPath(undefined, { NOVACULA_CONFIG: "/b.toml" })).toBe("/b.toml");
    expect(resolveConfigPath(undefined, {})).toBe("/etc/novacula/agent.toml");
  });

  test("a minimal file gets the reference defaults", () => {
    const config = parseAgentConfig(minimal, base());
    expect(config).toEqual({
      path: "/etc/novacula/agent.toml",
      agent: {
        name: "host-1",
        dataDir: "/var/lib/novacula",
        channel: "stable",
      },
      controlPlane: { url: "https://cp.example.com", accessToken: TOKEN },
      logging: { level: "info", format: "json" },
      reconciler: { intervalSecs: 5, fullPassSecs: 120 },
      reporter: { intervalSecs: 10, scrapeTimeoutMs: 5000 },
      supervisor: { kind: "systemd", unitDir: "/etc/systemd/system" },
      metrics: { listen: null },
      warnings: [],
    });
    expect(Object.isFrozen(config.agent)).toBe(true);
    expect(parseAgentConfig(minimal, base({ env: {} })).agent.name).toBe("agent");
  });

  test("every key can be set", () => {
    const text = `
[agent]
name = "fra-1"
data_dir = "/srv/novacula"
public_host = "fra-1.example.com"
channel = "beta"
[control_plane]
url = "http://10.0.0.1:3000"
access_token = "${TOKEN}"
[logging]
level = "debug"
format = "pretty"
[reconciler]
interval_secs = 7
full_pass_secs = 30
[reporter]
interval_secs = 11
scrape_timeout_ms = 1500
[supervisor]
kind = "process"
unit_dir = "/run/systemd/system"
[metrics]
listen = "127.0.0.1:9469"
`;
    const config = parseAgentConfig(text, base({ pid1IsSystemd: () => false }));
    expect(config.agent).toEqual({
      name: "fra-1",
      dataDir: "/srv/novacula",
      publicHost: "fra-1.example.com",
      channel: "beta",
    });
    expect(config.reconciler).toEqual({ intervalSecs: 7, fullPassSecs: 30 });
    expect(config.reporter).toEqual({ intervalSecs: 11, scrapeTimeoutMs: 1500 });
    expect(config.supervisor).toEqual({ kind: "process", unitDir: "/run/systemd/system" });
    expect(config.metrics).toEqual({ listen: { host: "127.0.0.1", port: 9469 } });
  });

  test("[metrics] listen takes a loopback address and port only, and says so", () => {
    expect(
      parseAgentConfig(
        `${minimal}[metrics]
listen = "[::1]:9469"
`,
        base(),
      ).metrics.listen,
    ).toEqual({
      host: "::1",
      port: 9469,
    });
    for (const bad of ["0.0.0.0:9469", "10.0.0.5:9469", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000"]) {
      expect(problem(`${minimal}[metrics]\nlisten = "${bad}"\n`)).toContain(
        '[metrics] listen must be a loopback address and port such as "127.0.0.1:9469"',
      );
    }
  });

  test("unknown keys and sections are errors naming the key", () => {
    expect(problem(`${minimal}[agent]\nnmae = "x"\n`)).toContain("unknown key [agent] nmae: remove it");
    expect(problem(`${minimal}[agnet]\nname = "x"\n`)).toContain("unknown section [agnet]");
  });

  test("bad values are errors naming the key and the allowed values, all listed at once", () => {
    const message = problem(
      `${minimal}[agent]\nchannel = "nightly"\ndata_dir = "relative"\n[reporter]\ninterval_secs = 0\n`,
    );
    expect(message).toContain("3 problems");
    expect(message).toContain('[agent] channel must be one of "stable", "beta", "dev"');
    expect(message).toContain("[agent] data_dir must be an absolute path");
    expect(message).toContain("[reporter] interval_secs must be a whole number from 1 to 3600");
    expect(
      problem(`[control_plane]\nurl = "https://cp.example.com/"\naccess_token = "${TOKEN}"\n`),
    ).toContain("trailing /");
    expect(problem(`[control_plane]\nurl = "https://cp"\naccess_token = " ${TOKEN}"\n`)).toContain("exc_");
    expect(problem("[control_plane\n")).toContain("not valid TOML");
  });

  test("the access token may come from <data_dir>/credentials.json; without either it is an error", () => {
    const text = `[control_plane]\nurl = "https://cp.example.com"\n`;
    const seen: string[] = [];
    const config = parseAgentConfig(
      `${text}[agent]\ndata_dir = "/srv/n"\n`,
      base({
        readCredentials: (dir) => {
          seen.push(dir);
          return TOKEN;
        },
      }),
    );
    expect(config.controlPlane.accessToken).toBe(TOKEN);
    expect(seen).toEqual(["/srv/n"]);
    expect(problem(text)).toContain("/var/lib/novacula/credentials.json");
  });

  test("with systemd, a data_dir under a home directory (hidden from node units) is refused with the fix", () => {
    for (const dir of ["/root/novacula", "/home/ops/novacula", "/run/user/0/n"]) {
      const message = problem(`${minimal}[agent]\ndata_dir = "${dir}"\n`);
      expect(message).toContain(`[agent] data_dir ${dir} is under`);
      expect(message).toContain("such as /var/lib/novacula");
    }
    // Not a home directory, only a name that starts like one; and the process supervisor has no units.
    expect(parseAgentConfig(`${minimal}[agent]\ndata_dir = "/homes/n"\n`, base()).agent.dataDir).toBe(
      "/homes/n",
    );
    const text = `${minimal}[agent]\ndata_dir = "/root/n"\n[supervisor]\nkind = "process"\n`;
    expect(parseAgentConfig(text, base()).agent.dataDir).toBe("/root/n");
  });

  test("an agent.toml that still sets the retired [agent] artifacts_url is accepted, with one warning that says why it is ignored", () => {
    const text = `[agent]\nartifacts_url = "https://mirror.example.com/novacula"\n${minimal}`;
    const config = parseAgentConfig(text, base());
    expect(config.agent).toEqual(parseAgentConfig(minimal, base()).agent);
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toContain("[agent] artifacts_url in /etc/novacula/agent.toml is ignored");
    expect(config.warnings[0]).toContain("control plane's artifact store");
    expect(config.warnings[0]).toContain("ARTIFACT_SOURCE=upstream");
    expect(config.warnings[0]).toContain("remove the line");
    // Retired, not unchecked: a value of the wrong type is ignored the same way, and other keys are still judged.
    expect(problem(`[agent]\nartifacts_url = 3\nnme = "x"\n${minimal}`)).toContain("unknown key [agent] nme");
  });

  test("the supervisor is never chosen silently where PID 1 is not systemd", () => {
    expect(problem(minimal, base({ pid1IsSystemd: () => false }))).toContain('set kind = "process"');
  });

  test("every config key is documented in docs/agent-config.md, and nothing else is", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/agent-config.md"), "utf8");
    const documented = [...doc.matchAll(/^\| `\[([a-z_]+)\] ([a-z_]+)` \| `([^`]*)` \|/gm)].map((m) => ({
      id: `${m[1]}.${m[2]}`,
      defaultText: m[3],
    }));
    const keys = AGENT_CONFIG_KEYS.map((k) => ({ id: `${k.section}.${k.key}`, defaultText: k.defaultText }));
    expect(documented).toEqual(keys);
  });
});
