// The nodes list's filters work over the whole organization, not the page a screen loaded: a phase
// filter finds the stopped nodes even when every one of them sorts after the first page, the pages of a
// filtered list neither overlap nor skip, sorting by creation works both ways, and nothing of another
// organization ever shows. Also the executor detail's last used key, scoped the same way. Real control
// plane, real SQLite file, observations sent over the executor protocol.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane } from "../tenancy/world.ts";
import { call, createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let api: Api;
let cookie: string;
let key: string;
let executorId: string;
/** name → id of the nodes of the admin's organization. */
const ids = new Map<string, string>();

const NODES = 130;
/** The names of the nodes that will be stopped: all after the first page of 100 by name. */
const STOPPED = ["n-120", "n-125", "n-129"];

beforeAll(async () => {
  cp = await startTenancyPlane();
  api = new Api(cp);
  cookie = await api.admin();
  ({ key } = await api.executorKey({ cookie }, "filters"));
  ({ executorId } = await syncExecutor(cp, key, "filters-host"));
  for (let i = 0; i < NODES; i++) {
    const name = `n-${String(i).padStart(3, "0")}`;
    ids.set(name, (await createNode(cp, cookie, executorId, name)).id);
  }
  // Every node runs at revision 1, then three are stopped (revision 2) and report stopped.
  const observe = (names: string[], revision: number, status: string) =>
    call(cp, "/api/v1/executor/observed", {
      key,
      executorId,
      body: {
        observations: names.map((n) => ({
          nodeId: ids.get(n),
          revision,
          processes: [{ role: "node", status }],
        })),
      },
    });
  expect((await observe([...ids.keys()], 1, "running")).status).toBeLessThan(300);
  const stop = await api.ok(
    "mutation($ids: [ID!]!) { requestNodesLifecycleAction(ids: $ids, action: stop) { id desiredState } }",
    { ids: STOPPED.map((n) => ids.get(n)) },
    { cookie },
  );
  expect(stop.requestNodesLifecycleAction.map((n: { desiredState: string }) => n.desiredState)).toEqual([
    "stopped",
    "stopped",
    "stopped",
  ]);
  expect((await observe(STOPPED, 2, "stopped")).status).toBeLessThan(300);
}, 180_000);

afterAll(() => cp.stop());

const NODES_QUERY = `query($where: NodeWhereInput, $orderBy: NameOrderInput, $take: Int, $skip: Int) {
  nodes(where: $where, orderBy: $orderBy, take: $take, skip: $skip) { name phase }
}`;

async function names(variables: Record<string, unknown>, auth = { cookie }): Promise<string[]> {
  const data = await api.ok(NODES_QUERY, variables, auth);
  return data.nodes.map((n: { name: string }) => n.name);
}

test("the phase filter finds every node in that phase, including those past the first page", async () => {
  // Observations are written in batches: wait until they are stored, then read the filtered list.
  const stopped = await eventually(async () => {
    const found = await names({ where: { phase: "stopped" }, take: 100 });
    return found.length === STOPPED.length ? found : null;
  });
  expect(stopped).toEqual(STOPPED);
  const running = await names({ where: { phase: "running" }, take: 500 });
  expect(running.length).toBe(NODES - STOPPED.length);
  expect(running.some((n) => STOPPED.includes(n))).toBe(false);
  // Combined with the name search, before the page is cut.
  expect(await names({ where: { phase: "stopped", name: { contains: "12" } }, take: 1 })).toEqual(["n-120"]);
  expect(await names({ where: { phase: "stopped" }, take: 2, skip: 2 })).toEqual(["n-129"]);
});

test("an unknown phase is refused with a message naming the field", async () => {
  const r = await api.gql(NODES_QUERY, { where: { phase: "sleeping" } }, { cookie });
  expect(r.errors?.[0]?.message).toMatch(/phase/);
  expect(r.errors?.[0]?.message).toMatch(/sleeping/);
});

test("pages of a filtered, sorted list neither overlap nor skip, by name and by creation, both ways", async () => {
  const all = [...ids.keys()];
  const paged = async (orderBy: Record<string, string>) => {
    const pages: string[] = [];
    for (let skip = 0; skip < NODES; skip += 40) pages.push(...(await names({ orderBy, take: 40, skip })));
    return pages;
  };
  expect(await paged({ name: "asc" })).toEqual(all);
  expect(await paged({ name: "desc" })).toEqual([...all].reverse());
  expect(await paged({ createdAt: "asc" })).toEqual(all);
  expect(await paged({ createdAt: "desc" })).toEqual([...all].reverse());
});

test("another organization sees none of these nodes under any filter, and not this executor's key", async () => {
  const other = await api.user("Other");
  const auth = { cookie: other.cookie };
  for (const where of [{}, { phase: "stopped" }, { phase: "running" }, { executorId }, { chain: "devnet" }])
    expect({ where, names: await names({ where, take: 500 }, auth) }).toEqual({ where, names: [] });
  const executorQuery = "query($id: ID!) { executor(where: { id: $id }) { name lastUsedKey { name } } }";
  expect((await api.ok(executorQuery, { id: executorId }, auth)).executor).toBeNull();
  // The organization's own admin sees the key the executor synced with, by name.
  expect((await api.ok(executorQuery, { id: executorId }, { cookie })).executor).toEqual({
    name: "filters-host",
    lastUsedKey: { name: "filters" },
  });
});
