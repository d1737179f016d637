// Listing nodes: every filter (chain included) is applied before the page is cut, so a page holds `take`
// matching nodes and paging walks all of them, whatever the other nodes of the organization are.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { CAPABILITIES, createNode, DEVNET_SPEC, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let executorId: string;

// An executor that runs a second chain besides devnet (capabilities are what the executor announces).
const devnet = CAPABILITIES.supportedChains[0]!;
const capabilities = {
  ...CAPABILITIES,
  supportedChains: [devnet, { ...devnet, chain: "othernet" }],
};

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  const key = await cp.createExecutorKey("lister");
  executorId = (await syncExecutor(cp, key, "host-list", { capabilities })).executorId;
  // Sorted by name, every devnet node ("a-…") comes before every othernet node ("b-…").
  for (let i = 0; i < 6; i++) await createNode(cp, cookie, executorId, `a-${i}`, DEVNET_SPEC);
  for (let i = 0; i < 6; i++)
    await createNode(cp, cookie, executorId, `b-${i}`, { ...DEVNET_SPEC, chain: "othernet" });
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

async function names(where: Record<string, unknown>, take: number, skip: number): Promise<string[]> {
  const result = await cp.gql(
    "query($w: NodeWhereInput, $t: Int, $s: Int) { nodes(where: $w, take: $t, skip: $s) { name } }",
    { w: where, t: take, s: skip },
    { cookie },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.nodes.map((n: { name: string }) => n.name);
}

test("a chain filter fills each page with that chain's nodes and pages through all of them", async () => {
  expect(await names({ chain: "othernet" }, 4, 0)).toEqual(["b-0", "b-1", "b-2", "b-3"]);
  expect(await names({ chain: "othernet" }, 4, 4)).toEqual(["b-4", "b-5"]);
  expect(await names({ chain: "devnet" }, 4, 4)).toEqual(["a-4", "a-5"]);
});

test("the chain filter combines with the name and executor filters before the page is cut", async () => {
  expect(await names({ chain: "othernet", executorId, name: { contains: "-" } }, 2, 1)).toEqual([
    "b-1",
    "b-2",
  ]);
  expect(await names({ chain: "nochain" }, 10, 0)).toEqual([]);
});
