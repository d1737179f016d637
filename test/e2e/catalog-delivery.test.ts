// A client version added to the catalog reaches a host through the control plane, with a real agent (the
// process supervisor) and a real client (devnet's geth in dev mode, the binary the test command builds from
// its Go module). What a person sees when upstream misbehaves: bytes with another sha256 put the node in
// `error` with a message that says what to fix, and nothing runs; an upstream that is down leaves the node
// waiting with a retrying download (its events and message say so), and it starts once upstream is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { blockNumber, freePort, makeTestDir } from "../agent/helpers.ts";
import { ADD } from "../control-plane/catalog-kit.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { testGeth } from "../harness/geth.ts";
import { pidsWithArg } from "../logs/proc.ts";

const T = 240_000;
const WAIT = { timeoutMs: 120_000, intervalMs: 250 };

interface NodeView {
  phase: string;
  observed: { processes?: { role: string; status: string; message?: string }[] } | null;
}

let cp: ControlPlaneHandle;
let agent: AgentProcess;
let cookie: string;
let executorId: string;
let gethPath: string;
let gethBytes: Buffer;
const scratch = makeTestDir("catalog-delivery");

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await cp.gql<T>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A devnet geth version in the catalog whose one file is `url`, pinned to `digest`. */
function gethEntry(version: string, url: string, digest: string) {
  return {
    chain: "devnet",
    client: "geth",
    version,
    platforms: { "linux-x64": { client: { url, sha256: digest, format: "binary" } } },
    source: "the geth the test command builds from the go-ethereum Go module",
  };
}

async function deploy(name: string, version: string, port: number): Promise<string> {
  const { createNode } = await gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    {
      data: {
        executorId,
        name,
        spec: {
          chain: "devnet",
          network: "local",
          nodeType: "full",
          clients: { node: { name: "geth", version } },
          ports: { rpc: port },
        },
      },
    },
  );
  return createNode.id;
}

const nodeView = async (id: string) =>
  (await gql<{ node: NodeView }>("query($id: ID!) { node(where: { id: $id }) { phase observed } }", { id }))
    .node;

const messageOf = (node: NodeView) => node.observed?.processes?.map((p) => p.message ?? "").join(" ") ?? "";

beforeAll(async () => {
  gethPath = await testGeth();
  gethBytes = readFileSync(gethPath);
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  agent = agentProcess(scratch.dir, {
    url: cp.url,
    token: await cp.createExecutorKey("catalog-delivery"),
    name: "catalog-host",
  });
  await agent.start();
  executorId = String((await agent.waitForLog("executor registered")).executorId);
}, T);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  scratch.cleanup();
}, T);

describe("client files from the catalog, through the control plane", () => {
  test(
    "an upstream serving other bytes than the catalog pins: the node is in error with the fix, and nothing runs",
    async () => {
      const upstream = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: () => new Response(Bun.file(gethPath)),
      });
      try {
        const pinned = sha256(new TextEncoder().encode("the bytes the catalog entry was written for"));
        await gql(ADD, { e: [gethEntry("1.17.101", `http://127.0.0.1:${upstream.port}/geth`, pinned)] });
        const id = await deploy("wrong-bytes", "1.17.101", await freePort());
        const node = await eventually(
          async () => {
            const view = await nodeView(id);
            return view.phase === "error" ? view : null;
          },
          { ...WAIT, message: "the node to be in error" },
        );
        const message = messageOf(node);
        expect(message).toContain(pinned);
        expect(message).toContain(sha256(gethBytes));
        expect(message).toMatch(/catalog/);
        expect(pidsWithArg("wrong-bytes")).toEqual([]);
      } finally {
        upstream.stop(true);
      }
    },
    T,
  );

  test(
    "an upstream that is down: the download retries and says so, and the node starts once upstream answers",
    async () => {
      const upstreamPort = await freePort();
      await gql(ADD, {
        e: [gethEntry("1.17.102", `http://127.0.0.1:${upstreamPort}/geth`, sha256(gethBytes))],
      });
      const rpcPort = await freePort();
      const id = await deploy("upstream-down", "1.17.102", rpcPort);
      const waiting = await eventually(
        async () => {
          const view = await nodeView(id);
          return /retrying/.test(messageOf(view)) ? view : null;
        },
        { ...WAIT, message: "the node to say its download is retrying" },
      );
      expect(waiting.phase).not.toBe("running");
      const { events } = await gql<{ events: { type: string; message: string }[] }>(
        "query($f: EventFilterInput) { events(filter: $f) { type message } }",
        { f: { nodeId: id, take: 100 } },
      );
      expect(events.some((e) => /download|fetch/i.test(`${e.type} ${e.message}`))).toBe(true);

      const upstream = Bun.serve({
        hostname: "127.0.0.1",
        port: upstreamPort,
        fetch: () => new Response(Bun.file(gethPath)),
      });
      try {
        await eventually(async () => (await nodeView(id)).phase === "running", {
          ...WAIT,
          message: "the node to run once upstream is back",
        });
        const first = await eventually(async () => (await blockNumber(rpcPort)) > 0, WAIT);
        expect(first).toBe(true);
      } finally {
        upstream.stop(true);
      }
    },
    T,
  );
});
