// The authorization matrix, built from the GraphQL schema itself: every Query and Mutation field (read by
// introspection from the running control plane) × every kind of caller, with the expected outcome. An
// operation without a row fails the test, so a new operation can't ship without its authorization
// decided here. Reads by another organization or an executor key must show none of organization A's ids.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { MATRIX, type MatrixContext, PRINCIPALS, type Principal } from "./matrix-rows.ts";
import { Api, type Auth, buildWorld, startTenancyPlane, type World } from "./world.ts";

let cp: ControlPlaneHandle;
let w: World;
let ctx: Omit<MatrixContext, "p" | "expected">;

beforeAll(async () => {
  cp = await startTenancyPlane();
  w = await buildWorld(cp);
  const { api } = w;
  const spare = await api.user("Spare");
  await api.join({ cookie: w.owner.cookie }, spare, "member");
  const exec = await api.sync(w.executorKey.key, "fleet-1");
  const node = await api.ok(
    "mutation($d: NodeCreateInput!) { createNode(data: $d) { id } }",
    { d: { executorId: exec.executorId, name: "node-a", spec: DEVNET_SPEC } },
    { cookie: w.owner.cookie },
  );
  ctx = { w, spare, executorId: exec.executorId!, nodeId: node.createNode.id, admin: await api.admin() };
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

function authOf(p: Principal): Auth {
  switch (p) {
    case "owner":
    case "admin":
    case "member":
    case "other":
      return { cookie: w[p].cookie };
    case "anonymous":
      return {};
    case "executor":
      return { token: w.executorKey.key };
    case "patOwner":
      return { token: w.tokens.owner };
    case "patAdmin":
      return { token: w.tokens.admin };
    case "patMember":
      return { token: w.tokens.member };
  }
}

test("every GraphQL operation has a row in the authorization matrix, and every row an operation", async () => {
  const schema = await w.api.ok(
    "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
  );
  const operations = [
    ...schema.__schema.queryType.fields.map((f: { name: string }) => `Query.${f.name}`),
    ...schema.__schema.mutationType.fields.map((f: { name: string }) => `Mutation.${f.name}`),
  ].sort();
  expect(operations.filter((op) => !MATRIX.some((row) => row.op === op))).toEqual([]);
  expect(MATRIX.map((row) => row.op).filter((op) => !operations.includes(op))).toEqual([]);
});

test("every operation × every caller gets exactly the expected outcome", async () => {
  const aIds = [w.orgA, w.owner.id, w.admin.id, w.member.id, w.executorKey.id, ctx.executorId, ctx.nodeId];
  const mismatches: string[] = [];
  for (const row of MATRIX) {
    for (const p of PRINCIPALS) {
      const expected = row.expect[p];
      const c: MatrixContext = { ...ctx, p, expected };
      const vars = row.vars ? await row.vars(c) : {};
      const field = row.op.split(".")[1]!;
      const answer = await w.api.gql(row.doc, vars, authOf(p), (d) => (row.reveals ? row.reveals(d) : []));
      let got = Api.code(answer);
      if (got === "ok" && row.op.startsWith("Query.")) {
        const value = answer.data?.[field];
        got =
          value === null || value === undefined || (Array.isArray(value) && value.length === 0)
            ? "empty"
            : "ok";
        if ((p === "other" || p === "executor") && aIds.some((id) => answer.text.includes(id))) {
          mismatches.push(`${row.op} as ${p}: shows organization A's data`);
        }
      }
      if (got !== expected)
        mismatches.push(`${row.op} as ${p}: expected ${expected}, got ${got} ${answer.text.slice(0, 160)}`);
      if (row.after && got === "ok") await row.after(c, answer);
    }
  }
  expect(mismatches).toEqual([]);
}, 90_000);

test("no key, token or password leaked into a response or the log during the matrix", () => {
  w.api.watch.assertClean(cp.logs);
});
