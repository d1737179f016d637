// Live-log latency, measured end to end with real parts (the test harness: a real control plane, the compiled
// binary when NOVACULA_BINARY is set; a real agent process with the process supervisor; real anvil):
//   open    SSE reader opens the stream → the executor is streaming (session picked up by long-poll)
//   line    a JSON-RPC call makes anvil write a line (after a quiet spell) → the line reaches the SSE reader
//   close   the reader disconnects → the agent has closed the log file (its tail ended)
// Prints each figure's median, p95 and max over the runs. Usage: bun scripts/bench-logs.ts [runs=30]
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FLUSH_MS } from "../src/executor/logs.ts";
import { eventually } from "../src/lib/eventually.ts";
import { agentProcess } from "../test/agent/agent-process.ts";
import { freePort, jsonRpc, makeTestDir } from "../test/agent/helpers.ts";
import { startControlPlane } from "../test/harness/control-plane.ts";
import { openFiles, pidsWithArg } from "../test/logs/proc.ts";
import { openLogStream } from "../test/logs/sse-client.ts";

const runs = Number(process.argv[2] ?? 30);
const WAIT = { timeoutMs: 30_000, intervalMs: 5 };

function summary(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${name.padEnd(6)} median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${values.length})`;
}

const scratch = makeTestDir("bench-logs");
const cp = await startControlPlane();
const agent = agentProcess(scratch.dir, {
  url: cp.url,
  token: await cp.createExecutorKey("bench-logs"),
  name: "bench-logs",
  reporterIntervalSecs: 10,
});
try {
  const cookie = await cp.adminSession();
  await agent.start();
  const executorId = String((await agent.waitForLog("executor registered")).executorId);
  const port = await freePort();
  const created = await cp.gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    {
      data: {
        executorId,
        name: "bench-logs",
        spec: {
          chain: "devnet",
          network: "local",
          nodeType: "full",
          clients: { node: { name: "anvil", version: "1.7.1" } },
          ports: { rpc: port },
          settings: { blockTimeSecs: 60 },
        },
      },
    },
    { cookie },
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const nodeId = created.data.createNode.id;
  await eventually(async () => (await jsonRpc(port, "web3_clientVersion")) !== undefined, {
    ...WAIT,
    intervalMs: 100,
  });
  const logFile = join(agent.dataDir, "supervisor", "devnet-node@bench-logs.log");
  const agentPid = () => pidsWithArg(agent.configPath)[0] ?? 0;
  const open: number[] = [];
  const line: number[] = [];
  const close: number[] = [];
  for (let i = 0; i < runs; i++) {
    const opened = performance.now();
    const stream = await openLogStream(`${cp.url}/nodes/${nodeId}/logs/stream?tail=1`, { cookie });
    await eventually(() => stream.events.some((e) => JSON.stringify(e.data).includes('"streaming"')), WAIT);
    open.push(performance.now() - opened);
    // A line after a quiet spell (not right behind the stream's first post, which the next post follows by
    // at least FLUSH_MS): the common case of a node logging now and then.
    await Bun.sleep(FLUSH_MS + 50);
    const before = stream.lines.filter((l) => l.text === "web3_clientVersion").length;
    const sent = performance.now();
    await jsonRpc(port, "web3_clientVersion");
    const seen = await eventually(
      () => stream.lines.filter((l) => l.text === "web3_clientVersion")[before],
      WAIT,
    );
    line.push(seen.at - sent);
    const closed = performance.now();
    stream.close();
    await eventually(() => !openFiles(agentPid()).includes(logFile), WAIT);
    close.push(performance.now() - closed);
  }
  const commit = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"]).stdout.toString().trim();
  console.log(`live logs, ${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${runs} runs`);
  console.log(summary("open", open));
  console.log(summary("line", line));
  console.log(summary("close", close));
} finally {
  await agent.stop();
  await cp.stop();
  scratch.cleanup();
}
