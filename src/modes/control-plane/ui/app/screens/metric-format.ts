// How node detail's figures read: byte sizes, counts, and the chain's extra readings (observed.details, named
// by each adapter: `chainId`, `gasPriceWei`, `hash_rate`, `mempool_bytes`, `epochStartTimestampMs`,
// `runningVersion.el`, …) as a label in words and a value in the unit a person expects. Identifiers (a chain
// id, a protocol version) keep their bare digits and get no chart; sizes read in bytes, wei as gwei, durations
// and timestamps as such. Pure, so the rules are tested without a browser.

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

export const count = (n: number) => n.toLocaleString("en-US");

export interface ExtraDisplay {
  label: string;
  value: string;
  /** Whether a chart of it says anything: identifiers and timestamps do not move in a way worth drawing. */
  chart: boolean;
}

/** Words that read in capitals, whatever their spelling in the key. */
const ACRONYMS: Record<string, string> = { id: "ID", cl: "CL", el: "EL", rpc: "RPC", jvm: "JVM" };

/** `gasPriceWei` → ["gas", "price", "wei"]; `mempool_usage_bytes` → ["mempool", "usage", "bytes"]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z\d])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

function sentence(parts: string[]): string {
  const text = parts.map((w) => ACRONYMS[w] ?? w).join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

function gwei(wei: number): string {
  const value = wei / 1e9;
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} gwei`;
}

/** The tile for one extra reading. */
export function describeExtra(key: string, value: string | number | boolean): ExtraDisplay {
  const version = /^runningVersion\.(.+)$/.exec(key)?.[1];
  if (version) return { label: `${sentence([version])} version`, value: String(value), chart: false };
  const parts = words(key);
  const last = parts.at(-1);
  if (typeof value !== "number") return { label: sentence(parts), value: String(value), chart: false };
  if (last === "id" || (parts.includes("version") && last === "version"))
    return { label: sentence(parts), value: String(value), chart: false };
  if (last === "wei") return { label: sentence(parts.slice(0, -1)), value: gwei(value), chart: true };
  if (last === "bytes") {
    const rest = parts.slice(0, -1);
    return { label: sentence(rest.length > 0 ? rest : parts), value: formatBytes(value), chart: true };
  }
  if (last === "seconds") return { label: sentence(parts.slice(0, -1)), value: duration(value), chart: true };
  if (last === "ms" && parts.includes("timestamp")) {
    const label = sentence(parts.filter((w) => w !== "timestamp" && w !== "ms"));
    return { label, value: new Date(value).toISOString().replace("T", " ").slice(0, 19), chart: false };
  }
  return { label: sentence(parts), value: count(value), chart: true };
}
