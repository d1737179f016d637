// The version of this binary: package.json's, unless the build stamped another with
// `--define __NOVACULA_VERSION__='"X.Y.Z"'` (release builds, and tests that need two versions side by side).
import pkg from "../../package.json" with { type: "json" };

declare const __NOVACULA_VERSION__: string | undefined;

export const NOVACULA_VERSION: string =
  typeof __NOVACULA_VERSION__ === "string" ? __NOVACULA_VERSION__ : pkg.version;
