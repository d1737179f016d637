// The compiled binary a benchmark measures: built with scripts/build.ts when asked (--build) or missing.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

export function ensureBinary(binary: string, rebuild: boolean, log: (message: string) => void): void {
  if (!rebuild && existsSync(binary)) return;
  log(`building ${binary}`);
  const build = Bun.spawnSync([process.execPath, join(ROOT, "scripts/build.ts"), "--outfile", binary], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.exitCode !== 0) throw new Error("the build failed");
}
