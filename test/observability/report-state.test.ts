// What makes an observation news (sent between reports), which nodes are watched every second, and when
// the head last advanced (`lastBlockAt`): the executor's ReportState.
import { describe, expect, test } from "bun:test";
import { DesiredSet } from "../../src/executor/desired-set.ts";
import { ReportState } from "../../src/executor/report-state.ts";
import type { ObservedNodeState } from "../../src/protocol/observed.ts";

const NODE = "0190a000-0000-7000-8000-000000000001";

const observation = (
  status: "starting" | "running" | "syncing" | "stopped",
  extra: { revision?: number; pid?: number; height?: number } = {},
): ObservedNodeState => ({
  nodeId: NODE,
  revision: extra.revision ?? 1,
  processes: [{ role: "node", status, ...(extra.pid ? { mainPid: extra.pid } : {}) }],
  ...(extra.height !== undefined ? { metrics: { blockHeight: extra.height } } : {}),
});

function desiredAt(revision: number): DesiredSet {
  const desired = new DesiredSet();
  desired.apply({
    cursor: 1,
    specs: [{ nodeId: NODE, name: "n1", revision, spec: null, deleted: false, retainData: false }],
  });
  return desired;
}

describe("executor report state", () => {
  test("a status, pid or revision change is news; a metric change alone is not", () => {
    const state = new ReportState();
    const first = observation("running", { pid: 10, height: 5 });
    expect(state.isNews(first)).toBe(true);
    state.accepted([first]);
    expect(state.isNews(observation("running", { pid: 10, height: 9 }))).toBe(false);
    expect(state.isNews(observation("running", { pid: 11, height: 9 }))).toBe(true);
    expect(state.isNews(observation("stopped"))).toBe(true);
    expect(state.isNews(observation("running", { pid: 10, revision: 2 }))).toBe(true);
  });

  test("nodes starting, stopping or syncing, or behind their desired revision, are in motion", () => {
    const state = new ReportState();
    state.note(observation("starting"));
    expect([...state.inMotion(desiredAt(1))]).toEqual([NODE]);
    state.note(observation("running"));
    expect(state.inMotion(desiredAt(1)).size).toBe(0);
    expect([...state.inMotion(desiredAt(2))]).toEqual([NODE]);
    state.note(observation("syncing", { revision: 2 }));
    expect([...state.inMotion(desiredAt(2))]).toEqual([NODE]);
    // Failing to apply a revision is not motion: the reconciler's retries report what changes.
    state.note({ nodeId: NODE, revision: 1, processes: [{ role: "node", status: "error" }] });
    expect(state.inMotion(desiredAt(2)).size).toBe(0);
  });

  test("lastBlockAt is when the head was first seen higher, unknown until it moves, reset with the chain", () => {
    const state = new ReportState();
    const at = (iso: string) => new Date(iso);
    const first = observation("running", { height: 5 });
    state.note(first, at("2026-01-01T00:00:00Z"));
    expect(first.metrics!.lastBlockAt).toBeUndefined();
    const moved = observation("running", { height: 6 });
    state.note(moved, at("2026-01-01T00:00:10Z"));
    expect(moved.metrics!.lastBlockAt).toBe("2026-01-01T00:00:10.000Z");
    const still = observation("running", { height: 6 });
    state.note(still, at("2026-01-01T00:05:00Z"));
    expect(still.metrics!.lastBlockAt).toBe("2026-01-01T00:00:10.000Z");
    const reset = observation("running", { height: 0 });
    state.note(reset, at("2026-01-01T00:06:00Z"));
    expect(reset.metrics!.lastBlockAt).toBeUndefined();
  });
});
