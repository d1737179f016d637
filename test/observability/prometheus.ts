// Reading a /metrics answer the way Prometheus would: parsed by a text-format parser library (prom2javascript;
// never a regex of ours), then looked up by family name and labels; and which families docs/metrics.md misses.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getMetricsFromIterator, type PromMetrics } from "prom2javascript";

/** One sample: a gauge's or counter's `value`, or a histogram's `buckets`, `count` and `sum`. */
export interface Sample {
  labels: Record<string, string>;
  value?: number;
  count?: number;
  sum?: number;
  buckets?: Record<string, number>;
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<PromMetrics> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain")) throw new Error(`GET ${url}: content-type ${type}`);
  return getMetricsFromIterator((await response.text()).split("\n")[Symbol.iterator]());
}

/** The samples of `name` whose labels include `labels`. */
export function samples(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): Sample[] {
  const family = metrics[name];
  if (!family) return [];
  return (family.data as Sample[]).filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
}

/** The value of the one sample of `name` with `labels` (a gauge or counter), or undefined. */
export function value(metrics: PromMetrics, name: string, labels: Record<string, string> = {}) {
  const found = samples(metrics, name, labels);
  return found.length === 1 ? found[0]!.value : undefined;
}

/** Families of a scrape that docs/metrics.md does not list (as a `name` in its tables). */
export function undocumented(metrics: PromMetrics): string[] {
  const doc = readFileSync(join(import.meta.dir, "../../docs/metrics.md"), "utf8");
  return Object.keys(metrics).filter((name) => !doc.includes(`| \`${name}\` |`));
}
