// What the deploy and edit forms ask the API besides the writes: checkNode answers exactly what createNode
// would refuse (same code, same paths) without writing anything; chainFormHints gives the settings and
// ports the adapter itself judges by; each revision names its author. Real control plane, real SQLite file.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ControlPlaneHandle, type GqlResult, startControlPlane } from "../harness/control-plane.ts";
import { createNode, DEVNET_SPEC, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  [cookie, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("forms")]);
});
afterAll(() => cp.stop());

type Input = { executorId: string; name?: string; spec: unknown };

async function check(data: Input) {
  const result = await cp.gql(
    `query($data: NodeCreateInput!) { checkNode(data: $data) { ok code errors { path message } } }`,
    { data },
    { cookie },
  );
  expect(result.errors).toBeUndefined();
  return result.data.checkNode as {
    ok: boolean;
    code: string | null;
    errors: { path: string; message: string }[];
  };
}

const create = (data: Input): Promise<GqlResult> =>
  cp.gql(`mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`, { data }, { cookie });

async function nodesOn(executorId: string): Promise<string[]> {
  const result = await cp.gql(
    `query($e: ID!) { nodes(where: { executorId: $e }) { name } }`,
    { e: executorId },
    { cookie },
  );
  return (result.data.nodes as { name: string }[]).map((n) => n.name);
}

test("checkNode names every field createNode would refuse, with the same code and paths, and writes nothing", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-host");
  await createNode(cp, cookie, executorId, "taken", { ...DEVNET_SPEC, ports: { rpc: 18545 } });
  const bad: Input = {
    executorId,
    name: "taken-too",
    spec: {
      ...DEVNET_SPEC,
      settings: { blockTimeSecs: 0 },
      ports: { rpc: 18545 },
      overrides: { args: { anvil: ["--accounts=3", "--port=1"] } },
    },
  };
  const answer = await check(bad);
  const refused = await create(bad);
  const error = refused.errors?.[0];
  expect(answer.ok).toBe(false);
  expect(answer.code).toBe(error?.extensions?.code ?? null);
  expect(answer.code).toBe("invalid_node_config");
  expect(answer.errors.map((e) => e.path).sort()).toEqual([
    "/spec/overrides/args/anvil/1",
    "/spec/ports/rpc",
    "/spec/settings/blockTimeSecs",
  ]);
  expect(answer.errors).toEqual(error?.extensions?.details ?? []);
  expect(await nodesOn(executorId)).toEqual(["taken"]);

  // A name already used on the executor and a malformed one are named at /name.
  expect((await check({ executorId, name: "taken", spec: DEVNET_SPEC })).errors.map((e) => e.path)).toEqual([
    "/name",
  ]);
  expect((await check({ executorId, name: "Not OK", spec: DEVNET_SPEC })).errors.map((e) => e.path)).toEqual([
    "/name",
  ]);
  // A spec of the wrong shape is named at its path too (the input schema's check).
  const shape = await check({ executorId, spec: { ...DEVNET_SPEC, ports: { rpc: 70000 } } });
  expect(shape.errors.map((e) => e.path)).toEqual(["/spec/ports/rpc"]);
  // An executor outside the organization reads as missing, at /executorId.
  const missing = await check({ executorId: crypto.randomUUID(), spec: DEVNET_SPEC });
  expect(missing).toMatchObject({ ok: false, code: "not_found", errors: [{ path: "/executorId" }] });
  expect(await nodesOn(executorId)).toEqual(["taken"]);
});

test("checkNode accepts what createNode then creates", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-ok");
  const good: Input = { executorId, name: "good", spec: { ...DEVNET_SPEC, settings: { blockTimeSecs: 2 } } };
  expect(await check(good)).toEqual({ ok: true, code: null, errors: [] });
  expect(await nodesOn(executorId)).toEqual([]);
  expect((await create(good)).errors).toBeUndefined();
  expect(await nodesOn(executorId)).toEqual(["good"]);
});

test("chainFormHints offers the devnet settings and ports the adapter judges by; none for a chain it lacks", async () => {
  const result = await cp.gql(
    `{ devnet: chainFormHints(chain: "devnet") { settings ports } other: chainFormHints(chain: "no-such-chain") { ports } }`,
    {},
    { cookie },
  );
  expect(result.data.other).toBeNull();
  const { settings, ports } = result.data.devnet;
  expect(ports).toEqual({ rpc: 8545 });
  expect(settings.blockTimeSecs).toMatchObject({ min: 1, max: 3600, default: 1 });
  // The edges of the offered range are exactly what the server accepts.
  const { executorId } = await syncExecutor(cp, key, "forms-hints");
  const at = async (blockTimeSecs: number) =>
    (await check({ executorId, spec: { ...DEVNET_SPEC, settings: { blockTimeSecs } } })).ok;
  expect([await at(settings.blockTimeSecs.min), await at(settings.blockTimeSecs.max)]).toEqual([true, true]);
  expect([await at(settings.blockTimeSecs.min - 1), await at(settings.blockTimeSecs.max + 1)]).toEqual([
    false,
    false,
  ]);
});

test("each revision names its author", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-authors");
  const node = await createNode(cp, cookie, executorId, "authored");
  const edit = await cp.gql(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
    { id: node.id, spec: { ...DEVNET_SPEC, settings: { blockTimeSecs: 3 } } },
    { cookie },
  );
  expect(edit.errors).toBeUndefined();
  const result = await cp.gql(
    `query($id: ID!) { me { name } node(where: { id: $id }) { revisions { revision summary authorName } } }`,
    { id: node.id },
    { cookie },
  );
  const name = result.data.me.name as string;
  expect(name.length).toBeGreaterThan(0);
  expect(result.data.node.revisions).toEqual([
    { revision: 1, summary: "created", authorName: name },
    { revision: 2, summary: "edited settings", authorName: name },
  ]);
});

test("an edit started from an older revision is refused with conflict and the current one, and nothing is written", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-moved");
  const node = await createNode(cp, cookie, executorId, "edited-twice");
  const edit = (blockTimeSecs: number, expectedRevision?: number) =>
    cp.gql(
      `mutation($id: ID!, $data: NodeUpdateInput!) { updateNode(where: { id: $id }, data: $data) { revision spec } }`,
      { id: node.id, data: { spec: { ...DEVNET_SPEC, settings: { blockTimeSecs } }, expectedRevision } },
      { cookie },
    );
  // Two people opened the form at revision 1; the first saves.
  expect((await edit(2, 1)).data.updateNode.revision).toBe(2);
  const late = await edit(3, 1);
  expect(late.errors?.[0]?.extensions).toMatchObject({
    code: "conflict",
    details: [{ path: "/data/expectedRevision", message: "reload it and edit from revision 2" }],
  });
  const now = await cp.gql(
    `query($id: ID!) { node(where: { id: $id }) { revision spec } }`,
    { id: node.id },
    { cookie },
  );
  expect(now.data.node.revision).toBe(2);
  expect(now.data.node.spec.settings).toEqual({ blockTimeSecs: 2 });
  // From the current revision, or without one (scripts), the save goes through.
  expect((await edit(3, 2)).data.updateNode.revision).toBe(3);
  expect((await edit(4)).data.updateNode.revision).toBe(4);
});

test("a field of the wrong shape is refused with a message that says what to write, not the schema's regex", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-shape");
  const answer = await check({
    executorId,
    spec: {
      ...DEVNET_SPEC,
      nodeType: "huge",
      resources: { cpu: "lots", memory: "1 GB" },
      restartPolicy: "sometimes",
      checkpointSyncUrl: "ftp://example.org/",
    },
  });
  const messages = Object.fromEntries(answer.errors.map((e) => [e.path, e.message]));
  expect(Object.keys(messages).sort()).toEqual([
    "/spec/checkpointSyncUrl",
    "/spec/nodeType",
    "/spec/resources/cpu",
    "/spec/resources/memory",
    "/spec/restartPolicy",
  ]);
  expect(messages["/spec/nodeType"]).toBe('use one of "full", "archive"');
  expect(messages["/spec/restartPolicy"]).toBe('use one of "always", "on-failure", "no"');
  expect(messages["/spec/resources/cpu"]).toBe('write a quantity such as "2", "500m" or "16Gi"');
  expect(messages["/spec/resources/memory"]).toBe('write a quantity such as "2", "500m" or "16Gi"');
  expect(messages["/spec/checkpointSyncUrl"]).toBe("write an http:// or https:// URL");
});

test("recentRevisions gives the newest page of a node's history, newest first, within 1 to 500", async () => {
  const { executorId } = await syncExecutor(cp, key, "forms-history");
  const node = await createNode(cp, cookie, executorId, "long-history");
  for (const action of ["stop", "start", "restart"]) {
    const result = await cp.gql(
      "mutation($id: ID!, $a: NodeLifecycleAction!) { requestNodeLifecycleAction(id: $id, action: $a) { revision } }",
      { id: node.id, a: action },
      { cookie },
    );
    expect(result.errors).toBeUndefined();
  }
  const page = async (take: number) => {
    const result = await cp.gql(
      "query($id: ID!, $t: Int) { node(where: { id: $id }) { recentRevisions(take: $t) { revision summary } } }",
      { id: node.id, t: take },
      { cookie },
    );
    return (result.data.node.recentRevisions as { revision: number }[]).map((r) => r.revision);
  };
  expect(await page(2)).toEqual([4, 3]);
  expect(await page(0)).toEqual([4]);
  expect(await page(100_000)).toEqual([4, 3, 2, 1]);
});
