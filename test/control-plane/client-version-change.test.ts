// A deployed node's client version changes in place through updateNode within the catalog's rules, and every
// refused change says where and what to do: another client, a version the catalog lacks, one below the
// network's minimum, another major, a downgrade; each at its path under /spec/clients. What the client's
// upgrade policy allows (crossing a major, a data-compatible downgrade) goes through. Real control plane,
// real SQLite file, the executor protocol over HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ExecutorCapabilities } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, type GqlResult, startControlPlane } from "../harness/control-plane.ts";
import { ADD, DEMO_CAPABILITIES, demoEntry, demoSpec } from "./catalog-kit.ts";
import { call, createNode, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let admin: string;
let key: string;

/** The demo chain with a network minimum on "test", two clients, and the given upgrade policy for democlient. */
function capabilities(upgradePolicy?: { crossMajor?: boolean; downgradeTo?: string }): ExecutorCapabilities {
  const demo = DEMO_CAPABILITIES.supportedChains.find((c) => c.chain === "demo")!;
  const democlient = {
    name: "democlient",
    versions: ["1.4.0"],
    versionRange: ">=1.0.0 <3.0.0",
    versionConstraints: { test: ">=1.5.0" },
    ...(upgradePolicy ? { upgradePolicy } : {}),
  };
  const other = { name: "otherclient", versions: ["1.4.0"], versionRange: ">=1.0.0 <3.0.0" };
  return {
    ...DEMO_CAPABILITIES,
    supportedChains: [
      ...DEMO_CAPABILITIES.supportedChains.filter((c) => c.chain !== "demo"),
      { ...demo, roles: [{ role: "node", clients: [democlient, other] }] },
    ],
  };
}

async function executor(name: string, policy?: { crossMajor?: boolean; downgradeTo?: string }) {
  const resources = { os: "linux", arch: "x64" };
  return (await syncExecutor(cp, key, name, { capabilities: capabilities(policy), resources })).executorId;
}

const update = (id: string, spec: unknown) =>
  cp.gql(
    `mutation($id: ID!, $spec: JSON!) { updateNode(where: { id: $id }, data: { spec: $spec }) { revision spec } }`,
    { id, spec },
    { cookie: admin },
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

async function revisions(id: string) {
  const result = await cp.gql(
    "query($id: ID!) { node(where: { id: $id }) { revision recentRevisions(take: 10) { revision summary clientUpgrade { role client from to direction outcome reason } } } }",
    { id },
    { cookie: admin },
  );
  return result.data.node as {
    revision: number;
    recentRevisions: { revision: number; summary: string; clientUpgrade: Record<string, unknown> | null }[];
  };
}

const VERSION = "/spec/clients/node/version";

beforeAll(async () => {
  cp = await startControlPlane();
  [admin, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("client-versions")]);
  const added = await cp.gql(
    ADD,
    { e: ["1.4.0", "1.4.2", "1.5.0", "2.0.0"].map((v) => demoEntry(v)) },
    { cookie: admin },
  );
  expect(added.errors).toBeUndefined();
});
afterAll(() => cp.stop());

describe("changing a deployed node's client version", () => {
  test("an upgrade within the major is a new revision named after it, delivered with the new version's files", async () => {
    const executorId = await executor("upgrade-host");
    const node = await createNode(cp, admin, executorId, "demo-upgrade", demoSpec("1.4.0"));
    const result = await update(node.id, demoSpec("1.4.2"));
    expect(result.errors).toBeUndefined();
    expect(result.data.updateNode.spec.clients.node.version).toBe("1.4.2");

    const history = await revisions(node.id);
    expect(history.recentRevisions[0]).toEqual({
      revision: 2,
      summary: "client upgrade democlient 1.4.0 → 1.4.2",
      clientUpgrade: {
        role: "node",
        client: "democlient",
        from: "1.4.0",
        to: "1.4.2",
        direction: "upgrade",
        outcome: "pending",
        reason: null,
      },
    });
    // The revision before it was no client change.
    expect(history.recentRevisions[1]!.clientUpgrade).toBeNull();

    const answer = await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId });
    const [assigned] = answer.json.specs as {
      artifacts: Record<string, Record<string, { sha256: string }>>;
    }[];
    expect(assigned!.artifacts.node!.client!.sha256).toBe(
      demoEntry("1.4.2").platforms["linux-x64"].client.sha256!,
    );
  });

  test("each refused change is invalid_node_config at its path with the fix, and nothing is written", async () => {
    const executorId = await executor("refusing-host");
    const node = await createNode(cp, admin, executorId, "demo-refusing", demoSpec("1.4.2"));
    const onTest = await createNode(cp, admin, executorId, "demo-refusing-test", demoSpec("1.5.0", "test"));

    const otherClient = {
      ...demoSpec("1.4.2"),
      clients: { node: { name: "otherclient", version: "1.4.2" } },
    };
    const cases: [string, unknown, string, RegExp][] = [
      [node.id, otherClient, "/spec/clients/node/name", /fixed after deploy.*delete and redeploy/],
      [node.id, demoSpec("1.4.9"), VERSION, /1\.4\.9/],
      [node.id, demoSpec("2.0.0"), VERSION, /within 1\.x only.*pick a 1\.x version/],
      [node.id, demoSpec("1.4.0"), VERSION, /downgrade from 1\.4\.2 to 1\.4\.0 refused.*at least 1\.4\.2/],
      [
        node.id,
        {
          ...demoSpec("1.4.2"),
          clients: {
            node: { name: "democlient", version: "1.4.2" },
            extra: { name: "democlient", version: "1.4.2" },
          },
        },
        "/spec/clients/extra",
        /roles of a node are fixed/,
      ],
    ];
    for (const [id, spec, path, message] of cases) {
      const { code, problems } = refusal(await update(id, spec));
      expect({ path, code }).toEqual({ path, code: "invalid_node_config" });
      expect(problems[path]).toMatch(message);
    }
    // Below the network minimum, even where the policy would allow the downgrade (checked on its own below).
    const permissive = await executor("permissive-host", { downgradeTo: ">=1.4.0" });
    const minimum = await createNode(cp, admin, permissive, "demo-minimum", demoSpec("1.5.0", "test"));
    const below = refusal(await update(minimum.id, demoSpec("1.4.2", "test")));
    expect(below.code).toBe("invalid_node_config");
    expect(below.problems[VERSION]).toMatch(/1\.5\.0/);
    // The version the catalog lacks on the test network is refused too, whatever the policy.
    expect(refusal(await update(onTest.id, demoSpec("1.4.9", "test"))).problems[VERSION]).toBeDefined();

    for (const id of [node.id, onTest.id, minimum.id]) expect((await revisions(id)).revision).toBe(1);
  });

  test("a client whose upgrade policy allows it crosses a major and downgrades into its data-compatible range", async () => {
    const executorId = await executor("policy-host", { crossMajor: true, downgradeTo: ">=1.4.2" });
    const node = await createNode(cp, admin, executorId, "demo-policy", demoSpec("1.5.0"));
    expect((await update(node.id, demoSpec("1.4.2"))).errors).toBeUndefined();
    expect((await update(node.id, demoSpec("2.0.0"))).errors).toBeUndefined();
    // Below the range this client declares its data compatible with: refused, the range named.
    const back = refusal(await update(node.id, demoSpec("1.4.0")));
    expect(back.problems[VERSION]).toMatch(/data opens with versions >=1\.4\.2 only/);
    const history = await revisions(node.id);
    expect(history.recentRevisions.map((r) => r.summary)).toEqual([
      "client upgrade democlient 1.4.2 → 2.0.0",
      "client downgrade democlient 1.5.0 → 1.4.2",
      "created",
    ]);
  });
});

describe("what the executor reports of a client version change", () => {
  const report = (executorId: string, nodeId: string, reason: string, payload: Record<string, unknown>) =>
    call(cp, "/api/v1/executor/events", {
      key,
      executorId,
      body: { events: [{ nodeId, level: "info", message: `demo: ${reason}`, reason, payload }] },
    });
  const rollback = (id: string, revision: number) =>
    cp.gql(
      "mutation($id: ID!, $r: Int!) { rollbackNode(id: $id, revision: $r) { revision } }",
      { id, r: revision },
      { cookie: admin },
    );

  test("a reverted change is on its revision with the cause, and going back to the running version is allowed", async () => {
    const executorId = await executor("reporting-host");
    const node = await createNode(cp, admin, executorId, "demo-reported", demoSpec("1.4.0"));
    await update(node.id, demoSpec("1.4.2"));
    const change = { role: "node", client: "democlient", from: "1.4.0", to: "1.4.2", revision: 2 };
    const answer = await report(executorId, node.id, "client_upgrade.reverted", {
      ...change,
      cause: "democlient 1.4.2 exited with status 1: bad flag",
    });
    expect(answer.status).toBe(200);
    const [latest] = (await revisions(node.id)).recentRevisions;
    expect(latest!.clientUpgrade).toMatchObject({
      outcome: "reverted",
      reason: "democlient 1.4.2 exited with status 1: bad flag",
    });
    // 1.4.0 still runs on the host, also after an edit of something else: going back is no downgrade.
    const ports = { ...demoSpec("1.4.2"), ports: { rpc: 18_645 } };
    expect((await update(node.id, ports)).errors).toBeUndefined();
    const back = await rollback(node.id, 1);
    expect(back.errors).toBeUndefined();
    expect((await revisions(node.id)).recentRevisions[0]!.summary).toBe(
      "rolled back to revision 1; client downgrade democlient 1.4.2 → 1.4.0",
    );
  });

  test("after a change that succeeded, a rollback to the older version is a downgrade and refused at its path", async () => {
    const executorId = await executor("succeeding-host");
    const node = await createNode(cp, admin, executorId, "demo-succeeded", demoSpec("1.4.0"));
    await update(node.id, demoSpec("1.4.2"));
    const change = { role: "node", client: "democlient", from: "1.4.0", to: "1.4.2", revision: 2 };
    expect((await report(executorId, node.id, "client_upgrade.succeeded", change)).status).toBe(200);
    expect((await revisions(node.id)).recentRevisions[0]!.clientUpgrade).toMatchObject({
      outcome: "succeeded",
      reason: null,
    });
    const refused = refusal(await rollback(node.id, 1));
    expect(refused.code).toBe("invalid_node_config");
    expect(refused.problems[VERSION]).toMatch(/downgrade from 1\.4\.2 to 1\.4\.0 refused/);
    expect((await revisions(node.id)).revision).toBe(2);
  });
});
