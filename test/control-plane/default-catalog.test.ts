// The default catalog shipped in the binary: every entry matches the CatalogEntry schema and the rules
// beyond it, every checksum has the shape of a real sha256 and says where it comes from, and every version
// an adapter compiled into this binary offers is in it. Also the artifact store's lookups over it (real
// SQLite file): which upstream file a sha256 stands for, and recording a computed sha256.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { supportedChains } from "../../src/adapters/registry.ts";
import { versionSatisfies } from "../../src/adapters/shared/spec.ts";
import { openDatabase } from "../../src/db/client.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { DEFAULT_CATALOG_FILES, defaultCatalog } from "../../src/modes/control-plane/catalog/defaults.ts";
import { catalogEntryProblems } from "../../src/modes/control-plane/catalog/entries.ts";
import { CatalogService } from "../../src/modes/control-plane/catalog/service.ts";
import type { CatalogEntry, CatalogFile } from "../../src/protocol/artifacts.ts";
import { testDir } from "../harness/control-plane.ts";

function filesOf(entry: CatalogEntry): [string, CatalogFile][] {
  const out: [string, CatalogFile][] = [];
  for (const [platform, set] of Object.entries(entry.platforms))
    for (const [name, file] of Object.entries(set ?? {})) out.push([`${platform}/${name}`, file]);
  for (const [network, set] of Object.entries(entry.networks ?? {}))
    for (const [name, file] of Object.entries(set)) out.push([`${network}/${name}`, file]);
  return out;
}

const all = () =>
  defaultCatalog().flatMap((e) => filesOf(e).map(([where, file]) => ({ entry: e, where, file })));

test("every shipped catalog file is a valid list of entries, with no entry twice", () => {
  for (const [name, entries] of Object.entries(DEFAULT_CATALOG_FILES)) {
    expect({ name, problems: catalogEntryProblems(entries) }).toEqual({ name, problems: [] });
  }
  expect(defaultCatalog().length).toBeGreaterThan(0);
});

test("every shipped checksum is a lowercase sha256 or null, none repeated across files, none a made-up pattern", () => {
  const bySha = new Map<string, string>();
  for (const { entry, where, file } of all()) {
    const at = `${entry.chain} ${entry.client} ${entry.version} ${where}`;
    if (file.sha256 === null) continue;
    expect({ at, sha256: file.sha256 }).toEqual({ at, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // A typed-in placeholder (one repeated character, a repeated short run) is no upstream's checksum.
    expect({ at, distinct: new Set(file.sha256).size > 8 }).toEqual({ at, distinct: true });
    expect({ at, repeated: /^(.{1,16})\1+$/.test(file.sha256) }).toEqual({ at, repeated: false });
    // The same bytes under two URLs happen (one jar for two platforms); one sha256 for two URLs does not.
    const other = bySha.get(file.sha256);
    if (other !== undefined) expect({ at, url: file.url }).toEqual({ at, url: other });
    bySha.set(file.sha256, file.url);
  }
  expect(bySha.size).toBeGreaterThan(0);
});

test("every shipped entry says where its checksums come from, and every URL is the upstream's own", () => {
  for (const entry of defaultCatalog()) {
    const at = `${entry.chain} ${entry.client} ${entry.version}`;
    expect({ at, source: (entry.source ?? "").length > 20 }).toEqual({ at, source: true });
    for (const [where, file] of filesOf(entry)) {
      const url = file.url.startsWith("npm:") ? "npm:" : new URL(file.url).protocol;
      // anvil is the one client whose upstream build ships as an npm package; everything else is an https URL.
      expect({ at, where, url }).toEqual({ at, where, url: entry.client === "anvil" ? "npm:" : "https:" });
    }
  }
});

test("every version an adapter compiled into this binary offers is in the shipped catalog", () => {
  const missing: string[] = [];
  for (const chain of supportedChains())
    for (const role of chain.roles)
      for (const client of role.clients)
        for (const version of client.versions)
          if (
            !defaultCatalog().some(
              (e) => e.chain === chain.chain && e.client === client.name && e.version === version,
            )
          )
            missing.push(`${chain.chain} ${client.name} ${version}`);
  expect(missing).toEqual([]);
});

test("every shipped Sui and Tron version is one its adapter runs (inside its versionRange), so executors are offered it", () => {
  const outside: string[] = [];
  for (const entry of defaultCatalog().filter((e) => e.chain === "sui" || e.chain === "tron")) {
    const client = supportedChains()
      .find((c) => c.chain === entry.chain)
      ?.roles.flatMap((r) => r.clients)
      .find((c) => c.name === entry.client);
    const runs =
      client?.versionRange !== undefined
        ? versionSatisfies(entry.version, client.versionRange)
        : (client?.versions.includes(entry.version) ?? false);
    if (!runs)
      outside.push(`${entry.chain} ${entry.client} ${entry.version} (${client?.versionRange ?? "no range"})`);
  }
  expect(outside).toEqual([]);
});

const dir = testDir("default-catalog");
const db = openDatabase(join(dir, "cp.db"));
afterAll(() => db.close());

test("the artifact store finds the upstream file of a shipped sha256, and an unverified file's computed sha256 is shown", () => {
  const catalog = new CatalogService(db, systemClock);
  const bitcoind = filesOf(defaultCatalog().find((e) => e.client === "bitcoind")!).find(
    ([where]) => where === "linux-x64/client",
  )![1];
  expect(catalog.catalogFileBySha256(bitcoind.sha256!)).toEqual({
    url: bitcoind.url,
    format: "tar.gz",
    member: bitcoind.member!,
  });
  expect(catalog.catalogFileBySha256("ab".repeat(32))).toBeNull();

  const unverified = all().find(({ file }) => file.sha256 === null)!;
  const computed = new Bun.CryptoHasher("sha256").update("bytes").digest("hex");
  const needed: string[] = [];
  catalog.onChecksumNeeded((url) => needed.push(url));
  const before = catalog.list(unverified.entry.chain, unverified.entry.client)[0]!;
  catalog.checksumNeeded(before.files.filter((f) => f.url === unverified.file.url));
  expect(needed).toEqual([unverified.file.url]);
  catalog.recordComputedChecksum(unverified.file.url, computed);
  const after = catalog.list(unverified.entry.chain, unverified.entry.client)[0]!;
  expect(after.files.find((f) => f.url === unverified.file.url)).toMatchObject({
    status: "unverified",
    computedSha256: computed,
  });
  // Not delivered, so not served by sha256 either, until an admin pins it.
  expect(catalog.catalogFileBySha256(computed)).toBeNull();
});
