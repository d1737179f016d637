// Which minisign keys this process trusts for release binaries, the one source for both the control plane
// (which refuses to publish a release no trusted key verifies) and the executor's self-upgrade (which refuses
// to run one): the compiled-in RELEASE_PUBLIC_KEYS (current and next), plus one throwaway test key in exactly
// two cases, neither reachable by a production binary:
//  - the build itself said so: `scripts/build.ts --test-release-key KEY` stamps __NOVACULA_TEST_RELEASE_KEY__
//    (tests that build their own binaries); release builds (scripts/release.ts) never pass it;
//  - the process runs from source (`bun src/main.ts`, never a shipped binary) and NOVACULA_TEST_RELEASE_KEY
//    is set. A compiled binary ignores that variable entirely, so nobody with access to a host's environment
//    can make a production executor or control plane trust another key.
import { RELEASE_PUBLIC_KEYS } from "../protocol/release-keys.ts";
import { type MinisignPublicKey, parsePublicKey } from "./minisign.ts";

declare const __NOVACULA_TEST_RELEASE_KEY__: string | undefined;

export const TEST_RELEASE_KEY_ENV = "NOVACULA_TEST_RELEASE_KEY";

/** True inside a `bun build --compile` binary (its entry lives in Bun's embedded file system). */
export function isCompiledBinary(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:/~BUN/");
}

/** The test key this build or (source) process was given, if any. */
export function testReleaseKey(env: Record<string, string | undefined> = process.env): string | null {
  if (typeof __NOVACULA_TEST_RELEASE_KEY__ === "string" && __NOVACULA_TEST_RELEASE_KEY__ !== "")
    return __NOVACULA_TEST_RELEASE_KEY__;
  if (!isCompiledBinary() && env[TEST_RELEASE_KEY_ENV]) return env[TEST_RELEASE_KEY_ENV]!;
  return null;
}

export function trustedReleaseKeys(
  env: Record<string, string | undefined> = process.env,
): MinisignPublicKey[] {
  const keys = RELEASE_PUBLIC_KEYS.map((k) => parsePublicKey(k.publicKey));
  const test = testReleaseKey(env);
  if (test) keys.push(parsePublicKey(test));
  return keys;
}
