// sync_stalled on the real control plane, run in this process so its clock can be moved: minutes pass
// without sleeping (the Clock seam stamps every accepted observation). Observations arrive over real HTTP as
// an executor sends them. A syncing node whose head does not advance for its syncStalledMinutes (10 by
// default, 30 by this node's override) opens the incident; a synced node with a still head never does; an
// advancing head resolves it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { createLogger } from "../../src/lib/log.ts";
import { loadControlPlaneConfig } from "../../src/modes/control-plane/config.ts";
import { type RunningControlPlane, startControlPlane } from "../../src/modes/control-plane/server.ts";
import { EXECUTOR_ID_HEADER } from "../../src/protocol/index.ts";
import { CAPABILITIES } from "../control-plane/protocol-client.ts";
import { testDir } from "../harness/control-plane.ts";

const T = 60_000;
const MINUTE = 60_000;
const EMAIL = "admin@novacula.test";
const PASSWORD = "test-password-0123";

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
let cp: RunningControlPlane;
let cookie: string;
let key: string;
let executorId: string;
const ids: Record<string, string> = {};

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${cp.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any, response };
}

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const { json } = await post("/graphql", { query, variables }, { cookie });
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

/** One report of the node at `height`, syncing (`syncPercent` below 100) or synced. */
async function observe(nodeId: string, height: number, syncing: boolean) {
  const { status } = await post(
    "/api/v1/executor/observed",
    {
      observations: [
        {
          nodeId,
          revision: 1,
          processes: [{ role: "node", status: syncing ? "syncing" : "running" }],
          metrics: { blockHeight: height, networkHeight: 1000, syncPercent: syncing ? 40 : 100 },
        },
      ],
    },
    { authorization: `Bearer ${key}`, [EXECUTOR_ID_HEADER]: executorId },
  );
  expect(status).toBe(200);
}

const stalled = async () =>
  (await gql("{ notificationIncidents { rule status subjectName message } }")).notificationIncidents.filter(
    (i: { rule: string }) => i.rule === "sync_stalled",
  );

beforeAll(async () => {
  const config = loadControlPlaneConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    NOVACULA_DATA_DIR: testDir("sync-stalled"),
    INITIAL_ADMIN_EMAIL: EMAIL,
    INITIAL_ADMIN_PASSWORD: PASSWORD,
  });
  cp = await startControlPlane(config, { clock, log: createLogger({ level: "error" }) });
  const signIn = await post("/api/auth/sign-in/email", { email: EMAIL, password: PASSWORD });
  cookie = signIn.response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  key = (await gql(`mutation { createApiKey(input: { name: "sync-host" }) { key } }`)).createApiKey.key;
  const synced = await post(
    "/api/v1/executor/sync",
    { name: "sync-host", kind: "agent", version: "0.1.0", channel: "stable", capabilities: CAPABILITIES },
    { authorization: `Bearer ${key}` },
  );
  executorId = synced.json.executorId;
  for (const name of ["stuck", "patient", "synced"]) {
    const created = await gql(`mutation($data: NodeCreateInput!) { createNode(data: $data) { id } }`, {
      data: {
        executorId,
        name,
        spec: {
          chain: "devnet",
          network: "local",
          nodeType: "full",
          clients: { node: { name: "anvil", version: "1.7.1" } },
        },
      },
    });
    ids[name] = created.createNode.id;
  }
  // Moving the clock takes the executor offline too: that rule is not under test here.
  await gql(
    `mutation($i: SaveNotificationSettingsInput!) { saveNotificationSettings(input: $i) { settings { syncStalledMinutes } } }`,
    {
      i: { executorOfflineEnabled: false, nodeOverrides: [{ nodeId: ids.patient, syncStalledMinutes: 30 }] },
    },
  );
}, T);

afterAll(async () => {
  await cp?.stop();
});

describe("sync_stalled", () => {
  test("opens after the node's minutes without progress while syncing, and resolves when the head moves", async () => {
    for (const name of ["stuck", "patient"]) await observe(ids[name]!, 100, true);
    await observe(ids.synced!, 500, false);
    offsetMs += 9 * MINUTE;
    for (const name of ["stuck", "patient"]) await observe(ids[name]!, 100, true);
    await observe(ids.synced!, 500, false);
    expect(await stalled()).toEqual([]);

    offsetMs += 1 * MINUTE;
    for (const name of ["stuck", "patient"]) await observe(ids[name]!, 100, true);
    await observe(ids.synced!, 500, false);
    const opened = await eventually(async () => ((await stalled()).length > 0 ? stalled() : null));
    expect(opened).toEqual([
      {
        rule: "sync_stalled",
        status: "open",
        subjectName: "stuck",
        message: "Node stuck has not advanced past block 100 for 10 minutes while syncing",
      },
    ]);

    // The override: 30 minutes for `patient`; the synced node never stalls.
    offsetMs += 20 * MINUTE;
    for (const name of ["stuck", "patient"]) await observe(ids[name]!, 100, true);
    await observe(ids.synced!, 500, false);
    const open = (await stalled()).filter((i: { status: string }) => i.status === "open");
    expect(open.map((i: { subjectName: string }) => i.subjectName).sort()).toEqual(["patient", "stuck"]);

    await observe(ids.stuck!, 101, true);
    const after = await stalled();
    expect(after.find((i: { subjectName: string }) => i.subjectName === "stuck")).toMatchObject({
      status: "resolved",
    });
    expect(after.filter((i: { subjectName: string }) => i.subjectName === "synced")).toEqual([]);
  });

  test("resolved incidents past the retention are pruned; open ones stay", async () => {
    offsetMs += 91 * 24 * 60 * MINUTE;
    expect(cp.services.notifications.incidents.prune(cp.services.config.eventRetentionDays)).toBe(1);
    expect(
      (await stalled()).map((i: { subjectName: string; status: string }) => [i.subjectName, i.status]),
    ).toEqual([["patient", "open"]]);
  });
});
