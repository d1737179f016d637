// Devnet geth under several catalog versions, for the tests of in-place client version changes: the geth the
// test command builds (testGeth) as 1.17.10, another build of the same program as 1.17.11 (bytes after the ELF
// image are ignored by the loader: another file, another sha256), and releases that cannot run on this host.
// A local server in the role of the projects' release pages serves them; a system admin adds their catalog
// entries, so the executor's offer holds them and deploy and updateNode accept them.
import { readFileSync } from "node:fs";
import { sha256Of, startUpstream, type Upstream } from "../artifacts/upstream.ts";
import { ADD } from "../control-plane/catalog-kit.ts";
import type { ControlPlaneHandle } from "./control-plane.ts";
import { testGeth } from "./geth.ts";

/** The builds a test may ask for, by the version its catalog entry carries. */
export type GethBuild = "real" | "another" | "exits" | "hangs";

/** The bytes of each build: the real geth, itself with a tail, or a script that cannot serve. */
async function bytesOf(build: GethBuild, version: string): Promise<Uint8Array> {
  const geth = readFileSync(await testGeth());
  switch (build) {
    case "real":
      return new Uint8Array(geth);
    case "another":
      return new Uint8Array(Buffer.concat([geth, Buffer.from(`\0another build of geth ${version}\n`)]));
    case "exits":
      // Cannot start on this host: exits 1 at once, saying why.
      return new TextEncoder().encode(
        '#!/bin/sh\necho "Fatal: this build needs a newer kernel" >&2\nexit 1\n',
      );
    case "hangs":
      // Starts and never answers its RPC.
      return new TextEncoder().encode("#!/bin/sh\nexec sleep 100000\n");
  }
}

export interface GethVersions {
  upstream: Upstream;
  /** version → the bytes its catalog entry serves. */
  files: Map<string, Uint8Array>;
  stop(): void;
}

/**
 * Serves each version's build and adds its devnet geth catalog entry (linux-x64, sha256 pinned) as `cookie`,
 * a system admin's session.
 */
export async function publishGethVersions(
  cp: ControlPlaneHandle,
  cookie: string,
  builds: Record<string, GethBuild>,
): Promise<GethVersions> {
  const upstream = await startUpstream();
  const files = new Map<string, Uint8Array>();
  for (const [version, build] of Object.entries(builds)) {
    files.set(version, await bytesOf(build, version));
    upstream.files.set(`/${version}`, files.get(version)!);
  }
  const entries = [...files].map(([version, bytes]) => ({
    chain: "devnet",
    client: "geth",
    version,
    platforms: {
      "linux-x64": {
        client: { url: `${upstream.url}/${version}`, sha256: sha256Of(bytes), format: "binary" },
      },
    },
    source: "the geth the test command builds from the go-ethereum Go module",
  }));
  const added = await cp.gql(ADD, { e: entries }, { cookie });
  if (added.errors?.length) {
    upstream.stop();
    throw new Error(`addCatalogEntries: ${JSON.stringify(added.errors)}`);
  }
  return { upstream, files, stop: () => upstream.stop() };
}
