// Test harness: a real agent process (`bun src/main.ts agent run -c <file>`) with the process supervisor,
// its config written to a test directory, its log lines captured. kill() is SIGKILL (a crash: its children
// keep running), stop() is SIGTERM (graceful: its children stop with it).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { eventually } from "../../src/lib/eventually.ts";
import { agentConfigToml, collectLines } from "../harness/processes.ts";
import { REPO_ROOT } from "./helpers.ts";

const BUN = join(REPO_ROOT, "node_modules/.bin/bun");

export interface AgentProcess {
  dataDir: string;
  configPath: string;
  logs: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Waits for a JSON log line whose msg is `msg` (at index `from` or later); returns it parsed. */
  waitForLog(msg: string, options?: { from?: number; timeoutMs?: number }): Promise<Record<string, unknown>>;
}

export function agentProcess(
  dir: string,
  options: {
    url: string;
    token: string;
    name: string;
    reporterIntervalSecs?: number;
    metricsListen?: string;
    /** More [agent] keys, verbatim (see TestAgentConfig.extraAgentKeys). */
    extraAgentKeys?: Record<string, string>;
  },
): AgentProcess {
  const dataDir = join(dir, "agent-data");
  const configPath = join(dir, "agent.toml");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    configPath,
    agentConfigToml({
      name: options.name,
      dataDir,
      controlPlaneUrl: options.url,
      accessToken: options.token,
      supervisor: { kind: "process" },
      ...(options.reporterIntervalSecs ? { reporterIntervalSecs: options.reporterIntervalSecs } : {}),
      ...(options.metricsListen ? { metricsListen: options.metricsListen } : {}),
      ...(options.extraAgentKeys ? { extraAgentKeys: options.extraAgentKeys } : {}),
    }),
    { mode: 0o600 },
  );
  const logs: string[] = [];
  let child: Subprocess | null = null;
  const agent: AgentProcess = {
    dataDir,
    configPath,
    logs,
    async start() {
      const proc = Bun.spawn([BUN, join(REPO_ROOT, "src/main.ts"), "agent", "run", "-c", configPath], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        stdout: "pipe",
        stderr: "pipe",
      });
      child = proc;
      for (const stream of [proc.stdout, proc.stderr]) collectLines(stream, (line) => logs.push(line));
    },
    async stop() {
      if (!child) return;
      child.kill("SIGTERM");
      await child.exited;
      child = null;
    },
    async kill() {
      if (!child) return;
      child.kill("SIGKILL");
      await child.exited;
      child = null;
    },
    waitForLog(msg, { from = 0, timeoutMs = 30_000 } = {}) {
      return eventually(
        () => {
          for (const line of logs.slice(from)) {
            try {
              const record = JSON.parse(line) as Record<string, unknown>;
              if (record.msg === msg) return record;
            } catch {
              // not JSON
            }
          }
          return null;
        },
        { timeoutMs, message: `agent log "${msg}" (last lines: ${logs.slice(-5).join(" / ")})` },
      );
    },
  };
  return agent;
}
