// One GraphQL request never owns the control plane: documents past the depth, cost, alias, token or
// directive limits are refused before they run, a document within them that would still do too much work
// stops at the request's budget, each with `query_too_complex` naming the limit, and meanwhile /healthz,
// executor syncs and a held long-poll keep answering. Queries a UI and the scripts send stay admitted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { createNode, DEVNET_SPEC, syncExecutor } from "./protocol-client.ts";
import { allAnswered, underAttack } from "./under-attack.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let executor: { key: string; executorId: string; name: string };
let nodeId: string;

/** Enough nodes on one executor that Executor.nodes ↔ Node.executor multiplies into real work. */
const NODES = 30;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  const key = await cp.createExecutorKey("limits");
  const executorId = (await syncExecutor(cp, key, "host-limits")).executorId;
  executor = { key, executorId, name: "host-limits" };
  nodeId = (await createNode(cp, cookie, executorId, "limits-0")).id;
  const creates = Array.from(
    { length: NODES - 1 },
    (_, i) => `n${i}: createNode(data: { executorId: $e, name: "limits-${i + 1}", spec: $spec }) { id }`,
  );
  const made = await cp.gql(
    `mutation($e: ID!, $spec: JSON!) { ${creates.join("\n")} }`,
    { e: executorId, spec: DEVNET_SPEC },
    { cookie },
  );
  expect(made.errors).toBeUndefined();
}, 60_000);
afterAll(() => cp.stop());

/** fragment F0 on Executor { a: nodes { executor { ...F1 } } b: nodes { executor { ...F1 } } } … */
function doublingFragments(levels: number, leaf = "id name") {
  const fragments = Array.from(
    { length: levels },
    (_, i) =>
      `fragment F${i} on Executor { a: nodes { executor { ...F${i + 1} } } b: nodes { executor { ...F${i + 1} } } }`,
  );
  fragments.push(`fragment F${levels} on Executor { ${leaf} }`);
  return `query { executors { ...F0 } }\n${fragments.join("\n")}`;
}

/** Within the depth and alias limits, but ninety aliased six-level branches: past the cost limit. */
function wideAliases() {
  const branch =
    "executors { nodes { executor { nodes { executor { nodes { id name phase spec observed } } } } } }";
  return `{ ${Array.from({ length: 90 }, (_, i) => `a${i}: ${branch}`).join(" ")} }`;
}

const BOMBS: { name: string; query: () => string; limit: RegExp }[] = [
  {
    name: "fragments that double the work per level, 15 levels over one node",
    query: () => doublingFragments(15),
    limit: /depth/i,
  },
  { name: "ninety aliased six-level branches", query: wideAliases, limit: /cost/i },
  {
    name: "an alias bomb of 300 aliased executors lists",
    query: () => `{ ${Array.from({ length: 300 }, (_, i) => `a${i}: executors { id }`).join(" ")} }`,
    limit: /aliases/i,
  },
  {
    name: "10,000-level nesting",
    query: () => `{ ${"executors { nodes { ".repeat(5_000)}id${" }".repeat(10_000)} }`,
    limit: /tokens/i,
  },
  {
    name: "a directive bomb",
    query: () => `{ me ${"@include(if: true) ".repeat(200)}{ id } }`,
    limit: /directives/i,
  },
];

describe("documents past a static limit are refused before they run", () => {
  for (const bomb of BOMBS) {
    test(`${bomb.name}: refused with query_too_complex naming the limit, bystanders answered`, async () => {
      const { result, bystander } = await underAttack(cp, executor, () =>
        cp.gql(bomb.query(), {}, { cookie }),
      );
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe("query_too_complex");
      expect(result.errors?.[0]?.message).toMatch(bomb.limit);
      expect(allAnswered(bystander)).toBe(true);
    }, 60_000);
  }

  test("an anonymous caller gets the same refusal (limits run before authorization)", async () => {
    const result = await cp.gql(doublingFragments(15), {});
    expect(result.errors?.[0]?.extensions?.code).toBe("query_too_complex");
  });
});

describe("a document within the limits stops at its work budget", () => {
  test("Executor.nodes ↔ Node.executor over 30 nodes is cut off with query_too_complex naming the budget", async () => {
    const query = `{ executors { nodes { executor { nodes { executor { nodes { id name phase } } } } } } }`;
    const { result, bystander } = await underAttack(cp, executor, () => cp.gql(query, {}, { cookie }));
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe("query_too_complex");
    expect(result.errors?.[0]?.message).toMatch(/budget/i);
    expect(allAnswered(bystander)).toBe(true);
  }, 60_000);
});

describe("legitimate queries stay admitted", () => {
  test("a node list page with every field and its executor", async () => {
    const result = await cp.gql(
      `{ nodes(take: 500) { id name executorId spec revision desiredState restartGeneration observed observedAt
         observedRevision drifted phase createdAt updatedAt deletedAt retainData
         executor { id name kind status currentVersion channel compat lastSyncAt publicHost } } }`,
      {},
      { cookie },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.nodes).toHaveLength(NODES);
  });

  test("a node detail with revisions, its executor and that executor's nodes", async () => {
    const result = await cp.gql(
      `query($id: ID!) { node(where: { id: $id }) { id name spec phase observed
         revisions { revision spec summary authorId createdAt }
         executor { id name status capabilities resources nodes { id name phase } } }
         events(filter: { nodeId: $id }) { id type level message createdAt } }`,
      { id: nodeId },
      { cookie },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.node.executor.nodes).toHaveLength(NODES);
  });

  test("fifty aliased mutations in one document (how scripts create nodes in bulk)", async () => {
    const stops = Array.from(
      { length: 50 },
      (_, i) => `s${i}: requestNodeLifecycleAction(id: $id, action: start) { id revision }`,
    );
    const result = await cp.gql(`mutation($id: ID!) { ${stops.join("\n")} }`, { id: nodeId }, { cookie });
    expect(result.errors).toBeUndefined();
    expect(Object.keys(result.data)).toHaveLength(50);
  });
});
