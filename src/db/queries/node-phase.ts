// The derived phase of a node (src/protocol/phase.ts getDerivedNodePhase) as one SQL expression over the
// nodes row, so the nodes list can filter by phase before LIMIT/OFFSET: a phase filter then covers the
// whole organization, not the page loaded, and costs one indexed scan instead of reading every row into
// JavaScript. The phase is never stored (it depends on the clock and on observations batched in memory),
// so the expression takes `now` like the function does. test/db/node-phase.test.ts runs both over a
// matrix of rows and fails on any disagreement: change them together.
import { type SQL, sql } from "drizzle-orm";

/** Whether any observed process has `status` (an aggregate over the one pass of json_each below). */
const has = (status: string) => `coalesce(max(p.status = '${status}'), 0)`;
/** Whether every observed process has `status` (and there is at least one). */
const all = (status: string) => `(count(*) > 0 AND NOT coalesce(max(p.status IS NOT '${status}'), 0))`;
/** The executor has not applied the current revision: an older one observed, or observed before it was written. */
const drifted = `(json_extract(nodes.observed, '$.revision') < nodes.revision
  OR nodes.observed_at < nodes.updated_at)`;

/**
 * The phase CASE, branch for branch in getDerivedNodePhase's order; `:now` is bound to milliseconds. It is
 * one correlated subquery whose aggregates read the processes' statuses in a single json_each pass per
 * row (an EXISTS per status would scan them once per branch).
 */
const PHASE_CASE = `(SELECT CASE
  WHEN nodes.deleted_at IS NOT NULL THEN
    CASE WHEN json_extract(nodes.observed, '$.removed') = 1
          AND json_extract(nodes.observed, '$.revision') >= nodes.revision
         THEN 'deleted' ELSE 'deleting' END
  WHEN nodes.observed IS NULL OR nodes.observed_at IS NULL THEN 'provisioning'
  WHEN ${has("error")} THEN 'error'
  WHEN json_extract(nodes.spec, '$.desiredState') = 'stopped' THEN
    CASE WHEN ${all("stopped")}
         THEN CASE WHEN ${drifted} THEN 'stopping' ELSE 'stopped' END
         ELSE 'stopping' END
  WHEN ${drifted} AND :now >= nodes.updated_at THEN
    CASE WHEN ${has("starting")} THEN 'starting' ELSE 'configuring' END
  WHEN count(*) = 0 THEN 'configuring'
  WHEN ${has("stopping")} THEN 'stopping'
  WHEN ${has("starting")} THEN 'starting'
  WHEN ${has("stopped")} THEN 'stopped'
  WHEN ${has("syncing")} THEN 'syncing'
  ELSE 'running'
END FROM (SELECT json_extract(value, '$.status') AS status
          FROM json_each(nodes.observed, '$.processes')) p)`;

const [BEFORE_NOW, AFTER_NOW] = PHASE_CASE.split(":now") as [string, string];

/** The phase of the `nodes` row in scope at `now`, as a drizzle SQL fragment. */
export function nodePhaseSql(now: Date): SQL {
  return sql`${sql.raw(BEFORE_NOW)}${now.getTime()}${sql.raw(AFTER_NOW)}`;
}

/** `"status":"<s>"` in the stored observation: it is JSON.stringify's compact text, whoever writes it. */
const mentions = (status: string) => `instr(nodes.observed, '"status":"${status}"') > 0`;

/**
 * A cheap condition every node of the phase meets (most others do not), tested before the CASE so the
 * rare phases skip parsing most rows: an error node has a process in error, a syncing one a syncing
 * process, and so on. Phases without one (running, configuring, stopping) evaluate the CASE on every row.
 */
const NECESSARY: Record<string, string> = {
  provisioning: "(nodes.observed IS NULL OR nodes.observed_at IS NULL)",
  deleting: "nodes.deleted_at IS NOT NULL",
  deleted: "nodes.deleted_at IS NOT NULL",
  error: mentions("error"),
  syncing: mentions("syncing"),
  starting: mentions("starting"),
  stopped: mentions("stopped"),
};

/** Nodes whose phase at `now` is `phase`. */
export function nodePhaseIs(phase: string, now: Date): SQL {
  const cheap = NECESSARY[phase];
  const exact = sql`${nodePhaseSql(now)} = ${phase}`;
  return cheap ? sql`(${sql.raw(cheap)} AND ${exact})` : exact;
}
