// Live logs from journald, the production shape: the compiled agent runs as novacula-agent.service inside a
// real systemd (private namespace, test/harness/systemd.ts), anvil runs as its node unit and writes to the
// journal, and a real SSE reader on the control plane watches it. The agent tails with journalctl; closing
// the reader must leave no journalctl running in the namespace.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { eventually } from "../../src/lib/eventually.ts";
import { jsonRpc } from "../agent/helpers.ts";
import { createNode, DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import { type AgentInSystemd, compiledNovacula, startAgentInSystemd } from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";
import { freePort } from "../supervisor/suite.ts";
import { openLogStream } from "./sse-client.ts";

const SETUP_MS = 180_000;
const T = 120_000;
const WAIT = { timeoutMs: 60_000, intervalMs: 100 };

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let agent: AgentInSystemd;
let cookie: string;
let nodeId: string;
let port: number;

/** journalctl processes running in the namespace (its own /proc). */
async function journalReaders(): Promise<string[]> {
  const { stdout } = await ns.exec(["pgrep", "-a", "-x", "journalctl"]);
  return stdout.split("\n").filter(Boolean);
}

beforeAll(async () => {
  const workDir = testWorkDir("logs-journald");
  const binaryPath = compiledNovacula(workDir);
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken: await cp.createExecutorKey("logs-journald"),
    name: "logs-journald",
  });
  cookie = await cp.adminSession();
  const executorId = await eventually(
    async () =>
      (
        await cp.gql<{ executors: { id: string; name: string }[] }>(
          "{ executors { id name } }",
          {},
          { cookie },
        )
      ).data?.executors.find((e) => e.name === agent.name)?.id,
    { ...WAIT, message: "the agent to register" },
  );
  port = freePort();
  nodeId = (
    await createNode(cp, cookie, executorId, "journald-anvil", { ...DEVNET_SPEC, ports: { rpc: port } })
  ).id;
  await eventually(async () => (await jsonRpc(port, "web3_clientVersion")) !== undefined, {
    ...WAIT,
    message: "anvil answering under systemd",
  }).catch(async (error) => {
    throw new Error(`${(error as Error).message}\n--- agent journal ---\n${await agent.journal(80)}`);
  });
}, SETUP_MS);

afterAll(async () => {
  await ns?.stop();
  await cp?.stop();
}, SETUP_MS);

describe("live logs from journald (agent under systemd)", () => {
  test(
    "a reader sees anvil's journal lines as they are written, with journald's times; closing it stops journalctl",
    async () => {
      const stream = await openLogStream(`${cp.url}/nodes/${nodeId}/logs/stream?tail=50`, { cookie });
      expect(stream.status).toBe(200);
      await eventually(async () => (await journalReaders()).length === 1, {
        ...WAIT,
        message: "the agent running one journalctl",
      });
      const latencies: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = stream.lines.filter((l) => l.text === "web3_clientVersion").length;
        const sent = performance.now();
        await jsonRpc(port, "web3_clientVersion");
        const seen = await eventually(
          () => stream.lines.filter((l) => l.text === "web3_clientVersion")[before],
          { ...WAIT, message: "anvil's journal line for the call" },
        );
        latencies.push(seen.at - sent);
        // journald records when the line was written.
        expect(Date.now() - Date.parse(String(seen.ts))).toBeLessThan(60_000);
      }
      console.log(`journald live log latency ms: ${latencies.map((l) => l.toFixed(0)).join(", ")}`);
      expect(new Set(stream.lines.map((l) => l.level))).toEqual(new Set(["info"]));
      stream.close();
      await eventually(async () => (await journalReaders()).length === 0, {
        ...WAIT,
        message: "no journalctl left in the namespace",
      });
    },
    T,
  );
});
