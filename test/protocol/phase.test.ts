// getDerivedNodePhase: every phase is reachable, and each row pins the precedence rules.
import { describe, expect, test } from "bun:test";
import {
  getDerivedNodePhase,
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
    ]) {
      expect(reached.has(phase as NodePhase)).toBe(true);
    }
  });
});
