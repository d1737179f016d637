// Writes the live stream's changes into the TanStack Query cache (api/live.ts reads the stream). Changes are
// gathered for FLUSH_MS and written together: a fleet of 2,000 nodes reports ~200 observations a second,
// and one pass over the cache (and one render) per flush costs the same for one change or hundreds.
// - nodes and executors are merged, by id, into every cached answer that holds them (lists, detail pages,
//   nested objects such as a node's executor), so screens keep their plain queries;
// - a new event invalidates the answers that list events, and creations and deletions the node or
//   executor lists (a merge cannot add a row to a list);
// - a node whose phase changed (or was not known to this tab) refetches the node lists, at most once per
//   PHASE_REFETCH_MS: a list filtered by phase must gain or lose that row, and a merge cannot do either;
// - an alert opened or resolved refetches the bell and the incidents (queries keyed ALERT_QUERY_KEYS);
// - a node's runtime event refetches its configuration and revisions (keyed ["node", id, "config", …]): a
//   client version change's outcome arrives as one (reason `client_upgrade.*`, which the live event does not
//   carry) and is written on the revision, which no node row holds; runtime events are rare (faults, upgrades);
// - `resync` (the server had more than it sends one by one) invalidates everything.
import type { QueryClient } from "@tanstack/react-query";

/** Changes wait at most this long before they are written (one render per flush). */
const FLUSH_MS = 50;
/** Node lists refetch at most this often for phase changes (a fleet in motion would otherwise refetch
 * them on every flush). */
const PHASE_REFETCH_MS = 1_000;
/** Queries showing incidents, refetched on `notification.alert.*` events. */
const ALERT_QUERY_KEYS = ["notification-center", "incidents"];
/** Values that are documents of their own (a spec, an observation, capabilities): never searched for ids. */
const OPAQUE = new Set([
  "spec",
  "observed",
  "capabilities",
  "resources",
  "payload",
  "pendingUpgrade",
  "details",
]);

export type Row = { id: string } & Record<string, unknown>;

export interface CacheChange {
  resync: boolean;
  node: Row | null;
  executor: Row | null;
  event: { type: string; nodeId?: string | null } | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * `object` with `row`'s fields over it. A nested object both hold (a node's executor) is overlaid too, not
 * replaced: the cached answer may have asked for more of it (the configuration form reads the executor's
 * capabilities, which a live change does not carry).
 */
function overlay(object: Record<string, unknown>, row: Row): Record<string, unknown> {
  const next: Record<string, unknown> = { ...object, ...row };
  for (const [key, value] of Object.entries(row)) {
    const cached = object[key];
    if (!OPAQUE.has(key) && isRecord(cached) && isRecord(value)) next[key] = { ...cached, ...value };
  }
  return next;
}

/** `value` with every object whose id is in `rows` merged with that row (a few levels deep), or itself. */
function mergeRows(value: unknown, rows: Map<string, Row>, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let changed = false;
    const next = value.map((item) => {
      const merged = mergeRows(item, rows, depth + 1);
      if (merged !== item) changed = true;
      return merged;
    });
    return changed ? next : value;
  }
  const object = value as Record<string, unknown>;
  const row = typeof object.id === "string" ? rows.get(object.id) : undefined;
  let next: Record<string, unknown> | null = row ? overlay(object, row) : null;
  for (const [key, child] of Object.entries(object)) {
    if (OPAQUE.has(key) || (row && key in row)) continue;
    const merged = mergeRows(child, rows, depth + 1);
    if (merged !== child) {
      next ??= { ...object };
      next[key] = merged;
    }
  }
  return next ?? value;
}

/** Whether a cached answer has a list under `key` at its top level (events, nodes, executors). */
const listsOf = (key: string) => (query: { state: { data: unknown } }) => {
  const data = query.state.data as Record<string, unknown> | undefined;
  return !!data && typeof data === "object" && Array.isArray(data[key]);
};

export class LiveCache {
  private rows = new Map<string, Row>();
  private lists = new Set<string>();
  private resync = false;
  private alerts = false;
  /** Nodes whose revision history may have changed (a client version change's outcome). */
  private revisions = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last phase this tab saw per node, to tell a phase change from a metric update. */
  private phases = new Map<string, unknown>();
  private phaseTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPhaseRefetch = 0;

  constructor(private readonly client: QueryClient) {}

  add(change: CacheChange): void {
    if (change.resync) this.resync = true;
    for (const row of [change.node, change.executor]) {
      if (row) this.rows.set(row.id, { ...this.rows.get(row.id), ...row });
    }
    const node = change.node;
    if (node && "phase" in node && this.phases.get(node.id) !== node.phase) {
      this.phases.set(node.id, node.phase);
      this.refetchNodeListsSoon();
    }
    const type = change.event?.type;
    if (type) {
      this.lists.add("events");
      if (/^node\.(created|deleted)$/.test(type)) this.lists.add("nodes");
      if (/^executor\.(connected|deleted)$/.test(type)) this.lists.add("executors");
      if (type.startsWith("notification.alert.")) this.alerts = true;
      const nodeId = change.event?.nodeId;
      if (type === "runtime.event" && nodeId) this.revisions.add(nodeId);
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private refetchNodeListsSoon(): void {
    if (this.phaseTimer) return;
    const wait = Math.max(0, this.lastPhaseRefetch + PHASE_REFETCH_MS - Date.now());
    this.phaseTimer = setTimeout(
      () => {
        this.phaseTimer = null;
        this.lastPhaseRefetch = Date.now();
        void this.client.invalidateQueries({ predicate: listsOf("nodes") });
      },
      Math.max(wait, FLUSH_MS),
    );
  }

  /** Drops what waits (a reconnection refetches everything anyway). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    this.phaseTimer = null;
    this.timer = null;
    this.rows.clear();
    this.lists.clear();
    this.revisions.clear();
    this.resync = false;
    this.alerts = false;
  }

  private flush(): void {
    this.timer = null;
    const { rows, lists, resync, alerts, revisions } = this;
    this.rows = new Map();
    this.lists = new Set();
    this.revisions = new Set();
    this.resync = false;
    this.alerts = false;
    if (resync) {
      void this.client.invalidateQueries();
      return;
    }
    if (rows.size > 0) {
      for (const query of this.client.getQueryCache().getAll()) {
        const data = query.state.data;
        const merged = mergeRows(data, rows);
        if (merged !== data) this.client.setQueryData(query.queryKey, merged);
      }
    }
    for (const key of lists) void this.client.invalidateQueries({ predicate: listsOf(key) });
    if (alerts) for (const key of ALERT_QUERY_KEYS) void this.client.invalidateQueries({ queryKey: [key] });
    for (const id of revisions) void this.client.invalidateQueries({ queryKey: ["node", id, "config"] });
  }
}
