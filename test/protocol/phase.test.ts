// getDerivedNodePhase: every phase is reachable, and each row pins the precedence rules. isObservationStale:
// when the last observation may no longer be true.
import { describe, expect, test } from "bun:test";
import {
  getDerivedNodePhase,
  isObservationStale,
  type NodePhase,
  type PhaseInput,
  type ProcessStatus,
} from "../../src/protocol/index.ts";

const NODE = "0190a4c2-0000-7000-8000-000000000001";
const written = new Date("2026-01-01T00:00:00Z");
const after = new Date("2026-01-01T00:00:10Z");
const before = new Date("2025-12-31T23:59:50Z");
const now = new Date("2026-01-01T00:01:00Z");

function node(
  overrides: Partial<PhaseInput> & { statuses?: ProcessStatus[]; observedRevision?: number },
): PhaseInput {
  const { statuses, observedRevision, ...rest } = overrides;
  return {
    deleted: false,
    desiredState: "running",
    revision: 2,
    updatedAt: written,
    observedAt: statuses ? after : null,
    observed: statuses
      ? {
          nodeId: NODE,
          revision: observedRevision ?? 2,
          processes: statuses.map((status, i) => ({ role: `r${i}`, status })),
        }
      : null,
    ...rest,
  };
}

const rows: [string, PhaseInput, NodePhase][] = [
  ["deleted wins over everything", node({ deleted: true, statuses: ["error"] }), "deleting"],
  ["deleted, nothing observed since", node({ deleted: true }), "deleting"],
  [
    "deleted, the executor reports the removal of the deleted revision",
    node({
      deleted: true,
      observed: { nodeId: NODE, revision: 2, processes: [], removed: true },
      observedAt: after,
    }),
    "deleted",
  ],
  [
    "deleted, a removal reported for an older revision does not finish the teardown",
    node({
      deleted: true,
      observed: { nodeId: NODE, revision: 1, processes: [], removed: true },
      observedAt: after,
    }),
    "deleting",
  ],
  ["nothing observed yet", node({}), "provisioning"],
  ["any process in error", node({ statuses: ["running", "error"] }), "error"],
  ["error wins over drift", node({ statuses: ["error"], observedRevision: 1 }), "error"],
  [
    "older revision observed, still running",
    node({ statuses: ["running"], observedRevision: 1 }),
    "configuring",
  ],
  ["observation taken before the write", node({ statuses: ["running"], observedAt: before }), "configuring"],
  ["older revision, process starting", node({ statuses: ["starting"], observedRevision: 1 }), "starting"],
  ["all running", node({ statuses: ["running", "running"] }), "running"],
  ["one syncing", node({ statuses: ["running", "syncing"] }), "syncing"],
  ["one starting", node({ statuses: ["running", "starting"] }), "starting"],
  ["one stopping", node({ statuses: ["stopping", "running"] }), "stopping"],
  ["desired running, observed stopped", node({ statuses: ["stopped"] }), "stopped"],
  ["no process reported", node({ statuses: [] }), "configuring"],
  [
    "desired stopped, all stopped",
    node({ desiredState: "stopped", statuses: ["stopped", "stopped"] }),
    "stopped",
  ],
  [
    "desired stopped, one still running",
    node({ desiredState: "stopped", statuses: ["stopped", "running"] }),
    "stopping",
  ],
  [
    "desired stopped, stopped but drifted",
    node({ desiredState: "stopped", statuses: ["stopped"], observedRevision: 1 }),
    "stopping",
  ],
];

describe("getDerivedNodePhase", () => {
  for (const [name, input, phase] of rows) {
    test(`${name} → ${phase}`, () => expect(getDerivedNodePhase(input, now)).toBe(phase));
  }
  test("every phase is reachable from the table", () => {
    const reached = new Set(rows.map((r) => r[2]));
    for (const phase of [
      "provisioning",
      "configuring",
      "starting",
      "running",
      "syncing",
      "stopping",
      "stopped",
      "error",
      "deleting",
      "deleted",
    ]) {
      expect(reached.has(phase as NodePhase)).toBe(true);
    }
  });
});

describe("isObservationStale", () => {
  const TIMEOUT = 30_000;
  const at = (ms: number) => new Date(now.getTime() - ms);
  const observed = { nodeId: NODE, revision: 2, processes: [{ role: "node", status: "running" as const }] };
  const cases: [string, Parameters<typeof isObservationStale>[0], boolean][] = [
    [
      "fresh observation, executor heard from",
      { observed, observedAt: at(5_000), executorSyncAt: at(1_000) },
      false,
    ],
    [
      "executor silent for the heartbeat timeout (offline)",
      { observed, observedAt: at(5_000), executorSyncAt: at(TIMEOUT) },
      true,
    ],
    [
      "executor online, but no observation for the heartbeat timeout",
      { observed, observedAt: at(TIMEOUT), executorSyncAt: at(1_000) },
      true,
    ],
    [
      "executor unknown to this process: the observation's age decides",
      { observed, observedAt: at(5_000), executorSyncAt: null },
      false,
    ],
    [
      "nothing observed yet: nothing to be stale",
      { observed: null, observedAt: null, executorSyncAt: at(TIMEOUT * 2) },
      false,
    ],
    [
      "a confirmed removal is final, not stale",
      {
        observed: { nodeId: NODE, revision: 2, processes: [], removed: true },
        observedAt: at(TIMEOUT * 2),
        executorSyncAt: at(TIMEOUT * 2),
      },
      false,
    ],
  ];
  for (const [name, input, stale] of cases) {
    test(`${name} → ${stale ? "stale" : "fresh"}`, () =>
      expect(isObservationStale(input, now, TIMEOUT)).toBe(stale));
  }
});
