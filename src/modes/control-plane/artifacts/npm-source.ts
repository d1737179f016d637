// The `npm:` upstream scheme: `npm:<package>@<version>/<file>`, e.g. `npm:@foundry-rs/anvil-linux-amd64@1.7.1/bin/anvil`,
// names a file of an npm package installed in this checkout's node_modules. It lets a control plane started
// from the repository (the demo, the tests) serve clients that a package ships, with no network. The file is
// then verified and stored like any upstream download.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, resolve } from "node:path";

const NPM_URL = /^npm:((?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*)@([0-9A-Za-z.+_-]+)\/(.+)$/;

export interface NpmFile {
  pkg: string;
  version: string;
  file: string;
}

export function parseNpmUrl(url: string): NpmFile | null {
  const match = NPM_URL.exec(url);
  if (!match) return null;
  const file = normalize(match[3]!);
  if (file.startsWith("..") || file.startsWith("/")) return null;
  return { pkg: match[1]!, version: match[2]!, file };
}

/** node_modules directories of a checkout this process may run from (source tree, dist/ binary, cwd). */
export function nodeModulesDirs(): string[] {
  const roots = [process.cwd(), dirname(dirname(process.execPath)), resolve(import.meta.dir, "../../../..")];
  return [...new Set(roots.map((root) => join(root, "node_modules")))].filter((dir) => existsSync(dir));
}

/** The installed file an npm: URL names, or null when no checkout here has that package at that version. */
export function resolveNpmFile(ref: NpmFile): string | null {
  for (const dir of nodeModulesDirs()) {
    const pkgDir = join(dir, ref.pkg);
    try {
      const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
        version?: string;
      };
      const path = join(pkgDir, ref.file);
      if (version === ref.version && existsSync(path)) return path;
    } catch {
      // Not installed in this checkout; try the next one.
    }
  }
  return null;
}
