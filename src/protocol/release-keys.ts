// The minisign public keys release binaries are signed with, compiled into every novacula: the control plane
// refuses to publish a release no key here verifies, and an executor refuses to run one. Two keys: `current`
// signs today's releases; `next` is already trusted, so a rotation (sign with next, then ship a binary with a
// new next) never strands an executor that only knows the old list. docs/releases.md says how to rotate.
export interface ReleaseKey {
  role: "current" | "next";
  /** As minisign prints it (16 hex digits). */
  keyId: string;
  /** The public key line of minisign.pub. */
  publicKey: string;
}

export const RELEASE_PUBLIC_KEYS: readonly ReleaseKey[] = [
  {
    role: "current",
    keyId: "EFAE24925A492C67",
    publicKey: "RWRnLElakiSu75pVUGBxLKRWkWa6U7lCd725M/kW+MDkvC6Fo6QPBlT+",
  },
  {
    role: "next",
    keyId: "4B9E5CE72CBD6495",
    publicKey: "RWSVZL0s51yeS1tq94M/n94Z1Am2GPXxTTfUG9PW3Faa1kS81DhTLiks",
  },
];
