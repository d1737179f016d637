// A spec the host would refuse is refused by the control plane first, with the JSON path of every problem,
// and nothing is written: what the node's adapter can check (settings, ports, overrides, resources) and
// port collisions with the other nodes of the same executor. Real control plane, real SQLite file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import type { NodeSpecInput } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, type GqlResult, startControlPlane } from "../harness/control-plane.ts";
import { CAPABILITIES, call, createNode, DEVNET_SPEC, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  [cookie, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("validation")]);
});
afterAll(() => cp.stop());

const devnet = (patch: Partial<NodeSpecInput>): NodeSpecInput => ({ ...DEVNET_SPEC, ...patch });

const tryCreate = (executorId: string, name: string, spec: unknown) =>
  cp.gql(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { id revision } }`,
    { data: { executorId, name, spec } },
    { cookie },
  );

const tryUpdate = (id: string, spec: unknown) =>
  cp.gql(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
    { id, spec },
    { cookie },
  );

const tryRollback = (id: string, revision: number) =>
  cp.gql(
    `mutation($id: ID!, $r: Int!) { rollbackNode(id: $id, revision: $r) { revision } }`,
    { id, r: revision },
    { cookie },
  );

/** The refused write's code and the path → message of every problem it names. */
function refusal(result: GqlResult) {
  expect(result.data).toBeNull();
  const error = result.errors?.[0];
  return {
    code: error?.extensions?.code,
    problems: Object.fromEntries((error?.extensions?.details ?? []).map((d) => [d.path, d.message])),
  };
}

async function stored(executorId: string) {
  const result = await cp.gql(
    `query($e: ID!) { nodes(where: { executorId: $e }) { name revision spec revisions { revision } } }`,
    { e: executorId },
    { cookie },
  );
  return result.data.nodes as { name: string; revision: number; spec: NodeSpecInput; revisions: unknown[] }[];
}

describe("what the adapter can check is checked before a revision is written", () => {
  test("createNode with blockTimeSecs -1 is refused naming /spec/settings/blockTimeSecs; no node is written", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-settings");
    const result = refusal(
      await tryCreate(executorId, "bad-block-time", devnet({ settings: { blockTimeSecs: -1 } })),
    );
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems)).toEqual(["/spec/settings/blockTimeSecs"]);
    expect(result.problems["/spec/settings/blockTimeSecs"]).toContain("from 1 to 3600");
    expect(await stored(executorId)).toEqual([]);
  });

  test("updateNode with blockTimeSecs -1 is refused with the path; the revision stays", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-settings-edit");
    const node = await createNode(cp, cookie, executorId, "edit-block-time", devnet({}));
    const result = refusal(await tryUpdate(node.id, devnet({ settings: { blockTimeSecs: -1 } })));
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems)).toEqual(["/spec/settings/blockTimeSecs"]);
    const [after] = await stored(executorId);
    expect(after).toMatchObject({ name: "edit-block-time", revision: 1, revisions: [{ revision: 1 }] });
    expect(after!.spec.settings).toBeUndefined();
  });

  test("every problem is listed at once, each with its path", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-many-problems");
    const result = refusal(
      await tryCreate(
        executorId,
        "many-problems",
        devnet({
          settings: { blockTimeSecs: 0, gasPrice: 1 },
          ports: { ws: 8546 },
          checkpointSyncUrl: "https://example.invalid",
        }),
      ),
    );
    expect(Object.keys(result.problems).sort()).toEqual([
      "/spec/checkpointSyncUrl",
      "/spec/ports/ws",
      "/spec/settings/blockTimeSecs",
      "/spec/settings/gasPrice",
    ]);
  });

  test("versions and networks come from what the executor offers and the catalog holds, not from the control plane's own list", async () => {
    // anvil 1.8.0 is no version this binary knows: a system admin adds it to the client catalog.
    const file = { url: "https://example.invalid/anvil-1.8.0", format: "binary" };
    const sha256 = new Bun.CryptoHasher("sha256").update(file.url).digest("hex");
    const entry = {
      chain: "devnet",
      client: "anvil",
      version: "1.8.0",
      platforms: { "linux-x64": { client: { ...file, sha256 } } },
    };
    const added = await cp.gql(
      "mutation($e: JSON!) { addCatalogEntries(entries: $e) { version } }",
      { e: [entry] },
      { cookie },
    );
    expect(added.errors).toBeUndefined();
    const offer = structuredClone(CAPABILITIES);
    const devnetOffer = offer.supportedChains.find((c) => c.chain === "devnet")!;
    devnetOffer.roles[0]!.clients[0]!.versions = ["1.7.1", "1.8.0"];
    const { executorId } = await syncExecutor(cp, key, "host-newer", { capabilities: offer });
    const spec = devnet({ clients: { node: { name: "anvil", version: "1.8.0" } } });
    expect((await tryCreate(executorId, "newer-anvil", spec)).errors).toBeUndefined();
    const older = refusal(
      await tryCreate(
        executorId,
        "older-anvil",
        devnet({ clients: { node: { name: "anvil", version: "1.6.0" } } }),
      ),
    );
    expect(Object.keys(older.problems)).toEqual(["/spec/clients/node/version"]);
  });

  test("a client version without a build for the agent's platform is refused at its path", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-arm", {
      resources: { os: "linux", arch: "arm64" },
    });
    const result = refusal(await tryCreate(executorId, "anvil-on-arm", devnet({})));
    expect(result.problems["/spec/clients/node/version"]).toContain("no linux-arm64 build");
    expect(await stored(executorId)).toEqual([]);
  });
});

describe("ports collide with the other nodes of the same executor", () => {
  test("a second node on an explicit port another node uses is refused, naming the path and the node", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-ports");
    await createNode(cp, cookie, executorId, "first-on-18545", devnet({ ports: { rpc: 18545 } }));
    const result = refusal(await tryCreate(executorId, "second-on-18545", devnet({ ports: { rpc: 18545 } })));
    expect(result.code).toBe("invalid_node_config");
    expect(Object.keys(result.problems)).toEqual(["/spec/ports/rpc"]);
    expect(result.problems["/spec/ports/rpc"]).toContain('"first-on-18545"');
    expect((await stored(executorId)).map((n) => n.name)).toEqual(["first-on-18545"]);
  });

  test("an explicit port equal to another node's default port is refused; a default port is never refused", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-default-port");
    await createNode(cp, cookie, executorId, "on-default", devnet({}));
    const explicit = refusal(await tryCreate(executorId, "explicit-8545", devnet({ ports: { rpc: 8545 } })));
    expect(explicit.problems["/spec/ports/rpc"]).toContain('"on-default"');

    // The agent's port plan moves a default port that another node has: nobody needs to pick one by hand.
    const other = await syncExecutor(cp, key, "host-explicit-first");
    await createNode(cp, cookie, other.executorId, "explicit-first", devnet({ ports: { rpc: 8545 } }));
    expect((await tryCreate(other.executorId, "defaulted", devnet({}))).errors).toBeUndefined();
    expect((await tryCreate(other.executorId, "defaulted-too", devnet({}))).errors).toBeUndefined();
  });

  test("an explicit port is judged against the ports the executor reports it gave the other nodes", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-allocated");
    const moved = await createNode(cp, cookie, executorId, "moved", devnet({}));
    // Its executor reports it listens on 18600 (its default 8545 was held on the host).
    const reported = await call(cp, "/api/v1/executor/observed", {
      key,
      executorId,
      body: {
        observations: [
          {
            nodeId: moved.id,
            revision: 1,
            processes: [{ role: "node", status: "running" }],
            ports: { rpc: 18600 },
          },
        ],
      },
    });
    expect(reported.status).toBeLessThan(300);
    const check = (spec: NodeSpecInput) =>
      cp.gql(
        `query($data: NodeCreateInput!) { checkNode(data: $data) { ok errors { path message } } }`,
        { data: { executorId, name: "on-allocated", spec } },
        { cookie },
      );
    const onAllocated = await eventually(
      async () => {
        const answer = (await check(devnet({ ports: { rpc: 18600 } }))).data.checkNode;
        return answer.ok ? null : answer.errors;
      },
      { timeoutMs: 10_000, message: "the reported port to be stored" },
    );
    expect(onAllocated).toEqual([
      {
        path: "/spec/ports/rpc",
        message: expect.stringContaining('port 18600 is already used by node "moved"'),
      },
    ]);
    // The default it moved away from is free to set.
    expect(
      (await tryCreate(executorId, "on-default", devnet({ ports: { rpc: 8545 } }))).errors,
    ).toBeUndefined();
  });

  test("an edit or a rollback onto a taken port is refused and the revision stays", async () => {
    const { executorId } = await syncExecutor(cp, key, "host-port-edit");
    await createNode(cp, cookie, executorId, "holder", devnet({ ports: { rpc: 28545 } }));
    const mover = await createNode(cp, cookie, executorId, "mover", devnet({ ports: { rpc: 28546 } }));
    const edit = refusal(await tryUpdate(mover.id, devnet({ ports: { rpc: 28545 } })));
    expect(Object.keys(edit.problems)).toEqual(["/spec/ports/rpc"]);

    // Revision 1 of "mover" used 28546; "mover" moves on and "reader" takes 28546, so a rollback collides.
    const reader = await createNode(cp, cookie, executorId, "reader", devnet({ ports: { rpc: 28548 } }));
    expect((await tryUpdate(mover.id, devnet({ ports: { rpc: 28549 } }))).errors).toBeUndefined();
    expect((await tryUpdate(reader.id, devnet({ ports: { rpc: 28546 } }))).errors).toBeUndefined();
    const rollback = refusal(await tryRollback(mover.id, 1));
    expect(rollback.problems["/spec/ports/rpc"]).toContain('"reader"');
    const nodes = await stored(executorId);
    expect(nodes.find((n) => n.name === "mover")).toMatchObject({
      revision: 2,
      spec: { ports: { rpc: 28549 } },
    });
  });

  test("the same port on another executor, and the port of a deleted node, are free to use", async () => {
    const a = await syncExecutor(cp, key, "host-a-ports");
    const b = await syncExecutor(cp, key, "host-b-ports");
    const gone = await createNode(cp, cookie, a.executorId, "gone", devnet({ ports: { rpc: 38545 } }));
    await createNode(cp, cookie, b.executorId, "elsewhere", devnet({ ports: { rpc: 38545 } }));
    await cp.gql(`mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }`, { id: gone.id }, { cookie });
    const result = await tryCreate(a.executorId, "successor", devnet({ ports: { rpc: 38545 } }));
    expect(result.errors).toBeUndefined();
  });
});
