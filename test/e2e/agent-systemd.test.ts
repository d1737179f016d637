// End to end, the production shape: the compiled `novacula` agent runs as novacula-agent.service inside a
// real systemd (private namespace), against a real control plane on loopback, and installs real anvil from
// the control plane's artifact store (the client catalog's entry, sha256-checked by the agent). Each journey deploys its own
// node(s) through GraphQL and asserts what systemd runs, what the chain answers and what the agent reports.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { sha256File } from "../../src/modes/agent/checksum.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { AGENT_UNIT } from "../../src/modes/agent/units.ts";
import { ANVIL_SHA256 } from "../agent/helpers.ts";
import {
  type AgentInSystemd,
  compiledNovacula,
  nodeUnits,
  startAgentInSystemd,
} from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { ANVIL, blockNumber, freePort } from "../supervisor/suite.ts";

const SETUP_MS = 180_000;
const JOURNEY_MS = 240_000;
const WAIT = { timeoutMs: 60_000, intervalMs: 200 };
/** Where the agent installs the catalog's anvil: content-addressed under its data dir. */
const installedAnvil = () => join(agent.dataDir, "artifacts", ANVIL_SHA256);
const NODE_FIELDS = "id name revision observedRevision phase desiredState observed spec";

interface NodeView {
  id: string;
  name: string;
  revision: number;
  observedRevision: number | null;
  phase: string;
  desiredState: string;
  observed: { processes?: { mainPid?: number }[]; metrics?: { blockHeight?: number } } | null;
  spec: Record<string, unknown> & { overrides?: { args?: Record<string, string[]> } };
}
interface Deployed {
  id: string;
  name: string;
  port: number;
  unit: string;
}

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let agent: AgentInSystemd;
let cookie: string;
let executorId: string;
let workDir: string;

beforeAll(async () => {
  workDir = testWorkDir("e2e-agent-systemd");
  const binaryPath = compiledNovacula(workDir);
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  const accessToken = await cp.createExecutorKey("e2e-agent");
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken,
  });
  cookie = await cp.adminSession();
  executorId = await eventually(
    async () => {
      const { executors } = await gql<{ executors: { id: string; name: string }[] }>(
        "{ executors { id name } }",
      );
      return executors.find((e) => e.name === agent.name)?.id;
    },
    { ...WAIT, message: `executor ${agent.name} to register` },
  ).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await agent.journal()}`);
  });
}, SETUP_MS);

afterAll(async () => {
  // Killing the namespace's PID 1 takes the agent and every node unit with it.
  await ns?.stop();
  await cp?.stop();
}, SETUP_MS);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const nodeView = async (id: string) =>
  (await gql<{ node: NodeView }>(`query($id: ID!) { node(where: { id: $id }) { ${NODE_FIELDS} } }`, { id }))
    .node;

async function deploy(name: string): Promise<Deployed> {
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
  const { createNode } = await gql<{ createNode: NodeView }>(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { ${NODE_FIELDS} } }`,
    { data: { executorId, name, spec } },
  );
  return { id: createNode.id, name: createNode.name, port, unit: `devnet-node@${createNode.name}` };
}

const lifecycle = (id: string, action: "start" | "stop" | "restart") =>
  gql(
    `mutation($id: ID!, $a: NodeLifecycleAction!) { requestNodeLifecycleAction(id: $id, action: $a) { id } }`,
    {
      id,
      a: action,
    },
  );

async function editArgs(id: string, args: string[]): Promise<number> {
  const current = await nodeView(id);
  const { desiredState: _d, restartGeneration: _r, ...spec } = current.spec;
  const next = { ...spec, overrides: { ...(spec.overrides ?? {}), args: { anvil: args } } };
  const { updateNode } = await gql<{ updateNode: NodeView }>(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
    { id, spec: next },
  );
  return updateNode.revision;
}

async function unitState(unit: string) {
  const props = (
    await systemctlShow([`${unit}.service`], ["LoadState", "ActiveState", "MainPID"], {
      commandPrefix: ns.commandPrefix,
    })
  ).get(`${unit}.service`)!;
  return { load: props.LoadState, active: props.ActiveState, pid: Number(props.MainPID ?? 0) };
}

/** The agent has materialized the node's latest revision (and reported it). */
async function converged(id: string, message: string): Promise<NodeView> {
  return eventually(
    async () => {
      const node = await nodeView(id);
      return node.observedRevision === node.revision ? node : null;
    },
    { ...WAIT, message },
  ).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await agent.journal(80)}`);
  });
}

async function runningPid(d: Deployed, notPid = 0): Promise<number> {
  const state = await eventually(
    async () => {
      const s = await unitState(d.unit);
      return s.active === "active" && s.pid > 0 && s.pid !== notPid ? s : null;
    },
    { ...WAIT, message: `${d.unit} to run (not as pid ${notPid})` },
  );
  return state.pid;
}

const heightAbove = (d: Deployed, min: number) =>
  eventually(
    async () => {
      const h = await blockNumber(d.port);
      return h > min ? h : null;
    },
    { ...WAIT, message: `${d.name}'s block height to pass ${min}` },
  );

const unitFile = (d: Deployed) => join(ns.hostUnitDir, `${d.unit}.service`);
const nodeDir = (d: Deployed) => join(agent.dataDir, "nodes", d.name);

describe("agent under systemd, end to end", () => {
  test(
    "deploy: anvil is installed from the control plane's artifact store and sha256-checked, its unit runs, blocks rise and the agent reports it",
    async () => {
      const d = await deploy("e2e-deploy");
      await runningPid(d);
      expect(await sha256File(installedAnvil())).toBe(ANVIL_SHA256);
      expect(await sha256File(ANVIL)).toBe(ANVIL_SHA256);
      expect(readFileSync(unitFile(d), "utf8")).toContain(`ExecStart=${installedAnvil()} `);
      const h = await heightAbove(d, 0);
      await heightAbove(d, h);
      const node = await converged(d.id, "revision 1 to be reported");
      expect(node.revision).toBe(1);
      await eventually(async () => ((await nodeView(d.id)).observed?.metrics?.blockHeight ?? 0) > 0, {
        ...WAIT,
        message: "the reported block height",
      });
    },
    JOURNEY_MS,
  );

  test(
    "stop: the unit stops with its data kept, and start resumes the same chain",
    async () => {
      const d = await deploy("e2e-stop");
      await runningPid(d);
      await converged(d.id, "deployed");
      const before = await heightAbove(d, 2);
      await lifecycle(d.id, "stop");
      await converged(d.id, "the stop to be applied");
      await eventually(async () => (await unitState(d.unit)).active === "inactive", {
        ...WAIT,
        message: "stopped",
      });
      expect(existsSync(unitFile(d))).toBe(true);
      // anvil dumps its chain to data/state.json on SIGTERM: that is the node's data.
      expect(existsSync(join(nodeDir(d), "data", "state.json"))).toBe(true);
      await expect(blockNumber(d.port)).rejects.toThrow();

      await lifecycle(d.id, "start");
      await runningPid(d);
      await converged(d.id, "the start to be applied");
      const after = await eventually(() => blockNumber(d.port).catch(() => null), {
        ...WAIT,
        message: "RPC",
      });
      expect(after).toBeGreaterThanOrEqual(before);
    },
    JOURNEY_MS,
  );

  test(
    "restart: the node's process is replaced by a new one (new MainPID)",
    async () => {
      const d = await deploy("e2e-restart");
      const pid = await runningPid(d);
      await converged(d.id, "deployed");
      await lifecycle(d.id, "restart");
      const newPid = await runningPid(d, pid);
      expect(newPid).not.toBe(pid);
      await converged(d.id, "the restart to be applied");
      await heightAbove(d, 0);
    },
    JOURNEY_MS,
  );

  test(
    "config edit: only the edited node's process restarts, with the new args",
    async () => {
      const [a, b] = [await deploy("e2e-edit-a"), await deploy("e2e-edit-b")];
      const [pidA, pidB] = [await runningPid(a), await runningPid(b)];
      await converged(a.id, "a deployed");
      await converged(b.id, "b deployed");
      await editArgs(a.id, ["--accounts", "3"]);
      await converged(a.id, "the edit to be applied");
      const newA = await runningPid(a, pidA);
      expect(newA).not.toBe(pidA);
      expect(readFileSync(unitFile(a), "utf8")).toContain("--accounts 3");
      expect((await unitState(b.unit)).pid).toBe(pidB);
      await heightAbove(a, 0);
    },
    JOURNEY_MS,
  );

  test(
    "rollback: an earlier revision's spec comes back as a new revision and is applied",
    async () => {
      const d = await deploy("e2e-rollback");
      await converged(d.id, "deployed");
      await editArgs(d.id, ["--accounts", "2"]);
      await converged(d.id, "the edit");
      expect(readFileSync(unitFile(d), "utf8")).toContain("--accounts 2");
      const { rollbackNode } = await gql<{ rollbackNode: { revision: number } }>(
        "mutation($id: ID!) { rollbackNode(id: $id, revision: 1) { revision } }",
        { id: d.id },
      );
      expect(rollbackNode.revision).toBe(3);
      const node = await converged(d.id, "the rollback");
      expect(node.observedRevision).toBe(3);
      expect(readFileSync(unitFile(d), "utf8")).not.toContain("--accounts");
      await runningPid(d);
    },
    JOURNEY_MS,
  );

  test(
    "delete: the node's units and data are gone",
    async () => {
      const d = await deploy("e2e-delete");
      await runningPid(d);
      await converged(d.id, "deployed");
      expect(existsSync(nodeDir(d))).toBe(true);
      await gql("mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }", { id: d.id });
      await eventually(async () => !existsSync(unitFile(d)) && !existsSync(nodeDir(d)), {
        ...WAIT,
        message: "unit file and node directory to be removed",
      });
      expect((await nodeUnits(ns)).loaded).not.toContain(`${d.unit}.service`);
      await expect(blockNumber(d.port)).rejects.toThrow();
    },
    JOURNEY_MS,
  );

  test(
    "20 SIGKILLs of the agent while specs change: it converges to the latest revisions, no duplicate or orphan unit",
    async () => {
      const nodes = [await deploy("e2e-chaos-a"), await deploy("e2e-chaos-b")];
      const doomed = await deploy("e2e-chaos-doomed");
      for (const d of [...nodes, doomed]) await converged(d.id, `${d.name} deployed`);
      let seed = 42;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 20; i++) {
        const target = nodes[i % nodes.length]!;
        await editArgs(target.id, ["--accounts", String((i % 7) + 1)]);
        if (i === 9)
          await gql("mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }", { id: doomed.id });
        // Fault injection, not waiting: kill at a random moment of the agent's reaction to the change.
        await Bun.sleep(Math.floor(random() * 1_500));
        const killed = await agent.kill9();
        if (process.env.E2E_TRACE) console.log(`kill ${i}: agent pid ${killed}`);
        // 20 crashes in a minute would exhaust the flap budget (StartLimitBurst=3 in 120 s) by design and
        // stop the agent for good; clearing it keeps systemd restarting the agent so every kill counts.
        // The reset can reach systemd before it has even seen the kill (CI hit that race once: the unit then
        // failed for good), so the agent is also started explicitly: a no-op when systemd already did.
        await ns.exec(["systemctl", "reset-failed", AGENT_UNIT]);
        await ns.exec(["systemctl", "start", AGENT_UNIT]);
      }
      for (const d of nodes) {
        const node = await converged(d.id, `${d.name} to converge after the kills`);
        const args = (node.spec.overrides?.args?.anvil ?? []).join(" ");
        expect(readFileSync(unitFile(d), "utf8")).toContain(args);
        await runningPid(d);
      }
      await eventually(async () => !existsSync(unitFile(doomed)) && !existsSync(nodeDir(doomed)), {
        ...WAIT,
        message: "the node deleted mid-chaos to be gone",
      });
      const { files, loaded } = await nodeUnits(ns);
      for (const d of nodes) expect(files.filter((f) => f === `${d.unit}.service`)).toHaveLength(1);
      expect(files.some((f) => f.includes("chaos-doomed"))).toBe(false);
      expect(loaded.some((u) => u.includes("chaos-doomed"))).toBe(false);
      expect(files.some((f) => f.startsWith("."))).toBe(false);
      // Exactly one anvil per running node unit: no process escaped a unit the agent lost track of.
      const running = (await Promise.all(files.map((f) => unitState(f.replace(/\.service$/, ""))))).filter(
        (s) => s.active === "active",
      );
      const pgrep = await ns.exec(["pgrep", "-c", "-f", installedAnvil()]);
      expect(Number(pgrep.stdout.trim())).toBe(running.length);
    },
    JOURNEY_MS,
  );

  test(
    "control plane down for 60 s: nodes keep running, then the agent reconnects and reports again",
    async () => {
      const d = await deploy("e2e-cp-down");
      const pid = await runningPid(d);
      await converged(d.id, "deployed");
      await cp.kill();
      const downUntil = Date.now() + 60_000;
      let height = await blockNumber(d.port);
      // A bounded observation window: all along, the node keeps its process and keeps producing blocks.
      while (Date.now() < downUntil) {
        height = await heightAbove(d, height);
        expect((await unitState(d.unit)).pid).toBe(pid);
      }
      const restartedAt = Date.now();
      await cp.restart();
      cookie = await cp.adminSession();
      await eventually(
        async () => {
          const { node } = await gql<{ node: { observedAt: string | null } }>(
            "query($id: ID!) { node(where: { id: $id }) { observedAt } }",
            { id: d.id },
          );
          return node.observedAt !== null && Date.parse(node.observedAt) > restartedAt;
        },
        { ...WAIT, message: "a fresh report after the control plane came back" },
      );
      // Status follows syncs only (a report alone does not make an executor online), and the first sync
      // after the restart may come after the first report.
      await eventually(
        async () => {
          const { executor } = await gql<{ executor: { status: string } }>(
            "query($id: ID!) { executor(where: { id: $id }) { status } }",
            { id: executorId },
          );
          return executor.status === "online";
        },
        { ...WAIT, message: "the executor online again after its next sync" },
      );
      expect((await unitState(d.unit)).pid).toBe(pid);
    },
    JOURNEY_MS,
  );
});
