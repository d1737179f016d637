// The real geth for tests: the binary `npm test` built (NOVACULA_TEST_GETH, set by scripts/check.ts), or,
// when a test file is run on its own, the cached build of scripts/test-geth.ts (built there first if absent:
// minutes, once). Also reads the flags out of a `geth --help` text.
import { existsSync } from "node:fs";
import { ensureTestGeth } from "../../scripts/test-geth.ts";

export { GETH_VERSION } from "../../scripts/test-geth.ts";

/** The path of a runnable geth of the pinned version. Call it at module load (top-level await): no test timeout. */
export async function testGeth(): Promise<string> {
  const fromEnv = process.env.NOVACULA_TEST_GETH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`NOVACULA_TEST_GETH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return ensureTestGeth(undefined, (line) => console.error(`[geth] ${line}`));
}

/**
 * Every flag name `geth --help` lists, aliases included ("--discovery.v4, --discv4" gives both). Option
 * lines start with four spaces and a dash; the names end at the first run of two spaces.
 */
export function gethHelpFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const line of help.split("\n")) {
    const match = /^ {4}(-\S.*?)(?: {2,}|$)/.exec(line);
    if (!match) continue;
    for (const name of match[1]!.split(", ")) flags.add(name.split(" ")[0]!);
  }
  return flags;
}
