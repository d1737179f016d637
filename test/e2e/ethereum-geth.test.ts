// A real execution client under the real agent: geth (built from the go-ethereum Go module by the test
// command) runs as an Ethereum `el` on sepolia in the test systemd namespace. Nothing is copied by hand: a
// system admin adds the version to the client catalog, the control plane fetches the file from a local
// server in the role of upstream, verifies it and serves it, and the agent installs it. The `cl` role runs a
// stand-in consensus client (test/e2e/cl-stand-in.ts, named as such in its catalog entry): no consensus
// client installs from the registries these machines reach. The test checks what an operator relies on:
// the rendered flags start geth, it answers JSON-RPC and net_peerCount, its Engine API takes a token signed
// with the node's JWT and refuses another, its figures reach the control plane, a stop closes its database
// cleanly within the stop timeout, and a start again reuses the data.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { systemctlShow } from "../../src/modes/agent/supervisor/systemd.ts";
import { startUpstream, type Upstream } from "../artifacts/upstream.ts";
import { ADD } from "../control-plane/catalog-kit.ts";
import { type AgentInSystemd, compiledNovacula, startAgentInSystemd } from "../harness/agent-systemd.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { GETH_VERSION, testGeth } from "../harness/geth.ts";
import { bootSystemd, type SystemdNamespace, testWorkDir } from "../harness/systemd.ts";

const SETUP_MS = 300_000;
const JOURNEY_MS = 300_000;
const WAIT = { timeoutMs: 120_000, intervalMs: 500 };
/** Sepolia's chain id and genesis block hash: what a geth really on sepolia answers. */
const SEPOLIA_CHAIN_ID = "0xaa36a7";
const SEPOLIA_GENESIS = "0x25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9";
const STAND_IN_VERSION = "8.0.0";
const NODE = "sepolia-geth";
const EL_UNIT = `ethereum-el@${NODE}.service`;

interface NodeView {
  id: string;
  phase: string;
  revision: number;
  observedRevision: number | null;
  ports: { name: string; port: number }[] | null;
  observed: {
    metrics?: { blockHeight?: number; peers?: number; syncing?: boolean };
    details?: Record<string, unknown>;
    processes?: { role: string; status: string }[];
  } | null;
}

let ns: SystemdNamespace;
let cp: ControlPlaneHandle;
let upstream: Upstream;
let agent: AgentInSystemd;
let cookie: string;
let executorId: string;
let nodeId: string;
let workDir: string;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const nodeView = async () =>
  (
    await gql<{ node: NodeView }>(
      "query($id: ID!) { node(where: { id: $id }) { id phase revision observedRevision ports { name port } observed } }",
      { id: nodeId },
    )
  ).node;

/** Where the agent gave the node a port (its port plan may move a default that is taken on this machine). */
async function portOf(name: string): Promise<number> {
  const node = await eventually(
    async () => {
      const view = await nodeView();
      return view.ports?.some((p) => p.name === name) && view.observed ? view : null;
    },
    { ...WAIT, message: `the node's ${name} port to be reported` },
  );
  return node.ports!.find((p) => p.name === name)!.port;
}

async function rpc(port: number, method: string, params: unknown[] = [], token?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as { result?: unknown } };
}

/** An Engine API token (HS256 over the hex secret, `iat` now), signed here, not by either client. */
function engineToken(secretHex: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iat: Math.floor(Date.now() / 1000) })}`;
  const signature = createHmac("sha256", Buffer.from(secretHex.trim().replace(/^0x/, ""), "hex"))
    .update(head)
    .digest("base64url");
  return `${head}.${signature}`;
}

async function unit(name: string) {
  const props = (
    await systemctlShow([name], ["ActiveState", "MainPID", "Result", "ExecMainStatus"], {
      commandPrefix: ns.commandPrefix,
    })
  ).get(name)!;
  return {
    active: props.ActiveState,
    pid: Number(props.MainPID ?? 0),
    result: props.Result,
    status: props.ExecMainStatus,
  };
}

async function journal(name: string): Promise<string> {
  return (await ns.exec(["journalctl", "-u", name, "--no-pager", "-n", "400", "-o", "cat"])).stdout;
}

const lifecycle = (action: "start" | "stop") =>
  gql(
    "mutation($id: ID!, $a: NodeLifecycleAction!) { requestNodeLifecycleAction(id: $id, action: $a) { id } }",
    { id: nodeId, a: action },
  );

beforeAll(async () => {
  workDir = testWorkDir("e2e-ethereum-geth");
  const geth = await testGeth();
  const binaryPath = compiledNovacula(workDir);
  // The stand-in consensus client, compiled like any client binary a catalog entry points at.
  const standIn = join(workDir, "cl-stand-in");
  const build = Bun.spawnSync([
    process.execPath,
    "build",
    "--compile",
    join(import.meta.dir, "cl-stand-in.ts"),
    "--outfile",
    standIn,
  ]);
  if (build.exitCode !== 0) throw new Error(`building the stand-in failed: ${build.stderr.toString()}`);
  // A local server in the role of the projects' release pages: the control plane fetches from it.
  upstream = await startUpstream();
  for (const [name, path] of [
    [`geth-${GETH_VERSION}`, geth],
    ["cl-stand-in", standIn],
  ] as const)
    upstream.files.set(`/${name}`, new Uint8Array(readFileSync(path)));
  ns = await bootSystemd(join(workDir, "ns"));
  cp = await startControlPlane({ dataDir: join(workDir, "control-plane") });
  cookie = await cp.adminSession();
  const file = async (name: string, path: string) => ({
    client: {
      url: `${upstream.url}/${name}`,
      sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
      format: "binary",
    },
  });
  await gql(ADD, {
    e: [
      {
        chain: "ethereum",
        client: "geth",
        version: GETH_VERSION,
        platforms: { "linux-x64": await file(`geth-${GETH_VERSION}`, geth) },
        source: `built from the go-ethereum ${GETH_VERSION} Go module by the test command`,
      },
      {
        chain: "ethereum",
        client: "lighthouse",
        version: STAND_IN_VERSION,
        platforms: { "linux-x64": await file("cl-stand-in", standIn) },
        source: "stand-in consensus client for tests (test/e2e/cl-stand-in.ts), not Lighthouse",
      },
    ],
  });
  agent = await startAgentInSystemd({
    ns,
    workDir,
    binaryPath,
    controlPlaneUrl: cp.url,
    accessToken: await cp.createExecutorKey("e2e-geth"),
    name: "geth-host",
  });
  executorId = await eventually(
    async () =>
      (await gql<{ executors: { id: string; name: string }[] }>("{ executors { id name } }")).executors.find(
        (e) => e.name === agent.name,
      )?.id,
    { ...WAIT, message: "the agent to register" },
  );
  const { createNode } = await gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    {
      data: {
        executorId,
        name: NODE,
        spec: {
          chain: "ethereum",
          network: "sepolia",
          nodeType: "full",
          clients: {
            el: { name: "geth", version: GETH_VERSION },
            cl: { name: "lighthouse", version: STAND_IN_VERSION },
          },
        },
      },
    },
  );
  nodeId = createNode.id;
}, SETUP_MS);

afterAll(async () => {
  // Killing the namespace's PID 1 takes the agent and both node units with it.
  await ns?.stop();
  await cp?.stop();
  upstream?.stop();
}, SETUP_MS);

describe("geth on sepolia under the agent", () => {
  test(
    "installed through the catalog and the control plane's store, geth answers JSON-RPC on sepolia and its figures reach the control plane",
    async () => {
      const running = await eventually(
        async () => {
          const u = await unit(EL_UNIT);
          return u.active === "active" && u.pid > 0 ? u : null;
        },
        { ...WAIT, message: `${EL_UNIT} to run` },
      ).catch(async (error) => {
        throw new Error(`${(error as Error).message}\n--- agent ---\n${await agent.journal(120)}`);
      });
      expect(running.pid).toBeGreaterThan(0);
      // Fetched from upstream once by the control plane, not by the host.
      expect(upstream.requests.filter((r) => r.path.startsWith("/geth-"))).toHaveLength(1);
      const rpcPort = await portOf("rpc");
      const chainId = await eventually(async () => (await rpc(rpcPort, "eth_chainId")).body?.result, {
        ...WAIT,
        message: "geth's JSON-RPC",
      });
      expect(chainId).toBe(SEPOLIA_CHAIN_ID);
      expect((await rpc(rpcPort, "eth_getBlockByNumber", ["0x0", false])).body.result).toMatchObject({
        hash: SEPOLIA_GENESIS,
      });
      expect((await rpc(rpcPort, "net_peerCount")).body.result).toBe("0x0");
      // The flags the adapter rendered are the ones geth runs with.
      const args = readFileSync(join(ns.hostUnitDir, EL_UNIT), "utf8");
      expect(args).toContain("--sepolia");
      expect(args).toContain(`--authrpc.jwtsecret ${join(agent.dataDir, "nodes", NODE, "jwt.hex")}`);

      const reported = await eventually(
        async () => {
          const view = await nodeView();
          const metrics = view.observed?.metrics;
          return metrics?.blockHeight === 0 && metrics.peers === 0 && view.observed?.details?.headSlot === 0
            ? view
            : null;
        },
        { ...WAIT, message: "geth's and the consensus client's figures in the control plane" },
      );
      expect(["syncing", "running"]).toContain(reported.phase);
      expect(reported.observed?.processes?.map((p) => p.role).sort()).toEqual(["cl", "el"]);
    },
    JOURNEY_MS,
  );

  test(
    "the Engine API takes a token signed with the node's JWT and refuses one signed with another secret; the consensus client authenticates with it",
    async () => {
      const secret = readFileSync(join(agent.dataDir, "nodes", NODE, "jwt.hex"), "utf8");
      expect(secret.trim()).toMatch(/^[0-9a-f]{64}$/);
      const enginePort = await portOf("engine");
      const accepted = await eventually(
        async () => {
          const answer = await rpc(enginePort, "engine_exchangeCapabilities", [[]], engineToken(secret));
          return answer.status === 200 ? answer : null;
        },
        { ...WAIT, message: "the Engine API" },
      );
      expect(Array.isArray(accepted.body.result)).toBe(true);
      const wrong = await rpc(
        enginePort,
        "engine_exchangeCapabilities",
        [[]],
        engineToken(randomBytes(32).toString("hex")),
      );
      expect(wrong.status).toBe(401);
      expect((await rpc(enginePort, "engine_exchangeCapabilities", [[]])).status).toBe(401);
      // The consensus role got the same secret and the engine's port from the plan.
      const beacon = await portOf("beacon");
      const standIn = await eventually(
        async () => {
          const state = (await (await fetch(`http://127.0.0.1:${beacon}/stand-in/engine`)).json()) as {
            authenticated: boolean;
          };
          return state.authenticated ? state : null;
        },
        { ...WAIT, message: "the consensus client to authenticate to the Engine API" },
      );
      expect(standIn.authenticated).toBe(true);
    },
    JOURNEY_MS,
  );

  test(
    "a stop closes geth's database cleanly within its stop timeout, and a start reuses the data",
    async () => {
      const rpcPort = await portOf("rpc");
      await lifecycle("stop");
      const stopped = await eventually(
        async () => {
          const u = await unit(EL_UNIT);
          return u.active === "inactive" ? u : null;
        },
        { ...WAIT, message: `${EL_UNIT} to stop` },
      );
      // Stopped by SIGTERM and exited by itself (not killed at the stop timeout), its chain closed.
      expect(stopped.result).toBe("success");
      const stoppedLog = await journal(EL_UNIT);
      expect(stoppedLog).toContain("Blockchain stopped");
      expect(stoppedLog).not.toContain("Killing process");
      expect(existsSync(join(agent.dataDir, "nodes", NODE, "data", "geth", "geth", "chaindata"))).toBe(true);
      const firstRunGenesisWrites = stoppedLog.split("Writing custom genesis block").length - 1;
      expect(firstRunGenesisWrites).toBe(1);

      await lifecycle("start");
      await eventually(async () => (await rpc(rpcPort, "eth_chainId")).body?.result === SEPOLIA_CHAIN_ID, {
        ...WAIT,
        message: "geth to answer again",
      });
      // The same chain from the same database: the genesis is read back, not written again.
      expect((await rpc(rpcPort, "eth_getBlockByNumber", ["0x0", false])).body.result).toMatchObject({
        hash: SEPOLIA_GENESIS,
      });
      const log = await journal(EL_UNIT);
      expect(log.split("Writing custom genesis block").length - 1).toBe(1);
    },
    JOURNEY_MS,
  );
});
