// An in-place client upgrade touches only the role it changes: an Ethereum node on sepolia runs geth (`el`, the
// binary the test command builds from its Go module) and the stand-in consensus client (`cl`,
// test/e2e/cl-stand-in.ts, named as such in its catalog entry) under a real agent with the process supervisor.
// A `cl` version that cannot start is put back by itself while geth keeps running as the same process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "../../src/lib/eventually.ts";
import { type AgentProcess, agentProcess } from "../agent/agent-process.ts";
import { makeTestDir } from "../agent/helpers.ts";
import { ADD } from "../control-plane/catalog-kit.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { GETH_VERSION, testGeth } from "../harness/geth.ts";

const T = 300_000;
const WAIT = { timeoutMs: 150_000, intervalMs: 250 };
const NODE = "sepolia-roles";

let cp: ControlPlaneHandle;
let agent: AgentProcess;
let upstream: ReturnType<typeof Bun.serve>;
let cookie: string;
let nodeId: string;
const scratch = makeTestDir("client-upgrade-roles");
/** file name → bytes served upstream. */
const files = new Map<string, Uint8Array>();

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function gql<R>(query: string, variables: Record<string, unknown> = {}): Promise<R> {
  const result = await cp.gql<R>(query, variables, { cookie });
  if (!result.data || result.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(result.errors)}`);
  return result.data;
}

function entry(client: string, version: string, file: string, source: string) {
  const url = `http://127.0.0.1:${upstream.port}/${file}`;
  const platforms = { "linux-x64": { client: { url, sha256: sha256(files.get(file)!), format: "binary" } } };
  return { chain: "ethereum", client, version, platforms, source };
}

const spec = (clVersion: string) => ({
  chain: "ethereum",
  network: "sepolia",
  nodeType: "full",
  clients: { el: { name: "geth", version: GETH_VERSION }, cl: { name: "lighthouse", version: clVersion } },
});

/** The pid of this node's process running `file` (matched by the installed file's sha256 and the node's paths). */
function pidRunning(file: string): number | null {
  const digest = sha256(files.get(file)!);
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readlinkSync(`/proc/${name}/exe`).endsWith(digest)) continue;
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (args.includes(`/nodes/${NODE}/`)) return Number(name);
    } catch {}
  }
  return null;
}

const running = (file: string) =>
  eventually(async () => pidRunning(file), { ...WAIT, message: `${file} to run for the node` });

beforeAll(async () => {
  files.set("geth", readFileSync(await testGeth()));
  const standIn = join(scratch.dir, "cl-stand-in");
  const build = Bun.spawnSync([
    process.execPath,
    "build",
    "--compile",
    join(import.meta.dir, "cl-stand-in.ts"),
    "--outfile",
    standIn,
  ]);
  if (build.exitCode !== 0) throw new Error(`building the stand-in failed: ${build.stderr.toString()}`);
  files.set("cl-stand-in", readFileSync(standIn));
  files.set("cl-broken", Buffer.from('#!/bin/sh\necho "Fatal: unknown flag" >&2\nexit 1\n'));
  upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      const bytes = files.get(new URL(request.url).pathname.slice(1));
      return bytes ? new Response(new Uint8Array(bytes)) : new Response("not found", { status: 404 });
    },
  });
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  const standInSource = "stand-in consensus client for tests (test/e2e/cl-stand-in.ts), not Lighthouse";
  await gql(ADD, {
    e: [
      entry(
        "geth",
        GETH_VERSION,
        "geth",
        `built from the go-ethereum ${GETH_VERSION} Go module by the test command`,
      ),
      entry("lighthouse", "8.0.0", "cl-stand-in", standInSource),
      entry("lighthouse", "8.0.1", "cl-broken", `${standInSource}: a build that exits at once`),
    ],
  });
  agent = agentProcess(scratch.dir, {
    url: cp.url,
    token: await cp.createExecutorKey("client-upgrade-roles"),
    name: "roles-host",
  });
  await agent.start();
  const executorId = String((await agent.waitForLog("executor registered")).executorId);
  const { createNode } = await gql<{ createNode: { id: string } }>(
    "mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }",
    { data: { executorId, name: NODE, spec: spec("8.0.0") } },
  );
  nodeId = createNode.id;
}, T);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  upstream?.stop(true);
  scratch.cleanup();
}, T);

describe("an in-place client upgrade of one role", () => {
  test(
    "a consensus client version that cannot start is put back by itself, and the execution client keeps its process",
    async () => {
      const el = await running("geth");
      const cl = await running("cl-stand-in");
      await gql(
        "mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { id } }",
        {
          id: nodeId,
          spec: spec("8.0.1"),
        },
      );
      const upgrade = await eventually(
        async () => {
          const { node } = await gql<{
            node: {
              recentRevisions: { clientUpgrade: { role: string; outcome: string; reason: string } | null }[];
            };
          }>(
            "query($id: ID!) { node(where: { id: $id }) { recentRevisions(take: 1) { clientUpgrade { role outcome reason } } } }",
            { id: nodeId },
          );
          const latest = node.recentRevisions[0]?.clientUpgrade;
          return latest?.outcome === "reverted" ? latest : null;
        },
        { ...WAIT, message: "the cl upgrade to be reverted" },
      );
      expect(upgrade.role).toBe("cl");
      expect(upgrade.reason).toMatch(/lighthouse 8\.0\.1 exited with status 1: Fatal: unknown flag/);
      const back = await running("cl-stand-in");
      expect(back).not.toBe(cl);
      expect(pidRunning("geth")).toBe(el);
    },
    T,
  );
});
