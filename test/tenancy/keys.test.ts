// API keys, executor connect/delete and the audit log on a real control plane: a rotation never fails a
// sync and the old key gets 401 once the grace window (2.5 s here) ends; disable/enable/revoke/delete
// rules; personal tokens act with their user's role; Used by / Last used; the installer; deleteExecutor;
// the audit log's visibility, cursor pages and CSV export.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, buildWorld, startTenancyPlane, type World } from "./world.ts";

const GRACE_MS = 2_500;
let cp: ControlPlaneHandle;
let w: World;
let api: Api;

beforeAll(async () => {
  cp = await startTenancyPlane({ API_KEY_ROTATION_GRACE_MS: String(GRACE_MS) });
  w = await buildWorld(cp);
  api = w.api;
}, 60_000);

afterAll(async () => {
  await cp?.stop();
});

const owner = () => ({ cookie: w.owner.cookie });
const KEYS =
  "{ apiKeys { id name status expiresAt graceEndsAt rotatedFromId lastUsedAt usedBy { executorName } } }";
const keyRow = async (id: string) =>
  (await api.ok(KEYS, {}, owner())).apiKeys.find((k: { id: string }) => k.id === id);

describe("rotation", () => {
  test("an executor keeps syncing across a rotation with zero failed syncs; the old key gets 401 after the grace window", async () => {
    const created = await api.ok(
      'mutation { createApiKey(input: { name: "prod", expiresInDays: 90 }) { key apiKey { id expiresAt } } }',
      {},
      owner(),
      (d) => [d.createApiKey.key],
    );
    const old = { id: created.createApiKey.apiKey.id, key: created.createApiKey.key as string };
    // A simulated executor: one sync every 100 ms with whatever key it was (re)started with.
    let current = old.key;
    const results: { key: string; status: number }[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const key = current;
        results.push({ key, status: (await api.sync(key, "rotating")).status });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const syncsWith = (key: string) => results.filter((r) => r.key === key).length;
    await eventually(() => syncsWith(old.key) >= 3, { message: "syncs with the first key" });
    const rotated = await api.ok(
      "mutation($id: ID!) { rotateApiKey(id: $id) { key apiKey { id name expiresAt rotatedFromId } } }",
      { id: old.id },
      owner(),
      (d) => [d.rotateApiKey.key],
    );
    const fresh = rotated.rotateApiKey;
    expect(fresh.apiKey.name).toMatch(/^prod \d{6}$/);
    expect(fresh.apiKey.expiresAt).toBe(created.createApiKey.apiKey.expiresAt);
    expect(fresh.apiKey.rotatedFromId).toBe(old.id);
    const before = syncsWith(old.key);
    await eventually(() => syncsWith(old.key) >= before + 2, {
      message: "the old key still syncs during the grace window",
    });
    current = fresh.key; // the executor is restarted with the new key
    await eventually(() => syncsWith(fresh.key) >= 3, { message: "syncs with the new key" });
    running = false;
    await loop;
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    await eventually(async () => (await api.sync(old.key, "rotating")).status === 401, {
      timeoutMs: GRACE_MS + 5_000,
      message: "old key refused after the grace window",
    });
    expect((await api.sync(fresh.key, "rotating")).status).toBe(200);
    await eventually(async () => (await keyRow(old.id)).status === "revoked");
    await eventually(async () =>
      (await keyRow(fresh.apiKey.id)).usedBy.some(
        (u: { executorName: string }) => u.executorName === "rotating",
      ),
    );
    expect((await keyRow(fresh.apiKey.id)).lastUsedAt).not.toBeNull();
    // The sweep (every second) makes the revocation durable, audited under the system actor.
    const REVOKED = `{ auditActions(filter: { actions: ["api_key.revoked"], targetId: "${old.id}" }) { nodes { actor { id } details } } }`;
    const audit = await eventually(async () => {
      const nodes = (await api.ok(REVOKED, {}, owner())).auditActions.nodes;
      return nodes.length > 0 ? nodes : null;
    });
    expect(audit).toEqual([
      {
        actor: { id: "system" },
        details: { purpose: "executor", start: old.key.slice(0, 8), reason: "rotation_grace_ended" },
      },
    ]);
  }, 30_000);
});

describe("key lifecycle", () => {
  test("disable gets 401 on the next sync and enable restores it; delete only once revoked; names are 1..32", async () => {
    const k = await api.executorKey(owner());
    expect((await api.sync(k.key, "toggle")).status).toBe(200);
    await api.ok("mutation($id: ID!) { disableApiKey(id: $id) { status } }", { id: k.id }, owner());
    expect((await api.sync(k.key, "toggle")).status).toBe(401);
    await api.ok("mutation($id: ID!) { enableApiKey(id: $id) { status } }", { id: k.id }, owner());
    expect((await api.sync(k.key, "toggle")).status).toBe(200);
    expect(
      Api.code(await api.gql("mutation($id: ID!) { deleteApiKey(id: $id) { id } }", { id: k.id }, owner())),
    ).toBe("conflict");
    await api.ok("mutation($id: ID!) { revokeApiKey(id: $id) { status } }", { id: k.id }, owner());
    expect((await api.sync(k.key, "toggle")).status).toBe(401);
    expect(
      Api.code(await api.gql("mutation($id: ID!) { enableApiKey(id: $id) { id } }", { id: k.id }, owner())),
    ).toBe("conflict");
    await api.ok("mutation($id: ID!) { deleteApiKey(id: $id) { id } }", { id: k.id }, owner());
    expect(await keyRow(k.id)).toBeUndefined();
    for (const name of ["", "x".repeat(33)]) {
      expect(
        Api.code(
          await api.gql(
            "mutation($n: String!) { createApiKey(input: { name: $n }) { key } }",
            { n: name },
            owner(),
          ),
        ),
      ).toBe("bad_request");
    }
  });

  test("personal access tokens act with their user's role, can't mint tokens, and stop when revoked", async () => {
    const asMember = { token: w.tokens.member };
    expect((await api.ok("{ me { id role } }", {}, asMember)).me).toEqual({
      id: w.member.id,
      role: "member",
    });
    expect(
      Api.code(await api.gql('mutation { createApiKey(input: { name: "x" }) { key } }', {}, asMember)),
    ).toBe("forbidden");
    expect(
      Api.code(
        await api.gql(
          'mutation { createApiKey(input: { name: "x" }) { key } }',
          {},
          { token: w.tokens.admin },
          (d) => [d.createApiKey.key],
        ),
      ),
    ).toBe("ok");
    const t = await api.personalToken({ cookie: w.member.cookie }, "temp");
    // A member sees executor keys and their own tokens, not other people's tokens.
    const seen = (await api.ok("{ apiKeys { id purpose userId } }", {}, { cookie: w.member.cookie })).apiKeys;
    expect(
      seen.filter(
        (k: { purpose: string; userId: string }) => k.purpose === "personal" && k.userId !== w.member.id,
      ),
    ).toEqual([]);
    await api.ok(
      "mutation($id: ID!) { revokeApiKey(id: $id) { status } }",
      { id: t.id },
      { cookie: w.member.cookie },
    );
    expect(Api.code(await api.gql("{ me { id } }", {}, { token: t.key }))).toBe("unauthenticated");
  });
});

describe("executors", () => {
  test("connectExecutor returns the key once with a ready install command; the installer is served and valid sh", async () => {
    const agent = await api.ok(
      'mutation { connectExecutor(input: { kind: agent, name: "edge-1", channel: "beta" }) { key installCommand apiKey { name purpose } } }',
      {},
      owner(),
      (d) => [d.connectExecutor.key],
    );
    const c = agent.connectExecutor;
    expect(c.apiKey).toEqual({ name: "edge-1", purpose: "executor" });
    expect(c.installCommand).toContain(`'http://localhost:${cp.port}/install.sh'`);
    expect(c.installCommand).toContain(`NOVACULA_ACCESS_TOKEN='${c.key}'`);
    expect(c.installCommand).toContain("NOVACULA_NAME='edge-1'");
    expect(c.installCommand).toContain("NOVACULA_CHANNEL='beta'");
    expect((await api.sync(c.key, "edge-1")).status).toBe(200);
    const operator = await api.ok(
      'mutation { connectExecutor(input: { kind: operator, name: "k8s" }) { key installCommand } }',
      {},
      owner(),
      (d) => [d.connectExecutor.key],
    );
    expect(operator.connectExecutor.installCommand).toContain(
      "helm upgrade --install novacula-operator novacula/novacula-operator -n novacula-system",
    );
    expect(operator.connectExecutor.installCommand).toContain("operator.operatorName='k8s'");
    expect(
      Api.code(
        await api.gql(
          'mutation { connectExecutor(input: { kind: agent, name: "bad name!" }) { key } }',
          {},
          owner(),
        ),
      ),
    ).toBe("bad_request");
    const script = await fetch(`${cp.url}/install.sh`);
    expect(script.status).toBe(200);
    const text = await script.text();
    expect(text).toContain("/download/novacula");
    expect(text).toContain("/etc/novacula/agent.toml");
    const check = Bun.spawnSync(["sh", "-n"], { stdin: new TextEncoder().encode(text) });
    expect(check.exitCode).toBe(0);
    // From source there is no binary to serve; the compiled binary serves itself (NOVACULA_BINARY runs).
    const download = await fetch(`${cp.url}/download/novacula`);
    expect(download.status).toBe(process.env.NOVACULA_BINARY ? 200 : 404);
    await download.arrayBuffer();
  });

  test("deleteExecutor is refused while nodes remain; then marks it deleted, disables its key, frees the name", async () => {
    const k = await api.executorKey(owner());
    const { executorId } = await api.sync(k.key, "doomed");
    const node = await api.ok(
      "mutation($d: NodeCreateInput!) { createNode(data: $d) { id } }",
      { d: { executorId, name: "doomed-node", spec: DEVNET_SPEC } },
      owner(),
    );
    const DELETE = "mutation($id: ID!) { deleteExecutor(where: { id: $id }) { id name } }";
    expect(Api.code(await api.gql(DELETE, { id: executorId }, owner()))).toBe("conflict");
    await api.ok(
      "mutation($id: ID!) { deleteNode(where: { id: $id }) { id } }",
      { id: node.createNode.id },
      owner(),
    );
    await api.ok(DELETE, { id: executorId }, owner());
    expect(
      (await api.ok("{ executors { id } }", {}, owner())).executors.map((e: { id: string }) => e.id),
    ).not.toContain(executorId);
    expect((await keyRow(k.id)).status).toBe("disabled");
    expect((await api.sync(k.key, "doomed")).status).toBe(401);
    const events = await api.ok(
      '{ events(filter: { type: "executor.deleted" }) { executorId auditActionId } }',
      {},
      owner(),
    );
    expect(events.events).toEqual([{ executorId, auditActionId: expect.any(String) }]);
    const reborn = await api.sync((await api.executorKey(owner())).key, "doomed");
    expect(reborn.status).toBe(200);
    expect(reborn.executorId).not.toBe(executorId);
  });
});

describe("audit log", () => {
  test("every row is visible to the owner; an admin doesn't see the owner's rows; a member sees only their own", async () => {
    const rows = async (cookie: string) =>
      (
        await api.ok(
          "{ auditActions(filter: { take: 500 }) { nodes { actor { id } action } } }",
          {},
          { cookie },
        )
      ).auditActions.nodes as {
        actor: { id: string };
      }[];
    const all = await rows(w.owner.cookie);
    expect(all.some((r) => r.actor.id === w.owner.id)).toBe(true);
    expect(all.some((r) => r.actor.id === w.member.id)).toBe(true);
    const adminSees = await rows(w.admin.cookie);
    expect(adminSees.some((r) => r.actor.id === w.owner.id)).toBe(false);
    expect(adminSees.some((r) => r.actor.id === w.member.id)).toBe(true);
    const memberSees = await rows(w.member.cookie);
    expect(memberSees.length).toBeGreaterThan(0);
    expect(memberSees.every((r) => r.actor.id === w.member.id)).toBe(true);
  });

  test("cursor pages cover the log without overlap; filters by action and actor", async () => {
    const PAGE =
      "query($c: ID) { auditActions(filter: { take: 3, cursor: $c }) { nodes { id } pageInfo { endCursor hasNextPage } } }";
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: any = (await api.ok(PAGE, { c: cursor }, owner())).auditActions;
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const total = (await api.ok("{ auditActions(filter: { take: 500 }) { nodes { id } } }", {}, owner()))
      .auditActions.nodes.length;
    expect(seen.length).toBe(total);
    const byActor = await api.ok(
      '{ auditActions(filter: { actor: "member-", actions: ["api_key.created"] }) { nodes { action actor { id } } } }',
      {},
      owner(),
    );
    expect(byActor.auditActions.nodes.length).toBeGreaterThan(0);
    expect(
      byActor.auditActions.nodes.every(
        (n: any) => n.action === "api_key.created" && n.actor.id === w.member.id,
      ),
    ).toBe(true);
  });

  test("CSV export: the reference's columns and file name, the same visibility, never a secret", async () => {
    const r = await fetch(`${cp.url}/api/v1/audit/export.csv?action=api_key.created,api_key.revoked`, {
      headers: { cookie: w.owner.cookie },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(
      /^attachment; filename="audit-activity-log-\d{8}\.csv"$/,
    );
    const csv = await r.text();
    api.watch.responses.push({ text: csv, revealed: new Set() });
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("timestamp,actor,actor_email,action,target_type,target_id,target_name,details");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => /,api_key\.(created|revoked),api_key,/.test(l))).toBe(true);
    const memberCsv = await (
      await fetch(`${cp.url}/api/v1/audit/export.csv`, { headers: { cookie: w.member.cookie } })
    ).text();
    expect(
      memberCsv
        .trim()
        .split("\r\n")
        .slice(1)
        .every((l) => l.includes(w.member.email)),
    ).toBe(true);
    expect((await fetch(`${cp.url}/api/v1/audit/export.csv`)).status).toBe(401);
  });

  test("nothing secret reached a response, the CSV or the log", () => {
    api.watch.assertClean(cp.logs);
  });
});
