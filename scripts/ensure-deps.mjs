#!/usr/bin/env node
// Installs the npm dependencies when they are missing or older than the lockfile, so that `npm start`
// and `npm test` work on a fresh clone with only Node.js and npm. Plain Node: it runs before Bun exists.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const stamp = "node_modules/.package-lock.json";
const lockChanged = existsSync(stamp) && statSync("package-lock.json").mtimeMs > statSync(stamp).mtimeMs;
if (!existsSync("node_modules/.bin/bun") || !existsSync(stamp) || lockChanged) {
  console.log("novacula: installing npm dependencies (npm ci)…");
  execFileSync("npm", ["ci", "--no-fund", "--no-audit"], { stdio: "inherit" });
}
