// The default catalog shipped in the binary: one JSON file per chain under default/, each an array of
// CatalogEntry. Checksums there come only from the upstream projects' published checksum files or release
// pages (each entry's `source` says which); a file whose checksum could not be verified that way ships with
// sha256 null and is deployed only after an admin pins the sha256 the control plane computed. The files are
// checked at startup (a bad one stops the control plane naming the file and path) and by a test.
import type { CatalogEntry } from "../../../protocol/artifacts.ts";
import bitcoin from "./default/bitcoin.json" with { type: "json" };
import bsc from "./default/bsc.json" with { type: "json" };
import devnet from "./default/devnet.json" with { type: "json" };
import ethereum from "./default/ethereum.json" with { type: "json" };
import sui from "./default/sui.json" with { type: "json" };
import tron from "./default/tron.json" with { type: "json" };
import { catalogEntryProblems } from "./entries.ts";

/** file name → its entries, as shipped. */
export const DEFAULT_CATALOG_FILES: Readonly<Record<string, unknown>> = {
  "bitcoin.json": bitcoin,
  "bsc.json": bsc,
  "devnet.json": devnet,
  "ethereum.json": ethereum,
  "sui.json": sui,
  "tron.json": tron,
};

let checked: CatalogEntry[] | null = null;

/** Every shipped entry; throws naming the file and the path of the first problems when one is invalid. */
export function defaultCatalog(): readonly CatalogEntry[] {
  if (checked) return checked;
  const all: CatalogEntry[] = [];
  for (const [file, entries] of Object.entries(DEFAULT_CATALOG_FILES)) {
    const problems = catalogEntryProblems(entries);
    if (problems.length > 0)
      throw new Error(
        `the shipped catalog file ${file} is invalid: ${problems
          .slice(0, 5)
          .map((p) => `${p.path}: ${p.message}`)
          .join("; ")}`,
      );
    all.push(...(entries as CatalogEntry[]));
  }
  const problems = catalogEntryProblems(all);
  if (problems.length > 0)
    throw new Error(`the shipped catalog lists an entry twice: ${problems[0]!.message}`);
  checked = all;
  return all;
}
