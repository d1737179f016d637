// The nodes list filters by phase in SQL (db/queries/node-phase.ts) while the phase every screen shows is
// computed by getDerivedNodePhase (src/protocol/phase.ts). If the two ever disagree, a filter hides nodes
// of the phase asked for or shows others: this runs both over every combination of the inputs the phase
// depends on and fails on the first row where they differ.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client.ts";
import { listNodes } from "../../src/db/queries/nodes.ts";
import { executors, nodes, organization } from "../../src/db/schema/index.ts";
import { getDerivedNodePhase, NodePhase } from "../../src/protocol/index.ts";
import type { ObservedNodeState } from "../../src/protocol/observed.ts";
import { testDir } from "../harness/control-plane.ts";

const dir = testDir("node-phase");
const db = openDatabase(join(dir, "phase.db"));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const STATUS_SETS: string[][] = [
  [],
  ["running"],
  ["syncing"],
  ["starting"],
  ["stopping"],
  ["stopped"],
  ["error"],
  ["stopped", "stopped"],
  ["running", "stopped"],
  ["running", "syncing"],
  ["starting", "running"],
  ["stopping", "running"],
  ["error", "running"],
  ["syncing", "stopped"],
];

interface Case {
  deleted: boolean;
  desiredState: "running" | "stopped";
  revision: number;
  observed: ObservedNodeState | null;
  observedAt: Date | null;
  updatedAt: Date;
}

/** Every combination of what the phase depends on, around a fixed `now`. */
function cases(now: Date): Case[] {
  const t = now.getTime();
  // [observedAt, updatedAt]: observed after, at and before the revision was written; written in the future.
  const times = [
    [t - 1000, t - 5000],
    [t - 5000, t - 5000],
    [t - 5000, t - 1000],
    [t - 5000, t + 60_000],
  ] as const;
  const out: Case[] = [];
  for (const deleted of [false, true])
    for (const desiredState of ["running", "stopped"] as const)
      for (const observedRevision of [1, 2, null])
        for (const statuses of STATUS_SETS)
          for (const removed of [undefined, true])
            for (const [observedAt, updatedAt] of times) {
              const observed =
                observedRevision === null
                  ? null
                  : ({
                      nodeId: "n",
                      revision: observedRevision,
                      processes: statuses.map((status, i) => ({ role: `r${i}`, status })),
                      ...(removed ? { removed } : {}),
                    } as unknown as ObservedNodeState);
              out.push({
                deleted,
                desiredState,
                revision: 2,
                observed,
                observedAt: observed ? new Date(observedAt) : null,
                updatedAt: new Date(updatedAt),
              });
            }
  return out;
}

test("the SQL phase filter agrees with getDerivedNodePhase on every combination of inputs", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  db.orm.insert(organization).values({ id: "org", name: "Org", slug: "org" }).run();
  db.orm
    .insert(executors)
    .values({
      id: "ex",
      organizationId: "org",
      name: "ex",
      kind: "agent",
      capabilities: { supportedChains: [], features: ["sync"], storageClasses: [] },
      currentVersion: "0.1.0",
      channel: "stable",
      lastSyncAt: now,
    })
    .run();
  const all = cases(now);
  const expected = new Map<string, string>();
  all.forEach((c, i) => {
    const id = `node-${String(i).padStart(5, "0")}`;
    db.orm
      .insert(nodes)
      .values({
        id,
        organizationId: "org",
        executorId: "ex",
        name: id,
        spec: {
          chain: "devnet",
          network: "local",
          nodeType: "full",
          clients: {},
          desiredState: c.desiredState,
          restartGeneration: 0,
        } as never,
        revision: c.revision,
        changeSeq: i,
        observed: c.observed,
        observedAt: c.observedAt,
        createdAt: now,
        updatedAt: c.updatedAt,
        deletedAt: c.deleted ? new Date(now.getTime() - 10) : null,
      })
      .run();
    expected.set(id, getDerivedNodePhase({ ...c }, now));
  });
  const phases = NodePhase.anyOf.map((p) => p.const as string);
  const found = new Map<string, string>();
  for (const phase of phases) {
    const rows = listNodes(db, "org", {
      phase,
      phaseAt: now,
      includeDeleted: true,
      order: "asc",
      limit: 100_000,
      offset: 0,
    });
    for (const row of rows) {
      expect({ id: row.id, phase: found.get(row.id) }).toEqual({ id: row.id, phase: undefined });
      found.set(row.id, phase);
    }
  }
  const disagreements = [...expected]
    .filter(([id, phase]) => found.get(id) !== phase)
    .map(([id, phase]) => ({ id, typescript: phase, sql: found.get(id) ?? "(none)" }));
  expect(disagreements).toEqual([]);
  // The matrix reaches every phase, so no branch of either side goes untested.
  expect(new Set(expected.values())).toEqual(new Set(phases));
}, 60_000);
