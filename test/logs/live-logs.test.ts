// Live logs end to end with real parts only: the control plane (the compiled binary when NOVACULA_BINARY is
// set), a real agent process with the process supervisor, real anvil writing its log file, and a real SSE
// reader. A reader must see anvil's lines about as soon as anvil writes them, at its minimum level; closing
// it must end the agent's tail (the log file no longer open); other organizations, bad parameters and
// oversized chunks are refused; `novacula agent logs` prints the same log on the host.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { freePort, jsonRpc, makeTestDir, REPO_ROOT } from "../agent/helpers.ts";
import { createNode, DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { collectLines } from "../harness/processes.ts";
import { Api, startTenancyPlane } from "../tenancy/world.ts";
import { openFiles, pidsWithArg } from "./proc.ts";
import { openLogStream } from "./sse-client.ts";

const T = 120_000;
const WAIT = { timeoutMs: 45_000, intervalMs: 100 };
const BUN = join(REPO_ROOT, "node_modules/.bin/bun");

describe("live logs (real control plane, real agent, real anvil)", () => {
  let cp: ControlPlaneHandle;
  let agent: AgentProcess;
  let cookie: string;
  let executorKey: string;
  let executorId: string;
  let nodeId: string;
  let port: number;
  const NODE = "logs-anvil";
  const scratch = makeTestDir("live-logs");

  const streamUrl = (id: string, query = "") => `${cp.url}/nodes/${id}/logs/stream${query}`;
  const logFile = () => join(agent.dataDir, "supervisor", `devnet-node@${NODE}.log`);
  const agentPid = () => {
    const [pid] = pidsWithArg(agent.configPath);
    if (!pid) throw new Error("the agent process is not running");
    return pid;
  };

  beforeAll(async () => {
    cp = await startTenancyPlane();
    cookie = await cp.adminSession();
    executorKey = await cp.createExecutorKey("logs-agent");
    agent = agentProcess(scratch.dir, { url: cp.url, token: executorKey, name: "logs-agent" });
    await agent.start();
    executorId = String((await agent.waitForLog("executor registered")).executorId);
    port = await freePort();
    nodeId = (await createNode(cp, cookie, executorId, NODE, { ...DEVNET_SPEC, ports: { rpc: port } })).id;
    await eventually(async () => (await jsonRpc(port, "web3_clientVersion")) !== undefined, {
      ...WAIT,
      message: "anvil answering",
    });
  }, T);

  afterAll(async () => {
    await agent?.stop();
    await cp?.stop();
    scratch.cleanup();
  }, T);

  test(
    "a reader sees anvil's lines within about a second of anvil writing them; closing it ends the agent's tail",
    async () => {
      const stream = await openLogStream(streamUrl(nodeId, "?role=node&tail=20&level=info"), { cookie });
      expect(stream.status).toBe(200);
      const listed = await fetch(`${cp.url}/api/v1/executor/log-sessions?waitMs=0`, {
        headers: { authorization: `Bearer ${executorKey}`, "x-novacula-executor-id": executorId },
      });
      expect(
        ((await listed.json()) as { sessions: { nodeId: string }[] }).sessions.map((x) => x.nodeId),
      ).toEqual([nodeId]);
      expect(stream.contentType).toContain("text/event-stream");
      await eventually(
        () =>
          stream.events.some((e) => e.event === "status" && JSON.stringify(e.data).includes('"streaming"')),
        {
          ...WAIT,
          message: "the executor streaming",
        },
      );
      // While the reader watches, the agent holds the log file open.
      await eventually(() => openFiles(agentPid()).includes(logFile()), {
        ...WAIT,
        message: "the file tailed",
      });
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = stream.lines.filter((l) => l.text === "web3_clientVersion").length;
        const sent = performance.now();
        await jsonRpc(port, "web3_clientVersion");
        const seen = await eventually(
          () => stream.lines.filter((l) => l.text === "web3_clientVersion")[before],
          { ...WAIT, message: "anvil's line for the call" },
        );
        latencies.push(seen.at - sent);
      }
      latencies.sort((a, b) => a - b);
      console.log(
        `live log latency ms (call → line at the reader): ${latencies.map((l) => l.toFixed(0)).join(", ")}`,
      );
      // anvil's lines name no level: they are info.
      const anvilLines = stream.lines.filter((l) => !l.marker);
      expect(anvilLines.length).toBeGreaterThan(0);
      expect(new Set(anvilLines.map((l) => l.level))).toEqual(new Set(["info"]));

      const from = agent.logs.length;
      stream.close();
      await eventually(() => !openFiles(agentPid()).includes(logFile()), {
        ...WAIT,
        message: "the agent closed the log file",
      });
      await agent.waitForLog("log session ended", { from });
      // The session is gone from the control plane: the executor's poll lists nothing open.
      const open = await fetch(`${cp.url}/api/v1/executor/log-sessions?waitMs=0`, {
        headers: { authorization: `Bearer ${executorKey}`, "x-novacula-executor-id": executorId },
      });
      expect(await open.json()).toEqual({ sessions: [] });
    },
    T,
  );

  test(
    "the minimum level keeps only warnings and errors, read from geth's and bitcoind's spellings",
    async () => {
      const stream = await openLogStream(streamUrl(nodeId, "?tail=1&level=warn"), { cookie });
      expect(stream.status).toBe(200);
      await eventually(() => stream.events.some((e) => JSON.stringify(e.data).includes('"streaming"')), {
        ...WAIT,
        message: "streaming",
      });
      // Lines as other clients write them, appended to the log the agent tails (anvil keeps writing too).
      appendFileSync(
        logFile(),
        [
          "INFO [12-06|07:00:00.000] Imported new chain segment   number=1",
          'WARN [12-06|07:00:01.000] Served eth_call   reqid=7 err="execution reverted"',
          "2026-12-06T07:00:02Z [net:warning] socket send error",
          "2026-12-06T07:00:03Z [error] ReadBlockFromDisk failed",
          "DEBUG[12-06|07:00:04.000] Trie cache stats",
          "",
        ].join("\n"),
      );
      await jsonRpc(port, "web3_clientVersion");
      const lines = await eventually(() => (stream.lines.length >= 3 ? stream.lines : null), {
        ...WAIT,
        message: "three lines at warn or above",
      });
      expect(lines.map((l) => [l.level, l.text.slice(0, 30)])).toEqual([
        ["warn", "WARN [12-06|07:00:01.000] Serv"],
        ["warn", "2026-12-06T07:00:02Z [net:warn"],
        ["error", "2026-12-06T07:00:03Z [error] R"],
      ]);
      stream.close();
    },
    T,
  );

  test(
    "another organization's node, a missing node and a signed-out reader are refused the same way as ever",
    async () => {
      const api = new Api(cp);
      const other = await api.user("Elsewhere");
      const theirs = await openLogStream(streamUrl(nodeId), { cookie: other.cookie });
      const missing = await openLogStream(streamUrl(crypto.randomUUID()), { cookie: other.cookie });
      expect(theirs.status).toBe(404);
      expect(missing.status).toBe(404);
      const shape = (body: string) => JSON.parse(body.replace(/node \S+ not found/, "node X not found"));
      expect(shape(theirs.body)).toEqual(shape(missing.body));
      const token = (await api.personalToken({ cookie: other.cookie })).key;
      expect((await openLogStream(streamUrl(nodeId), { authorization: `Bearer ${token}` })).status).toBe(404);
      expect((await openLogStream(streamUrl(nodeId))).status).toBe(401);
      // The executor key is not a reader's credential.
      expect(
        (await openLogStream(streamUrl(nodeId), { authorization: `Bearer ${executorKey}` })).status,
      ).toBe(401);
      // A cookie sent from a foreign page's origin.
      const foreign = await openLogStream(streamUrl(nodeId), { cookie, origin: "https://evil.example" });
      expect(foreign.status).toBe(403);
    },
    T,
  );

  test(
    "bad parameters answer 400 naming each parameter and its fix, and the control plane keeps serving",
    async () => {
      const cases: [string, string, string][] = [
        ["?tail=0", "/query/tail", "1 to 1000"],
        ["?tail=1001", "/query/tail", "1 to 1000"],
        ["?tail=many", "/query/tail", "1 to 1000"],
        ["?level=verbose", "/query/level", "debug, info, warn, error"],
        ["?role=el", "/query/role", "use node"],
        ["?follow=1", "/query/follow", "use role, tail and level"],
      ];
      for (const [query, path, fix] of cases) {
        const answer = await openLogStream(streamUrl(nodeId, query), { cookie });
        expect(answer.status).toBe(400);
        const body = JSON.parse(answer.body) as {
          code: string;
          details: { path: string; message: string }[];
        };
        expect(body.code).toBe("bad_request");
        const detail = body.details.find((d) => d.path === path);
        expect(detail?.message).toContain(fix);
      }
      const all = JSON.parse((await openLogStream(streamUrl(nodeId, "?tail=0&level=x"), { cookie })).body);
      expect(all.details.map((d: { path: string }) => d.path).sort()).toEqual([
        "/query/level",
        "/query/tail",
      ]);
      expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
    },
    T,
  );

  test(
    "chunk posts are capped and a chunk for an ended or unknown session is answered closed",
    async () => {
      const headers = {
        authorization: `Bearer ${executorKey}`,
        "x-novacula-executor-id": executorId,
        "content-type": "application/json",
      };
      const post = (id: string, body: string) =>
        fetch(`${cp.url}/api/v1/executor/log-sessions/${id}`, { method: "POST", headers, body });
      const unknown = await post(
        crypto.randomUUID(),
        JSON.stringify({ lines: [{ level: "info", text: "x" }] }),
      );
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toEqual({ open: false });
      const long = "x".repeat(8 * 1024 + 1);
      const tooLong = await post(
        crypto.randomUUID(),
        JSON.stringify({ lines: [{ level: "info", text: long }] }),
      );
      expect(tooLong.status).toBe(400);
      const lines = Array.from({ length: 100 }, () => ({ level: "info", text: "y".repeat(8000) }));
      const tooBig = await post(crypto.randomUUID(), JSON.stringify({ lines }));
      expect(tooBig.status).toBe(413);
      const badLevel = await post(
        crypto.randomUUID(),
        JSON.stringify({ lines: [{ level: "WARN", text: "z" }] }),
      );
      expect(badLevel.status).toBe(400);
      // The poll answers at once with the open sessions (none now) when the executor holds one that is gone.
      const poll = await fetch(
        `${cp.url}/api/v1/executor/log-sessions?waitMs=30000&held=${crypto.randomUUID()}`,
        {
          headers,
        },
      );
      expect(await poll.json()).toEqual({ sessions: [] });
      const badWait = await fetch(`${cp.url}/api/v1/executor/log-sessions?waitMs=30001`, { headers });
      expect(badWait.status).toBe(400);
    },
    T,
  );

  test(
    "`novacula agent logs` prints a node's log on the host by name or id, and refuses unknown nodes and roles",
    async () => {
      const run = (...args: string[]) => {
        const child = Bun.spawnSync(
          [BUN, join(REPO_ROOT, "src/main.ts"), "agent", "logs", ...args, "-c", agent.configPath],
          {
            cwd: REPO_ROOT,
            stdout: "pipe",
            stderr: "pipe",
          },
        );
        return { code: child.exitCode, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
      };
      await jsonRpc(port, "web3_clientVersion");
      const byName = run(NODE, "node", "--tail", "50", "--no-follow");
      expect(byName.code).toBe(0);
      expect(byName.stdout.split("\n")).toContain("web3_clientVersion");
      expect(byName.stdout.trim().split("\n").length).toBeLessThanOrEqual(50);
      const byId = run(nodeId, "--tail", "5", "--no-follow", "--level", "error");
      expect(byId.code).toBe(0);
      // Of the last five lines, only an error could pass: anvil's lines are info.
      expect(byId.stdout.split("\n").filter((l) => l.includes("web3_clientVersion"))).toEqual([]);
      const unknown = run("no-such-node", "--no-follow");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no node "no-such-node" on this host');
      expect(unknown.stderr).toContain(NODE);
      const badRole = run(NODE, "el", "--no-follow");
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toContain("has no role el");
      const badLevel = run(NODE, "--level", "loud");
      expect(badLevel.code).toBe(2);
      expect(badLevel.stderr).toContain("--level");
    },
    T,
  );

  test(
    "`novacula agent logs` follows the log until Ctrl-C, then exits cleanly",
    async () => {
      const child = Bun.spawn(
        [BUN, join(REPO_ROOT, "src/main.ts"), "agent", "logs", NODE, "--tail", "1", "-c", agent.configPath],
        { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" },
      );
      const out: string[] = [];
      collectLines(child.stdout, (line) => out.push(line));
      // The history (one line) first, then what anvil writes while it follows.
      await eventually(() => out.length >= 1, { ...WAIT, message: "the tail printed" });
      const before = out.filter((l) => l === "web3_clientVersion").length;
      await eventually(
        async () => {
          await jsonRpc(port, "web3_clientVersion");
          return out.filter((l) => l === "web3_clientVersion").length > before;
        },
        { ...WAIT, message: "a new line followed" },
      );
      child.kill("SIGINT");
      expect(await child.exited).toBe(0);
    },
    T,
  );
});
