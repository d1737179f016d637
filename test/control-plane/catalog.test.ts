// The client catalog in the control plane: versions are data an admin adds, not code. An added version
// reaches an executor's spec (resolved for its platform and the node's network) without a new binary; the
// deploy forms offer it; an unverified file is refused at deploy until a system admin pins the sha256 the
// control plane computed; only system admins change the catalog, each change audited; bad entries are
// refused with their paths; ARTIFACT_SOURCE=upstream hands out upstream URLs. Real control plane, real
// SQLite file, real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { type ControlPlaneHandle, type GqlResult, startControlPlane } from "../harness/control-plane.ts";
import { Api } from "../tenancy/world.ts";
import {
  ADD,
  DEMO_CAPABILITIES,
  demoEntry,
  demoSpec,
  LIST,
  PIN,
  REMOVE,
  recordDownload,
  sha256Of,
} from "./catalog-kit.ts";
import { call, createNode, DEVNET_SPEC, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
let admin: string;
let key: string;

beforeAll(async () => {
  cp = await startControlPlane();
  [admin, key] = await Promise.all([cp.adminSession(), cp.createExecutorKey("catalog")]);
});
afterAll(() => cp.stop());

const X64 = { os: "linux", arch: "x64" };
const ARM64 = { os: "linux", arch: "arm64" };

async function executor(name: string, resources = X64) {
  return (await syncExecutor(cp, key, name, { capabilities: DEMO_CAPABILITIES, resources })).executorId;
}

async function specsOf(executorId: string) {
  const answer = await call(cp, "/api/v1/executor/specs?cursor=0", { key, executorId });
  expect(answer.status).toBe(200);
  return answer.json.specs as { name: string; artifacts?: Record<string, Record<string, any>> }[];
}

const tryCreate = (executorId: string, name: string, spec: unknown) =>
  cp.gql(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`,
    { data: { executorId, name, spec } },
    { cookie: admin },
  );

function problems(result: GqlResult): Record<string, string> {
  expect(result.data).toBeNull();
  return Object.fromEntries((result.errors?.[0]?.extensions?.details ?? []).map((d) => [d.path, d.message]));
}

describe("an added version reaches executors without a new binary", () => {
  test("a version added with addCatalogEntries is offered to the deploy form and delivered resolved for each platform", async () => {
    const entry = demoEntry("1.4.2");
    const added = await cp.gql(ADD, { e: [entry] }, { cookie: admin });
    expect(added.errors).toBeUndefined();
    expect(added.data.addCatalogEntries[0]).toMatchObject({ version: "1.4.2", origin: "added" });

    const x64 = await executor("catalog-x64");
    const arm = await executor("catalog-arm", ARM64);
    // The deploy form reads the executor's capabilities: the catalog's version inside its versionRange.
    const offer = await cp.gql(
      "query($id: ID!) { executor(where: { id: $id }) { capabilities } }",
      { id: x64 },
      { cookie: admin },
    );
    const demo = offer.data.executor.capabilities.supportedChains.find((c: any) => c.chain === "demo");
    expect(demo.roles[0].clients[0].versions).toEqual(["1.4.2"]);

    await createNode(cp, admin, x64, "demo-x64", demoSpec("1.4.2"));
    await createNode(cp, admin, arm, "demo-arm", demoSpec("1.4.2", "test"));
    const [onX64] = await specsOf(x64);
    const [onArm] = await specsOf(arm);
    const x64File = entry.platforms["linux-x64"].client;
    expect(onX64!.artifacts).toEqual({
      node: {
        client: {
          url: `/api/v1/executor/artifacts/${x64File.sha256}`,
          sha256: x64File.sha256!,
          format: "tar.gz",
          member: "democlient-1.4.2/democlient",
          size: 1234,
        },
        genesis: {
          url: `/api/v1/executor/artifacts/${entry.networks.main.genesis.sha256}`,
          sha256: entry.networks.main.genesis.sha256,
          format: "zip",
          member: "genesis.json",
        },
      },
    });
    expect(onArm!.artifacts!.node!.client.sha256).toBe(entry.platforms["linux-arm64"].client.sha256!);
    expect(onArm!.artifacts!.node!.genesis.sha256).toBe(entry.networks.test.genesis.sha256);
  });

  test("the shipped anvil entry is delivered with every devnet spec", async () => {
    const executorId = (await syncExecutor(cp, key, "catalog-devnet", { resources: X64 })).executorId;
    await createNode(cp, admin, executorId, "anvil-from-catalog", DEVNET_SPEC);
    const [spec] = await specsOf(executorId);
    expect(spec!.artifacts).toEqual({
      node: {
        client: {
          url: "/api/v1/executor/artifacts/10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b",
          sha256: "10c1c727d6c1de973aeb160e59875b9a9a23464d6e74149ee8abb30b3500311b",
          format: "binary",
        },
      },
    });
  });

  test("a version the catalog does not hold is refused at /spec/clients/node/version, naming the fix", async () => {
    const x64 = await executor("catalog-missing");
    const refused = problems(await tryCreate(x64, "demo-missing", demoSpec("1.9.9")));
    expect(refused["/spec/clients/node/version"]).toContain("not in the client catalog");
    expect(refused["/spec/clients/node/version"]).toContain("addCatalogEntries");
  });
});

describe("unverified files are never delivered", () => {
  test("deploying an unverified version is refused until a system admin pins the sha256 the control plane computed", async () => {
    const entry = demoEntry("1.5.0", null);
    await cp.gql(ADD, { e: [entry] }, { cookie: admin });
    const x64 = await executor("catalog-unverified");
    const url = entry.platforms["linux-x64"].client.url;

    const before = problems(await tryCreate(x64, "demo-unverified", demoSpec("1.5.0")));
    expect(before["/spec/clients/node/version"]).toContain("not verified");
    expect(before["/spec/clients/node/version"]).toContain("pinCatalogChecksum");
    // The form does not offer what deploy refuses.
    const offer = await cp.gql(
      "query($id: ID!) { executor(where: { id: $id }) { capabilities } }",
      { id: x64 },
      { cookie: admin },
    );
    const demo = offer.data.executor.capabilities.supportedChains.find((c: any) => c.chain === "demo");
    expect(demo.roles[0].clients[0].versions).not.toContain("1.5.0");

    // A pin names the file's platform (or network).
    const nowhere = await cp.gql(
      PIN,
      { v: "1.5.0", p: null, a: "client", s: sha256Of("x") },
      { cookie: admin },
    );
    expect(nowhere.errors?.[0]?.extensions?.details?.[0]).toMatchObject({ path: "/platform" });
    // Nothing to pin before the control plane downloaded the file.
    const early = await cp.gql(
      PIN,
      { v: "1.5.0", p: "linux-x64", a: "client", s: sha256Of("x") },
      { cookie: admin },
    );
    expect(early.errors?.[0]?.extensions?.code).toBe("conflict");

    // The artifact store's first download records what the file hashed to; the admin sees it.
    const computed = sha256Of("the bytes upstream served");
    recordDownload(cp, url, computed);
    const shown = await eventually(
      async () => {
        const list = await cp.gql(LIST, { c: "demo", cl: "democlient" }, { cookie: admin });
        const file = list.data.clientCatalog
          .find((e: any) => e.version === "1.5.0")
          .files.find((f: any) => f.platform === "linux-x64");
        if (!file.computedSha256) throw new Error("not seen yet");
        return file;
      },
      { timeoutMs: 5_000, message: "the computed sha256 is shown" },
    );
    expect(shown).toMatchObject({ status: "unverified", sha256: null, computedSha256: computed });
    const refusedAgain = problems(await tryCreate(x64, "demo-unverified", demoSpec("1.5.0")));
    expect(refusedAgain["/spec/clients/node/version"]).toContain(computed);

    // A value other than the computed one is refused; the computed one pins the file.
    const wrong = await cp.gql(
      PIN,
      { v: "1.5.0", p: "linux-x64", a: "client", s: sha256Of("y") },
      { cookie: admin },
    );
    expect(wrong.errors?.[0]?.extensions?.details?.[0]).toMatchObject({ path: "/sha256" });
    expect(wrong.errors?.[0]?.extensions?.details?.[0]?.message).toContain(computed);
    const pinned = await cp.gql(
      PIN,
      { v: "1.5.0", p: "linux-x64", a: "client", s: computed },
      { cookie: admin },
    );
    expect(pinned.errors).toBeUndefined();
    const file = pinned.data.pinCatalogChecksum.files.find((f: any) => f.platform === "linux-x64");
    expect(file).toMatchObject({ status: "pinned", effectiveSha256: computed });

    await createNode(cp, admin, x64, "demo-pinned", demoSpec("1.5.0"));
    const [spec] = await specsOf(x64);
    expect(spec!.artifacts!.node!.client).toMatchObject({
      url: `/api/v1/executor/artifacts/${computed}`,
      sha256: computed,
    });
  });
});

describe("only system admins change the catalog, and every change is audited", () => {
  test("an organization owner reads the catalog but cannot add, pin or remove", async () => {
    // A user the system admin creates owns a personal organization, and is no system admin.
    const { cookie: owner } = await new Api(cp).user("Owner");
    const read = await cp.gql(LIST, { c: "devnet" }, { cookie: owner });
    expect(read.data.clientCatalog.map((e: any) => `${e.client} ${e.version} ${e.origin}`)).toContain(
      "anvil 1.7.1 shipped",
    );
    const add = await cp.gql(ADD, { e: [demoEntry("1.6.0")] }, { cookie: owner });
    expect(add.errors?.[0]?.extensions?.code).toBe("forbidden");
    const remove = await cp.gql(REMOVE, { c: "demo", cl: "democlient", v: "1.4.2" }, { cookie: owner });
    expect(remove.errors?.[0]?.extensions?.code).toBe("forbidden");
    const pin = await cp.gql(
      PIN,
      { v: "1.5.0", p: "linux-x64", a: "client", s: sha256Of("z") },
      { cookie: owner },
    );
    expect(pin.errors?.[0]?.extensions?.code).toBe("forbidden");
    const anonymous = await cp.gql(LIST, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("unauthenticated");
  });

  test("a shipped entry cannot be removed; an added one can, and add, pin and remove are in the audit log", async () => {
    const shipped = await cp.gql(REMOVE, { c: "devnet", cl: "anvil", v: "1.7.1" }, { cookie: admin });
    expect(shipped.errors?.[0]?.extensions?.code).toBe("conflict");
    expect(shipped.errors?.[0]?.message).toContain("ships with Novacula");

    await cp.gql(ADD, { e: [demoEntry("1.7.0")] }, { cookie: admin });
    const removed = await cp.gql(REMOVE, { c: "demo", cl: "democlient", v: "1.7.0" }, { cookie: admin });
    expect(removed.errors).toBeUndefined();
    expect(removed.data.removeCatalogEntry).toBeNull();
    const list = await cp.gql(LIST, { c: "demo" }, { cookie: admin });
    expect(list.data.clientCatalog.map((e: any) => e.version)).not.toContain("1.7.0");

    const audit = await cp.gql(
      `{ auditActions(filter: { allOrganizations: true, take: 100 }) { nodes { action target { name } details } } }`,
      {},
      { cookie: admin },
    );
    expect(audit.errors).toBeUndefined();
    const rows = audit.data.auditActions.nodes.filter((r: any) => r.action.startsWith("catalog."));
    const actions = rows.map((r: any) => `${r.action} ${r.target.name}`);
    expect(actions).toContain("catalog.entry.added demo democlient 1.7.0");
    expect(actions).toContain("catalog.entry.removed demo democlient 1.7.0");
    expect(actions).toContain("catalog.checksum.pinned demo democlient 1.5.0");
  });
});

describe("bad entries are refused with their paths and nothing is added", () => {
  test("a bad sha256, an archive without a member and a platform without a client are each named", async () => {
    const bad = demoEntry("1.8.0") as any;
    bad.platforms["linux-x64"].client.sha256 = "ABC";
    delete bad.platforms["linux-arm64"].client.member;
    const noClient = demoEntry("1.8.1") as any;
    noClient.platforms["linux-x64"] = { jre: noClient.platforms["linux-x64"].client };
    const schema = await cp.gql(ADD, { e: [bad] }, { cookie: admin });
    expect(schema.errors?.[0]?.extensions?.code).toBe("bad_request");
    expect(problems(schema)["/0/platforms/linux-x64/client/sha256"]).toContain("64 lowercase hex");

    const semantic = await cp.gql(
      ADD,
      {
        e: [
          demoEntry("1.8.2"),
          { ...bad, platforms: { ...bad.platforms, "linux-x64": demoEntry("1.8.0").platforms["linux-x64"] } },
          noClient,
        ],
      },
      { cookie: admin },
    );
    expect(Object.keys(problems(semantic)).sort()).toEqual([
      "/1/platforms/linux-arm64/client/member",
      "/2/platforms/linux-x64/client",
    ]);
    const list = await cp.gql(LIST, { c: "demo" }, { cookie: admin });
    expect(list.data.clientCatalog.map((e: any) => e.version)).not.toContain("1.8.2");
  });
});

describe("ARTIFACT_SOURCE=upstream", () => {
  test("specs carry the upstream URLs, and the npm-packaged anvil still comes from the control plane", async () => {
    const upstream = await startControlPlane({ env: { ARTIFACT_SOURCE: "upstream" } });
    try {
      const cookie = await upstream.adminSession();
      const executorKey = await upstream.createExecutorKey("upstream");
      const entry = demoEntry("1.4.2");
      expect((await upstream.gql(ADD, { e: [entry] }, { cookie })).errors).toBeUndefined();
      const { executorId } = await syncExecutor(upstream, executorKey, "upstream-host", {
        capabilities: DEMO_CAPABILITIES,
        resources: X64,
      });
      await createNode(upstream, cookie, executorId, "demo-upstream", demoSpec("1.4.2"));
      await createNode(upstream, cookie, executorId, "anvil-upstream", DEVNET_SPEC);
      const answer = await call(upstream, "/api/v1/executor/specs?cursor=0", {
        key: executorKey,
        executorId,
      });
      const byName = Object.fromEntries(answer.json.specs.map((s: any) => [s.name, s.artifacts]));
      expect(byName["demo-upstream"].node.client.url).toBe(entry.platforms["linux-x64"].client.url);
      expect(byName["demo-upstream"].node.genesis.url).toBe(entry.networks.main.genesis.url);
      expect(byName["anvil-upstream"].node.client.url).toStartWith("/api/v1/executor/artifacts/");
    } finally {
      await upstream.stop();
    }
  });
});
