// The one-line installer, end to end, as a person adding a host runs it: the compiled control plane (real
// HTTP) hands out an install command through GraphQL; that command runs as it is inside a private systemd
// namespace (`curl … | sudo … sh`), downloads the binary for the host's architecture from the control
// plane, writes /etc/novacula/agent.toml and starts novacula-agent.service; the agent registers, and a
// devnet node deployed through GraphQL downloads anvil from the control plane and reaches `running`.
//
// The installer writes where it does on a real host (/usr/local/bin, /etc, /var/lib): inside the namespace
// those directories are overlays on tmpfs, so the machine running the test is never changed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { compiledNovacula } from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { blockNumber, freePort } from "../supervisor/suite.ts";

const SETUP_MS = 180_000;
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };
/** Directories the installer and the agent write to on a host, made private to the namespace. */
const HOST_DIRS = ["/etc", "/usr/local", "/var/lib"];

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let cookie: string;

async function inNamespace(argv: string[], timeoutMs = 120_000) {
  const result = await ns.exec(argv, { timeoutMs });
  if (result.code !== 0) {
    throw new Error(`${argv.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

async function journal(): Promise<string> {
  return (await ns.exec(["journalctl", "-u", "novacula-agent", "--no-pager", "-n", "80"])).stdout;
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

beforeAll(async () => {
  const workDir = testWorkDir("e2e-installer");
  // The control plane serves its own executable at /download/novacula: it must be the compiled binary.
  process.env.NOVACULA_BINARY = compiledNovacula(workDir);
  ns = await bootSystemd(join(workDir, "ns"));
  for (const dir of HOST_DIRS) {
    const layer = `/run/host-overlay${dir}`;
    await inNamespace(["mkdir", "-p", `${layer}/upper`, `${layer}/work`]);
    await inNamespace([
      "mount",
      "-t",
      "overlay",
      "overlay",
      "-o",
      `lowerdir=${dir},upperdir=${layer}/upper,workdir=${layer}/work`,
      dir,
    ]);
  }
  const port = await freePort();
  // Anvil comes from this checkout's node_modules (the control plane runs with the repository as cwd).
  cp = await startControlPlane({
    dataDir: join(workDir, "control-plane"),
    env: { PORT: String(port), BETTER_AUTH_URL: `http://127.0.0.1:${port}` },
  });
  cookie = await cp.adminSession();
}, SETUP_MS);

afterAll(async () => {
  await ns?.stop();
  await cp?.stop();
}, SETUP_MS);

test(
  "on a host whose architecture the control plane has no build for, the installer stops and says why",
  async () => {
    // An aarch64 host, as far as the installer can tell: `uname -m` answers aarch64. sudo keeps its own
    // secure PATH, whose first entry is /usr/local/sbin (private to the namespace): the stand-in goes there.
    await inNamespace(["mkdir", "-p", "/usr/local/sbin"]);
    await inNamespace([
      "sh",
      "-c",
      `printf '#!/bin/sh\\n[ "$1" = -m ] && echo aarch64 || exec /usr/bin/uname "$@"\\n' > /usr/local/sbin/uname && chmod 755 /usr/local/sbin/uname`,
    ]);
    const { connectExecutor } = await gql<{ connectExecutor: { installCommand: string; key: string } }>(
      'mutation { connectExecutor(input: { kind: agent, name: "arm-host" }) { installCommand key } }',
    );
    cp.leakWatch.secret(connectExecutor.key);
    const refused = await ns.exec(["sh", "-c", connectExecutor.installCommand], {
      timeoutMs: 60_000,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("linux-arm64");
    expect(refused.stderr).toContain("novacula-linux-arm64"); // the control plane's hint: where a build goes
    expect((await ns.exec(["test", "-e", "/usr/local/bin/novacula"])).code).not.toBe(0);
    await inNamespace(["rm", "/usr/local/sbin/uname"]);
  },
  SETUP_MS,
);

test(
  "the install command handed out by the control plane sets up a host whose devnet node reaches running",
  async () => {
    const { connectExecutor } = await gql<{ connectExecutor: { installCommand: string; key: string } }>(
      'mutation { connectExecutor(input: { kind: agent, name: "installed-host" }) { installCommand key } }',
    );
    cp.leakWatch.secret(connectExecutor.key);
    const installed = await inNamespace(["sh", "-c", connectExecutor.installCommand], 180_000);
    expect(installed.stdout).toContain("novacula-install: done");

    // The installer put the binary, the config and the service where a host has them.
    await inNamespace(["/usr/local/bin/novacula", "--version"]);
    const mode = await inNamespace(["stat", "-c", "%a %U", "/etc/novacula/agent.toml"]);
    expect(mode.stdout.trim()).toBe("600 root");
    await eventually(
      async () => (await ns.exec(["systemctl", "is-active", "novacula-agent"])).stdout.trim() === "active",
      { ...WAIT, message: "novacula-agent.service to be active" },
    );

    const executorId = await eventually(
      async () => {
        const { executors } = await gql<{ executors: { id: string; name: string; status: string }[] }>(
          "{ executors { id name status } }",
        );
        return executors.find((e) => e.name === "installed-host" && e.status === "online")?.id;
      },
      { ...WAIT, message: "the installed agent to register online" },
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await journal()}`);
    });

    const rpc = freePort();
    const { createNode } = await gql<{ createNode: { id: string } }>(
      "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
      {
        data: {
          executorId,
          name: "installed-devnet",
          spec: {
            chain: "devnet",
            network: "local",
            nodeType: "full",
            clients: { node: { name: "anvil", version: "1.7.1" } },
            ports: { rpc },
            settings: { blockTimeSecs: 1 },
          },
        },
      },
    );
    await eventually(
      async () => {
        const { node } = await gql<{ node: { phase: string } }>(
          "query($id: ID!) { node(where: { id: $id }) { phase } }",
          { id: createNode.id },
        );
        return node.phase === "running";
      },
      { ...WAIT, message: "the devnet node to reach running" },
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await journal()}`);
    });
    const height = await eventually(() => blockNumber(rpc).catch(() => null), {
      ...WAIT,
      message: "the node's RPC",
    });
    await eventually(async () => (await blockNumber(rpc)) > height, { ...WAIT, message: "blocks to rise" });
  },
  SETUP_MS * 2,
);
