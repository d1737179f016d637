#!/usr/bin/env bun
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
// `npm start`: the whole product on one machine, no systemd needed. Starts the control plane (SQLite under
// ./.novacula/), an agent with the process supervisor, and a devnet node (anvil) created through the GraphQL
// API like a user would; waits until blocks rise, prints where everything is, and stops it all on Ctrl-C.
// Reruns reuse the same admin password, executor key, agent data and node (the chain keeps its blocks).
//
// Environment: PORT (control plane, default 3000), DEVNET_PORT (anvil RPC; unset, the agent's port plan gives
// 8545, or the next free port when something else holds it), INITIAL_ADMIN_EMAIL,
// INITIAL_ADMIN_PASSWORD (default: generated once and kept in the data directory), NOVACULA_DATA_DIR.
// The control plane listens on 127.0.0.1 only and serves anvil to the agent from node_modules itself.
import type { Subprocess } from "bun";
import { parse as parseToml } from "smol-toml";

const ROOT = resolve(import.meta.dir, "..");
const STATE = resolve(process.env.NOVACULA_DATA_DIR || join(ROOT, ".novacula"));
const PORT = Number(process.env.PORT ?? 3000);
// The public URL the control plane is told (BETTER_AUTH_URL) and the one printed: sign-in works there and
// at localhost on the same port.
const URL_BASE = `http://127.0.0.1:${PORT}`;
const ADMIN_EMAIL = process.env.INITIAL_ADMIN_EMAIL ?? "admin@novacula.local";
const AGENT_NAME = "demo-agent";
const NODE_NAME = "devnet-demo";
const WAIT_MS = 90_000;

const say = (line: string) => console.log(`novacula demo: ${line}`);
const children: { name: string; proc: Subprocess }[] = [];

class DemoError extends Error {}
function fail(message: string): never {
  throw new DemoError(message);
}

/** Poll until `check` gives a value, or fail with `what` after the deadline. Never a fixed sleep. */
async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = WAIT_MS,
) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    for (const child of children) {
      if (child.proc.exitCode !== null)
        fail(`${child.name} exited (code ${child.proc.exitCode}); see ${join(STATE, `${child.name}.log`)}`);
    }
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) fail(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    await Bun.sleep(250);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** A secret kept in the data directory so that reruns print the same one. */
function persisted(file: string, make: () => string): string {
  const path = join(STATE, file);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return value;
}

function spawnLogged(name: string, argv: string[], env: Record<string, string>): Subprocess {
  const log = openSync(join(STATE, `${name}.log`), "a");
  // Own process group: the terminal's Ctrl-C reaches only this script, which then stops things in order
  // (agent first, so its node stops cleanly; then the control plane).
  const proc = Bun.spawn(argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", log, log],
    detached: true,
  });
  children.push({ name, proc });
  return proc;
}

let cookie = "";
async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${URL_BASE}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${response.status}`);
  return body.data;
}

async function signIn(password: string): Promise<string> {
  const response = await fetch(`${URL_BASE}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN_EMAIL, password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(
      `sign-in as ${ADMIN_EMAIL} answered ${response.status}: the admin was created on the first run of ${STATE} with the password of that run; use it, or remove ${STATE} and retry`,
    );
  }
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function blockNumber(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    signal: AbortSignal.timeout(2000),
  });
  const { result } = (await response.json()) as { result: string };
  return Number.parseInt(result, 16);
}

/** The executor key from a previous run's agent.toml, so reruns do not pile up keys. */
function previousKey(configPath: string): string | null {
  if (!existsSync(configPath)) return null;
  try {
    const doc = parseToml(readFileSync(configPath, "utf8")) as { control_plane?: { access_token?: string } };
    return doc.control_plane?.access_token ?? null;
  } catch {
    return null;
  }
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Reverse start order: the agent stops its node (anvil saves its chain state), then the control plane.
  for (const { name, proc } of [...children].reverse()) {
    if (proc.exitCode !== null) continue;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 45_000);
    await proc.exited;
    clearTimeout(timer);
    say(`${name} stopped`);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(STATE, { recursive: true, mode: 0o700 });
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  if (!(await portFree(PORT))) fail(`port ${PORT} is taken: stop what runs there or set PORT=<another port>`);

  // 1. The control plane; it serves anvil to the agent (sha256-checked) from this checkout's node_modules.
  const password =
    process.env.INITIAL_ADMIN_PASSWORD ||
    persisted("admin-password", () => `demo-${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`);
  say(`starting the control plane on ${URL_BASE} (log: ${join(STATE, "control-plane.log")})`);
  spawnLogged("control-plane", [process.execPath, join(ROOT, "src/main.ts"), "control-plane"], {
    PORT: String(PORT),
    HOST: "127.0.0.1",
    BETTER_AUTH_URL: URL_BASE,
    NOVACULA_DATA_DIR: STATE,
    INITIAL_ADMIN_EMAIL: ADMIN_EMAIL,
    INITIAL_ADMIN_PASSWORD: password,
  });
  await until("the control plane", async () => (await fetch(`${URL_BASE}/healthz`)).ok);
  // From source the web UI is bundled on its first request: do it now, so the page opens at once.
  await until("the web UI", async () => (await fetch(`${URL_BASE}/`)).ok, 30_000);
  say(`web UI: ${URL_BASE}  (sign in as ${ADMIN_EMAIL} with password ${password})`);
  cookie = await until("the admin sign-in", () => signIn(password), 15_000);

  // 2. An executor key and the agent (process supervisor: this machine need not run systemd).
  const configPath = join(STATE, "agent.toml");
  let key = previousKey(configPath);
  if (key) {
    const keys = await gql<{ apiKeys: { start: string; status: string }[] }>(
      "query { apiKeys { start status } }",
    );
    if (!keys.apiKeys.some((k) => key!.startsWith(k.start) && k.status === "active")) key = null;
  }
  if (!key) {
    const created = await gql<{ createApiKey: { key: string } }>(
      'mutation { createApiKey(input: { name: "demo-agent", expiresInDays: 365 }) { key } }',
    );
    key = created.createApiKey.key;
  }
  const agentData = join(STATE, "agent");
  writeFileSync(
    configPath,
    [
      "# Written by scripts/demo.ts: the local demo's agent (docs/agent-config.md).",
      "[agent]",
      `name = "${AGENT_NAME}"`,
      `data_dir = "${agentData}"`,
      "[control_plane]",
      `url = "${URL_BASE}"`,
      `access_token = "${key}"`,
      "[logging]",
      'format = "pretty"',
      "[supervisor]",
      'kind = "process"',
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  say(`starting the agent (log: ${join(STATE, "agent.log")})`);
  spawnLogged("agent", [process.execPath, join(ROOT, "src/main.ts"), "agent", "run", "-c", configPath], {});
  const executor = await until("the agent to register", async () => {
    const { executors } = await gql<{ executors: { id: string; status: string }[] }>(
      `query { executors(where: { name: { equals: "${AGENT_NAME}" } }) { id status } }`,
    );
    return executors.find((e) => e.status === "online");
  });

  // 3. The devnet node, created through the API as a user would (reused on reruns). Its RPC port is the
  // agent's choice (the adapter's default, moved when something else holds it) unless DEVNET_PORT sets it.
  const { nodes } = await gql<{ nodes: { id: string }[] }>(
    `query($e: ID!) { nodes(where: { executorId: $e, name: { equals: "${NODE_NAME}" } }) { id } }`,
    { e: executor.id },
  );
  let nodeId = nodes[0]?.id;
  if (!nodeId) {
    const devnetPort = process.env.DEVNET_PORT ? Number(process.env.DEVNET_PORT) : null;
    if (devnetPort !== null && !(await portFree(devnetPort)))
      fail(`port ${devnetPort} is taken: stop what runs there, set DEVNET_PORT=<another port>, or unset it`);
    const created = await gql<{ createNode: { id: string } }>(
      "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
      {
        data: {
          executorId: executor.id,
          name: NODE_NAME,
          spec: {
            chain: "devnet",
            network: "local",
            nodeType: "full",
            clients: { node: { name: "anvil", version: "1.7.1" } },
            ...(devnetPort !== null ? { ports: { rpc: devnetPort } } : {}),
            settings: { blockTimeSecs: 1, chainId: 31337 },
          },
        },
      },
    );
    nodeId = created.createNode.id;
    say(`created node ${NODE_NAME} (devnet, anvil 1.7.1)`);
  }
  // Where the agent put it, as it reports it (GraphQL Node.ports).
  const rpcPort = await until("the devnet node's RPC port", async () => {
    const { node } = await gql<{ node: { ports: { name: string; port: number; allocated: boolean }[] } }>(
      "query($id: ID!) { node(where: { id: $id }) { ports { name port allocated } } }",
      { id: nodeId },
    );
    const rpc = node.ports.find((p) => p.name === "rpc");
    return rpc?.allocated ? rpc.port : null;
  });
  const first = await until("the devnet RPC", () =>
    blockNumber(rpcPort)
      .catch(() => null)
      .then((n) => n !== null && { n }),
  );
  await until("the block height to rise", async () => (await blockNumber(rpcPort)) > first.n);

  console.log(`
  Novacula is running.

    Web UI          ${URL_BASE}   (the devnet node: ${URL_BASE}/nodes; GraphQL at ${URL_BASE}/graphql)
    Admin           ${ADMIN_EMAIL}
    Password        ${password}
    Devnet RPC      http://127.0.0.1:${rpcPort}   (chain id 31337, a block every second)
    Logs            ${join(STATE, "control-plane.log")}, ${join(STATE, "agent.log")}

  Ctrl-C to stop.
`);
}

try {
  await main();
} catch (error) {
  console.error(`novacula demo: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
