// The minisign public keys a release must be signed with, compiled into the binary: the current release key
// and the next one (so a key can be rotated by shipping the next key one release before signing with it).
// Each entry is the second line of a minisign public key file (base64 of "Ed" + key id + Ed25519 key).
//
// Release builds and tests add keys at build time (`bun scripts/build.ts --trusted-key <base64>`, which
// defines __NOVACULA_TRUSTED_KEYS__): there is deliberately no run-time flag, file or environment variable
// that adds a key, since anything that can write one could then sign a binary this host would run as root.
// With no key at all every release is refused with `signature_unknown_key`.

declare const __NOVACULA_TRUSTED_KEYS__: readonly string[] | undefined;

/** The project's release keys (current, then next). Filled in when the release keys are created. */
const RELEASE_KEYS: readonly string[] = [];

export const TRUSTED_KEYS: readonly string[] = [
  ...RELEASE_KEYS,
  ...(typeof __NOVACULA_TRUSTED_KEYS__ !== "undefined" && Array.isArray(__NOVACULA_TRUSTED_KEYS__)
    ? __NOVACULA_TRUSTED_KEYS__
    : []),
];
