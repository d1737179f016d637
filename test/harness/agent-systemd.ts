// Test harness: the compiled `novacula` agent running as novacula-agent.service inside a booted systemd
// namespace, the way it runs in production (installed by installAgentService, started by systemctl). Client
// binaries reach it as in production: from the control plane's artifact store, sha256-checked by the agent.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { installAgentService } from "../../src/modes/agent/install.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import { agentConfigToml } from "./processes.ts";
import type { SystemdNamespace } from "./systemd.ts";

const REPO_ROOT = resolve(import.meta.dir, "../..");
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");

/** The compiled binary: $NOVACULA_BINARY when the gate built it once, else a fresh `bun build --compile`. */
export function compiledNovacula(outDir: string): string {
  if (process.env.NOVACULA_BINARY) return resolve(process.env.NOVACULA_BINARY);
  const out = join(outDir, "novacula");
  const build = Bun.spawnSync([BUN, "build", "--compile", join(REPO_ROOT, "src/main.ts"), "--outfile", out], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`bun build --compile failed:\n${build.stderr.toString()}`);
  return out;
}

export interface AgentInSystemd {
  name: string;
  dataDir: string;
  configPath: string;
  binaryPath: string;
  /** The agent's MainPID as the namespace sees it (0 when not running). */
  mainPid(): Promise<number>;
  /** SIGKILL the agent's main process (systemd restarts it: Restart=on-failure). */
  kill9(): Promise<number>;
  journal(lines?: number): Promise<string>;
}

export interface AgentOptions {
  ns: SystemdNamespace;
  workDir: string;
  binaryPath: string;
  controlPlaneUrl: string;
  accessToken: string;
  name?: string;
  /** `[reporter] interval_secs`; the harness default is 1 (quick journeys), production's is 10. */
  reporterIntervalSecs?: number;
}

export async function startAgentInSystemd(options: AgentOptions): Promise<AgentInSystemd> {
  const { ns, workDir } = options;
  const name = options.name ?? "e2e-agent";
  // Under the namespace's node-data directory: node units cannot see a checkout under /root or /home.
  const dataDir = join(ns.nodeDataDir, "agent-data");
  mkdirSync(dataDir, { recursive: true });
  const configPath = join(workDir, "agent.toml");
  // Short loop intervals keep the journeys quick; long-poll makes spec pickup immediate anyway.
  writeFileSync(
    configPath,
    agentConfigToml({
      name,
      dataDir,
      controlPlaneUrl: options.controlPlaneUrl,
      accessToken: options.accessToken,
      supervisor: { kind: "systemd", unitDir: ns.unitDir },
      ...(options.reporterIntervalSecs ? { reporterIntervalSecs: options.reporterIntervalSecs } : {}),
    }),
    { mode: 0o600 },
  );
  await installAgentService({
    binaryPath: options.binaryPath,
    configPath,
    unitDir: ns.hostUnitDir,
    commandPrefix: ns.commandPrefix,
  });
  const started = await ns.exec(["systemctl", "start", AGENT_UNIT]);
  if (started.code !== 0) throw new Error(`systemctl start ${AGENT_UNIT}: ${started.stderr}`);

  const show = async () =>
    (await systemctlShow([AGENT_UNIT], ["ActiveState", "MainPID"], { commandPrefix: ns.commandPrefix })).get(
      AGENT_UNIT,
    )!;
  const agent: AgentInSystemd = {
    name,
    dataDir,
    configPath,
    binaryPath: options.binaryPath,
    async mainPid() {
      const s = await show();
      const pid = Number(s.MainPID);
      return s.ActiveState === "active" && pid > 0 ? pid : 0;
    },
    async kill9() {
      // `|| null`: eventually() accepts 0 as a value, and `kill -9 0` would SIGKILL our own process group.
      const pid = await eventually(async () => (await agent.mainPid()) || null, {
        timeoutMs: 30_000,
        message: "the agent to run",
      });
      if (!(pid > 0)) throw new Error(`refusing to kill pid ${pid}`);
      const { code, stderr } = await ns.exec(["kill", "-9", String(pid)]);
      if (code !== 0) throw new Error(`kill -9 ${pid}: ${stderr}`);
      return pid;
    },
    async journal(lines = 200) {
      const { stdout } = await ns.exec(["journalctl", "-u", AGENT_UNIT, "--no-pager", "-n", String(lines)]);
      return stdout;
    },
  };
  await eventually(async () => (await agent.mainPid()) || null, {
    timeoutMs: 30_000,
    message: "novacula-agent.service to be active",
  });
  return agent;
}

/** Node-process units present in the namespace: unit files in the unit dir and units systemd has loaded. */
export async function nodeUnits(ns: SystemdNamespace): Promise<{ files: string[]; loaded: string[] }> {
  const files = existsSync(ns.hostUnitDir)
    ? readdirSync(ns.hostUnitDir).filter((f) => f.endsWith(".service") && f.includes("@"))
    : [];
  const { stdout } = await ns.exec([
    "systemctl",
    "list-units",
    "--all",
    "--plain",
    "--no-legend",
    "*@*.service",
  ]);
  const loaded = stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((unit) => unit.endsWith(".service"));
  return { files: files.sort(), loaded: loaded.sort() };
}
