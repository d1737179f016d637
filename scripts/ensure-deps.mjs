#!/usr/bin/env node
// Installs the npm dependencies when they are missing or older than the lockfile, so that `npm start`
// and `npm test` work on a fresh clone with only Node.js and npm. Plain Node: it runs before Bun exists.
//
// Why `npm install` and not `npm ci`: the registry these machines reach has at times lacked some packages'
// builds for other platforms (e.g. @biomejs/cli-darwin-*), and a lockfile recorded then is one `npm ci`
// refuses as out of sync. `npm install` installs exactly the locked versions; the install stays frozen
// because we fail if it would change package-lock.json (which now records every platform's build).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";

const LOCK = "package-lock.json";
const stamp = "node_modules/.package-lock.json";
const lockChanged = existsSync(stamp) && statSync(LOCK).mtimeMs > statSync(stamp).mtimeMs;
if (!existsSync("node_modules/.bin/bun") || !existsSync(stamp) || lockChanged) {
  const digest = () => createHash("sha256").update(readFileSync(LOCK)).digest("hex");
  const before = digest();
  console.log("novacula: installing npm dependencies from package-lock.json…");
  execFileSync("npm", ["install", "--no-fund", "--no-audit"], { stdio: "inherit" });
  if (digest() !== before) {
    console.error(
      "novacula: npm install changed package-lock.json: commit the updated lockfile (installs must be frozen)",
    );
    process.exit(1);
  }
}
