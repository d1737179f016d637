// The environment scripts/bench-agent.ts measures, built from the test harness (never by hand): a real control
// plane on loopback, systemd booted in a private pid + mount namespace (test/harness/systemd.ts, with its /tmp
// masks), anvil from the control plane's artifact store, and the compiled agent as novacula-agent.service inside the
// namespace — reconfigured to the production defaults (info logs, reconcile 5 s, report 10 s) before any
// figure is taken. Also the GraphQL calls the phases make and readers for unit timestamps and agent /proc.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { parseUsUtcTimestamp, systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import { type AgentInSystemd, startAgentInSystemd } from "../../test/harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../../test/harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace } from "../../test/harness/systemd.ts";

export interface Bench {
  ns: SystemdNamespace;
  cp: ControlPlaneHandle;
  agent: AgentInSystemd;
  accessToken: string;
  executorId: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Namespace pid of the agent (0 when not running). */
  agentPid(): Promise<number>;
  /** Where the namespace's /proc is visible from the host. */
  procRoot: string;
  journal(lines?: number): Promise<string>;
}

export interface UnitTimes {
  active: string;
  /** Epoch µs of the last transition into `active` (systemd's own clock reading); null before any. */
  activeEnterUs: number | null;
  /** Epoch µs when the current main process was started. */
  execMainStartUs: number | null;
  mainPid: number;
}

export async function unitTimes(ns: SystemdNamespace, unit: string): Promise<UnitTimes> {
  const props =
    (
      await systemctlShow(
        [unit],
        ["ActiveState", "ActiveEnterTimestamp", "ExecMainStartTimestamp", "MainPID"],
        { commandPrefix: ns.commandPrefix, timeoutMs: 10_000 },
      )
    ).get(unit) ?? {};
  return {
    active: props.ActiveState ?? "unknown",
    activeEnterUs: parseUsUtcTimestamp(props.ActiveEnterTimestamp),
    execMainStartUs: parseUsUtcTimestamp(props.ExecMainStartTimestamp),
    mainPid: Number(props.MainPID ?? 0),
  };
}

/** Same keys as the harness's config minus its test speed-ups: what a production agent.toml leaves default. */
function productionConfig(options: {
  name: string;
  dataDir: string;
  controlPlaneUrl: string;
  accessToken: string;
  unitDir: string;
}): string {
  return [
    "[agent]",
    `name = "${options.name}"`,
    `data_dir = "${options.dataDir}"`,
    "[control_plane]",
    `url = "${options.controlPlaneUrl}"`,
    `access_token = "${options.accessToken}"`,
    "[supervisor]",
    'kind = "systemd"',
    `unit_dir = "${options.unitDir}"`,
    "",
  ].join("\n");
}

/** Boots everything; `track` receives each teardown as soon as its resource exists. */
export async function startBench(
  workDir: string,
  binaryPath: string,
  track: (stop: () => Promise<unknown>) => void,
  /** Extra environment for the agent's unit (a drop-in), e.g. to measure a runtime option. */
  agentEnv: readonly string[] = [],
): Promise<Bench> {
  const cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  track(() => cp.stop());
  const accessToken = await cp.createExecutorKey("bench-agent");
  const ns = await bootSystemd(join(workDir, "ns"));
  track(() => ns.stop());
  const agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken,
    name: "bench-agent",
  });
  writeFileSync(
    agent.configPath,
    productionConfig({
      name: agent.name,
      dataDir: agent.dataDir,
      controlPlaneUrl: cp.url,
      accessToken,
      unitDir: ns.unitDir,
    }),
    { mode: 0o600 },
  );
  if (agentEnv.length > 0) {
    const dropIn = join(ns.hostUnitDir, `${AGENT_UNIT}.d`);
    mkdirSync(dropIn, { recursive: true });
    const lines = agentEnv.map((kv) => `Environment=${JSON.stringify(kv)}`);
    writeFileSync(join(dropIn, "bench-env.conf"), `[Service]\n${lines.join("\n")}\n`);
    await ns.exec(["systemctl", "daemon-reload"]);
  }
  const firstPid = await agent.mainPid();
  const restarted = await ns.exec(["systemctl", "restart", AGENT_UNIT]);
  if (restarted.code !== 0) throw new Error(`systemctl restart ${AGENT_UNIT}: ${restarted.stderr}`);
  await eventually(async () => ((await agent.mainPid()) || firstPid) !== firstPid, {
    timeoutMs: 30_000,
    message: "the agent to run with the production config",
  });

  const cookie = await cp.adminSession();
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await cp.gql<T>(query, variables, { cookie });
    if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const executorId = await eventually(
    async () =>
      (await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")).executors.find(
        (e) => e.name === agent.name,
      )?.id,
    { timeoutMs: 60_000, intervalMs: 200, message: "the agent to register" },
  );
  return {
    ns,
    cp,
    agent,
    accessToken,
    executorId,
    gql,
    agentPid: () => agent.mainPid(),
    procRoot: `/proc/${ns.pid}/root/proc`,
    journal: (lines) => agent.journal(lines),
  };
}

const NODE_FIELDS = "id name revision observedRevision spec";
export interface NodeView {
  id: string;
  name: string;
  revision: number;
  observedRevision: number | null;
  spec: Record<string, unknown> & { overrides?: Record<string, unknown> };
}

export async function createDevnetNode(bench: Bench, name: string, port: number): Promise<NodeView> {
  const spec = {
    chain: "devnet",
    network: "local",
    nodeType: "full",
    clients: { node: { name: "anvil", version: "1.7.1" } },
    ports: { rpc: port },
    settings: { blockTimeSecs: 1 },
    restartPolicy: "always",
  };
  const { createNode } = await bench.gql<{ createNode: NodeView }>(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { ${NODE_FIELDS} } }`,
    { data: { executorId: bench.executorId, name, spec } },
  );
  return createNode;
}

export async function nodeView(bench: Bench, id: string): Promise<NodeView> {
  return (
    await bench.gql<{ node: NodeView }>(`query($id: ID!) { node(where: { id: $id }) { ${NODE_FIELDS} } }`, {
      id,
    })
  ).node;
}

/** A spec edit (anvil args) as the UI makes it: read the spec, change overrides, write it back. */
export async function editArgs(bench: Bench, node: NodeView, args: string[]): Promise<number> {
  const { desiredState: _d, restartGeneration: _r, ...spec } = node.spec;
  const next = { ...spec, overrides: { ...(spec.overrides ?? {}), args: { anvil: args } } };
  const { updateNode } = await bench.gql<{ updateNode: { revision: number } }>(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
    { id: node.id, spec: next },
  );
  return updateNode.revision;
}

/** A loopback port nobody listens on right now. */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}
