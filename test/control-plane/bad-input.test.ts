// Bad input on every executor endpoint and GraphQL mutation: each gets a clear 4xx (or a typed GraphQL
// error) naming the field, and the control plane keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { CAPABILITIES, call, createNode, DEVNET_SPEC, syncBody, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let cookie: string;
let key: string;
let executorId: string;
let nodeId: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  key = await cp.createExecutorKey("bad-input");
  executorId = (await syncExecutor(cp, key, "host-bad")).executorId;
  nodeId = (await createNode(cp, cookie, executorId, "bad-node")).id;
});
afterAll(() => cp.stop());

const SAME_401 = {
  code: "unauthenticated",
  message: "the executor key is missing, unknown, disabled, revoked or expired",
  details: [],
};
const endpoints = [
  { path: "/api/v1/executor/sync", body: () => syncBody("host-bad") },
  { path: "/api/v1/executor/specs?cursor=0", body: () => undefined },
  { path: "/api/v1/executor/observed", body: () => ({ observations: [] }) },
  { path: "/api/v1/executor/events", body: () => ({ events: [{ level: "info", message: "hi" }] }) },
];

describe("executor endpoints reject bad credentials with one indistinguishable 401", () => {
  for (const endpoint of endpoints) {
    test(`${endpoint.path}: no key, unknown key, a personal-token-shaped key and a revoked key`, async () => {
      const revoked = await cp.createExecutorKey("to-revoke");
      const { data } = await cp.gql(`{ apiKeys { id start } }`, {}, { cookie });
      const row = data.apiKeys.find((k: { start: string }) => revoked.startsWith(k.start));
      await cp.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { status } }`, { id: row.id }, { cookie });
      for (const k of [null, "exc_not-a-real-key", "nvp_whatever", revoked]) {
        const result = await call(cp, endpoint.path, { key: k, body: endpoint.body(), executorId });
        expect(result.status).toBe(401);
        expect(result.json).toEqual(SAME_401);
      }
    });
  }
});

describe("malformed and mistyped bodies get 400 with path-qualified details", () => {
  const cases: {
    name: string;
    path: string;
    rawBody?: string;
    body?: unknown;
    status: number;
    detailPath: string;
  }[] = [
    {
      name: "malformed JSON on sync",
      path: "/api/v1/executor/sync",
      rawBody: "{not json",
      status: 400,
      detailPath: "/",
    },
    {
      name: "wrong type on sync",
      path: "/api/v1/executor/sync",
      body: syncBody("host-bad", { version: 12 }),
      status: 400,
      detailPath: "/version",
    },
    {
      name: "unknown field on sync",
      path: "/api/v1/executor/sync",
      body: syncBody("host-bad", { color: "red" }),
      status: 400,
      detailPath: "/color",
    },
    {
      name: "bad executor name",
      path: "/api/v1/executor/sync",
      body: syncBody("bad name!"),
      status: 400,
      detailPath: "/name",
    },
    {
      name: "bad channel",
      path: "/api/v1/executor/sync",
      body: syncBody("host-bad", { channel: "nightly" }),
      status: 400,
      detailPath: "/channel",
    },
    {
      name: "malformed JSON on observed",
      path: "/api/v1/executor/observed",
      rawBody: "[",
      status: 400,
      detailPath: "/",
    },
    {
      name: "unknown process status on observed",
      path: "/api/v1/executor/observed",
      body: {
        observations: [
          {
            nodeId: "00000000-0000-4000-8000-000000000000",
            revision: 1,
            processes: [{ role: "node", status: "happy" }],
          },
        ],
      },
      status: 400,
      detailPath: "/observations/0/processes/0/status",
    },
    {
      name: "negative revision on observed",
      path: "/api/v1/executor/observed",
      body: {
        observations: [{ nodeId: "00000000-0000-4000-8000-000000000000", revision: -1, processes: [] }],
      },
      status: 400,
      detailPath: "/observations/0/revision",
    },
    {
      name: "empty event batch",
      path: "/api/v1/executor/events",
      body: { events: [] },
      status: 400,
      detailPath: "/events",
    },
    {
      name: "bad event level",
      path: "/api/v1/executor/events",
      body: { events: [{ level: "fatal", message: "x" }] },
      status: 400,
      detailPath: "/events/0/level",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await call(cp, c.path, { key, executorId, rawBody: c.rawBody, body: c.body });
      expect(result.status).toBe(c.status);
      expect(result.json.code).toBe("bad_request");
      expect(result.json.details.map((d: { path: string }) => d.path)).toContain(c.detailPath);
    });
  }

  test("an oversized body gets 413 and is not read to the end", async () => {
    const huge = JSON.stringify({ observations: [], padding: "x".repeat(2 * 1024 * 1024) });
    const result = await call(cp, "/api/v1/executor/observed", { key, executorId, rawBody: huge });
    expect(result.status).toBe(413);
    expect(result.json.code).toBe("payload_too_large");
  });

  test("specs with bad query parameters name the parameter", async () => {
    for (const [query, path] of [
      ["cursor=-1", "/cursor"],
      ["waitMs=999999", "/waitMs"],
      ["cursor=abc", "/cursor"],
      ["bogus=1", "/bogus"],
    ]) {
      const result = await call(cp, `/api/v1/executor/specs?${query}`, { key, executorId });
      expect(result.status).toBe(400);
      expect(result.json.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  test("a missing or foreign executor id header is refused with the fix", async () => {
    const missing = await call(cp, "/api/v1/executor/specs", { key });
    expect(missing.status).toBe(400);
    expect(missing.json.details[0].message).toContain("/sync");
    const foreign = await call(cp, "/api/v1/executor/specs", {
      key,
      executorId: "00000000-0000-4000-8000-000000000000",
    });
    expect(foreign.status).toBe(404);
  });

  test("unknown routes get a 404 envelope", async () => {
    const result = await call(cp, "/api/v1/executor/nope", { key });
    expect(result.status).toBe(404);
    expect(result.json.code).toBe("not_found");
  });
});

describe("GraphQL mutations return typed errors naming the field", () => {
  const mutate = (
    query: string,
    variables: Record<string, unknown>,
    auth: { cookie?: string } = { cookie },
  ) => cp.gql(query, variables, auth);
  const CREATE = `mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`;

  test("without credentials every mutation is refused as unauthenticated", async () => {
    const result = await mutate(CREATE, { data: { executorId, spec: DEVNET_SPEC } }, {});
    expect(result.errors?.[0]?.extensions?.code).toBe("unauthenticated");
  });

  test("a spec with wrong types and unknown fields lists every offender", async () => {
    const spec = {
      ...DEVNET_SPEC,
      nodeType: "giant",
      color: "red",
      clients: { node: { name: "anvil", version: 7 } },
    };
    const result = await mutate(CREATE, { data: { executorId, spec } });
    expect(result.errors?.[0]?.extensions?.code).toBe("invalid_node_config");
    const paths = result.errors?.[0]?.extensions?.details?.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(["/spec/nodeType", "/spec/color", "/spec/clients/node/version"]),
    );
  });

  test("a chain the executor does not advertise is chain_not_supported_by_executor", async () => {
    const result = await mutate(CREATE, {
      // Ink is a chain of the reference that no adapter of this build runs, so no executor advertises it.
      data: { executorId, spec: { ...DEVNET_SPEC, chain: "ink", network: "ink-mainnet" } },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe("chain_not_supported_by_executor");
  });

  test("an unknown network and a managed flag are invalid_node_config with both paths", async () => {
    const spec = { ...DEVNET_SPEC, network: "mainnet", overrides: { args: { anvil: ["--port=9"] } } };
    const result = await mutate(CREATE, { data: { executorId, spec } });
    const paths = result.errors?.[0]?.extensions?.details?.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["/spec/network", "/spec/overrides/args/anvil/0"]));
  });

  test("editing a field fixed after deploy is refused with the redeploy hint", async () => {
    const result = await mutate(
      `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision } }`,
      {
        id: nodeId,
        spec: { ...DEVNET_SPEC, nodeType: "archive" },
      },
    );
    expect(result.errors?.[0]?.extensions?.details?.[0]).toEqual({
      path: "/spec/nodeType",
      message: expect.stringContaining("redeploy"),
    });
  });

  test("GraphQL-level type errors name the argument", async () => {
    const result = await mutate(
      `mutation { requestNodeLifecycleAction(id: "x", action: explode) { id } }`,
      {},
    );
    expect(result.errors?.[0]?.message).toContain("explode");
    expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
  });

  test("a document that does not parse or names an unknown field is bad_request", async () => {
    for (const query of ["{ me { ", "{ me { favouriteColour } }"]) {
      expect((await mutate(query, {})).errors?.[0]?.extensions?.code).toBe("bad_request");
    }
  });

  test("a rollback to a revision that does not exist names the revision", async () => {
    const result = await mutate(`mutation($id: ID!) { rollbackNode(id: $id, revision: 99) { revision } }`, {
      id: nodeId,
    });
    expect(result.errors?.[0]?.extensions?.details?.[0]?.path).toBe("/revision");
  });

  test("a node or executor id from nowhere is not_found, never a 5xx", async () => {
    for (const query of [
      `mutation { requestNodeLifecycleAction(id: "00000000-0000-4000-8000-000000000000", action: stop) { id } }`,
      `mutation { deleteNode(where: { id: "nope" }) { id } }`,
    ]) {
      expect((await mutate(query, {})).errors?.[0]?.extensions?.code).toBe("not_found");
    }
    const result = await mutate(CREATE, { data: { executorId: "nope", spec: DEVNET_SPEC } });
    expect(result.errors?.[0]?.extensions?.code).toBe("not_found");
  });

  test("key names outside 1..32 characters and bad expiries are refused with the field", async () => {
    const make = (input: Record<string, unknown>) =>
      mutate(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: input });
    expect((await make({ name: "x".repeat(33) })).errors?.[0]?.extensions?.details?.[0]?.path).toBe("/name");
    expect((await make({ name: "" })).errors?.[0]?.extensions?.details?.[0]?.path).toBe("/name");
    expect((await make({ name: "ok", expiresInDays: 0 })).errors?.[0]?.extensions?.details?.[0]?.path).toBe(
      "/expiresInDays",
    );
  });
});

describe("wrong GraphQL input is the caller's error, never an internal one", () => {
  const anonymous = {};
  const LONG = "x".repeat(100_000);

  test("an Int variable out of range is bad_request naming the variable (anonymous caller)", async () => {
    const result = await cp.gql(
      `query($take: Int) { nodes(take: $take) { id } }`,
      { take: 2 ** 40 },
      anonymous,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
    expect(result.errors?.[0]?.message).toContain("$take");
  });

  test("an unknown enum value in a variable is bad_request naming the variable", async () => {
    const result = await cp.gql(
      `query($level: EventLevel) { events(filter: { level: $level }) { id } }`,
      { level: "fatal" },
      { cookie },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
    expect(result.errors?.[0]?.message).toContain("$level");
  });

  test("a 100,000-character contains filter is bad_request naming the field, as a variable and inline", async () => {
    const asVariable = await cp.gql(
      `query($c: String) { nodes(where: { name: { contains: $c } }) { id } }`,
      { c: LONG },
      { cookie },
    );
    const inline = await cp.gql(
      `{ executors(where: { name: { contains: "${LONG}" } }) { id } }`,
      {},
      { cookie },
    );
    for (const [result, path] of [
      [asVariable, "/where/name/contains"],
      [inline, "/where/name/contains"],
    ] as const) {
      expect(result.errors?.[0]?.extensions?.code).toBe("bad_request");
      expect(result.errors?.[0]?.extensions?.details?.[0]?.path).toBe(path);
    }
  });
});

describe("out-of-support executors", () => {
  test("an executor two majors behind still syncs but gets 409 on specs", async () => {
    const newer = await startControlPlane({ version: "2.0.0" });
    try {
      const k = await newer.createExecutorKey("old-agent");
      const sync = await call(newer, "/api/v1/executor/sync", {
        key: k,
        body: { ...syncBody("old"), version: "0.9.0", capabilities: CAPABILITIES },
      });
      expect(sync.status).toBe(200);
      expect(sync.json.compat).toBe("out-of-support");
      const specs = await call(newer, "/api/v1/executor/specs", { key: k, executorId: sync.json.executorId });
      expect(specs.status).toBe(409);
      expect(specs.json.message).toContain("upgrade");
    } finally {
      await newer.stop();
    }
  }, 30_000);
});

test("after all of the above the control plane still serves", async () => {
  const result = await call(cp, "/healthz");
  expect(result).toEqual({ status: 200, json: { status: "ok" } });
  expect((await syncExecutor(cp, key, "host-bad")).executorId).toBe(executorId);
  expect(cp.logs.some((l) => l.includes('"level":"error"'))).toBe(false);
});
