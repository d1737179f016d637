// Metric history on a real SQLite file, fed the way the control plane feeds it (the signal hub's
// observations, written through the WriteBatcher): 10 s points roll up into 5 min buckets with the right
// summary per figure, a node never holds more than its cap of rows, quiet nodes are pruned by age and
// vanished ones dropped, and a range is read back at each resolution with bad ranges named.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Db, openDatabase } from "../../src/db/client.ts";
import { countPoints, findSeries } from "../../src/db/queries/history.ts";
import { WriteBatcher } from "../../src/db/write-batcher.ts";
import { AppError } from "../../src/lib/errors.ts";
import { createLogger } from "../../src/lib/log.ts";
import { historyRange, MAX_POINTS, readHistory } from "../../src/modes/control-plane/history/query.ts";
import {
  MAX_ROWS_PER_NODE,
  MetricHistoryRecorder,
  POINTS_KEPT,
  ROLLUPS_KEPT,
} from "../../src/modes/control-plane/history/recorder.ts";
import { SignalHub } from "../../src/modes/control-plane/signals/hub.ts";
import type { ObservedNodeState } from "../../src/protocol/index.ts";
import { testDir } from "../harness/control-plane.ts";

const log = createLogger({ level: "error", write: () => {} });
const NODE = "0190a000-0000-7000-8000-00000000a001";
const MULTI = "0190a000-0000-7000-8000-00000000a002";
/** A bucket boundary: 2026-12-06T00:00:00Z. */
const T0 = Date.UTC(2026, 11, 6);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let db: Db;
let batcher: WriteBatcher;
let hub: SignalHub;
let recorder: MetricHistoryRecorder;

function open(): void {
  db = openDatabase(join(testDir("history"), "cp.db"));
  batcher = new WriteBatcher(db, log);
  hub = new SignalHub(log);
  recorder = new MetricHistoryRecorder(db, batcher);
  recorder.attach(hub);
  // The node rows the history belongs to (the sweep drops series whose node no longer exists).
  db.sqlite.exec(`INSERT INTO organization (id, name, slug, created_at) VALUES ('org', 'Org', 'org', 0);
    INSERT INTO executors (id, organization_id, name, kind, capabilities, current_version, channel, last_sync_at,
      created_at) VALUES ('exe', 'org', 'exe', 'agent', '{}', '0.1.0', 'stable', 0, 0);`);
  for (const id of [NODE, MULTI]) {
    db.sqlite
      .query(`INSERT INTO nodes (id, organization_id, executor_id, name, spec, revision, change_seq, created_at,
        updated_at) VALUES (?, 'org', 'exe', ?, '{}', 1, 1, 0, 0)`)
      .run(id, id.slice(-4));
  }
}

afterEach(() => {
  batcher?.stop();
  db?.close();
});

function observed(
  nodeId: string,
  figures: { height?: number; peers?: number; cpu?: number; memory?: number; disk?: number; sync?: number },
  roles = ["node"],
): ObservedNodeState {
  return {
    nodeId,
    revision: 1,
    processes: roles.map((role) => ({
      role,
      status: "running" as const,
      ...(figures.cpu !== undefined ? { cpuMillicores: figures.cpu } : {}),
      ...(figures.memory !== undefined ? { memoryBytes: figures.memory } : {}),
    })),
    metrics: {
      ...(figures.height !== undefined
        ? { blockHeight: figures.height, networkHeight: figures.height + 2 }
        : {}),
      ...(figures.peers !== undefined ? { peers: figures.peers } : {}),
      ...(figures.sync !== undefined ? { syncPercent: figures.sync } : {}),
      ...(figures.disk !== undefined
        ? { diskUsedBytes: figures.disk, diskTotalBytes: 2 ** 40, diskAvailableBytes: 2 ** 40 - figures.disk }
        : {}),
    },
  };
}

/** One observation through the hub, as the ingestion path emits it. */
function report(nodeId: string, atMs: number, observation: ObservedNodeState): void {
  hub.nodeObserved({
    node: { id: nodeId, organizationId: "org", name: "n", executorId: "exe", executorName: "exe" },
    observation,
    at: atMs,
  });
}

const rows = (nodeId: string, rollup: boolean) => {
  const series = findSeries(db, nodeId);
  return series === null ? 0 : countPoints(db, series, rollup);
};

describe("metric history", () => {
  test("a closed 5 min bucket becomes one rollup: last heights, disk and sync; average and bounds of peers, CPU and memory", () => {
    open();
    // 30 reports in the first bucket (one every 10 s), then the first one of the next bucket closes it.
    for (let i = 0; i < 30; i++) {
      report(
        NODE,
        T0 + i * 10 * SEC + 500,
        observed(NODE, {
          height: 100 + i,
          peers: i % 3,
          cpu: 100 + i * 10,
          memory: 1000 + i,
          disk: 5000 + i,
          sync: 90 + i / 10,
        }),
      );
    }
    // A second report within one slot replaces the first.
    report(
      NODE,
      T0 + 290 * SEC + 900,
      observed(NODE, { height: 129, peers: 2, cpu: 390, memory: 1029, disk: 5029, sync: 92.9 }),
    );
    report(
      NODE,
      T0 + 5 * MIN + SEC,
      observed(NODE, { height: 130, peers: 1, cpu: 50, memory: 900, disk: 5030 }),
    );
    batcher.flush();
    expect(rows(NODE, false)).toBe(31);
    expect(rows(NODE, true)).toBe(1);
    const range = { from: new Date(T0), to: new Date(T0 + 10 * MIN), resolution: "FIVE_MINUTES" as const };
    const [rollup, ...more] = readHistory(db, NODE, range);
    expect(more).toHaveLength(0);
    expect(rollup!.at.getTime()).toBe(T0);
    expect(rollup!.samples).toBe(30);
    expect(rollup!.blockHeight).toBe(129);
    expect(rollup!.networkHeight).toBe(131);
    expect(rollup!.syncPercent).toBe(92.9);
    expect(rollup!.diskUsedBytes).toBe(5029);
    expect(rollup!.diskTotalBytes).toBe(2 ** 40);
    expect(rollup!.peers).toBe(1);
    expect([rollup!.peersMin, rollup!.peersMax]).toEqual([0, 2]);
    expect(rollup!.cpuMillicores).toBe(245);
    expect(rollup!.cpuMillicoresMax).toBe(390);
    expect(rollup!.memoryBytes).toBe(1015);
    expect(rollup!.memoryBytesMax).toBe(1029);
  });

  test("a node of several processes keeps CPU and memory per role beside the sums", () => {
    open();
    for (let i = 0; i < 30; i++)
      report(MULTI, T0 + i * 10 * SEC, observed(MULTI, { cpu: 100 + i, memory: 10 }, ["el", "cl"]));
    report(MULTI, T0 + 5 * MIN, observed(MULTI, { cpu: 1, memory: 1 }, ["el", "cl"]));
    batcher.flush();
    const [point] = readHistory(db, MULTI, {
      from: new Date(T0),
      to: new Date(T0 + 10 * SEC),
      resolution: "TEN_SECONDS",
    });
    expect(point!.cpuMillicores).toBe(200);
    expect(point!.memoryBytes).toBe(20);
    expect(point!.roles).toEqual([
      { role: "el", cpuMillicores: 100, memoryBytes: 10 },
      { role: "cl", cpuMillicores: 100, memoryBytes: 10 },
    ]);
    const [rollup] = readHistory(db, MULTI, {
      from: new Date(T0),
      to: new Date(T0 + 5 * MIN),
      resolution: "FIVE_MINUTES",
    });
    expect(rollup!.roles.find((r) => r.role === "el")!.cpuMillicores).toBe(115);
  });

  test("a node never holds more than one window of 10 s points and one of rollups, however often it reports", () => {
    open();
    // 25 hours of reports, two per slot: the 10 s window is 24 h.
    const end = T0 + 25 * HOUR;
    for (let at = T0; at < end; at += 5 * SEC) report(NODE, at, observed(NODE, { height: at / SEC }));
    batcher.flush();
    expect(rows(NODE, false)).toBe(POINTS_KEPT);
    // 31 days of one report per bucket: the rollup window is 30 days.
    for (let at = end; at < T0 + 31 * DAY; at += 5 * MIN)
      report(NODE, at, observed(NODE, { height: at / SEC }));
    batcher.flush();
    expect(rows(NODE, true)).toBe(ROLLUPS_KEPT);
    expect(rows(NODE, false) + rows(NODE, true)).toBeLessThanOrEqual(MAX_ROWS_PER_NODE);
    // The newest rollup is the bucket before the last report's; the oldest kept is 30 days before it.
    const newest = T0 + 31 * DAY - 10 * MIN;
    const kept = readHistory(db, NODE, {
      from: new Date(newest - 30 * DAY),
      to: new Date(newest - 30 * DAY + HOUR),
      resolution: "FIVE_MINUTES",
    });
    expect(kept[0]!.at.getTime()).toBe(newest - 30 * DAY + 5 * MIN);
  });

  test("a clock stepped back leaves no points from the future beside the window", () => {
    open();
    for (let i = 0; i < 60; i++) report(NODE, T0 + HOUR + i * 10 * SEC, observed(NODE, { height: i }));
    report(NODE, T0, observed(NODE, { height: 1 }));
    batcher.flush();
    expect(rows(NODE, false)).toBe(1);
  });

  test("the sweep rolls up a quiet node's last bucket, prunes it by age, and drops series of vanished nodes", () => {
    open();
    for (let i = 0; i < 12; i++) report(NODE, T0 + i * 10 * SEC, observed(NODE, { height: i }));
    const GONE = "0190a000-0000-7000-8000-00000000dead";
    report(GONE, T0, observed(GONE, { height: 1 }));
    batcher.flush();
    expect(rows(NODE, true)).toBe(0);
    // Within the grace after the bucket closed: nothing yet (a late report may still land in it).
    recorder.sweep(T0 + 5 * MIN + 10 * SEC);
    batcher.flush();
    expect(rows(NODE, true)).toBe(0);
    recorder.sweep(T0 + 6 * MIN);
    batcher.flush();
    expect(rows(NODE, true)).toBe(1);
    expect(rows(NODE, false)).toBe(12);
    // A day later its 10 s points are gone, the rollup stays; after 30 days the series goes too.
    recorder.sweep(T0 + DAY + 10 * MIN);
    batcher.flush();
    expect(rows(NODE, false)).toBe(0);
    expect(rows(NODE, true)).toBe(1);
    expect(findSeries(db, GONE)).toBeNull();
    recorder.sweep(T0 + 30 * DAY + 20 * MIN);
    batcher.flush();
    expect(findSeries(db, NODE)).toBeNull();
  });

  test("a restart does not leave the bucket it interrupted without its rollup", () => {
    open();
    for (let i = 0; i < 6; i++) report(NODE, T0 + i * 10 * SEC, observed(NODE, { height: i }));
    batcher.flush();
    // A new recorder (the control plane restarted) sees the node first in the next bucket.
    const again = new MetricHistoryRecorder(db, batcher);
    again.record(NODE, observed(NODE, { height: 7 }), T0 + 6 * MIN);
    batcher.flush();
    const [rollup] = readHistory(db, NODE, {
      from: new Date(T0),
      to: new Date(T0 + 5 * MIN),
      resolution: "FIVE_MINUTES",
    });
    expect(rollup!.samples).toBe(6);
    expect(rollup!.blockHeight).toBe(5);
  });
});

describe("reading a range", () => {
  const now = new Date(T0 + 40 * DAY);
  const at = (msBeforeNow: number) => new Date(now.getTime() - msBeforeNow);

  test("without a resolution, the finest whose points fit in one answer", () => {
    expect(historyRange({ from: at(HOUR) }, now).resolution).toBe("TEN_SECONDS");
    expect(historyRange({ from: at(DAY) }, now).resolution).toBe("FIVE_MINUTES");
    expect(historyRange({ from: at(30 * DAY) }, now).resolution).toBe("ONE_HOUR");
    // 10 s points are kept 24 h: an older hour is read from the rollups.
    expect(historyRange({ from: at(3 * DAY), to: at(3 * DAY - HOUR) }, now).resolution).toBe("FIVE_MINUTES");
  });

  test("bad ranges are refused with the argument they concern and the fix", () => {
    const refused = (args: Parameters<typeof historyRange>[0]) => {
      try {
        historyRange(args, now);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return (error as AppError).details;
      }
      throw new Error("accepted");
    };
    expect(refused({ from: new Date("nope") })).toEqual([
      { path: "/from", message: expect.stringContaining("date-time") },
    ]);
    expect(refused({ from: at(HOUR), to: at(2 * HOUR) })).toEqual([
      { path: "/to", message: expect.stringContaining("later than from") },
    ]);
    expect(refused({ from: at(DAY), resolution: "TEN_SECONDS" })).toEqual([
      { path: "/resolution", message: expect.stringContaining(`more than ${MAX_POINTS}`) },
    ]);
    expect(refused({ from: at(365 * DAY) })[0]!.path).toBe("/from");
  });

  test("points come oldest first, from the slot under way at `from`, and an hour summarizes its rollups", () => {
    open();
    for (let i = 0; i < 13 * 30; i++)
      report(NODE, T0 + i * 10 * SEC, observed(NODE, { height: i, cpu: i < 360 ? 100 : 700 }));
    report(NODE, T0 + 65 * MIN, observed(NODE, { height: 999 }));
    batcher.flush();
    const tens = readHistory(db, NODE, {
      from: new Date(T0 + 15 * SEC),
      to: new Date(T0 + MIN),
      resolution: "TEN_SECONDS",
    });
    expect(tens.map((p) => p.blockHeight)).toEqual([1, 2, 3, 4, 5]);
    const hours = readHistory(db, NODE, {
      from: new Date(T0),
      to: new Date(T0 + 2 * HOUR),
      resolution: "ONE_HOUR",
    });
    expect(hours.map((p) => p.at.getTime())).toEqual([T0, T0 + HOUR]);
    expect(hours[0]!.samples).toBe(360);
    expect(hours[0]!.blockHeight).toBe(359);
    expect(hours[0]!.cpuMillicoresMax).toBe(100);
    expect(hours[1]!.cpuMillicores).toBe(700);
  });
});
