// The self-upgrade's signature check: the project's one minisign verifier (src/lib/minisign.ts) against the
// one trusted key set (src/lib/release-trust.ts: the compiled-in release keys, plus a test key only in a build
// made for tests), its errors mapped to the protocol's refusal reasons. The core depends on the interface
// only, so a test can hand it another key set.
import {
  MinisignError,
  type MinisignPublicKey,
  verifyMinisign,
  verifyMinisignFile,
} from "../../lib/minisign.ts";
import { trustedReleaseKeys } from "../../lib/release-trust.ts";

export type VerifyResult =
  | { ok: true; keyId: string }
  | { ok: false; reason: "signature_invalid" | "signature_unknown_key"; detail: string };

/** Checks a file's (a path, or its bytes) detached minisign signature. */
export interface SignatureVerifier {
  verify(file: Uint8Array | string, signatureText: string): Promise<VerifyResult>;
}

export function minisignVerifier(
  keys: readonly MinisignPublicKey[] = trustedReleaseKeys(),
): SignatureVerifier {
  return {
    async verify(file, signatureText) {
      try {
        const { keyId } =
          typeof file === "string"
            ? await verifyMinisignFile(file, signatureText, keys)
            : verifyMinisign(file, signatureText, keys);
        return { ok: true, keyId };
      } catch (error) {
        if (!(error instanceof MinisignError)) throw error;
        const reason = error.reason === "unknown_key" ? "signature_unknown_key" : "signature_invalid";
        return { ok: false, reason, detail: error.message };
      }
    },
  };
}
