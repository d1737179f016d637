// nodeMetricHistory end to end: a real control plane, an executor reporting over HTTP, GraphQL reading the
// points back; another organization's node answers exactly like an unknown one (null), and a bad range is
// a bad_request naming the argument, whoever asks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../src/lib/eventually.ts";
import { call, createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { Api, type User } from "../tenancy/world.ts";

const T = 120_000;
const HISTORY = `query($id: ID!, $from: DateTime!, $to: DateTime, $r: MetricResolution) {
  nodeMetricHistory(nodeId: $id, from: $from, to: $to, resolution: $r) {
    nodeId resolution from to
    points { at blockHeight networkHeight syncPercent peers diskUsedBytes diskTotalBytes cpuMillicores memoryBytes samples }
  }
}`;

let cp: ControlPlaneHandle;
let cookie: string;
let other: User;
let nodeId: string;

beforeAll(async () => {
  cp = await startControlPlane();
  cookie = await cp.adminSession();
  other = await new Api(cp).user("Other");
  const key = await cp.createExecutorKey("history-exec");
  const { executorId } = await syncExecutor(cp, key, "history-host");
  nodeId = (await createNode(cp, cookie, executorId, "charted")).id;
  for (const height of [10, 11]) {
    const sent = await call(cp, "/api/v1/executor/observed", {
      key,
      executorId,
      body: {
        observations: [
          {
            nodeId,
            revision: 1,
            processes: [{ role: "node", status: "running", cpuMillicores: 250, memoryBytes: 64 * 2 ** 20 }],
            metrics: {
              blockHeight: height,
              networkHeight: height,
              syncPercent: 100,
              peers: 0,
              diskUsedBytes: 4096,
              diskTotalBytes: 2 ** 40,
            },
          },
        ],
      },
    });
    expect(sent.status).toBe(200);
  }
}, T);

afterAll(() => cp?.stop(), T);

describe("nodeMetricHistory", () => {
  test(
    "a member reads back what the executor reported, at the finest resolution that fits",
    async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const history = await eventually(
        async () => {
          const r = await cp.gql(HISTORY, { id: nodeId, from }, { cookie });
          const h = r.data?.nodeMetricHistory;
          return h?.points.length > 0 ? h : null;
        },
        { timeoutMs: 15_000, intervalMs: 100, message: "the reported point in the history" },
      );
      expect(history.resolution).toBe("TEN_SECONDS");
      expect(history.from).toBe(from);
      const last = history.points.at(-1);
      // Both reports may share one 10 s slot (the later replaces the earlier) or fill two.
      expect(last.blockHeight).toBe(11);
      expect(last).toMatchObject({
        networkHeight: 11,
        syncPercent: 100,
        peers: 0,
        diskUsedBytes: 4096,
        diskTotalBytes: 2 ** 40,
        cpuMillicores: 250,
        memoryBytes: 64 * 2 ** 20,
        samples: 1,
      });
    },
    T,
  );

  test(
    "another organization's node answers null, exactly like a node that does not exist",
    async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const foreign = await cp.gql(HISTORY, { id: nodeId, from }, { cookie: other.cookie });
      const unknown = await cp.gql(HISTORY, { id: crypto.randomUUID(), from }, { cookie: other.cookie });
      expect(foreign.errors).toBeUndefined();
      expect(foreign).toEqual(unknown);
      expect(foreign.data).toEqual({ nodeMetricHistory: null });
      const anonymous = await cp.gql(HISTORY, { id: nodeId, from });
      expect(anonymous.data?.nodeMetricHistory ?? null).toBeNull();
      expect(anonymous.errors?.[0]?.extensions?.code).toBe("unauthenticated");
    },
    T,
  );

  test(
    "a bad range is refused naming the argument and the fix, the same for any node id",
    async () => {
      const now = Date.now();
      const backwards = { from: new Date(now).toISOString(), to: new Date(now - 60_000).toISOString() };
      for (const [id, who] of [
        [nodeId, cookie],
        [nodeId, other.cookie],
        [crypto.randomUUID(), cookie],
      ] as const) {
        const r = await cp.gql(HISTORY, { id, ...backwards }, { cookie: who });
        expect(r.data?.nodeMetricHistory ?? null).toBeNull();
        expect(r.errors?.[0]?.extensions?.code).toBe("bad_request");
        expect(r.errors?.[0]?.extensions?.details).toEqual([
          { path: "/to", message: "to (default: now) must be later than from" },
        ]);
      }
      const tooMany = await cp.gql(
        HISTORY,
        { id: nodeId, from: new Date(now - 86_400_000).toISOString(), r: "TEN_SECONDS" },
        { cookie },
      );
      expect(tooMany.errors?.[0]?.extensions?.details?.[0]?.path).toBe("/resolution");
      expect(tooMany.errors?.[0]?.message).toContain("coarser resolution");
      const notADate = await cp.gql(HISTORY, { id: nodeId, from: "yesterday" }, { cookie });
      expect(notADate.errors?.[0]?.extensions?.details?.[0]?.path).toBe("/from");
    },
    T,
  );
});

test(
  "OBSERVATION_LISTENERS=false stores observations but keeps no history (the benchmark's baseline)",
  async () => {
    const quiet = await startControlPlane({ env: { OBSERVATION_LISTENERS: "false" } });
    try {
      const admin = await quiet.adminSession();
      const key = await quiet.createExecutorKey("quiet-exec");
      const { executorId } = await syncExecutor(quiet, key, "quiet-host");
      const id = (await createNode(quiet, admin, executorId, "unrecorded")).id;
      const body = {
        observations: [
          {
            nodeId: id,
            revision: 1,
            processes: [{ role: "node", status: "running" }],
            metrics: { blockHeight: 3 },
          },
        ],
      };
      expect((await call(quiet, "/api/v1/executor/observed", { key, executorId, body })).status).toBe(200);
      await eventually(
        async () => {
          const r = await quiet.gql(
            `query($id: ID!) { node(where: { id: $id }) { observed } }`,
            { id },
            { cookie: admin },
          );
          return r.data?.node?.observed?.metrics?.blockHeight === 3;
        },
        { timeoutMs: 15_000, intervalMs: 100, message: "the observation stored" },
      );
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const r = await quiet.gql(HISTORY, { id, from }, { cookie: admin });
      expect(r.data?.nodeMetricHistory?.points).toEqual([]);
    } finally {
      await quiet.stop();
    }
  },
  T,
);
