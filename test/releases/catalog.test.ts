// The release catalog on a real control plane: publishing checks each binary's minisign signature against
// the trusted keys, only system admins change the catalog, candidates follow the channel's visibility and
// the one-major hop, and requestExecutorUpgrade refuses with the reference's typed errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "../../scripts/release-signing.ts";
import { Api, type User } from "../tenancy/world.ts";
import {
  agent,
  CREATE,
  fakeBinary,
  publish,
  type ReleaseWorld,
  sign,
  startReleaseWorld,
  upload,
} from "./world.ts";

let w: ReleaseWorld;
let api: Api;
let owner: User;
let adminExecKey: string;

const CANDIDATES = `query($id: ID!) { executorUpgradeCandidates(executorId: $id) {
  currentVersion channel candidates { version allowedAsDirectTarget label } availableDowngrades { version } } }`;
const REQUEST = `mutation($id: ID!, $v: String!) { requestExecutorUpgrade(executorId: $id, targetVersion: $v) {
  id pendingUpgrade pendingUpgradeRequestedAt pendingUpgradeExpiresAt } }`;
const CANCEL = "mutation($id: ID!) { cancelExecutorUpgrade(executorId: $id) { id pendingUpgrade } }";
const YANK = "mutation($id: ID!) { yankExecutorRelease(where: { id: $id }) { id status } }";

beforeAll(async () => {
  w = await startReleaseWorld();
  api = new Api(w.cp);
  owner = await api.user("Owner");
  adminExecKey = await w.cp.createExecutorKey("admin-hosts");
  // The catalog every candidate test reads.
  await publish(w, "1.0.0");
  await publish(w, "1.5.0");
  await publish(w, "2.0.0");
  await publish(w, "2.1.0-beta.1", "beta");
  await publish(w, "2.2.0", "dev");
  await publish(w, "3.0.0", "stable", ["linux-x64", "linux-arm64"]);
  await publish(w, "3.1.0");
}, 120_000);

afterAll(() => w.cp.stop());

function firstError(r: {
  errors?: { extensions?: { code?: string; details?: unknown[] }; message: string }[];
}) {
  return r.errors?.[0] ?? { message: "", extensions: {} };
}

describe("publishing", () => {
  test("a release signed with a trusted key is published with each binary's size, digest and key id", async () => {
    const release = await publish(w, "3.2.0", "stable", ["linux-x64", "linux-arm64"]);
    expect(release).toMatchObject({
      kind: "agent",
      version: "3.2.0",
      channel: "stable",
      status: "published",
    });
    expect(release.artifacts.map((a: { platform: string }) => a.platform)).toEqual([
      "linux-x64",
      "linux-arm64",
    ]);
    for (const a of release.artifacts) {
      expect(a.keyId).toBe(w.key.keyId);
      expect(a.sizeBytes).toBe(fakeBinary("3.2.0", a.platform).byteLength);
      expect(a.downloadPath).toBe(`/api/v1/executor/releases/${a.sha256}`);
    }
    const listed = await w.cp.gql(
      "{ executorReleases(where: { kind: agent }) { version } }",
      {},
      {
        cookie: owner.cookie,
      },
    );
    expect(listed.data.executorReleases.map((r: { version: string }) => r.version)).toContain("3.2.0");
    const byVersion = await w.cp.gql(
      "{ executorReleases(where: { channel: stable }, orderBy: { version: asc }) { version } }",
      {},
      { cookie: owner.cookie },
    );
    expect(byVersion.data.executorReleases.map((r: { version: string }) => r.version).slice(0, 4)).toEqual([
      "1.0.0",
      "1.5.0",
      "2.0.0",
      "3.0.0",
    ]);
  });

  test("an upload is kept once under its sha256, written whole: the same bytes twice leave one file and no temp file", async () => {
    const bytes = fakeBinary("6.0.0");
    const first = await upload(w, bytes);
    const second = await upload(w, bytes);
    expect(first).toEqual({ status: 200, json: { sha256: first.json.sha256, sizeBytes: bytes.length } });
    expect(second.json).toEqual(first.json);
    expect(first.json.sha256).toBe(new Bun.CryptoHasher("sha256").update(bytes).digest("hex"));
    const dir = join(w.cp.dataDir, "releases", "sha256");
    expect(readFileSync(join(dir, first.json.sha256))).toEqual(Buffer.from(bytes));
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  test("a signature that does not match the binary, or made by an unknown key, is refused naming the reason", async () => {
    const bytes = fakeBinary("4.0.0");
    const { json } = await upload(w, bytes);
    const cases = [
      { signature: sign(w, fakeBinary("other")), reason: "(invalid)" },
      { signature: sign(w, bytes, generateKeyPair().secretKey), reason: "(unknown_key)" },
      { signature: "not a minisign signature", reason: "(malformed)" },
    ];
    for (const c of cases) {
      const r = await w.cp.gql(
        CREATE,
        {
          data: {
            kind: "agent",
            version: "4.0.0",
            channel: "stable",
            artifacts: [{ platform: "linux-x64", sha256: json.sha256, signature: c.signature }],
          },
        },
        { cookie: w.cookie },
      );
      const e = firstError(r);
      expect(e.extensions?.code).toBe("bad_request");
      expect(e.message).toContain(c.reason);
      expect(JSON.stringify(e.extensions?.details)).toContain("/artifacts/0/signature");
    }
    // Nothing was published.
    const listed = await w.cp.gql("{ executorReleases { version } }", {}, { cookie: w.cookie });
    expect(listed.data.executorReleases.map((r: { version: string }) => r.version)).not.toContain("4.0.0");
  });

  test("a binary that was never uploaded, or a version already in the catalog, is refused", async () => {
    const missing = await w.cp.gql(
      CREATE,
      {
        data: {
          kind: "agent",
          version: "4.1.0",
          channel: "stable",
          artifacts: [
            { platform: "linux-x64", sha256: "ab".repeat(32), signature: sign(w, fakeBinary("4.1.0")) },
          ],
        },
      },
      { cookie: w.cookie },
    );
    expect(firstError(missing).extensions?.code).toBe("bad_request");
    expect(JSON.stringify(firstError(missing).extensions?.details)).toContain("/artifacts/0/sha256");
    const bytes = fakeBinary("1.0.0");
    const { json } = await upload(w, bytes);
    const again = await w.cp.gql(
      CREATE,
      {
        data: {
          kind: "agent",
          version: "1.0.0",
          channel: "stable",
          artifacts: [{ platform: "linux-x64", sha256: json.sha256, signature: sign(w, bytes) }],
        },
      },
      { cookie: w.cookie },
    );
    expect(firstError(again).extensions?.code).toBe("conflict");
  });

  test("only a system admin uploads, publishes, edits or yanks; everyone signed in reads the catalog", async () => {
    const token = (await api.personalToken({ cookie: owner.cookie })).key;
    const up = await upload(w, fakeBinary("5.0.0"), token);
    expect(up.status).toBe(403);
    const anonymous = await fetch(`${w.cp.url}/api/v1/admin/releases/binaries`, { method: "PUT", body: "x" });
    expect(anonymous.status).toBe(401);
    const bytes = fakeBinary("5.0.0");
    const { json } = await upload(w, bytes);
    const create = await w.cp.gql(
      CREATE,
      {
        data: {
          kind: "agent",
          version: "5.0.0",
          channel: "stable",
          artifacts: [{ platform: "linux-x64", sha256: json.sha256, signature: sign(w, bytes) }],
        },
      },
      { cookie: owner.cookie },
    );
    expect(firstError(create).extensions?.code).toBe("forbidden");
    const any = (await w.cp.gql("{ executorReleases { id version } }", {}, { cookie: owner.cookie })).data
      .executorReleases[0];
    expect(firstError(await w.cp.gql(YANK, { id: any.id }, { cookie: owner.cookie })).extensions?.code).toBe(
      "forbidden",
    );
    const edit = await w.cp.gql(
      'mutation($id: ID!) { updateExecutorRelease(where: { id: $id }, data: { notes: "x" }) { id } }',
      { id: any.id },
      { cookie: owner.cookie },
    );
    expect(firstError(edit).extensions?.code).toBe("forbidden");
  });

  test("editing and yanking are recorded in the platform audit log", async () => {
    const release = await publish(w, "3.3.0", "beta");
    const edited = await w.cp.gql(
      `mutation($id: ID!) { updateExecutorRelease(where: { id: $id }, data: { channel: stable, notes: "fixes" }) {
        channel notes } }`,
      { id: release.id },
      { cookie: w.cookie },
    );
    expect(edited.data.updateExecutorRelease).toEqual({ channel: "stable", notes: "fixes" });
    expect(
      (await w.cp.gql(YANK, { id: release.id }, { cookie: w.cookie })).data.yankExecutorRelease.status,
    ).toBe("yanked");
    const audit = await w.cp.gql(
      `{ auditActions(filter: { allOrganizations: true, take: 500 }) { nodes { action target { id } } } }`,
      {},
      { cookie: w.cookie },
    );
    const rows = audit.data.auditActions.nodes.filter(
      (n: { target: { id: string } }) => n.target.id === release.id,
    );
    expect(rows.map((r: { action: string }) => r.action).sort()).toEqual(
      ["executor_release.created", "executor_release.updated", "executor_release.yanked"].sort(),
    );
  });
});

describe("candidates", () => {
  test("a stable 1.x executor sees stable releases, with farther majors labelled and no way down", async () => {
    const e = await agent(w, adminExecKey, "stable-one", "1.0.0");
    const c = (await w.cp.gql(CANDIDATES, { id: e.executorId }, { cookie: w.cookie })).data
      .executorUpgradeCandidates;
    expect(c.currentVersion).toBe("1.0.0");
    expect(c.candidates).toEqual([
      { version: "3.2.0", allowedAsDirectTarget: false, label: "requires upgrade to 2.x first" },
      { version: "3.1.0", allowedAsDirectTarget: false, label: "requires upgrade to 2.x first" },
      { version: "3.0.0", allowedAsDirectTarget: false, label: "requires upgrade to 2.x first" },
      { version: "2.0.0", allowedAsDirectTarget: true, label: null },
      { version: "1.5.0", allowedAsDirectTarget: true, label: null },
    ]);
    expect(c.availableDowngrades).toEqual([]);
  });

  test("beta sees beta and stable, dev sees every channel; downgrades stay within one major", async () => {
    const beta = await agent(w, adminExecKey, "beta-two", "2.0.0", "beta");
    const b = (await w.cp.gql(CANDIDATES, { id: beta.executorId }, { cookie: w.cookie })).data
      .executorUpgradeCandidates;
    expect(b.candidates.map((x: { version: string }) => x.version)).toEqual([
      "3.2.0",
      "3.1.0",
      "3.0.0",
      "2.1.0-beta.1",
    ]);
    expect(b.candidates.every((x: { allowedAsDirectTarget: boolean }) => x.allowedAsDirectTarget)).toBe(true);
    expect(b.availableDowngrades.map((x: { version: string }) => x.version)).toEqual(["1.5.0", "1.0.0"]);
    const dev = await agent(w, adminExecKey, "dev-three", "3.1.0", "dev");
    const d = (await w.cp.gql(CANDIDATES, { id: dev.executorId }, { cookie: w.cookie })).data
      .executorUpgradeCandidates;
    expect(d.candidates.map((x: { version: string }) => x.version)).toEqual(["3.2.0"]);
    expect(d.availableDowngrades.map((x: { version: string }) => x.version)).toEqual([
      "3.0.0",
      "2.2.0",
      "2.1.0-beta.1",
      "2.0.0",
    ]);
  });

  test("a yanked release is no longer a candidate", async () => {
    const release = await publish(w, "1.6.0");
    const e = await agent(w, adminExecKey, "yank-watch", "1.0.0");
    const before = (await w.cp.gql(CANDIDATES, { id: e.executorId }, { cookie: w.cookie })).data
      .executorUpgradeCandidates.candidates;
    expect(before.map((x: { version: string }) => x.version)).toContain("1.6.0");
    await w.cp.gql(YANK, { id: release.id }, { cookie: w.cookie });
    const after = (await w.cp.gql(CANDIDATES, { id: e.executorId }, { cookie: w.cookie })).data
      .executorUpgradeCandidates.candidates;
    expect(after.map((x: { version: string }) => x.version)).not.toContain("1.6.0");
    const r = await w.cp.gql(REQUEST, { id: e.executorId, v: "1.6.0" }, { cookie: w.cookie });
    expect(firstError(r).extensions?.code).toBe("release_not_found");
  });
});

describe("requestExecutorUpgrade", () => {
  test("an unknown version, or one past the next major, is release_not_found with the hop to take", async () => {
    const e = await agent(w, adminExecKey, "typed-errors", "1.0.0");
    const unknown = await w.cp.gql(REQUEST, { id: e.executorId, v: "9.9.9" }, { cookie: w.cookie });
    expect(firstError(unknown).extensions?.code).toBe("release_not_found");
    const far = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
    expect(firstError(far).extensions?.code).toBe("release_not_found");
    expect(firstError(far).message).toContain("requires upgrade to 2.x first");
  });

  test("a second request while one is pending is upgrade_already_pending; cancelling makes room", async () => {
    const e = await agent(w, adminExecKey, "pending-twice", "2.0.0");
    const first = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.0.0" }, { cookie: w.cookie });
    expect(first.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.0.0");
    const requestedAt = Date.parse(first.data.requestExecutorUpgrade.pendingUpgradeRequestedAt);
    expect(Date.parse(first.data.requestExecutorUpgrade.pendingUpgradeExpiresAt) - requestedAt).toBe(900_000);
    const second = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
    expect(firstError(second).extensions?.code).toBe("upgrade_already_pending");
    const cancelled = await w.cp.gql(CANCEL, { id: e.executorId }, { cookie: w.cookie });
    expect(cancelled.data.cancelExecutorUpgrade.pendingUpgrade).toBeNull();
    const synced = await agent(w, adminExecKey, "pending-twice", "2.0.0");
    expect(synced.pendingUpgrade).toBeNull();
    const third = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.1.0" }, { cookie: w.cookie });
    expect(third.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.1.0");
  });

  test("an executor of another organization is not_found, exactly like an unknown id", async () => {
    const { key } = await api.executorKey({ cookie: owner.cookie });
    const theirs = await agent(w, key, "their-host", "2.0.0");
    for (const id of [theirs.executorId, "01900000-0000-7000-8000-000000000000"]) {
      const r = await w.cp.gql(REQUEST, { id, v: "3.0.0" }, { cookie: w.cookie });
      expect(firstError(r).extensions?.code).toBe("not_found");
      const c = await w.cp.gql(CANCEL, { id }, { cookie: w.cookie });
      expect(firstError(c).extensions?.code).toBe("not_found");
      const read = await w.cp.gql(CANDIDATES, { id }, { cookie: w.cookie });
      expect(read.data.executorUpgradeCandidates).toBeNull();
    }
    // Their owner reaches it.
    const own = await w.cp.gql(REQUEST, { id: theirs.executorId, v: "3.0.0" }, { cookie: owner.cookie });
    expect(own.data.requestExecutorUpgrade.pendingUpgrade.targetVersion).toBe("3.0.0");
  });
});
