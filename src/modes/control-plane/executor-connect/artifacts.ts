// What hosts download from this control plane without a key: legacy client binaries by file name (GET
// /artifacts/<file>, for adapters that still pin a binary themselves; catalog artifacts are served by sha256
// from the artifact store, see ../artifacts/) and the novacula binary for a host's platform (GET
// /download/novacula). Each lookup answers a path, or the reason there is none and how an administrator fixes it.
//
// Client binaries come from <data dir>/artifacts/ (an administrator puts the published files there), or,
// in a checkout, from the npm packages that ship them (anvil for devnet), so a control plane started from
// the repository serves what its own adapters pin. The agent checks every file's sha256 against the adapter,
// so a wrong file is refused on the host, never run.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { anvilArtifact } from "../../../adapters/devnet/anvil/adapter.ts";
import { PLATFORMS, platformOf } from "../../../protocol/artifacts.ts";
import { type NpmFile, resolveNpmFile } from "../artifacts/npm-source.ts";

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Platforms the installer asks for (uname -m, mapped in install.sh): the client-build platforms. */
export const HOST_PLATFORMS = PLATFORMS;

/** Legacy file names an npm package of a checkout provides: file name → package, its version, file inside it. */
const PACKAGED: Record<string, NpmFile> = {
  [anvilArtifact("1.7.1", "linux-x64")!.fileName]: {
    pkg: "@foundry-rs/anvil-linux-amd64",
    version: "1.7.1",
    file: "bin/anvil",
  },
};

export type Lookup = { path: string } | { missing: string; hint: string };

function fromPackage(fileName: string): string | null {
  const packaged = PACKAGED[fileName];
  return packaged ? resolveNpmFile(packaged) : null;
}

export function findArtifact(dataDir: string, fileName: string): Lookup {
  const dir = join(dataDir, "artifacts");
  if (!ARTIFACT_NAME.test(fileName)) return { missing: `no artifact named ${fileName}`, hint: "" };
  const provided = join(dir, fileName);
  // A file only: the artifact store's own folders (sha256/, partial/) live beside these files.
  if (statSync(provided, { throwIfNoEntry: false })?.isFile()) return { path: provided };
  const packaged = fromPackage(fileName);
  if (packaged) return { path: packaged };
  return {
    missing: `no artifact named ${fileName} on this control plane`,
    hint: `an administrator places the published file at ${provided} (hosts check its sha256 against the adapter)`,
  };
}

/** This process's platform in installer terms, e.g. linux-x64 (as Node names it when no build fits). */
export function ownPlatform(): string {
  return platformOf(process.platform, process.arch) ?? `${process.platform}-${process.arch}`;
}

/** The running executable when this is a `bun build --compile` binary; null under `bun src/main.ts`. */
export function ownBinaryPath(): string | null {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/") ? process.execPath : null;
}

/**
 * The novacula binary for a host: this control plane's own executable for its own platform, or a build
 * for another platform an administrator placed at <data dir>/artifacts/novacula-<platform>.
 */
export function findNovaculaBinary(dataDir: string, platform: string): Lookup {
  if (!(HOST_PLATFORMS as readonly string[]).includes(platform)) {
    return {
      missing: `no novacula build for platform ${JSON.stringify(platform)}`,
      hint: `hosts run ${HOST_PLATFORMS.join(" or ")}`,
    };
  }
  const provided = join(dataDir, "artifacts", `novacula-${platform}`);
  if (existsSync(provided)) return { path: provided };
  const own = ownBinaryPath();
  if (own && platform === ownPlatform()) return { path: own };
  if (!own && platform === ownPlatform()) {
    return {
      missing: "this control plane runs from source, so it has no novacula binary to serve",
      hint: `build it with \`npm run build\` and run dist/novacula control-plane, or place a ${platform} build at ${provided}`,
    };
  }
  return {
    missing: `this control plane runs on ${ownPlatform()} and has no novacula build for ${platform}`,
    hint: `place a ${platform} build of the same version at ${provided}`,
  };
}
