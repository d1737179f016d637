// Checking catalog entries where they enter (GraphQL addCatalogEntries, `catalog import`, and the shipped
// defaults at startup and in tests): the CatalogEntry schema, then what the schema cannot say (an archive
// names its member, every platform has a "client", a network file does not shadow a platform file, no
// entry twice). Every problem at once, each with its path inside the input (e.g.
// "/0/platforms/linux-x64/client/sha256") and the fix.
import { Type as T } from "@sinclair/typebox";
import { badRequest } from "../../../lib/errors.ts";
import {
  type CatalogEntry,
  type CatalogFile,
  CatalogEntry as EntrySchema,
} from "../../../protocol/artifacts.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import { compileValidator } from "../../../protocol/validate.ts";

/** More than any sane import; one request cannot hold the writer for long. */
export const MAX_ENTRIES_PER_CALL = 500;

const validator = compileValidator(T.Array(EntrySchema, { maxItems: MAX_ENTRIES_PER_CALL }));

/** Clearer words than the schema's for the fields people get wrong, keyed by the last path segment. */
const FIXES: Record<string, string> = {
  sha256:
    "must be the 64 lowercase hex digits the upstream project publishes for this file, or null (unverified: an admin pins the sha256 the control plane computes on first download)",
  url: "must be an https:// URL of the upstream file (or npm:<package>@<version>/<path>)",
  format: 'must be "binary", "tar.gz" or "zip"',
  member: 'must be a relative path inside the archive without "..", e.g. "geth-linux-amd64-1.16.7/geth"',
  version: "must be the client's version as its releases name it, e.g. 1.16.7 (letters, digits, . + _ -)",
  chain: "must be a chain name such as ethereum (lowercase letters, digits, -)",
  client: "must be a client name such as geth (lowercase letters, digits, -)",
};

function withFixes(details: ErrorDetail[]): ErrorDetail[] {
  return details.map((d) => {
    const field = d.path.split("/").at(-1) ?? "";
    const fix = FIXES[field];
    return fix && !d.message.startsWith("unknown field") ? { ...d, message: fix } : d;
  });
}

function fileProblems(file: CatalogFile, path: string): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  if (file.format !== "binary" && file.member === undefined)
    errors.push({
      path: `${path}/member`,
      message: `a ${file.format} archive needs "member": the path of the file (or "dir/" for a directory) inside it`,
    });
  if (file.format === "binary" && file.member !== undefined)
    errors.push({ path: `${path}/member`, message: 'a "binary" file has no member: remove it' });
  if (file.url.startsWith("http")) {
    try {
      new URL(file.url);
    } catch {
      errors.push({ path: `${path}/url`, message: FIXES.url! });
    }
  }
  return errors;
}

function entryProblems(entry: CatalogEntry, path: string): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const platforms = Object.entries(entry.platforms) as [string, Record<string, CatalogFile>][];
  if (platforms.length === 0 && !entry.image)
    errors.push({
      path: `${path}/platforms`,
      message: 'list the files of at least one platform, e.g. { "linux-x64": { "client": { … } } }',
    });
  const platformNames = new Set<string>();
  for (const [platform, files] of platforms) {
    if (!files.client)
      errors.push({
        path: `${path}/platforms/${platform}/client`,
        message: 'every platform needs a "client" file: the program the process runs',
      });
    for (const [name, file] of Object.entries(files)) {
      platformNames.add(name);
      errors.push(...fileProblems(file, `${path}/platforms/${platform}/${name}`));
    }
  }
  for (const [network, files] of Object.entries(entry.networks ?? {})) {
    for (const [name, file] of Object.entries(files)) {
      if (platformNames.has(name))
        errors.push({
          path: `${path}/networks/${network}/${name}`,
          message: `"${name}" is already a platform file of this entry: give the network file another name`,
        });
      errors.push(...fileProblems(file, `${path}/networks/${network}/${name}`));
    }
  }
  return errors;
}

/** Every problem of a list of entries, with paths from the list ("/<index>/…"). Empty: valid. */
export function catalogEntryProblems(input: unknown): ErrorDetail[] {
  if (!Array.isArray(input))
    return [
      {
        path: "/",
        message: "must be a JSON array of catalog entries ([{ chain, client, version, platforms }])",
      },
    ];
  if (!validator.check(input)) return withFixes(validator.errors(input));
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  input.forEach((entry, index) => {
    const key = `${entry.chain}\u0000${entry.client}\u0000${entry.version}`;
    const first = seen.get(key);
    if (first !== undefined)
      errors.push({
        path: `/${index}/version`,
        message: `${entry.chain} ${entry.client} ${entry.version} is also entry ${first}: keep one of them`,
      });
    else seen.set(key, index);
    errors.push(...entryProblems(entry, `/${index}`));
  });
  return errors;
}

/** The entries, or a bad_request naming every problem. */
export function checkCatalogEntries(input: unknown): CatalogEntry[] {
  const errors = catalogEntryProblems(input);
  if (errors.length > 0)
    throw badRequest(
      `the catalog entries are not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`,
      errors,
    );
  return input as CatalogEntry[];
}
