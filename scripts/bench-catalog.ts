// `bun scripts/bench-catalog.ts [--specs 10000] [--runs 7]`: what the client catalog adds to the executors'
// spec path. In process, on a scratch SQLite file: the shipped catalog plus 200 admin entries, then
// (1) building the in-memory view from the database (what every catalog change costs once), and (2)
// resolving the artifacts of N node specs for a platform, the work /api/v1/executor/specs adds per spec
// (the resolution of each chain/client/version/network/platform is memoized, so this is mostly lookups).
// Prints medians over the runs. Not part of `npm test`.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/client.ts";
import { listCatalogChecksums, listCatalogEntries } from "../src/db/queries/catalog.ts";
import { systemClock } from "../src/lib/clock.ts";
import { defaultCatalog } from "../src/modes/control-plane/catalog/defaults.ts";
import { CatalogService } from "../src/modes/control-plane/catalog/service.ts";
import { CatalogView } from "../src/modes/control-plane/catalog/view.ts";

const { values } = parseArgs({
  options: { specs: { type: "string", default: "10000" }, runs: { type: "string", default: "7" } },
});
const specs = Number(values.specs);
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = resolve(import.meta.dir, "../.cache/bench-catalog");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const db = openDatabase(join(dir, "cp.db"));
const catalog = new CatalogService(db, systemClock);
const actor = {
  organizationId: null,
  actor: { id: "bench", name: "bench", email: "" },
  meta: { ipAddress: null, userAgent: null, source: "system" as const },
};
const sha = (s: string) => new Bun.CryptoHasher("sha256").update(s).digest("hex");
catalog.add(
  actor,
  Array.from({ length: 200 }, (_, i) => ({
    chain: "bench",
    client: "benchclient",
    version: `1.${i}.0`,
    platforms: {
      "linux-x64": {
        client: {
          url: `https://example.invalid/${i}-x64.tar.gz`,
          sha256: sha(`${i}x64`),
          format: "tar.gz",
          member: "benchclient",
        },
      },
      "linux-arm64": {
        client: {
          url: `https://example.invalid/${i}-arm64.tar.gz`,
          sha256: sha(`${i}arm`),
          format: "tar.gz",
          member: "benchclient",
        },
      },
    },
  })),
);

const builds: number[] = [];
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  new CatalogView(defaultCatalog(), listCatalogEntries(db), listCatalogChecksums(db), "control-plane");
  builds.push(performance.now() - t);
}

const shipped = defaultCatalog().filter((e) => Object.keys(e.platforms).length > 0);
const nodeSpecs = Array.from({ length: specs }, (_, i) => {
  const entry =
    i % 2 === 0
      ? shipped[i % shipped.length]!
      : { chain: "bench", client: "benchclient", version: `1.${i % 200}.0` };
  return {
    chain: entry.chain,
    network: "mainnet",
    clients: { node: { name: entry.client, version: entry.version } },
  };
});
const resolves: number[] = [];
let delivered = 0;
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  for (let i = 0; i < nodeSpecs.length; i++) {
    if (catalog.artifactsFor(nodeSpecs[i]!, i % 3 === 0 ? "linux-arm64" : "linux-x64")) delivered++;
  }
  resolves.push(performance.now() - t);
}
db.close();
console.log(
  JSON.stringify({
    entries: defaultCatalog().length + 200,
    viewBuildMs: Number(median(builds).toFixed(2)),
    specs,
    resolveAllMs: Number(median(resolves).toFixed(2)),
    perSpecMicroseconds: Number(((median(resolves) * 1000) / specs).toFixed(3)),
    specsWithArtifacts: delivered / runs,
  }),
);
