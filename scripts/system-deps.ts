// Installs the Debian packages the test suite needs when they are missing (idempotent; apt caches
// downloads): systemd for the agent's real-systemd tests, util-linux for unshare/nsenter, curl and sudo for
// the one-line installer the end-to-end test runs as a user would (`curl … | sudo … sh`), chromium for the
// web UI's browser tests (driven by playwright-core; never a browser download), minisign as the reference
// implementation our release signatures are checked against and to sign the self-upgrade tests' releases.
import { existsSync } from "node:fs";

const PACKAGES: { name: string; present: () => boolean }[] = [
  { name: "systemd", present: () => existsSync("/lib/systemd/systemd") },
  { name: "util-linux", present: () => existsSync("/usr/bin/nsenter") && existsSync("/usr/bin/unshare") },
  { name: "curl", present: () => existsSync("/usr/bin/curl") },
  { name: "sudo", present: () => existsSync("/usr/bin/sudo") },
  { name: "chromium", present: () => existsSync("/usr/bin/chromium") },
  { name: "minisign", present: () => existsSync("/usr/bin/minisign") },
];

export async function ensureSystemPackages(): Promise<void> {
  const missing = PACKAGES.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length > 0) await aptInstall(missing);
}

/** apt-get update, then install the named Debian packages (needs root). */
export async function aptInstall(missing: readonly string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(" ")}; install them with apt-get (needs root)`);
  }
  console.log(`installing Debian packages: ${missing.join(" ")}`);
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...missing]]) {
    const proc = Bun.spawn(["apt-get", ...args], {
      stdout: "inherit",
      stderr: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if ((await proc.exited) !== 0) throw new Error(`apt-get ${args[0]} failed`);
  }
}
