// pendingUpgrade on a real control plane, as an executor meets it: delivered on /sync with a download path
// its key can fetch (whole or by range) and a signature the binary verifies against; cleared when the
// executor reports the target version or a rollback (with the reason recorded), kept on a refusal; and for
// an out-of-support executor, delivered although its specs are refused, so it climbs back in two hops.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { upgradePaths } from "../../src/executor/self-upgrade/files.ts";
import { SelfUpgrader } from "../../src/executor/self-upgrade/self-upgrader.ts";
import { minisignVerifier } from "../../src/executor/self-upgrade/signature.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { parsePublicKey, verifyMinisign } from "../../src/lib/minisign.ts";
import type { RuntimeEvent } from "../../src/protocol/executor-api.ts";
import { UPGRADE_ROLLBACK_REASONS } from "../../src/protocol/upgrade.ts";
import { call } from "../control-plane/protocol-client.ts";
import { testDir } from "../harness/control-plane.ts";
import { agent, fakeBinary, publish, type ReleaseWorld, startReleaseWorld } from "./world.ts";

let w: ReleaseWorld;
let execKey: string;

const REQUEST = `mutation($id: ID!, $v: String!) { requestExecutorUpgrade(executorId: $id, targetVersion: $v) {
  id pendingUpgrade } }`;
const EXECUTOR = `query($id: ID!) { executor(where: { id: $id }) { currentVersion compat pendingUpgrade } }`;
const EVENTS = `query($id: ID!) { events(filter: { executorId: $id }) { type level message payload } }`;

beforeAll(async () => {
  w = await startReleaseWorld();
  execKey = await w.cp.createExecutorKey("hosts");
  await publish(w, "1.0.0");
  await publish(w, "2.0.0", "stable", ["linux-x64", "linux-arm64"]);
  await publish(w, "3.0.0", "stable", ["linux-x64", "linux-arm64"]);
  await publish(w, "3.1.0");
}, 120_000);

afterAll(() => w.cp.stop());

async function request(executorId: string, version: string) {
  const r = await w.cp.gql(REQUEST, { id: executorId, v: version }, { cookie: w.cookie });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.requestExecutorUpgrade;
}

async function events(executorId: string) {
  return (await w.cp.gql(EVENTS, { id: executorId }, { cookie: w.cookie })).data.events as {
    type: string;
    level: string;
    message: string;
    payload: Record<string, unknown> | null;
  }[];
}

async function download(path: string, headers: Record<string, string> = {}, key: string | null = execKey) {
  const response = await fetch(`${w.cp.url}${path}`, {
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
  });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("delivery", () => {
  test("the next sync carries the upgrade: a download path the executor key fetches, its sha256 and a signature that verifies", async () => {
    const e = await agent(w, execKey, "deliver", "3.0.0");
    expect(e.pendingUpgrade).toBeNull();
    await request(e.executorId, "3.1.0");
    const synced = await agent(w, execKey, "deliver", "3.0.0");
    const spec = synced.pendingUpgrade;
    if (spec?.kind !== "agent") throw new Error(`no agent upgrade spec: ${JSON.stringify(spec)}`);
    expect(spec.targetVersion).toBe("3.1.0");
    expect(spec.downloadUrl).toBe(`/api/v1/executor/releases/${spec.sha256}`);
    const { response, bytes } = await download(spec.downloadUrl);
    expect(response.status).toBe(200);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(fakeBinary("3.1.0")));
    expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(spec.sha256);
    const trusted = [parsePublicKey(w.key.publicKey)];
    expect(verifyMinisign(bytes, spec.signature, trusted).keyId).toBe(w.key.keyId);
    const requested = (await events(e.executorId)).find((x) => x.type === "executor.upgrade.requested");
    expect(requested?.payload).toMatchObject({ fromVersion: "3.0.0", targetVersion: "3.1.0" });
  });

  test("an interrupted download resumes with a Range request; a bad range is 416 and no key is 401", async () => {
    const e = await agent(w, execKey, "ranged", "2.0.0");
    const spec = (await request(e.executorId, "3.0.0")).pendingUpgrade;
    const whole = fakeBinary("3.0.0");
    const tail = await download(spec.downloadUrl, { range: "bytes=100-" });
    expect(tail.response.status).toBe(206);
    expect(tail.response.headers.get("content-range")).toBe(`bytes 100-${whole.length - 1}/${whole.length}`);
    expect(tail.bytes).toEqual(whole.slice(100));
    const middle = await download(spec.downloadUrl, { range: "bytes=10-19" });
    expect(middle.bytes).toEqual(whole.slice(10, 20));
    const suffix = await download(spec.downloadUrl, { range: "bytes=-16" });
    expect(suffix.bytes).toEqual(whole.slice(whole.length - 16));
    const past = await download(spec.downloadUrl, { range: `bytes=${whole.length}-` });
    expect(past.response.status).toBe(416);
    expect(past.response.headers.get("content-range")).toBe(`bytes */${whole.length}`);
    expect((await download(spec.downloadUrl, {}, null)).response.status).toBe(401);
    expect((await download(`/api/v1/executor/releases/${"0".repeat(64)}`)).response.status).toBe(404);
  });

  test("an executor with an arm64 host is sent the arm64 binary", async () => {
    const e = await w.cp.gql("{ me { id } }", {}, { cookie: w.cookie }).then(() =>
      call(w.cp, "/api/v1/executor/sync", {
        key: execKey,
        body: {
          name: "arm-host",
          kind: "agent",
          version: "2.0.0",
          channel: "stable",
          capabilities: { supportedChains: [], features: ["sync"], storageClasses: [] },
          resources: { arch: "arm64", os: "linux" },
        },
      }),
    );
    const spec = (await request(e.json.executorId, "3.0.0")).pendingUpgrade;
    const { bytes } = await download(spec.downloadUrl);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(fakeBinary("3.0.0", "linux-arm64")));
  });
});

describe("clearing", () => {
  test("reporting the target version clears pendingUpgrade and records executor.upgrade.completed", async () => {
    const e = await agent(w, execKey, "completes", "3.0.0");
    await request(e.executorId, "3.1.0");
    const after = await agent(w, execKey, "completes", "3.1.0");
    expect(after.pendingUpgrade).toBeNull();
    const row = (await w.cp.gql(EXECUTOR, { id: e.executorId }, { cookie: w.cookie })).data.executor;
    expect(row.pendingUpgrade).toBeNull();
    expect(row.currentVersion).toBe("3.1.0");
    expect((await events(e.executorId)).map((x) => x.type)).toContain("executor.upgrade.completed");
  });

  test("a reported rollback clears pendingUpgrade and records its reason; a refusal keeps it pending", async () => {
    const e = await agent(w, execKey, "rolls-back", "3.0.0");
    await request(e.executorId, "3.1.0");
    const report = (reason: string, kind: string) =>
      call(w.cp, "/api/v1/executor/events", {
        key: execKey,
        executorId: e.executorId,
        body: {
          events: [
            {
              level: "error",
              message: `upgrade to 3.1.0: ${reason}`,
              reason: kind,
              payload: { targetVersion: "3.1.0", runningVersion: "3.0.0", code: reason },
            },
          ],
        },
      });
    expect((await report("checksum_mismatch", "upgrade.refused")).status).toBe(200);
    expect((await agent(w, execKey, "rolls-back", "3.0.0")).pendingUpgrade?.targetVersion).toBe("3.1.0");
    expect((await report("health_timeout", "upgrade.rolled_back")).status).toBe(200);
    expect((await agent(w, execKey, "rolls-back", "3.0.0")).pendingUpgrade).toBeNull();
    const rolled = (await events(e.executorId)).find((x) => x.type === "executor.upgrade.rolled_back");
    expect(rolled?.level).toBe("error");
    expect(rolled?.payload).toMatchObject({ targetVersion: "3.1.0", code: "health_timeout" });
    expect(rolled?.message).toContain("health_timeout");
    // Both reports are kept in the timeline as the executor sent them.
    const runtime = (await events(e.executorId)).filter((x) => x.type === "runtime.event");
    expect(runtime.map((x) => x.payload?.reason).sort()).toEqual(["upgrade.refused", "upgrade.rolled_back"]);
    // The refusal's code survives beside the event's reason.
    expect(runtime.find((x) => x.payload?.reason === "upgrade.refused")?.payload?.code).toBe(
      "checksum_mismatch",
    );
  });
});

describe("what the self-upgrade core reports", () => {
  // The executor's own reports, made by the real core (a marker and a rollback reason left on disk, as the
  // rollback unit leaves them), reach the control plane as they are: every rollback reason clears the request
  // and is recorded, and an upgrade.completed needs no translation either.
  for (const reason of UPGRADE_ROLLBACK_REASONS) {
    test(`a rollback the core reports as ${reason} clears pendingUpgrade and is recorded with its reason`, async () => {
      const name = `core-${reason.replaceAll("_", "-")}`;
      const e = await agent(w, execKey, name, "3.0.0");
      await request(e.executorId, "3.1.0");
      const dir = testDir(`core-report-${reason}`);
      const paths = upgradePaths(join(dir, "novacula"));
      writeFileSync(
        paths.marker,
        JSON.stringify({
          targetVersion: "3.1.0",
          previousVersion: "3.0.0",
          sha256: "a".repeat(64),
          startedAt: "x",
        }),
      );
      writeFileSync(paths.rollbackReason, `${reason}\n`);
      const sent: RuntimeEvent[] = [];
      await new SelfUpgrader({
        binaryPath: paths.binary,
        currentVersion: "3.0.0",
        verifier: minisignVerifier([]),
        host: {
          unsupportedReason: () => null,
          armGuard: async () => {},
          disarmGuard: async () => {},
          restart: async () => {},
        },
        open: () => Promise.reject(new Error("no download here")),
        baseUrl: w.cp.url,
        logger: silentLogger,
        emit: (event) => sent.push(event),
      }).recover();
      expect(sent).toHaveLength(1);
      const posted = await call(w.cp, "/api/v1/executor/events", {
        key: execKey,
        executorId: e.executorId,
        body: { events: sent },
      });
      expect(posted.status).toBe(200);
      expect((await agent(w, execKey, name, "3.0.0")).pendingUpgrade).toBeNull();
      const rolled = (await events(e.executorId)).find((x) => x.type === "executor.upgrade.rolled_back");
      expect(rolled?.payload).toMatchObject({
        targetVersion: "3.1.0",
        runningVersion: "3.0.0",
        code: reason,
      });
    });
  }
});

describe("compat window", () => {
  test("an out-of-support executor gets 409 on specs but still its pendingUpgrade, and climbs back in two hops", async () => {
    const e = await agent(w, execKey, "far-behind", "1.0.0");
    expect(e.compat).toBe("out-of-support");
    const specs = await call(w.cp, "/api/v1/executor/specs", { key: execKey, executorId: e.executorId });
    expect(specs.status).toBe(409);
    expect((await w.cp.gql(EXECUTOR, { id: e.executorId }, { cookie: w.cookie })).data.executor.compat).toBe(
      "out-of-support",
    );
    // First hop: to 2.x (3.x is not a direct target from 1.x).
    const far = await w.cp.gql(REQUEST, { id: e.executorId, v: "3.0.0" }, { cookie: w.cookie });
    expect(far.errors?.[0]?.extensions?.code).toBe("release_not_found");
    await request(e.executorId, "2.0.0");
    expect((await agent(w, execKey, "far-behind", "1.0.0")).pendingUpgrade?.targetVersion).toBe("2.0.0");
    const deprecated = await agent(w, execKey, "far-behind", "2.0.0");
    expect(deprecated.compat).toBe("deprecated");
    expect(deprecated.pendingUpgrade).toBeNull();
    expect(
      (await call(w.cp, "/api/v1/executor/specs", { key: execKey, executorId: e.executorId })).status,
    ).toBe(200);
    // Second hop: to the control plane's major.
    await request(e.executorId, "3.1.0");
    const current = await agent(w, execKey, "far-behind", "3.1.0");
    expect(current.compat).toBe("in-window");
    expect(current.pendingUpgrade).toBeNull();
  });
});

describe("installer", () => {
  test("/download/novacula serves the newest published stable agent release for the host's architecture", async () => {
    const arm = await fetch(`${w.cp.url}/download/novacula?platform=linux-arm64`);
    expect(arm.status).toBe(200);
    expect(arm.headers.get("x-novacula-version")).toBe("3.0.0");
    expect(new Uint8Array(await arm.arrayBuffer())).toEqual(fakeBinary("3.0.0", "linux-arm64"));
    const x64 = await fetch(`${w.cp.url}/download/novacula?platform=linux-x64`);
    expect(x64.headers.get("x-novacula-version")).toBe("3.1.0");
    expect(new Uint8Array(await x64.arrayBuffer())).toEqual(fakeBinary("3.1.0", "linux-x64"));
  });
});

describe("durability", () => {
  test("a requested upgrade survives a control plane restart, with its request time (and so its expiry)", async () => {
    const e = await agent(w, execKey, "outlives-restart", "3.0.0");
    await request(e.executorId, "3.1.0");
    const before = (
      await w.cp.gql(
        "query($id: ID!) { executor(where: { id: $id }) { pendingUpgradeExpiresAt } }",
        { id: e.executorId },
        { cookie: w.cookie },
      )
    ).data.executor.pendingUpgradeExpiresAt;
    await w.cp.restart();
    const cookie = await w.cp.adminSession();
    expect((await agent(w, execKey, "outlives-restart", "3.0.0")).pendingUpgrade?.targetVersion).toBe(
      "3.1.0",
    );
    const after = await w.cp.gql(
      "query($id: ID!) { executor(where: { id: $id }) { pendingUpgradeExpiresAt } }",
      { id: e.executorId },
      { cookie },
    );
    expect(after.data.executor.pendingUpgradeExpiresAt).toBe(before);
    w.cookie = cookie;
  });
});
