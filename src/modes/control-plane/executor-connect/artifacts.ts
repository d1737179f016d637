// The novacula binary a host downloads from this control plane without a key (GET /download/novacula): this
// control plane's own executable for its own platform, or a build for another platform an administrator
// placed under <data dir>/artifacts/. Each lookup answers a path, or the reason there is none and how an
// administrator fixes it. Client binaries are not here: agents get them from the artifact store (../artifacts/).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PLATFORMS, platformOf } from "../../../protocol/artifacts.ts";

/** Platforms the installer asks for (uname -m, mapped in install.sh): the client-build platforms. */
export const HOST_PLATFORMS = PLATFORMS;

export type Lookup = { path: string } | { missing: string; hint: string };

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
