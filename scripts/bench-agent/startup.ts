// Start-to-first-sync for scripts/bench-agent.ts: spawns the compiled binary as `novacula agent run` on the
// host (fresh data dir each run, systemd supervisor over an empty unit dir, so nothing but the agent runs)
// and times from spawn to the "agent starting" and "executor registered" log lines on its stdout. Also
// times `novacula --version`, the floor set by the Bun runtime loading a ~110 MiB executable.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface StartupRun {
  /** spawn → first log line ("agent starting"): runtime start + module load + config. */
  agentStartingMs: number;
  /** spawn → "executor registered": the first sync answered. */
  registeredMs: number;
}

/** Reads a child's stdout line by line until `done(line)` says stop, or the deadline passes. */
async function waitForLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const timer = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`stdout ended (or ${timeoutMs} ms passed) before the awaited line`);
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl !== -1) {
        if (onLine(buffer.slice(0, nl))) return;
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

export async function timeStartup(options: {
  binary: string;
  workDir: string;
  controlPlaneUrl: string;
  accessToken: string;
  run: number;
}): Promise<StartupRun> {
  const dir = join(options.workDir, `startup-${options.run}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "units"), { recursive: true });
  const configPath = join(dir, "agent.toml");
  writeFileSync(
    configPath,
    [
      "[agent]",
      `name = "bench-startup"`,
      `data_dir = "${join(dir, "data")}"`,
      "[control_plane]",
      `url = "${options.controlPlaneUrl}"`,
      `access_token = "${options.accessToken}"`,
      "[supervisor]",
      'kind = "systemd"',
      `unit_dir = "${join(dir, "units")}"`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const started = performance.now();
  const child = Bun.spawn([options.binary, "agent", "run", "--config", configPath], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  let agentStartingMs = Number.NaN;
  let registeredMs = Number.NaN;
  try {
    await waitForLines(
      child.stdout,
      (line) => {
        const now = performance.now() - started;
        if (line.includes('"msg":"agent starting"')) agentStartingMs = now;
        if (line.includes('"msg":"executor registered"')) {
          registeredMs = now;
          return true;
        }
        return false;
      },
      30_000,
    );
  } finally {
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited, Bun.sleep(10_000).then(() => null)]);
    if (exited === null) child.kill("SIGKILL");
    await child.exited;
  }
  return { agentStartingMs, registeredMs };
}

/** spawn → exit of `novacula --version`: what any start of this binary costs before our code runs. */
export async function timeVersion(binary: string): Promise<number> {
  const started = performance.now();
  const child = Bun.spawn([binary, "--version"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  await child.exited;
  return performance.now() - started;
}
