// The versions a deploy form offers for an executor: for each client the catalog manages, the catalog's
// versions deployable on the executor's platform (every needed file verified or pinned) that the executor
// can run (inside its versionRange, or listed when it gives none), newest first. A client the catalog does
// not manage keeps the versions the executor announced. So a version an admin adds shows up in the forms
// without a new binary, and the forms never offer what deploy would refuse.
import { versionSatisfies } from "../../../adapters/shared/spec.ts";
import type { Platform } from "../../../protocol/artifacts.ts";
import type { ExecutorCapabilities } from "../../../protocol/capabilities.ts";
import type { CatalogView } from "./view.ts";

function deployable(
  view: CatalogView,
  chain: string,
  client: string,
  version: string,
  platform: Platform | null,
) {
  const entry = view.get(chain, client, version);
  if (!entry) return false;
  if (platform === null) return entry.files.every((f) => f.platform !== null || f.status !== "unverified");
  const own = entry.files.filter((f) => f.platform === platform);
  return own.length > 0 && own.every((f) => f.status !== "unverified");
}

export function offeredCapabilities(
  capabilities: ExecutorCapabilities,
  platform: Platform | null,
  view: CatalogView,
): ExecutorCapabilities {
  return {
    ...capabilities,
    supportedChains: capabilities.supportedChains.map((chain) => ({
      ...chain,
      roles: chain.roles.map((role) => ({
        ...role,
        clients: role.clients.map((client) => {
          const known = view.versionsOf(chain.chain, client.name);
          if (!known) return client;
          const versions = known.filter(
            (v) =>
              (client.versionRange !== undefined
                ? versionSatisfies(v, client.versionRange)
                : client.versions.includes(v)) && deployable(view, chain.chain, client.name, v, platform),
          );
          return { ...client, versions };
        }),
      })),
    })),
  };
}
