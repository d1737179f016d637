// What the catalog says about deploying a node: each client version must be in the catalog, with files for
// the executor's platform (and for the node's network when the entry has per-network files), every one of
// them verified or pinned. Problems are reported at /clients/<role>/version with the fix. A client the
// catalog has no entry for at all is not managed by it (a chain this binary does not know, an executor
// that installs its own files): its adapter and the executor's offer decide alone.

import type { Platform } from "../../../protocol/artifacts.ts";
import type { ErrorDetail } from "../../../protocol/errors.ts";
import type { NodeSpec } from "../../../protocol/node-spec.ts";
import type { CatalogView, FileView } from "./view.ts";

const quoted = (items: readonly string[]) => items.map((i) => JSON.stringify(i)).join(", ");

export interface CatalogVerdict {
  errors: ErrorDetail[];
  /** Unverified files a deploy wanted: the artifact store may download them so an admin can pin them. */
  unverified: FileView[];
}

function describe(file: FileView): string {
  return `its ${file.name} file${file.platform ? ` for ${file.platform}` : ` for network ${file.network}`} (${file.url})`;
}

export function catalogVerdict(
  view: CatalogView,
  spec: Pick<NodeSpec, "chain" | "network" | "clients">,
  platform: Platform | null,
): CatalogVerdict {
  const errors: ErrorDetail[] = [];
  const unverified: FileView[] = [];
  for (const [role, ref] of Object.entries(spec.clients)) {
    const versions = view.versionsOf(spec.chain, ref.name);
    if (!versions) continue;
    const path = `/clients/${role}/version`;
    const entry = view.get(spec.chain, ref.name, ref.version);
    if (!entry) {
      errors.push({
        path,
        message: `${ref.name} ${ref.version} is not in the client catalog: choose one of ${quoted(versions.slice(0, 8))}, or a system admin adds it with addCatalogEntries`,
      });
      continue;
    }
    if (platform !== null && !entry.files.some((f) => f.platform === platform)) {
      errors.push({
        path,
        message: `${ref.name} ${ref.version} has no ${platform} build in the client catalog: choose another version, or a system admin adds the ${platform} files with addCatalogEntries`,
      });
      continue;
    }
    const networks = entry.entry.networks;
    if (networks && !networks[spec.network]) {
      errors.push({
        path,
        message: `${ref.name} ${ref.version} has no files for network "${spec.network}" in the client catalog (it has ${quoted(Object.keys(networks))}): a system admin adds them with addCatalogEntries`,
      });
      continue;
    }
    for (const file of view.neededFiles(entry, spec.network, platform)) {
      if (file.status !== "unverified") continue;
      unverified.push(file);
      errors.push({
        path,
        message: file.computedSha256
          ? `${ref.name} ${ref.version}: the sha256 of ${describe(file)} is not verified from the upstream's published checksums: a system admin checks ${file.computedSha256} (what the control plane's download hashed to) against the upstream and pins it with pinCatalogChecksum`
          : `${ref.name} ${ref.version}: the sha256 of ${describe(file)} is not verified from the upstream's published checksums and the control plane has not downloaded it yet: once clientCatalog shows its computedSha256, a system admin checks it and pins it with pinCatalogChecksum`,
      });
    }
  }
  return { errors, unverified };
}
