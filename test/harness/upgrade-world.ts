// Test harness: everything a self-upgrade journey needs, started once: two builds of the real `novacula` with
// a throwaway minisign key compiled in, a systemd namespace, a real control plane behind the upgrade proxy
// (test/harness/upgrade.ts), the agent running v1 as novacula-agent.service with a short confirmation deadline,
// and a devnet (anvil) node producing blocks. Used by test/e2e/agent-self-upgrade.test.ts and
// scripts/upgrade-torture.ts.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { installAgentService } from "../../src/modes/agent/install.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { blockNumber, freePort } from "../supervisor/suite.ts";
import { type AgentInSystemd, startAgentInSystemd } from "./agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "./control-plane.ts";
import { bootSystemd, type SystemdNamespace } from "./systemd.ts";
import {
  buildVersion,
  copyExecutable,
  type MinisignKey,
  minisignKeyPair,
  startUpgradeProxy,
  type UpgradeProxy,
} from "./upgrade.ts";

export const V1 = "0.1.1";
export const V2 = "0.1.2";

export interface UpgradeWorld {
  workDir: string;
  ns: SystemdNamespace;
  cp: ControlPlaneHandle;
  proxy: UpgradeProxy;
  agent: AgentInSystemd;
  trusted: MinisignKey;
  stranger: MinisignKey;
  v1: string;
  v2: string;
  /** The binary the agent's unit runs (and replaces). */
  binary: string;
  cookie: string;
  node: { name: string; port: number; unit: string };
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The unit's MainPID as the namespace sees it, 0 when it is not active. */
  mainPid(unit: string): Promise<number>;
  stop(): Promise<void>;
}

const WAIT = { timeoutMs: 90_000, intervalMs: 250 };

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
    const cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
    started.push(cp);
    const proxy = startUpgradeProxy(cp.url);
    started.push(proxy);
    // The agent's binary lives where the service can replace it (the namespace sees the same path).
    mkdirSync(join(ns.nodeDataDir, "bin"), { recursive: true });
    const binary = join(ns.nodeDataDir, "bin", "novacula");
    copyExecutable(v1, binary);
    const agent = await startAgentInSystemd({
      ns,
      workDir,
      binaryPath: binary,
      controlPlaneUrl: proxy.url,
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
      chain: "devnet",
      network: "local",
      nodeType: "full",
      clients: { node: { name: "anvil", version: "1.7.1" } },
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
      {
        ...WAIT,
        message: "the devnet node to produce blocks",
      },
    );
    return {
      workDir,
      ns,
      cp,
      proxy,
      agent,
      trusted,
      stranger,
      v1,
      v2,
      binary,
      cookie,
      node: { name: createNode.name, port, unit: `devnet-node@${createNode.name}.service` },
      gql,
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
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
}
