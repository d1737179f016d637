// Test harness: runs a real control plane as a child process (the compiled binary when NOVACULA_BINARY is
// set, else `bun src/main.ts`) on a real SQLite file, on port 0 or a fixed port, and offers small helpers
// to sign in and call GraphQL. kill() is SIGKILL (crash), stop() is SIGTERM (graceful).
import { mkdirSync, mkdtempSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { eventually } from "../../src/lib/eventually.ts";
import { LeakWatch } from "./leak-watch.ts";
import { collectLines } from "./processes.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");

export interface ControlPlaneHandle {
  url: string;
  port: number;
  dataDir: string;
  adminEmail: string;
  adminPassword: string;
  /** Every line the process wrote (stdout and stderr). */
  logs: string[];
  /** Secrets this control plane handled; checked against logs and responses on stop() and kill(). */
  leakWatch: LeakWatch;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  /** Starts again on the same port and data directory. */
  restart(): Promise<void>;
  adminSession(): Promise<string>;
  signIn(email: string, password: string): Promise<string>;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    auth?: { cookie?: string; token?: string },
  ): Promise<GqlResult<T>>;
  createExecutorKey(name?: string): Promise<string>;
}
export interface GqlResult<T = any> {
  data: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; details?: { path: string; message: string }[] };
  }[];
}

export function testDir(prefix: string): string {
  const base = join(ROOT, ".cache", "test-tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Run as another version (stamped like a release build); only without NOVACULA_BINARY. */
  version?: string;
  /** The working directory of the process (default: the repository). */
  cwd?: string;
  /** Run this compiled binary (e.g. one built with a test release key) instead of NOVACULA_BINARY or source. */
  binary?: string;
}

/** A graceful stop ends in-flight requests after a 10 s grace (server.ts): well past that is a hang. */
const STOP_MS = 30_000;

export async function startControlPlane(options: StartOptions = {}): Promise<ControlPlaneHandle> {
  const dataDir = options.dataDir ?? testDir("cp");
  const adminEmail = "admin@novacula.test";
  const adminPassword = "test-password-0123";
  const logs: string[] = [];
  const leakWatch = new LeakWatch();
  leakWatch.secret(adminPassword);
  let proc: Subprocess | null = null;
  let port = 0;

  async function spawn(): Promise<void> {
    const define = options.version
      ? ["--define", `__NOVACULA_VERSION__=${JSON.stringify(options.version)}`]
      : [];
    const cmd = options.binary
      ? [options.binary]
      : process.env.NOVACULA_BINARY && !options.version
        ? [process.env.NOVACULA_BINARY]
        : [BUN, ...define, join(ROOT, "src/main.ts")];
    const child = Bun.spawn([...cmd, "control-plane"], {
      cwd: options.cwd ?? ROOT,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        PORT: String(port),
        NOVACULA_DATA_DIR: dataDir,
        INITIAL_ADMIN_EMAIL: adminEmail,
        INITIAL_ADMIN_PASSWORD: adminPassword,
        LOG_LEVEL: "debug",
        ...options.env,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    proc = child;
    const ready = Promise.withResolvers<string>();
    for (const stream of [child.stdout, child.stderr]) {
      collectLines(stream, (line) => {
        logs.push(line);
        const match = /"msg":"control plane listening","url":"(http:\/\/[^"]+)"/.exec(line);
        if (match) ready.resolve(match[1]!);
      });
    }
    const url = await Promise.race([
      ready.promise,
      child.exited.then((code) => {
        throw new Error(`control plane exited with ${code}:\n${logs.slice(-20).join("\n")}`);
      }),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("control plane did not start in 30 s")), 30_000),
      ),
    ]);
    port = Number(new URL(url).port);
    handle.url = `http://127.0.0.1:${port}`;
    handle.port = port;
  }

  const handle: ControlPlaneHandle = {
    url: "",
    port: 0,
    dataDir,
    adminEmail,
    adminPassword,
    logs,
    leakWatch,
    async stop() {
      if (!proc) return null;
      proc.kill("SIGTERM");
      const running = proc;
      const code = await Promise.race([running.exited, Bun.sleep(STOP_MS).then(() => null)]);
      if (code === null) {
        running.kill("SIGKILL");
        await running.exited;
        proc = null;
        throw new Error(
          `the control plane did not exit within ${STOP_MS / 1000} s of SIGTERM; its last log lines:\n${logs.slice(-30).join("\n")}`,
        );
      }
      proc = null;
      leakWatch.assertClean(logs);
      return code;
    },
    async kill() {
      if (!proc) return;
      proc.kill("SIGKILL");
      await proc.exited;
      proc = null;
      leakWatch.assertClean(logs);
    },
    async restart() {
      await handle.stop();
      await spawn();
    },
    signIn: async (email, password) =>
      watchCookie(await signIn(handle.url, leakWatch.secret(password) && email, password)),
    adminSession: async () => watchCookie(await signIn(handle.url, adminEmail, adminPassword)),
    async gql(query, variables = {}, auth = {}) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (auth.cookie) headers.cookie = auth.cookie;
      if (auth.token) headers.authorization = `Bearer ${auth.token}`;
      const response = await fetch(`${handle.url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      leakWatch.response(text);
      return JSON.parse(text) as GqlResult;
    },
    async createExecutorKey(name = "test-key") {
      const cookie = await handle.adminSession();
      const result = await handle.gql<{ createApiKey: { key: string } }>(
        "mutation($name: String!) { createApiKey(input: { name: $name }) { key } }",
        { name },
        { cookie },
      );
      if (!result.data) throw new Error(`createApiKey failed: ${JSON.stringify(result.errors)}`);
      return result.data.createApiKey.key;
    },
  };
  function watchCookie(cookie: string): string {
    for (const part of cookie.split("; ")) leakWatch.secret(decodeURIComponent(part.split("=")[1] ?? ""));
    return cookie;
  }

  await spawn();
  return handle;
}

async function signIn(url: string, email: string, password: string): Promise<string> {
  return eventually(
    async () => {
      const response = await fetch(`${url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
      const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]);
      return cookies.join("; ");
    },
    { timeoutMs: 5_000, message: "sign in" },
  );
}
