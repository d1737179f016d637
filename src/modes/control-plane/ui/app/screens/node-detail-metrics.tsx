// Node detail's metric tiles (reference §12): sync % with the block, block height, peers, disk used % and
// total with a band at the disk threshold, the last block with its lag to the network head, CPU, memory and
// the chain's extras. Each tile has a small chart of the readings seen since the page opened (one per new
// observation; nothing is stored server-side). Stale readings stay readable but are greyed, with a warning.
import { useEffect, useState } from "react";
import type { LiveNode } from "../api/node-detail.ts";
import { Chart } from "../components/chart.tsx";
import { count, describeExtra, formatBytes } from "./metric-format.ts";

/** The `disk_usage` alert's default threshold (reference §4); the band on the disk tile. */
export const DISK_THRESHOLD_PERCENT = 85;
/** Readings kept per page (an hour at the agent's 10 s report interval, then the oldest go). */
const MAX_READINGS = 360;

interface Metrics {
  blockHeight?: number;
  networkHeight?: number;
  syncPercent?: number;
  syncing?: boolean;
  peers?: number;
  lastBlockAt?: string;
  diskUsedBytes?: number;
  diskTotalBytes?: number;
  diskAvailableBytes?: number;
}
interface Process {
  role: string;
  peers?: number;
  cpuMillicores?: number;
  memoryBytes?: number;
}

/** One observation's figures, as the tiles show them. */
export interface Reading {
  at: number;
  blockHeight?: number;
  networkHeight?: number;
  lag?: number;
  syncPercent?: number;
  syncing?: boolean;
  peers?: number;
  lastBlockAt?: string;
  diskPercent?: number;
  diskTotal?: number;
  cpuMillicores?: number;
  memoryBytes?: number;
  extras: Record<string, string | number | boolean>;
}

function sum(processes: Process[], key: "peers" | "cpuMillicores" | "memoryBytes"): number | undefined {
  const values = processes.map((p) => p[key]).filter((v): v is number => typeof v === "number");
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

export function readingOf(node: LiveNode): Reading {
  const observed = node.observed as (LiveNode["observed"] & { details?: Reading["extras"] }) | null;
  const m = (observed?.metrics ?? {}) as Metrics;
  const processes = (observed?.processes ?? []) as Process[];
  const total = m.diskTotalBytes;
  const used =
    m.diskUsedBytes ??
    (total !== undefined && m.diskAvailableBytes !== undefined ? total - m.diskAvailableBytes : undefined);
  return {
    at: node.observedAt ? Date.parse(node.observedAt) / 1000 : Date.now() / 1000,
    blockHeight: m.blockHeight,
    networkHeight: m.networkHeight,
    lag:
      m.networkHeight !== undefined && m.blockHeight !== undefined
        ? Math.max(0, m.networkHeight - m.blockHeight)
        : undefined,
    syncPercent: m.syncPercent,
    syncing: m.syncing,
    peers: m.peers ?? sum(processes, "peers"),
    lastBlockAt: m.lastBlockAt,
    diskPercent: total && used !== undefined ? (used / total) * 100 : undefined,
    diskTotal: total,
    cpuMillicores: sum(processes, "cpuMillicores"),
    memoryBytes: sum(processes, "memoryBytes"),
    extras: observed?.details ?? {},
  };
}

/** The readings seen since the page opened: one more each time a new observation arrives. */
export function useReadings(node: LiveNode): Reading[] {
  const [readings, setReadings] = useState<{ nodeId: string; list: Reading[] }>({
    nodeId: node.id,
    list: [],
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new observation (observedAt) is the trigger
  useEffect(() => {
    if (!node.observed) return;
    const reading = readingOf(node);
    setReadings((held) => {
      const list = held.nodeId === node.id ? held.list : [];
      if (list.at(-1)?.at === reading.at) return held;
      return { nodeId: node.id, list: [...list, reading].slice(-MAX_READINGS) };
    });
  }, [node.id, node.observedAt]);
  return readings.nodeId === node.id ? readings.list : [];
}

const percent = (n: number) => `${n.toFixed(1)} %`;
const cores = (millicores: number) => `${(millicores / 1000).toFixed(2)} cores`;

interface TileProps {
  label: string;
  value: string;
  hint?: string;
  readings: Reading[];
  pick?: (r: Reading) => number | undefined;
  chart?: { band?: { from: number; to: number }; range?: [number, number]; format?: (v: number) => string };
  children?: React.ReactNode;
}

function Tile({ label, value, hint, readings, pick, chart, children }: TileProps) {
  const values = pick ? readings.map((r) => pick(r) ?? null) : [];
  return (
    <div className="tile">
      <dt>{label}</dt>
      {/* Words (a client version) read at body size; figures stay large. */}
      <dd data-metric={label} className={/^[\d—]/.test(value) ? undefined : "text"}>
        {value}
      </dd>
      {hint ? <dd className="muted">{hint}</dd> : null}
      {children}
      {pick ? (
        <dd>
          <Chart label={label} times={readings.map((r) => r.at)} values={values} {...chart} />
        </dd>
      ) : null}
    </div>
  );
}

function DiskMeter({ percent: used }: { percent: number }) {
  return (
    <dd className="meter" aria-hidden="true">
      <span
        className={used >= DISK_THRESHOLD_PERCENT ? "over" : ""}
        style={{ width: `${Math.min(used, 100)}%` }}
      />
      <i style={{ left: `${DISK_THRESHOLD_PERCENT}%` }} />
    </dd>
  );
}

function syncText(r: Reading): string {
  if (r.syncPercent !== undefined) return percent(r.syncPercent);
  if (r.syncing === false) return "in sync";
  return r.syncing ? "syncing" : "—";
}

function lagText(r: Reading): string | undefined {
  if (r.lag === undefined) return undefined;
  return r.lag === 0 ? "at the network head" : `${count(r.lag)} blocks behind the network`;
}

export function MetricTiles({ node }: { node: LiveNode }) {
  const readings = useReadings(node);
  const r = readingOf(node);
  const extras = Object.entries(r.extras);
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title" className="sr-only">
        Metrics
      </h2>
      <dl className={`tiles${node.observedStale ? " greyed" : ""}`}>
        <Tile
          label="Sync"
          value={syncText(r)}
          hint={r.blockHeight !== undefined ? `block ${count(r.blockHeight)}` : undefined}
          readings={readings}
          pick={(x) => x.syncPercent}
          chart={{ range: [0, 100], format: percent }}
        />
        <Tile
          label="Block height"
          value={r.blockHeight !== undefined ? count(r.blockHeight) : "—"}
          hint={r.networkHeight !== undefined ? `network ${count(r.networkHeight)}` : undefined}
          readings={readings}
          pick={(x) => x.blockHeight}
        />
        <Tile
          label="Peers"
          value={r.peers !== undefined ? String(r.peers) : "—"}
          readings={readings}
          pick={(x) => x.peers}
        />
        <Tile
          label="Disk"
          value={r.diskPercent !== undefined ? percent(r.diskPercent) : "—"}
          hint={
            r.diskTotal !== undefined
              ? `of ${formatBytes(r.diskTotal)} · alert at ${DISK_THRESHOLD_PERCENT} %`
              : undefined
          }
          readings={readings}
          pick={(x) => x.diskPercent}
          chart={{ range: [0, 100], band: { from: DISK_THRESHOLD_PERCENT, to: 100 }, format: percent }}
        >
          {r.diskPercent !== undefined ? <DiskMeter percent={r.diskPercent} /> : null}
        </Tile>
        <Tile
          label="Last block"
          value={r.lastBlockAt ? new Date(r.lastBlockAt).toLocaleTimeString("en-GB") : "—"}
          hint={lagText(r)}
          readings={readings}
          pick={(x) => x.lag}
          chart={{ format: (v) => `${count(v)} blocks behind` }}
        />
        <Tile
          label="CPU"
          value={r.cpuMillicores !== undefined ? cores(r.cpuMillicores) : "—"}
          readings={readings}
          pick={(x) => x.cpuMillicores}
          chart={{ format: cores }}
        />
        <Tile
          label="Memory"
          value={r.memoryBytes !== undefined ? formatBytes(r.memoryBytes) : "—"}
          readings={readings}
          pick={(x) => x.memoryBytes}
          chart={{ format: formatBytes }}
        />
        {extras.map(([name, value]) => {
          const shown = describeExtra(name, value);
          return (
            <Tile
              key={name}
              label={shown.label}
              value={shown.value}
              readings={readings}
              pick={shown.chart ? (x) => numberOr(x.extras[name]) : undefined}
              chart={{ format: (v) => describeExtra(name, v).value }}
            />
          );
        })}
      </dl>
    </section>
  );
}

const numberOr = (v: unknown) => (typeof v === "number" ? v : undefined);
