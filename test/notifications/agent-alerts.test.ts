// Alerts end to end with real parts only: the control plane (harness), a real agent process with the
// process supervisor, anvil installed from the control plane's artifacts, and a real webhook receiver.
// Killing anvil behind the agent's back opens node_down within one report interval and the receiver gets
// it signed; the agent restarting it resolves it. Stopping the agent opens executor_offline; starting it
// again resolves it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { blockNumber, freePort, makeTestDir } from "../agent/helpers.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { Receiver, verifySignature } from "./receiver.ts";

const T = 120_000;
const WAIT = { timeoutMs: 45_000, intervalMs: 100 };
const REPORT_INTERVAL_SECS = 5;
const HEARTBEAT_TIMEOUT_MS = 15_000;

let cp: ControlPlaneHandle;
let agent: AgentProcess;
let cookie: string;
let executorId: string;
let receiver: Receiver;
let secret: string;
const scratch = makeTestDir("agent-alerts");

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

interface Incident {
  id: string;
  rule: string;
  status: string;
  subjectKey: string;
  openedAt: string;
  resolvedAt: string | null;
}
const incidentsOf = async (subjectKey: string) =>
  (
    await gql<{ notificationIncidents: Incident[] }>(
      "{ notificationIncidents { id rule status subjectKey openedAt resolvedAt } }",
    )
  ).notificationIncidents.filter((i) => i.subjectKey === subjectKey);

const nodeView = async (id: string) =>
  (
    await gql<{ node: { phase: string; observed: { processes: { mainPid?: number }[] } | null } }>(
      "query($id: ID!) { node(where: { id: $id }) { phase observed } }",
      { id },
    )
  ).node;

beforeAll(async () => {
  cp = await startControlPlane({ env: { HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS) } });
  cookie = await cp.adminSession();
  receiver = new Receiver();
  const saved = await gql(
    `mutation($i: SaveNotificationSettingsInput!) { saveNotificationSettings(input: $i) { webhookSecret } }`,
    { i: { webhookUrl: receiver.url, webhookEnabled: true } },
  );
  secret = cp.leakWatch.secret(saved.saveNotificationSettings.webhookSecret);
  const token = await cp.createExecutorKey("alerts-agent");
  agent = agentProcess(scratch.dir, {
    url: cp.url,
    token,
    name: "alerts-agent",
    reporterIntervalSecs: REPORT_INTERVAL_SECS,
  });
  await agent.start();
  executorId = String((await agent.waitForLog("executor registered")).executorId);
}, T);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  receiver?.stop();
  scratch.cleanup();
}, T);

describe("alerts with a real agent and anvil", () => {
  test(
    "anvil killed behind the agent's back opens node_down within one report interval, signed to the receiver; the restart resolves it",
    async () => {
      const port = await freePort();
      const created = await gql(`mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`, {
        data: {
          executorId,
          name: "watched",
          spec: {
            chain: "devnet",
            network: "local",
            nodeType: "full",
            clients: { node: { name: "anvil", version: "1.7.1" } },
            ports: { rpc: port },
            // A dead process stays down until someone acts, so the outage is observable.
            restartPolicy: "no",
          },
        },
      });
      const id = created.createNode.id as string;
      const running = await eventually(
        async () => {
          const n = await nodeView(id);
          return n.phase === "running" && n.observed?.processes[0]?.mainPid ? n : null;
        },
        { ...WAIT, message: "anvil running" },
      );
      await eventually(async () => (await blockNumber(port)) >= 1, { ...WAIT, message: "blocks" });

      const killedAt = Date.now();
      process.kill(running.observed!.processes[0]!.mainPid!, "SIGKILL");
      const opened = await eventually(
        async () => (await incidentsOf(id)).find((i) => i.rule === "node_down" && i.status === "open"),
        { ...WAIT, message: "node_down open" },
      );
      expect(Date.parse(opened.openedAt) - killedAt).toBeLessThanOrEqual(REPORT_INTERVAL_SECS * 1000);
      const openDelivery = await eventually(
        () => receiver.matching({ incidentId: opened.id, status: "open" })[0],
        { ...WAIT, message: "the open delivery" },
      );
      expect(openDelivery.json).toMatchObject({
        rule: "node_down",
        subjectKind: "node",
        subjectKey: id,
        subjectName: "watched",
        message: "Node watched is down",
        resolvedAt: null,
      });
      expect(verifySignature(secret, openDelivery.headers["x-novacula-signature"], openDelivery.body)).toBe(
        true,
      );

      await gql(`mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: restart) { id } }`, { id });
      const resolved = await eventually(
        () => receiver.matching({ incidentId: opened.id, status: "resolved" })[0],
        { ...WAIT, message: "the resolved delivery after the restart" },
      );
      expect(verifySignature(secret, resolved.headers["x-novacula-signature"], resolved.body)).toBe(true);
      expect(resolved.json.message).toBe("Node watched is up again");
      expect(await blockNumber(port)).toBeGreaterThanOrEqual(0);
      const after = await incidentsOf(id);
      expect(after.filter((i) => i.status === "open")).toEqual([]);
      expect(after.find((i) => i.id === opened.id)!.resolvedAt).not.toBeNull();
    },
    T,
  );

  test(
    "stopping the agent opens executor_offline; starting it again resolves it",
    async () => {
      await agent.stop();
      const opened = await eventually(
        async () =>
          (await incidentsOf(executorId)).find((i) => i.rule === "executor_offline" && i.status === "open"),
        { ...WAIT, message: "executor_offline open" },
      );
      const delivered = await eventually(
        () => receiver.matching({ incidentId: opened.id, status: "open" })[0],
        { ...WAIT, message: "its delivery" },
      );
      expect(delivered.json).toMatchObject({
        subjectKind: "executor",
        subjectName: "alerts-agent",
        message: "Executor alerts-agent is offline",
      });
      const center = await gql("{ notificationCenter { openCount latest { id status } } }");
      expect(center.notificationCenter.openCount).toBe(1);
      expect(center.notificationCenter.latest[0]).toEqual({ id: opened.id, status: "open" });

      const from = agent.logs.length;
      await agent.start();
      await agent.waitForLog("executor registered", { from });
      await eventually(() => receiver.matching({ incidentId: opened.id, status: "resolved" })[0], {
        ...WAIT,
        message: "executor_offline resolved",
      });
      const events = await gql<{ events: { type: string; executorId: string }[] }>(
        `query($id: ID!) { events(filter: { executorId: $id }) { type executorId } }`,
        { id: executorId },
      );
      expect(events.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(["notification.alert.opened", "notification.alert.resolved"]),
      );
    },
    T,
  );
});
