// Test harness: everything a self-upgrade journey needs, started once, on the real path: two builds of the
// real `novacula` with a throwaway minisign key compiled in (`--test-release-key`), a systemd namespace, a real
// control plane running the first build (so it trusts the same key, as a production one trusts the release
// keys), the agent running v1 as novacula-agent.service with a short confirmation deadline, and a devnet
// (anvil) node producing blocks. Releases are published with scripts/release.ts (upload + createExecutorRelease
// with a system admin's token) and upgrades requested with requestExecutorUpgrade. Between the agent and the
// control plane sits the fault server of test/harness/upgrade.ts: it forwards everything unchanged unless a
// journey sets one of its faults. Used by test/e2e/agent-self-upgrade.test.ts and scripts/upgrade-torture.ts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { installAgentService } from "../../src/modes/agent/install.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import { blockNumber, freePort } from "../supervisor/suite.ts";
import { type AgentInSystemd, startAgentInSystemd } from "./agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "./control-plane.ts";
import { bootSystemd, type SystemdNamespace } from "./systemd.ts";
import {
  buildVersion,
  copyExecutable,
  type FaultServer,
  type MinisignKey,
  minisignKeyPair,
  sha256Of,
  startFaultServer,
} from "./upgrade.ts";

export const V1 = "0.1.1";
export const V2 = "0.1.2";
const ROOT = resolve(import.meta.dir, "../..");

export interface ExecutorState {
  currentVersion: string;
  pendingUpgrade: { targetVersion: string; signature: string } | null;
}

export interface EventRow {
  type: string;
  createdAt: string;
  level: string;
  message: string;
  payload: Record<string, unknown> | null;
}

export interface UpgradeWorld {
  workDir: string;
  ns: SystemdNamespace;
  cp: ControlPlaneHandle;
  faults: FaultServer;
  agent: AgentInSystemd;
  executorId: string;
  trusted: MinisignKey;
  stranger: MinisignKey;
  v1: string;
  v2: string;
  /** The binary the agent's unit runs (and replaces). */
  binary: string;
  node: { name: string; port: number; unit: string };
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Publishes `path` as agent release `version` (linux-x64) with scripts/release.ts; its sha256. */
  publish(version: string, path: string): Promise<string>;
  /** The file the control plane serves for `sha256`. */
  storedRelease(sha256: string): string;
  request(version: string): Promise<void>;
  cancel(): Promise<void>;
  executor(): Promise<ExecutorState>;
  /** This executor's newest events (one page), newest first. */
  events(): Promise<EventRow[]>;
  /** The unit's MainPID as the namespace sees it, 0 when it is not active. */
  mainPid(unit: string): Promise<number>;
  stop(): Promise<void>;
}

const WAIT = { timeoutMs: 90_000, intervalMs: 250 };

async function adminToken(cp: ControlPlaneHandle, cookie: string): Promise<string> {
  const token = await cp.gql(
    `mutation { createPersonalAccessToken(input: { name: "release-script" }) { key } }`,
    {},
    { cookie },
  );
  if (!token.data) throw new Error(`createPersonalAccessToken failed: ${JSON.stringify(token.errors)}`);
  const key = token.data.createPersonalAccessToken.key as string;
  cp.leakWatch.secret(key);
  return key;
}

export async function startUpgradeWorld(workDir: string, confirmSecs: number): Promise<UpgradeWorld> {
  const trusted = minisignKeyPair(join(workDir, "keys"), "trusted");
  const stranger = minisignKeyPair(join(workDir, "keys"), "stranger");
  const [v1, v2] = await Promise.all([
    buildVersion(join(workDir, "builds"), V1, trusted.publicKey),
    buildVersion(join(workDir, "builds"), V2, trusted.publicKey),
  ]);
  const ns = await bootSystemd(join(workDir, "ns"));
  const started: { stop(): Promise<unknown> }[] = [ns];
  try {
    const cp = await startControlPlane({ dataDir: join(workDir, "control-plane"), binary: v1 });
    started.push(cp);
    const faults = startFaultServer(cp.url);
    started.push(faults);
    // The agent's binary lives where the service can replace it (the namespace sees the same path).
    mkdirSync(join(ns.nodeDataDir, "bin"), { recursive: true });
    const binary = join(ns.nodeDataDir, "bin", "novacula");
    copyExecutable(v1, binary);
    const agent = await startAgentInSystemd({
      ns,
      workDir,
      binaryPath: binary,
      controlPlaneUrl: faults.url,
      accessToken: await cp.createExecutorKey("self-upgrade"),
      name: "upgrade-agent",
    });
    // Installed again with a short confirmation deadline, so "never syncs" journeys are quick.
    await installAgentService({
      binaryPath: binary,
      configPath: agent.configPath,
      unitDir: ns.hostUnitDir,
      commandPrefix: ns.commandPrefix,
      upgradeConfirmSecs: confirmSecs,
    });
    const cookie = await cp.adminSession();
    const token = await adminToken(cp, cookie);
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const result = await cp.gql<T>(query, variables, { cookie });
      if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
      return result.data;
    };
    const executorId = await eventually(
      async () =>
        (
          await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")
        ).executors.find((e) => e.name === agent.name)?.id,
      { ...WAIT, message: "the agent to register" },
    );
    const port = freePort();
    const spec = {
      ...DEVNET_SPEC,
      ports: { rpc: port },
      settings: { blockTimeSecs: 1 },
      restartPolicy: "always",
    };
    const { createNode } = await gql<{ createNode: { name: string } }>(
      "mutation($data: NodeCreateInput!) { createNode(data: $data) { name } }",
      { data: { executorId, name: "upgrade-devnet", spec } },
    );
    await eventually(
      () =>
        blockNumber(port)
          .then((h) => h > 0)
          .catch(() => false),
      { ...WAIT, message: "the devnet node to produce blocks" },
    );
    const secretKey = join(workDir, "keys", "trusted.key");
    const world: UpgradeWorld = {
      workDir,
      ns,
      cp,
      faults,
      agent,
      executorId,
      trusted,
      stranger,
      v1,
      v2,
      binary,
      node: { name: createNode.name, port, unit: `devnet-node@${createNode.name}.service` },
      gql,
      async publish(version, path) {
        const run = Bun.spawn(
          [
            process.execPath,
            join(ROOT, "scripts/release.ts"),
            "--version",
            version,
            "--channel",
            "stable",
            "--control-plane",
            cp.url,
            "--binary",
            `linux-x64=${path}`,
          ],
          {
            cwd: ROOT,
            env: {
              PATH: process.env.PATH ?? "/usr/bin:/bin",
              NOVACULA_RELEASE_TOKEN: token,
              NOVACULA_RELEASE_SECRET_KEY_FILE: secretKey,
              // The script checks its signature against the keys novacula trusts; it runs from source.
              NOVACULA_TEST_RELEASE_KEY: trusted.publicKey,
            },
            stdout: "pipe",
            stderr: "pipe",
          },
        );
        const [out, err, code] = await Promise.all([
          new Response(run.stdout).text(),
          new Response(run.stderr).text(),
          run.exited,
        ]);
        if (code !== 0) throw new Error(`release.ts ${version} failed (${code}): ${out}${err}`);
        return sha256Of(path);
      },
      storedRelease: (sha256) => join(cp.dataDir, "releases", "sha256", sha256),
      async request(version) {
        await gql(
          "mutation($id: ID!, $v: String!) { requestExecutorUpgrade(executorId: $id, targetVersion: $v) { id } }",
          { id: executorId, v: version },
        );
      },
      async cancel() {
        await gql("mutation($id: ID!) { cancelExecutorUpgrade(executorId: $id) { id } }", { id: executorId });
      },
      async executor() {
        return (
          await gql<{ executor: ExecutorState }>(
            "query($id: ID!) { executor(where: { id: $id }) { currentVersion pendingUpgrade } }",
            { id: executorId },
          )
        ).executor;
      },
      async events() {
        return (
          await gql<{ events: EventRow[] }>(
            "query($id: ID!) { events(filter: { executorId: $id }) { type createdAt level message payload } }",
            { id: executorId },
          )
        ).events;
      },
      async mainPid(unit) {
        const shown = await systemctlShow([unit], ["ActiveState", "MainPID"], {
          commandPrefix: ns.commandPrefix,
        });
        const props = shown.get(unit)!;
        return props.ActiveState === "active" ? Number(props.MainPID) : 0;
      },
      async stop() {
        for (const s of started.reverse()) await s.stop();
        rmSync(join(workDir, "builds"), { recursive: true, force: true });
      },
    };
    return world;
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
}

/** Replaces the bytes the control plane serves for `sha256` (a corrupted store: the agent must refuse them). */
export function corruptStoredRelease(world: UpgradeWorld, sha256: string): void {
  const path = world.storedRelease(sha256);
  const bytes = readFileSync(path);
  bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0xff;
  writeFileSync(path, bytes);
}
